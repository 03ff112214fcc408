//! What the UI receives when something fails: a stable `code` to branch on and a message for
//! people. Messages never contain keys, words or passwords.

use medwallet_core::{SourceError, WalletError};
use medwallet_crypto::KeystoreError;
use medwallet_net::source::AnchorError as SourceSetupError;
use medwallet_shl::receive::ReceiveError;
use medwallet_store::{AnchorError, StoreError};
use serde::Serialize;

/// The codes the UI branches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NoWallet,
    WalletExists,
    Locked,
    WrongPassword,
    InvalidInput,
    BackupMismatch,
    Network,
    Refused,
    NotFound,
    Storage,
    /// Proven equivocation: nothing new is shown until the user acknowledges it.
    Equivocation,
    /// A link someone shared needs its passcode, or the one typed was wrong (the message says
    /// how many attempts are left).
    LinkPasscode,
    /// An emergency request whose validators have not released enough shares yet: try again
    /// shortly.
    EmergencyWaiting,
    /// A device join ended (a wrong or expired code, another device answered): start again
    /// with a new code.
    DeviceJoin,
    /// Another Medwallet (a `medwallet` command, another copy of the app) has this wallet open
    /// for writing: close or lock it there, then try again.
    WalletInUse,
    /// The record is a file (an imaging study): save it (`save_record_file`), it is not shown.
    IsAFile,
    Internal,
}

/// A failed operation: `{ code, message }` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn locked() -> Self {
        Self::new(
            ErrorCode::Locked,
            "the wallet is locked; unlock it with your password",
        )
    }
}

impl From<KeystoreError> for AppError {
    fn from(e: KeystoreError) -> Self {
        let code = match e {
            KeystoreError::WrongPassword => ErrorCode::WrongPassword,
            KeystoreError::PasswordTooShort | KeystoreError::LabelTooLong => {
                ErrorCode::InvalidInput
            }
            _ => ErrorCode::Storage,
        };
        Self::new(code, e.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoWallet(_) => {
                Self::new(ErrorCode::NoWallet, "no wallet on this device yet")
            }
            StoreError::WalletExists(_) => Self::new(
                ErrorCode::WalletExists,
                "a wallet already exists on this device; it was not overwritten",
            ),
            StoreError::Keystore(k) => k.into(),
            e @ StoreError::InUse(_) => Self::new(ErrorCode::WalletInUse, e.to_string()),
            other => Self::new(ErrorCode::Storage, other.to_string()),
        }
    }
}

impl From<AnchorError> for AppError {
    fn from(e: AnchorError) -> Self {
        match e {
            AnchorError::Missing => Self::new(
                ErrorCode::Network,
                "this wallet has no trust anchor yet: choose the chain's genesis file in Settings",
            ),
            AnchorError::Unreadable { .. }
            | AnchorError::Invalid { .. }
            | AnchorError::OtherChain { .. } => Self::invalid(e.to_string()),
            _ => Self::new(ErrorCode::Storage, e.to_string()),
        }
    }
}

impl From<SourceSetupError> for AppError {
    fn from(e: SourceSetupError) -> Self {
        match e {
            SourceSetupError::NoNodes => Self::new(
                ErrorCode::Network,
                "no nodes configured: add node URLs in Settings",
            ),
            _ => Self::invalid(e.to_string()),
        }
    }
}

impl From<SourceError> for AppError {
    fn from(e: SourceError) -> Self {
        // A node's deliberate refusal (its `{ code, message }`) is not a network problem.
        let code = if e.refusal().is_some() {
            ErrorCode::Refused
        } else {
            ErrorCode::Network
        };
        Self::new(code, e.to_string())
    }
}

