use medledger_types::codec::CodecError;
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
    #[error("a field is out of range: {0}")]
    OutOfRange(&'static str),
    #[error("state error: {0}")]
    State(String),
}

impl TxError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TxError::Malformed(_) => "malformed",
            TxError::WrongChain => "wrong_chain",
            TxError::BadSignature => "bad_signature",
            TxError::WrongNonce { .. } => "wrong_nonce",
            TxError::AlreadyRegistered => "already_registered",
            TxError::NotAClinic => "not_a_clinic",
            TxError::NotAPatient => "not_a_patient",
            TxError::UnknownPatient(_) => "unknown_patient",
            TxError::NotADoctor => "not_a_doctor",
            TxError::NoDoctorConsent => "no_doctor_consent",
            TxError::ReceiptNotRequested => "receipt_not_requested",
            TxError::ReceiptTime { .. } => "receipt_time",
            TxError::ReceiptReplayed => "receipt_replayed",
            TxError::NotEnoughApprovals { .. } => "not_enough_approvals",
            TxError::RecordIdMismatch => "record_id_mismatch",
            TxError::DuplicateRecord => "duplicate_record",
            TxError::NotASizeBucket { .. } => "not_a_size_bucket",
            TxError::UnknownRecord(_) => "unknown_record",
            TxError::NotYourRecord(_) => "not_your_record",
            TxError::OutsideScope(_) => "outside_scope",
            TxError::DuplicateKey(_) => "duplicate_key",
            TxError::UnknownGrant => "unknown_grant",
            TxError::NotYourGrant => "not_your_grant",
            TxError::GrantRevoked => "grant_revoked",
            TxError::GrantExpired => "grant_expired",
            TxError::ExpiryInPast => "expiry_in_past",
            TxError::UnknownLink => "unknown_link",
            TxError::NotYourLink => "not_your_link",
            TxError::DuplicateLink => "duplicate_link",
            TxError::LinkNotActive(_) => "link_not_active",
            TxError::NotLongTerm => "not_long_term",
            TxError::KeyRetired => "key_retired",
            TxError::KeyInUse => "key_in_use",
            TxError::NoRotationConsent => "no_rotation_consent",
            TxError::AlreadyErased(_) => "already_erased",
            TxError::NotAValidator => "not_a_validator",
            TxError::AccountClosed => "account_closed",
            TxError::RecordsRemain(_) => "records_remain",
            TxError::NoGuardians => "no_guardians",
            TxError::UnknownGuardian(_) => "unknown_guardian",
            TxError::NotAGuardian => "not_a_guardian",
            TxError::RecoveryPending => "recovery_pending",
            TxError::NoPendingRecovery => "no_pending_recovery",
            TxError::WrongRecovery => "wrong_recovery",
            TxError::AlreadyAnswered => "already_answered",
            TxError::NotApproved => "not_approved",
            TxError::RecoveryNotEffective { .. } => "recovery_not_effective",
            TxError::AlreadyReleased => "already_released",
            TxError::RecoveryDelayTooShort { .. } => "recovery_delay_too_short",
            TxError::NoEmergencyAccess => "no_emergency_access",
            TxError::NoEmergencySet => "no_emergency_set",
            TxError::NotAClinician => "not_a_clinician",
            TxError::WatchKeyTaken => "watch_key_taken",
            TxError::UnknownEmergencyRequest => "unknown_emergency_request",
            TxError::EmergencyWindowClosed { .. } => "emergency_window_closed",
            TxError::OutOfRange(_) => "out_of_range",
            TxError::State(_) => "state_error",
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
