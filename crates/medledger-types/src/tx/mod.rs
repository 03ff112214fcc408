//! Transactions. Each is signed by its author (ed25519, namespace `medwallet/tx/v1`, over the
//! canonical encoding of [`Tx`]), carries the chain id and a per-account nonce against replay,
//! and is bounded in size field by field and as a whole ([`MAX_TX_LEN`]).
//!
//! Nothing here is plaintext health data: records are referenced by the SHA-256 of their
//! ciphertext, metadata is encrypted by the clinic, and patients appear only as addresses.

use crate::blob_request::Auth;
use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::emergency::{EmergencyRequestId, EmergencyShareSlot};
use crate::grant::SealedTerms;
use crate::hash::{
    Address, ChainId, GrantId, LinkId, PublicKey, ReceivingKey, RecordId, Sha256Digest, TxId,
    tagged_hash,
};
use crate::link::{LinkFile, LinkOutcome, PasscodeVerifier};
use crate::recovery::Guardian;
use crate::validators::ValidatorChange;

/// Largest encoded signed transaction.
pub const MAX_TX_LEN: usize = 64 * 1024;
/// Longest display name (clinic or doctor), in bytes.
pub const NAME_MAX: usize = 64;
/// Longest licence id, in bytes.
pub const LICENCE_MAX: usize = 64;
/// Largest encrypted record metadata, in bytes.
pub const METADATA_MAX: usize = 4096;
/// Largest record ciphertext the ledger accepts: 4 GiB, room for an imaging study (a CT or MR
/// series is hundreds of megabytes to a few gigabytes) padded to its size bucket.
pub const MAX_RECORD_LEN: u64 = 1 << 32;
/// Most records a grant can list, and most wrapped keys one transaction can carry.
pub const KEYS_MAX: usize = 512;
/// Most validator approvals on a governance transaction.
pub const APPROVALS_MAX: usize = 128;
/// Length of an HPKE-wrapped content key (see the crypto crate's envelope format).
pub const WRAPPED_KEY_LEN: usize = 81;

/// A content key wrapped to one recipient.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WrappedKey(pub [u8; WRAPPED_KEY_LEN]);

impl WrappedKey {
    /// A wrapped key from exactly [`WRAPPED_KEY_LEN`] bytes (its contents are checked when it is
    /// unwrapped).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CodecError> {
        bytes
            .try_into()
            .map(Self)
            .map_err(|_| CodecError::Invalid("wrapped key length"))
    }

    /// The encoded bytes.
    pub const fn as_bytes(&self) -> &[u8; WRAPPED_KEY_LEN] {
        &self.0
    }
}

/// A record's content key wrapped for a grantee.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RecordKey {
    pub record: RecordId,
    pub wrapped_key: WrappedKey,
}

/// What the ledger knows of a grant's coverage: only what it must, to admit keys. Whether an
/// open grant covers a category or everything is in its sealed terms
/// ([`crate::grant::GrantTerms`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Scope {
    /// These records only.
    Records(Vec<RecordId>),
    /// Records issued later may be added to it (a category or all records, sealed).
    Open,
}

/// A validator's approval of a governance transaction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Approval {
    pub validator: PublicKey,
    pub signature: [u8; 64],
}

