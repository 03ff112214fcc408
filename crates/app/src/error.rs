//! What the UI receives when something fails: a stable `code` to branch on and a message for
//! people. Messages never contain keys, words or passwords.

use medwallet_core::{SourceError, WalletError};
use medwallet_crypto::KeystoreError;
use medwallet_store::StoreError;
use serde::Serialize;

/// The codes the UI branches on (mirrored in `ui/src/ipc/types.ts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
    Internal,
}

/// A failed operation: `{ code, message }` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
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
            other => Self::new(ErrorCode::Storage, other.to_string()),
        }
    }
}

impl From<SourceError> for AppError {
    fn from(e: SourceError) -> Self {
        Self::new(ErrorCode::Network, e.to_string())
    }
}

impl From<WalletError> for AppError {
    fn from(e: WalletError) -> Self {
        let code = match &e {
            WalletError::Source(_) => ErrorCode::Network,
            WalletError::UnknownRecord(_) => ErrorCode::NotFound,
            WalletError::LocalStorage(_) => ErrorCode::Storage,
            WalletError::NotForMe(_) | WalletError::WrongCiphertext(_) => ErrorCode::Refused,
            _ => ErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
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
    fn keystore_and_store_errors_map_to_their_codes() {
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
            AppError::from(SourceError("down".into())).code,
            ErrorCode::Network
        );
        assert_eq!(
            AppError::from(WalletError::UnknownRecord("ab".into())).code,
            ErrorCode::NotFound
        );
    }
}
