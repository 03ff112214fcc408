//! Why a wallet operation failed, typed so each adapter (the desktop app's `{ code, message }`,
//! the CLI's exit message) decides what to show. Messages never hold keys or plaintext.

use medledger_client::{ReadError, SourceError};
use medledger_types::state::GrantStatus;
use thiserror::Error;

use crate::store::StoreFailure;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum WalletError {
    /// The ledger could not be read or written (every node's answer is in it).
    #[error(transparent)]
    Ledger(#[from] ReadError),
    /// A proven record entry names another patient.
    #[error("record {0} belongs to another patient")]
    ForeignRecord(String),
    #[error("record {0} cannot be opened with this wallet's key")]
    NotForMe(String),
    #[error("a node served ciphertext for record {0} that does not match the ledger's hash")]
    WrongCiphertext(String),
    /// The record is a file (an imaging study): it is saved to disk, not shown.
    #[error("record {id} is a file ({name}); save it to open it with another program")]
    IsAFile { id: String, name: String },
    #[error("unknown record {0}; run sync")]
    UnknownRecord(String),
    /// A doctor asked for a record no grant of theirs covers.
    #[error("record {0} was not shared with you")]
    NotShared(String),
    /// A doctor asked under a grant that has ended.
    #[error(
        "access to this record was {} by the patient: nothing more can be fetched (copies downloaded earlier remain with whoever downloaded them)",
        .0.code()
    )]
    GrantEnded(GrantStatus),
    #[error("{0} is not a registered doctor")]
    NotADoctor(String),
    /// What the user asked for is not well-formed (the message says which part).
    #[error("{0}")]
    InvalidInput(String),
    #[error("the wallet's local files could not be read or written: {0}")]
    LocalStorage(#[from] StoreFailure),
    /// Proven equivocation: no new ledger data is shown until the user acknowledges it.
    #[error(
        "equivocation at height {}: {} and {} serve different finalized blocks. {}",
        .0.height, .0.first, .0.second, crate::trust::EQUIVOCATION_ADVICE
    )]
    Equivocation(crate::trust::Alarm),
    /// The local cache does not open: another wallet's, or damaged. Nothing was overwritten.
    #[error("the wallet cache {0}")]
    Cache(&'static str),
    /// The cache was not sealed by this wallet: it was moved aside, unread, and the records
    /// will be verified again by the next sync.
    #[error(
        "the wallet cache {reason}; it was not used, and was kept for inspection at {kept_at}. Open the wallet again and sync to verify the records anew"
    )]
    CacheRejected {
        reason: &'static str,
        kept_at: String,
    },
    /// The cache holds records verified on another chain than the source's.
    #[error(
        "the wallet cache holds records verified on chain {cached}, but the nodes are anchored to chain {anchored}; use --switch-chain (or the genesis this wallet trusts)"
    )]
    CacheChain { cached: String, anchored: String },
    /// A verified record is not FHIR the summary can read (the clinic issued something else).
    #[error("a record cannot go into the summary: {0}")]
    NotFhir(String),
    /// A SMART Health Link or one of its files is not what the spec defines.
    #[error(transparent)]
    Shl(#[from] medwallet_shl::ShlError),
    /// A link someone shared could not be opened (wrong passcode, revoked, unreachable…).
    #[error(transparent)]
    Receive(#[from] medwallet_shl::receive::ReceiveError),
    #[error("that account has no emergency set")]
    NoEmergencySet,
    #[error("the emergency access ended at {ended_at_ms} (24 hours after the request)")]
    EmergencyEnded { ended_at_ms: u64 },
    #[error(
        "{got} of the {needed} validator shares needed are out so far{}; try again shortly",
        refused_text(.refused)
    )]
    EmergencyWaiting {
        got: usize,
        needed: u8,
        /// Validators (by position) whose released share did not match the commitment.
        refused: Vec<u8>,
    },
    #[error("emergency access: {0}")]
    Emergency(#[from] medwallet_crypto::emergency::EmergencyError),
    #[error("joining the device: {0}")]
    DeviceJoin(#[from] crate::device_join::JoinFault),
}

fn refused_text(refused: &[u8]) -> String {
    if refused.is_empty() {
        String::new()
    } else {
        let named: Vec<String> = refused.iter().map(|v| format!("node {}", v + 1)).collect();
        format!(" (refused as not the patient's: {})", named.join(", "))
    }
}

impl From<SourceError> for WalletError {
    fn from(e: SourceError) -> Self {
        WalletError::Ledger(ReadError::Source(e))
    }
}

impl WalletError {
    /// The source error underneath, if the ledger was the problem.
    pub fn source_error(&self) -> Option<&SourceError> {
        match self {
            WalletError::Ledger(ReadError::Source(e)) => Some(e),
            _ => None,
        }
    }
}