/// What a transaction does.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TxBody {
    /// A patient registers their keys (the signing key is the author).
    RegisterPatient { receiving: ReceivingKey },
    /// A clinic joins the consortium as an issuer, approved by 2/3 of the validators.
    RegisterClinic {
        clinic: PublicKey,
        receiving: ReceivingKey,
        name: String,
        approvals: Vec<Approval>,
    },
    /// A registered clinic registers a doctor, with the doctor's consent: their signature
    /// (namespace `medwallet/doctor-consent/v1`) over [`doctor_consent_message`], so no clinic
    /// can register someone else's key (a patient's, say) as a doctor's.
    RegisterDoctor {
        doctor: PublicKey,
        receiving: ReceivingKey,
        display_name: String,
        licence: String,
        consent: [u8; 64],
    },
    /// A registered clinic issues an encrypted record to a registered patient.
    IssueRecord {
        record: RecordId,
        patient: Address,
        ciphertext_sha256: Sha256Digest,
        ciphertext_len: u64,
        wrapped_key: WrappedKey,
        /// Title, date, category and visit, sealed under the record's content key (padded, like
        /// the ciphertext, so its length says little).
        metadata: Vec<u8>,
    },
    /// A patient's account grants access to records of that account. The grantee is a key
    /// derived for this (account, doctor) from a secret only the patient and the doctor hold
    /// (see [`TxBody::Notify`]), so no grant names the doctor; the terms (coverage, the
    /// patient's label and handle, the doctor) are sealed to the doctor and to the patient.
    Grant {
        grantee: Address,
        scope: Scope,
        expires_at_ms: Option<u64>,
        keys: Vec<RecordKey>,
        terms: SealedTerms,
    },
    /// A patient adds keys to an active grant (records issued after it, within its scope).
    GrantKeys {
        grant: GrantId,
        keys: Vec<RecordKey>,
    },
    /// A patient revokes a grant.
    Revoke { grant: GrantId },
    /// A patient's secret for one registered doctor, sealed to the doctor: the doctor derives
    /// from it the grantees of that patient's grants. The author is a key derived from the
    /// secret too, used once (nonce 0), so the notice names none of the patient's accounts.
    Notify { doctor: Address, sealed: Vec<u8> },
    /// A node records that it served a grantee a record's ciphertext. `request` is the
    /// grantee's own signed request to that node (the author) on this chain, so no node can
    /// write a receipt for a fetch nobody asked it for; its timestamp is when it was served.
    AccessReceipt {
        grant: GrantId,
        record: RecordId,
        request: Auth,
    },
    /// A patient creates a SMART Health Link: its files (JWE blobs, already uploaded), expiry,
    /// optional passcode verifier with its attempt budget, and its description sealed to the
    /// patient. `link` is the hash of the secret token in the manifest URL.
    CreateLink {
        link: LinkId,
        expires_at_ms: u64,
        passcode: Option<PasscodeVerifier>,
        attempts: u32,
        long_term: bool,
        files: Vec<LinkFile>,
        sealed: Vec<u8>,
    },
    /// A patient replaces a long-term link's files (records issued later in its categories).
    UpdateLinkFiles { link: LinkId, files: Vec<LinkFile> },
    /// A patient revokes a link: every node answers 404 from the next block on.
    RevokeLink { link: LinkId },
    /// An account moves to new keys: from this block on only `signing` may sign for it (the
    /// old key is refused) and clinics wrap to `receiving`. `consent` is the new key's
    /// signature (namespace `medwallet/rotation/v1`) over [`rotation_consent_message`], so no
    /// account can claim a key it does not hold. The author is the account's current key.
    RotateKeys {
        signing: PublicKey,
        receiving: ReceivingKey,
        consent: [u8; 64],
    },
    /// A patient replaces the wrapped content keys of their own records (after a rotation,
    /// wrapped to the new receiving key).
    RewrapRecords { keys: Vec<RecordKey> },
    /// A patient erases records of one account: their keys (the patient's and every grant's)
    /// and metadata leave the state; what proves the record existed stays
    /// ([`crate::erasure::ErasedRecord`]).
    EraseRecords { records: Vec<RecordId> },
    /// A validator's node deleted an erased record's ciphertext (the author is the node).
    ErasureReceipt { record: RecordId },
    /// A patient closes an account (all its records erased first): nothing is issued to it,
    /// granted or linked from it again. `account` is the author's account, named so the
    /// effect can be proven.
    CloseAccount { account: Address },
    /// A patient names the guardians of its account (an empty list removes them), each with
    /// its share of the phrase sealed to it, the approvals a recovery needs and its delay.
    SetGuardians {
        guardians: Vec<Guardian>,
        threshold: u8,
        delay_ms: u64,
        sealed_note: Vec<u8>,
    },
    /// A new device asks to recover `account` (the author is the device's fresh key); the
    /// guardians seal their shares to `device_receiving`.
    StartRecovery {
        account: Address,
        device_receiving: ReceivingKey,
    },
    /// A guardian approves the pending recovery of `account` to this device.
    ApproveRecovery { account: Address, device: PublicKey },
    /// A guardian declines the pending recovery of `account` to this device (it is not the
    /// patient asking): once more decline than leave a threshold, it is cancelled.
    DeclineRecovery { account: Address, device: PublicKey },
    /// The account's current key cancels its pending recovery.
    CancelRecovery { account: Address },
    /// An approving guardian releases its share, sealed to the device, once the recovery took
    /// effect.
    ReleaseShare {
        account: Address,
        device: PublicKey,
        sealed: Vec<u8>,
    },
    /// A patient's account sets its emergency set: the sealed blob (already uploaded) and its
    /// key's shares, one per validator in the set's order, sealed to the validator's emergency
    /// key, the key wrapped to the account itself (`own_key`, context: the set's id), and the
    /// guardians' watch key if the patient has one. No shares and length 0 remove it.
    SetEmergency {
        ciphertext_sha256: Sha256Digest,
        ciphertext_len: u64,
        shares: Vec<EmergencyShareSlot>,
        own_key: WrappedKey,
        watch: Option<ReceivingKey>,
    },
    /// A registered clinician asks for an account's emergency set; `reason` is sealed to the
    /// account (and to the set's watch key).
    EmergencyRequest { patient: Address, reason: Vec<u8> },
    /// A validator's node releases its share of the set a request opens, sealed to the
    /// clinician (the author is the node), within the access window.
    EmergencyShare {
        request: EmergencyRequestId,
        sealed: Vec<u8>,
    },
    /// Governance: a change to the validator set, approved by two thirds of the running set
    /// (each approval signs [`crate::validators::validator_change_message`] for this `seq`, the
    /// chain's count of changes so far). It edits the next epoch's set at once and takes effect
    /// at the next epoch boundary. A joining key is the author, so no key joins without its
    /// holder; a removal may be sent by anyone holding the approvals.
    ChangeValidators {
        seq: u64,
        change: ValidatorChange,
        approvals: Vec<Approval>,
    },
    /// A node records how it answered a manifest request (the author is the node), with the
    /// recipient's name sealed to the patient. A wrong passcode uses one attempt.
    LinkAccess {
        link: LinkId,
        outcome: LinkOutcome,
        recipient_sealed: Vec<u8>,
        at_ms: u64,
    },
}

