//! The stable codes a node reports when it refuses something: the `code` of every API error
//! body (`{ code, message }`) and of every rejected transaction in a batch. Clients branch on
//! the code; the message is for people and may change. One list, here, from which the ledger's
//! rules, the node's API and its OpenAPI document all take their codes.

/// Declares [`ErrorCode`]: each variant with its code and what it means.
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])+ $name:ident => $code:literal, )+) => {
        /// A refusal's stable code. See [`ErrorCode::ALL`] for the list and
        /// [`ErrorCode::meaning`] for what each says.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $name, )+
        }

        impl ErrorCode {
            /// Every code, in the order they are documented.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),+];

            /// The code as it travels (`snake_case`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $code,)+
                }
            }

            /// What the code means, in a sentence.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => concat!($($doc),+),)+
                }
            }

            /// The code named `code`, if it is one.
            pub fn parse(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(ErrorCode::$name),)+
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // --- The request itself ---
    /// A request the API cannot read (a body that is not the JSON asked for, a query parameter
    /// it does not take, a value out of range).
    BadRequest => "bad_request",
    /// A byte string that is not hex, or not of the required length.
    BadHex => "bad_hex",
    /// A state key that is empty or longer than 256 bytes.
    BadKey => "bad_key",
    /// A height that is not a number.
    BadHeight => "bad_height",
    /// A body over the endpoint's limit.
    TooLarge => "too_large",
    /// A body that is not of the endpoint's media type.
    UnsupportedMediaType => "unsupported_media_type",
    /// A JSON body of the wrong shape.
    Unprocessable => "unprocessable",
    /// No such endpoint, or nothing at that height, slot or key.
    NotFound => "not_found",
    /// The path does not take this method.
    MethodNotAllowed => "method_not_allowed",
    // --- The node's own state ---
    /// The node is stopping; send the request to another node.
    ShuttingDown => "shutting_down",
    /// The node has no recent finalized block (too few validators online, or it is cut off).
    NotReady => "not_ready",
    /// The node could not read or write its store.
    Storage => "storage",
    /// The node failed unexpectedly; the message says no more.
    Internal => "internal",
    /// The node's store holds a value it cannot decode.
    CorruptState => "corrupt_state",
    // --- Transactions ---
    /// The transaction is already waiting in this node's mempool.
    Duplicate => "duplicate",
    /// The mempool is full; try again shortly.
    MempoolFull => "mempool_full",
    /// The transaction's bytes do not decode.
    Malformed => "malformed",
    /// The transaction is for another chain.
    WrongChain => "wrong_chain",
    /// A signature that does not verify (a transaction's, a request's).
    BadSignature => "bad_signature",
    /// The transaction's nonce is not its author's next.
    WrongNonce => "wrong_nonce",
    /// The account is already registered.
    AlreadyRegistered => "already_registered",
    /// The author is not a registered clinic.
    NotAClinic => "not_a_clinic",
    /// The author is not a registered patient.
    NotAPatient => "not_a_patient",
    /// No patient has that address.
    UnknownPatient => "unknown_patient",
    /// No doctor has that key.
    NotADoctor => "not_a_doctor",
    /// The doctor did not sign their consent to the registration.
    NoDoctorConsent => "no_doctor_consent",
    /// An access receipt without the grantee's signed request to this node.
    ReceiptNotRequested => "receipt_not_requested",
    /// An access receipt whose time is outside the request's window.
    ReceiptTime => "receipt_time",
    /// That request already has its access receipt.
    ReceiptReplayed => "receipt_replayed",
    /// Fewer valid validator approvals than a governance change needs.
    NotEnoughApprovals => "not_enough_approvals",
    /// The record id is not the one derived from the clinic and nonce.
    RecordIdMismatch => "record_id_mismatch",
    /// A record with that id exists.
    DuplicateRecord => "duplicate_record",
    /// A length that is not one of the ledger's size buckets.
    NotASizeBucket => "not_a_size_bucket",
    /// No record has that id.
    UnknownRecord => "unknown_record",
    /// The record belongs to another patient.
    NotYourRecord => "not_your_record",
    /// The record is outside the grant's scope.
    OutsideScope => "outside_scope",
    /// A record is listed twice.
    DuplicateKey => "duplicate_key",
    /// No grant has that id.
    UnknownGrant => "unknown_grant",
    /// The grant belongs to another patient.
    NotYourGrant => "not_your_grant",
    /// The grant is revoked.
    GrantRevoked => "grant_revoked",
    /// The grant has expired.
    GrantExpired => "grant_expired",
    /// An expiry already in the past.
    ExpiryInPast => "expiry_in_past",
    /// No SMART Health Link has that id.
    UnknownLink => "unknown_link",
    /// The link belongs to another patient.
    NotYourLink => "not_your_link",
    /// A link with that id exists.
    DuplicateLink => "duplicate_link",
    /// The link is revoked, expired or out of attempts.
    LinkNotActive => "link_not_active",
    /// Only a long-term link's files can change.
    NotLongTerm => "not_long_term",
    /// The key no longer signs for its account (the account moved to new keys).
    KeyRetired => "key_retired",
    /// The key is already in use by an account.
    KeyInUse => "key_in_use",
    /// The new key did not sign its consent to take over the account.
    NoRotationConsent => "no_rotation_consent",
    /// The record is already erased.
    AlreadyErased => "already_erased",
    /// Only a validator's node writes that.
    NotAValidator => "not_a_validator",
    /// The account is closed.
    AccountClosed => "account_closed",
    /// An account is closed only once all of its records are erased.
    RecordsRemain => "records_remain",
    /// The account has no guardians.
    NoGuardians => "no_guardians",
    /// A guardian that is not a registered account (or is the patient's own).
    UnknownGuardian => "unknown_guardian",
    /// The author is not one of the account's guardians.
    NotAGuardian => "not_a_guardian",
    /// A recovery is already pending for the account.
    RecoveryPending => "recovery_pending",
    /// No recovery is pending for the account.
    NoPendingRecovery => "no_pending_recovery",
    /// The answer names another recovery than the pending one.
    WrongRecovery => "wrong_recovery",
    /// This guardian already answered.
    AlreadyAnswered => "already_answered",
    /// The recovery does not have its guardians' approvals.
    NotApproved => "not_approved",
    /// The recovery's delay has not passed.
    RecoveryNotEffective => "recovery_not_effective",
    /// Already released.
    AlreadyReleased => "already_released",
    /// A recovery delay shorter than the chain's minimum.
    RecoveryDelayTooShort => "recovery_delay_too_short",
    /// No emergency access is open for this clinician and patient.
    NoEmergencyAccess => "no_emergency_access",
    /// The patient has no emergency set.
    NoEmergencySet => "no_emergency_set",
    /// The author is not a registered clinician.
    NotAClinician => "not_a_clinician",
    /// Another account already names that emergency watch key.
    WatchKeyTaken => "watch_key_taken",
    /// No emergency request has that id.
    UnknownEmergencyRequest => "unknown_emergency_request",
    /// The emergency access window has ended.
    EmergencyWindowClosed => "emergency_window_closed",
    /// The chain's genesis sets no epochs, so its validator set cannot change.
    NoEpochs => "no_epochs",
    /// The change names another governance counter than the chain's (approved for an earlier
    /// or later change).
    StaleGovernance => "stale_governance",
    /// The change does not apply to the next epoch's set (the key is, or is not, a validator's).
    ValidatorChangeRefused => "validator_change_refused",
    /// A joining validator's key must sign the change itself.
    JoiningKeyMustSign => "joining_key_must_sign",
    /// A field is out of its range.
    OutOfRange => "out_of_range",
    /// The rules could not read the state (the node's fault, not the transaction's).
    StateError => "state_error",
    // --- Encrypted blobs ---
    /// The blob request carries no `x-medwallet-auth` header, or one that does not parse.
    NoAuth => "no_auth",
    /// The request's time is too far from the node's clock.
    StaleRequest => "stale_request",
    /// The request's nonce was already used at this node.
    Replayed => "replayed",
    /// Too many requests at once; try again shortly.
    Busy => "busy",
    /// The patient erased the record.
    Erased => "erased",
    /// The blob is not the named record's ciphertext.
    WrongBlob => "wrong_blob",
    /// No grant of the requester covers the record.
    NoGrant => "no_grant",
    /// The uploader is not a registered clinic.
    NotAnUploader => "not_an_uploader",
    /// The body does not hash to the blob's name.
    HashMismatch => "hash_mismatch",
    /// The upload ended before its body did.
    Interrupted => "interrupted",
    /// This node does not hold the blob yet; try another node.
    BlobMissing => "blob_missing",
    /// The node could not get the fetch's access receipt onto the ledger in time.
    ReceiptUnrecorded => "receipt_unrecorded",
    // --- SMART Health Links and the device-join mailbox ---
    /// The link is not a single file without passcode: POST for its manifest.
    NotDirect => "not_direct",
    /// The node could not record a link's use on the ledger in time.
    LinkUnrecorded => "link_unrecorded",
    /// The mailbox slot holds other bytes.
    SlotTaken => "slot_taken",
    /// The mailbox slot holds nothing (yet, or any more).
    EmptySlot => "empty_slot",
    /// The mailbox is full; try again shortly.
    MailboxFull => "mailbox_full",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_code_is_distinct_snake_case_parses_back_and_says_what_it_means() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{text}"
            );
            assert_eq!(ErrorCode::parse(text), Some(*code));
            assert!(!code.meaning().trim().is_empty(), "{text}");
        }
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }
}
