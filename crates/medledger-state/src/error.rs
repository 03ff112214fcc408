use medledger_types::codec::CodecError;
use medledger_types::error_code::ErrorCode;
use medledger_types::validators::ChangeRefused;
use thiserror::Error;

/// Why a transaction is rejected. Each variant has a stable [`TxError::code`] that the HTTP
/// API returns, so clients can branch on it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TxError {
    #[error("malformed transaction: {0}")]
    Malformed(#[from] CodecError),
    #[error("transaction is for another chain")]
    WrongChain,
    #[error("bad signature")]
    BadSignature,
    #[error("wrong nonce: expected {expected}, got {got}")]
    WrongNonce { expected: u64, got: u64 },
    #[error("this account is already registered")]
    AlreadyRegistered,
    #[error("the author is not a registered clinic")]
    NotAClinic,
    #[error("the author is not a registered patient")]
    NotAPatient,
    #[error("unknown patient {0}")]
    UnknownPatient(String),
    #[error(
        "not for a doctor: a notice goes only to a registered doctor, and no grant names a patient's or a clinic's account"
    )]
    NotADoctor,
    #[error("the doctor did not consent to this registration (no valid signature by their key)")]
    NoDoctorConsent,
    #[error("the receipt does not carry the grantee's signed request to this node")]
    ReceiptNotRequested,
    #[error(
        "the receipt's request time {served_at_ms} is too far from the block's time {block_ms}"
    )]
    ReceiptTime { served_at_ms: u64, block_ms: u64 },
    #[error("that request already has its receipt")]
    ReceiptReplayed,
    #[error("not enough valid validator approvals: {got} of {needed}")]
    NotEnoughApprovals { got: usize, needed: usize },
    #[error("record id does not match the clinic and nonce")]
    RecordIdMismatch,
    #[error("record already exists")]
    DuplicateRecord,
    #[error(
        "the record's {what} length {len} is not a size bucket: pad it (medledger_types::size_bucket)"
    )]
    NotASizeBucket { what: &'static str, len: u64 },
    #[error("unknown record {0}")]
    UnknownRecord(String),
    #[error("record {0} does not belong to this patient")]
    NotYourRecord(String),
    #[error("record {0} is outside the grant's scope")]
    OutsideScope(String),
    #[error("record {0} is listed twice")]
    DuplicateKey(String),
    #[error("unknown grant")]
    UnknownGrant,
    #[error("the grant belongs to another patient")]
    NotYourGrant,
    #[error("the grant is revoked")]
    GrantRevoked,
    #[error("the grant has expired")]
    GrantExpired,
    #[error("the expiry is in the past")]
    ExpiryInPast,
    #[error("unknown link")]
    UnknownLink,
    #[error("the link belongs to another patient")]
    NotYourLink,
    #[error("a link with that id already exists")]
    DuplicateLink,
    #[error("the link is {0}")]
    LinkNotActive(&'static str),
    #[error("only a long-term link's files can change")]
    NotLongTerm,
    #[error("this key no longer signs for its account: the account moved to new keys")]
    KeyRetired,
    #[error("that key is already in use by an account")]
    KeyInUse,
    #[error("the new key did not consent to take over this account (no valid signature by it)")]
    NoRotationConsent,
    #[error("record {0} is already erased")]
    AlreadyErased(String),
    #[error("only a validator's node writes erasure receipts")]
    NotAValidator,
    #[error("this account is closed")]
    AccountClosed,
    #[error("an account is closed only once all of its records are erased ({0} left)")]
    RecordsRemain(u64),
    #[error("this account has no guardians")]
    NoGuardians,
    #[error("guardian {0} is not a registered account (or is the patient's own)")]
    UnknownGuardian(String),
    #[error("the author is not one of this account's guardians")]
    NotAGuardian,
    #[error("a recovery of this account is already pending")]
    RecoveryPending,
    #[error("this account has no pending recovery")]
    NoPendingRecovery,
    #[error("the pending recovery is to another device")]
    WrongRecovery,
    #[error("this guardian already answered the recovery (or its threshold approved it)")]
    AlreadyAnswered,
    #[error("this guardian did not approve the recovery")]
    NotApproved,
    #[error("the recovery has not taken effect yet (it needs its approvals, then its delay)")]
    RecoveryNotEffective { effective_at_ms: Option<u64> },
    #[error("this guardian already released its share")]
    AlreadyReleased,
    #[error("a recovery delay must be at least {min_ms} ms on this chain")]
    RecoveryDelayTooShort { min_ms: u64 },
    #[error("this chain's genesis names no emergency keys: it offers no emergency access")]
    NoEmergencyAccess,
    #[error("this account has no emergency set")]
    NoEmergencySet,
    #[error("only a registered clinician may ask for emergency access")]
    NotAClinician,
    #[error("another account's emergency set already names that watch key")]
    WatchKeyTaken,
    #[error("unknown emergency request")]
    UnknownEmergencyRequest,
    #[error("the emergency access window ended at {ended_at_ms}")]
    EmergencyWindowClosed { ended_at_ms: u64 },
    #[error("this chain's genesis sets no epochs: its validator set never changes")]
    NoEpochs,
    #[error("the change was approved as governance change {got}, but the chain is at {expected}")]
    StaleGovernance { expected: u64, got: u64 },
    #[error("the validator change does not apply: {0}")]
    ValidatorChangeRefused(#[from] ChangeRefused),
    #[error("a joining validator's key signs the change itself")]
    JoiningKeyMustSign,
    #[error("a field is out of range: {0}")]
    OutOfRange(&'static str),
    #[error("state error: {0}")]
    State(String),
}

impl TxError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            TxError::Malformed(_) => ErrorCode::Malformed,
            TxError::WrongChain => ErrorCode::WrongChain,
            TxError::BadSignature => ErrorCode::BadSignature,
            TxError::WrongNonce { .. } => ErrorCode::WrongNonce,
            TxError::AlreadyRegistered => ErrorCode::AlreadyRegistered,
            TxError::NotAClinic => ErrorCode::NotAClinic,
            TxError::NotAPatient => ErrorCode::NotAPatient,
            TxError::UnknownPatient(_) => ErrorCode::UnknownPatient,
            TxError::NotADoctor => ErrorCode::NotADoctor,
            TxError::NoDoctorConsent => ErrorCode::NoDoctorConsent,
            TxError::ReceiptNotRequested => ErrorCode::ReceiptNotRequested,
            TxError::ReceiptTime { .. } => ErrorCode::ReceiptTime,
            TxError::ReceiptReplayed => ErrorCode::ReceiptReplayed,
            TxError::NotEnoughApprovals { .. } => ErrorCode::NotEnoughApprovals,
            TxError::NoEpochs => ErrorCode::NoEpochs,
            TxError::StaleGovernance { .. } => ErrorCode::StaleGovernance,
            TxError::ValidatorChangeRefused(_) => ErrorCode::ValidatorChangeRefused,
            TxError::JoiningKeyMustSign => ErrorCode::JoiningKeyMustSign,
            TxError::RecordIdMismatch => ErrorCode::RecordIdMismatch,
            TxError::DuplicateRecord => ErrorCode::DuplicateRecord,
            TxError::NotASizeBucket { .. } => ErrorCode::NotASizeBucket,
            TxError::UnknownRecord(_) => ErrorCode::UnknownRecord,
            TxError::NotYourRecord(_) => ErrorCode::NotYourRecord,
            TxError::OutsideScope(_) => ErrorCode::OutsideScope,
            TxError::DuplicateKey(_) => ErrorCode::DuplicateKey,
            TxError::UnknownGrant => ErrorCode::UnknownGrant,
            TxError::NotYourGrant => ErrorCode::NotYourGrant,
            TxError::GrantRevoked => ErrorCode::GrantRevoked,
            TxError::GrantExpired => ErrorCode::GrantExpired,
            TxError::ExpiryInPast => ErrorCode::ExpiryInPast,
            TxError::UnknownLink => ErrorCode::UnknownLink,
            TxError::NotYourLink => ErrorCode::NotYourLink,
            TxError::DuplicateLink => ErrorCode::DuplicateLink,
            TxError::LinkNotActive(_) => ErrorCode::LinkNotActive,
            TxError::NotLongTerm => ErrorCode::NotLongTerm,
            TxError::KeyRetired => ErrorCode::KeyRetired,
            TxError::KeyInUse => ErrorCode::KeyInUse,
            TxError::NoRotationConsent => ErrorCode::NoRotationConsent,
            TxError::AlreadyErased(_) => ErrorCode::AlreadyErased,
            TxError::NotAValidator => ErrorCode::NotAValidator,
            TxError::AccountClosed => ErrorCode::AccountClosed,
            TxError::RecordsRemain(_) => ErrorCode::RecordsRemain,
            TxError::NoGuardians => ErrorCode::NoGuardians,
            TxError::UnknownGuardian(_) => ErrorCode::UnknownGuardian,
            TxError::NotAGuardian => ErrorCode::NotAGuardian,
            TxError::RecoveryPending => ErrorCode::RecoveryPending,
            TxError::NoPendingRecovery => ErrorCode::NoPendingRecovery,
            TxError::WrongRecovery => ErrorCode::WrongRecovery,
            TxError::AlreadyAnswered => ErrorCode::AlreadyAnswered,
            TxError::NotApproved => ErrorCode::NotApproved,
            TxError::RecoveryNotEffective { .. } => ErrorCode::RecoveryNotEffective,
            TxError::AlreadyReleased => ErrorCode::AlreadyReleased,
            TxError::RecoveryDelayTooShort { .. } => ErrorCode::RecoveryDelayTooShort,
            TxError::NoEmergencyAccess => ErrorCode::NoEmergencyAccess,
            TxError::NoEmergencySet => ErrorCode::NoEmergencySet,
            TxError::NotAClinician => ErrorCode::NotAClinician,
            TxError::WatchKeyTaken => ErrorCode::WatchKeyTaken,
            TxError::UnknownEmergencyRequest => ErrorCode::UnknownEmergencyRequest,
            TxError::EmergencyWindowClosed { .. } => ErrorCode::EmergencyWindowClosed,
            TxError::OutOfRange(_) => ErrorCode::OutOfRange,
            TxError::State(_) => ErrorCode::StateError,
        }
    }
}

/// A storage failure (disk, corruption): not the transaction's fault.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("database: {0}")]
    Db(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("state at height {0} is not available (not committed yet, or pruned)")]
    Unavailable(u64),
    #[error("{0}")]
    Invariant(String),
    /// A state-sync chunk that does not prove what it claims (a lying or broken peer).
    #[error("a state chunk was refused: {0}")]
    BadChunk(String),
}

macro_rules! db_error {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.to_string())
            }
        }
    )*};
}
db_error!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError::State(e.to_string())
    }
}