impl TxBody {
    /// A short name for logs, metrics and errors.
    pub const fn kind(&self) -> &'static str {
        match self {
            TxBody::RegisterPatient { .. } => "RegisterPatient",
            TxBody::RegisterClinic { .. } => "RegisterClinic",
            TxBody::RegisterDoctor { .. } => "RegisterDoctor",
            TxBody::IssueRecord { .. } => "IssueRecord",
            TxBody::Grant { .. } => "Grant",
            TxBody::GrantKeys { .. } => "GrantKeys",
            TxBody::Revoke { .. } => "Revoke",
            TxBody::Notify { .. } => "Notify",
            TxBody::AccessReceipt { .. } => "AccessReceipt",
            TxBody::CreateLink { .. } => "CreateLink",
            TxBody::UpdateLinkFiles { .. } => "UpdateLinkFiles",
            TxBody::RevokeLink { .. } => "RevokeLink",
            TxBody::LinkAccess { .. } => "LinkAccess",
            TxBody::RotateKeys { .. } => "RotateKeys",
            TxBody::RewrapRecords { .. } => "RewrapRecords",
            TxBody::EraseRecords { .. } => "EraseRecords",
            TxBody::ErasureReceipt { .. } => "ErasureReceipt",
            TxBody::CloseAccount { .. } => "CloseAccount",
            TxBody::SetGuardians { .. } => "SetGuardians",
            TxBody::StartRecovery { .. } => "StartRecovery",
            TxBody::ApproveRecovery { .. } => "ApproveRecovery",
            TxBody::CancelRecovery { .. } => "CancelRecovery",
            TxBody::DeclineRecovery { .. } => "DeclineRecovery",
            TxBody::ReleaseShare { .. } => "ReleaseShare",
            TxBody::SetEmergency { .. } => "SetEmergency",
            TxBody::EmergencyRequest { .. } => "EmergencyRequest",
            TxBody::EmergencyShare { .. } => "EmergencyShare",
            TxBody::ChangeValidators { .. } => "ChangeValidators",
        }
    }
}

/// An unsigned transaction.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Tx {
    pub chain: ChainId,
    pub author: PublicKey,
    pub nonce: u64,
    pub body: TxBody,
}

impl Tx {
    /// The author's address.
    pub fn author_address(&self) -> Address {
        Address::of(&self.author)
    }

    /// The bytes the author signs (in namespace `medwallet/tx/v1`).
    pub fn signing_bytes(&self) -> Vec<u8> {
        self.encode()
    }
}

/// A transaction with its author's signature.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignedTx {
    pub tx: Tx,
    pub signature: [u8; 64],
}

impl SignedTx {
    /// The transaction's id: a hash of the whole signed encoding.
    pub fn id(&self) -> TxId {
        TxId(tagged_hash("medledger/tx-id/v1", &[&self.encode()]))
    }
}

impl Canonical for Tx {
    fn write(&self, w: &mut Writer) {
        w.u8(1); // transaction format version
        self.chain.write(w);
        self.author.write(w);
        w.u64(self.nonce);
        self.body.write(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        match r.u8("transaction version")? {
            1 => {}
            tag => {
                return Err(CodecError::UnknownTag {
                    field: "transaction version",
                    tag,
                });
            }
        }
        Ok(Tx {
            chain: ChainId::read(r)?,
            author: PublicKey::read(r)?,
            nonce: r.u64("nonce")?,
            body: TxBody::read(r)?,
        })
    }
}

impl Canonical for SignedTx {
    fn write(&self, w: &mut Writer) {
        self.tx.write(w);
        w.fixed(&self.signature);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(SignedTx {
            tx: Tx::read(r)?,
            signature: r.array("signature")?,
        })
    }
}

mod encoding;
mod messages;
pub use messages::{clinic_approval_message, doctor_consent_message, rotation_consent_message};

#[cfg(test)]
pub(crate) mod tests;