impl From<WalletError> for AppError {
    fn from(e: WalletError) -> Self {
        let code = match &e {
            WalletError::Ledger(_) => match e.source_error() {
                Some(source) if source.refusal().is_some() => ErrorCode::Refused,
                Some(SourceError::Local(_)) => ErrorCode::Storage,
                Some(_) => ErrorCode::Network,
                None => ErrorCode::Internal,
            },
            WalletError::UnknownRecord(_) | WalletError::NotADoctor(_) => ErrorCode::NotFound,
            WalletError::NotShared(_) => ErrorCode::NotFound,
            WalletError::LocalStorage(_)
            | WalletError::Cache(_)
            | WalletError::CacheRejected { .. }
            | WalletError::CacheChain { .. } => ErrorCode::Storage,
            WalletError::InvalidInput(_) => ErrorCode::InvalidInput,
            WalletError::Equivocation(_) => ErrorCode::Equivocation,
            WalletError::NotForMe(_)
            | WalletError::WrongCiphertext(_)
            | WalletError::GrantEnded(_)
            | WalletError::ForeignRecord(_)
            | WalletError::NotFhir(_) => ErrorCode::Refused,
            WalletError::Shl(_) => ErrorCode::InvalidInput,
            WalletError::NoEmergencySet => ErrorCode::NotFound,
            WalletError::EmergencyWaiting { .. } => ErrorCode::EmergencyWaiting,
            WalletError::EmergencyEnded { .. } | WalletError::Emergency(_) => ErrorCode::Refused,
            WalletError::DeviceJoin(_) => ErrorCode::DeviceJoin,
            WalletError::IsAFile { .. } => ErrorCode::IsAFile,
            WalletError::Receive(r) => match r {
                ReceiveError::PasscodeNeeded | ReceiveError::WrongPasscode { .. } => {
                    ErrorCode::LinkPasscode
                }
                ReceiveError::NotActive => ErrorCode::NotFound,
                ReceiveError::Link(_) => ErrorCode::InvalidInput,
                _ => ErrorCode::Network,
            },
            _ => ErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use medledger_client::NetError;
    use medledger_types::state::GrantStatus;

    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = AppError::new(ErrorCode::WrongPassword, "wrong password");
        assert_eq!(
            serde_json::to_value(&e).expect("json"),
            serde_json::json!({ "code": "wrong_password", "message": "wrong password" })
        );
    }

    #[test]
    fn each_failure_maps_to_its_code() {
        assert_eq!(
            AppError::from(KeystoreError::WrongPassword).code,
            ErrorCode::WrongPassword
        );
        assert_eq!(
            AppError::from(KeystoreError::PasswordTooShort).code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            AppError::from(KeystoreError::Corrupt("mac")).code,
            ErrorCode::Storage
        );
        assert_eq!(
            AppError::from(StoreError::NoWallet("/x".into())).code,
            ErrorCode::NoWallet
        );
        assert_eq!(
            AppError::from(StoreError::WalletExists("/x".into())).code,
            ErrorCode::WalletExists
        );
        assert_eq!(
            AppError::from(StoreError::InUse("/x".into())).code,
            ErrorCode::WalletInUse
        );
        assert_eq!(
            AppError::from(AnchorError::Missing).code,
            ErrorCode::Network
        );
        let down = NetError::Unreachable {
            node: "http://a".into(),
            message: "down".into(),
        };
        assert_eq!(
            AppError::from(SourceError::NotAccepted(vec![down])).code,
            ErrorCode::Network
        );
        let refused = NetError::Refused {
            node: "http://a".into(),
            status: 409,
            code: "wrong_nonce".into(),
            message: "".into(),
        };
        assert_eq!(
            AppError::from(WalletError::from(SourceError::NotAccepted(vec![refused]))).code,
            ErrorCode::Refused
        );
        assert_eq!(
            AppError::from(WalletError::UnknownRecord("ab".into())).code,
            ErrorCode::NotFound
        );
        assert_eq!(
            AppError::from(WalletError::GrantEnded(GrantStatus::Revoked)).code,
            ErrorCode::Refused
        );
        assert_eq!(
            AppError::from(WalletError::InvalidInput("no".into())).code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            AppError::from(WalletError::IsAFile {
                id: "ab".into(),
                name: "ct.dcm".into()
            })
            .code,
            ErrorCode::IsAFile
        );
        let full = std::io::Error::other("disk full");
        assert_eq!(
            AppError::from(WalletError::from(SourceError::Local(full))).code,
            ErrorCode::Storage,
            "this side's disk, not the network"
        );
    }
}
