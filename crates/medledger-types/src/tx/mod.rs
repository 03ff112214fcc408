//! Transactions. Each is signed by its author (ed25519, namespace `medwallet/tx/v1`, over the
//! canonical encoding of [`Tx`]), carries the chain id and a per-account nonce against replay,
//! and is bounded in size field by field and as a whole ([`MAX_TX_LEN`]).
//!
//! Nothing here is plaintext health data: records are referenced by the SHA-256 of their
//! ciphertext, metadata is encrypted by the clinic, and patients appear only as addresses.

use crate::blob_request::Auth;
use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::grant::SealedTerms;
use crate::hash::{
    Address, ChainId, GrantId, LinkId, PublicKey, ReceivingKey, RecordId, Sha256Digest, TxId,
    tagged_hash,
};
use crate::link::{
    LinkFile, LinkOutcome, MAX_RECIPIENT_SEALED_LEN, MAX_SEALED_LEN, PasscodeVerifier, read_files,
    write_files,
};

/// Largest encoded signed transaction.
pub const MAX_TX_LEN: usize = 64 * 1024;
/// Longest display name (clinic or doctor), in bytes.
pub const NAME_MAX: usize = 64;
/// Longest licence id, in bytes.
pub const LICENCE_MAX: usize = 64;
/// Largest encrypted record metadata, in bytes.
pub const METADATA_MAX: usize = 4096;
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

fn write_keys(w: &mut Writer, keys: &[RecordKey]) {
    w.list(keys, |w, k| {
        k.record.write(w);
        w.fixed(&k.wrapped_key.0);
    });
}

fn read_keys(r: &mut Reader<'_>) -> Result<Vec<RecordKey>, CodecError> {
    r.list("keys", KEYS_MAX, |r| {
        Ok(RecordKey {
            record: RecordId::read(r)?,
            wrapped_key: WrappedKey(r.array("wrapped key")?),
        })
    })
}

impl Canonical for Scope {
    fn write(&self, w: &mut Writer) {
        match self {
            Scope::Records(ids) => {
                w.u8(1);
                w.list(ids, |w, id| id.write(w));
            }
            // Tags 2 (a category in the clear) and 3 (all) are retired.
            Scope::Open => w.u8(4),
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        match r.u8("scope")? {
            1 => Ok(Scope::Records(r.list(
                "scope records",
                KEYS_MAX,
                RecordId::read,
            )?)),
            2 | 3 => Err(CodecError::Invalid(
                "a grant scope in the clear (tags 2 and 3) is retired: scopes are sealed",
            )),
            4 => Ok(Scope::Open),
            tag => Err(CodecError::UnknownTag {
                field: "scope",
                tag,
            }),
        }
    }
}

impl Canonical for TxBody {
    fn write(&self, w: &mut Writer) {
        match self {
            TxBody::RegisterPatient { receiving } => {
                w.u8(1);
                receiving.write(w);
            }
            TxBody::RegisterClinic {
                clinic,
                receiving,
                name,
                approvals,
            } => {
                w.u8(2);
                clinic.write(w);
                receiving.write(w);
                w.str(name);
                w.list(approvals, |w, a| {
                    a.validator.write(w);
                    w.fixed(&a.signature);
                });
            }
            TxBody::RegisterDoctor {
                doctor,
                receiving,
                display_name,
                licence,
                consent,
            } => {
                // Tag 3 was the first form, without the doctor's consent; it is retired.
                w.u8(9);
                doctor.write(w);
                receiving.write(w);
                w.str(display_name);
                w.str(licence);
                w.fixed(consent);
            }
            TxBody::IssueRecord {
                record,
                patient,
                ciphertext_sha256,
                ciphertext_len,
                wrapped_key,
                metadata,
            } => {
                w.u8(11);
                record.write(w);
                patient.write(w);
                ciphertext_sha256.write(w);
                w.u64(*ciphertext_len);
                w.fixed(&wrapped_key.0);
                w.bytes(metadata);
            }
            TxBody::Grant {
                grantee,
                scope,
                expires_at_ms,
                keys,
                terms,
            } => {
                // Tag 5 was the first form, without sealed terms; it is retired.
                w.u8(16);
                grantee.write(w);
                scope.write(w);
                w.option(expires_at_ms.as_ref(), |w, t| w.u64(*t));
                write_keys(w, keys);
                terms.write(w);
            }
            TxBody::GrantKeys { grant, keys } => {
                w.u8(6);
                grant.write(w);
                write_keys(w, keys);
            }
            TxBody::Revoke { grant } => {
                w.u8(7);
                grant.write(w);
            }
            TxBody::Notify { doctor, sealed } => {
                w.u8(17);
                doctor.write(w);
                w.bytes(sealed);
            }
            TxBody::AccessReceipt {
                grant,
                record,
                request,
            } => {
                w.u8(10);
                grant.write(w);
                record.write(w);
                request.write(w);
            }
            TxBody::CreateLink {
                link,
                expires_at_ms,
                passcode,
                attempts,
                long_term,
                files,
                sealed,
            } => {
                w.u8(12);
                link.write(w);
                w.u64(*expires_at_ms);
                w.option(passcode.as_ref(), |w, p| p.write(w));
                w.u32(*attempts);
                w.bool(*long_term);
                write_files(w, files);
                w.bytes(sealed);
            }
            TxBody::UpdateLinkFiles { link, files } => {
                w.u8(13);
                link.write(w);
                write_files(w, files);
            }
            TxBody::RevokeLink { link } => {
                w.u8(14);
                link.write(w);
            }
            TxBody::LinkAccess {
                link,
                outcome,
                recipient_sealed,
                at_ms,
            } => {
                w.u8(15);
                link.write(w);
                outcome.write(w);
                w.bytes(recipient_sealed);
                w.u64(*at_ms);
            }
            TxBody::RotateKeys {
                signing,
                receiving,
                consent,
            } => {
                w.u8(18);
                signing.write(w);
                receiving.write(w);
                w.fixed(consent);
            }
            TxBody::RewrapRecords { keys } => {
                w.u8(19);
                write_keys(w, keys);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(match r.u8("transaction kind")? {
            1 => TxBody::RegisterPatient {
                receiving: ReceivingKey::read(r)?,
            },
            2 => TxBody::RegisterClinic {
                clinic: PublicKey::read(r)?,
                receiving: ReceivingKey::read(r)?,
                name: r.string("clinic name", NAME_MAX)?,
                approvals: r.list("approvals", APPROVALS_MAX, |r| {
                    Ok(Approval {
                        validator: PublicKey::read(r)?,
                        signature: r.array("approval signature")?,
                    })
                })?,
            },
            3 => {
                return Err(CodecError::Invalid(
                    "RegisterDoctor without the doctor's consent (tag 3) is retired",
                ));
            }
            9 => TxBody::RegisterDoctor {
                doctor: PublicKey::read(r)?,
                receiving: ReceivingKey::read(r)?,
                display_name: r.string("display name", NAME_MAX)?,
                licence: r.string("licence", LICENCE_MAX)?,
                consent: r.array("doctor's consent")?,
            },
            4 => {
                return Err(CodecError::Invalid(
                    "IssueRecord with its category in the clear (tag 4) is retired",
                ));
            }
            11 => TxBody::IssueRecord {
                record: RecordId::read(r)?,
                patient: Address::read(r)?,
                ciphertext_sha256: Sha256Digest::read(r)?,
                ciphertext_len: r.u64("ciphertext length")?,
                wrapped_key: WrappedKey(r.array("wrapped key")?),
                metadata: r.bytes("metadata", METADATA_MAX)?,
            },
            5 => {
                return Err(CodecError::Invalid(
                    "Grant without sealed terms (tag 5) is retired",
                ));
            }
            16 => TxBody::Grant {
                grantee: Address::read(r)?,
                scope: Scope::read(r)?,
                expires_at_ms: r.option("expiry", |r| r.u64("expiry"))?,
                keys: read_keys(r)?,
                terms: SealedTerms::read(r)?,
            },
            6 => TxBody::GrantKeys {
                grant: GrantId::read(r)?,
                keys: read_keys(r)?,
            },
            7 => TxBody::Revoke {
                grant: GrantId::read(r)?,
            },
            17 => TxBody::Notify {
                doctor: Address::read(r)?,
                sealed: r.bytes("sealed notice", crate::grant::MAX_NOTICE_LEN)?,
            },
            8 => {
                return Err(CodecError::Invalid(
                    "AccessReceipt without the grantee's signed request (tag 8) is retired",
                ));
            }
            10 => TxBody::AccessReceipt {
                grant: GrantId::read(r)?,
                record: RecordId::read(r)?,
                request: Auth::read(r)?,
            },
            12 => TxBody::CreateLink {
                link: LinkId::read(r)?,
                expires_at_ms: r.u64("expiry")?,
                passcode: r.option("passcode", PasscodeVerifier::read)?,
                attempts: r.u32("attempts")?,
                long_term: r.bool("long-term")?,
                files: read_files(r)?,
                sealed: r.bytes("sealed description", MAX_SEALED_LEN)?,
            },
            13 => TxBody::UpdateLinkFiles {
                link: LinkId::read(r)?,
                files: read_files(r)?,
            },
            14 => TxBody::RevokeLink {
                link: LinkId::read(r)?,
            },
            15 => TxBody::LinkAccess {
                link: LinkId::read(r)?,
                outcome: LinkOutcome::read(r)?,
                recipient_sealed: r.bytes("sealed recipient", MAX_RECIPIENT_SEALED_LEN)?,
                at_ms: r.u64("at")?,
            },
            18 => TxBody::RotateKeys {
                signing: PublicKey::read(r)?,
                receiving: ReceivingKey::read(r)?,
                consent: r.array("rotation consent")?,
            },
            19 => TxBody::RewrapRecords {
                keys: read_keys(r)?,
            },
            tag => {
                return Err(CodecError::UnknownTag {
                    field: "transaction kind",
                    tag,
                });
            }
        })
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

mod messages;
pub use messages::{clinic_approval_message, doctor_consent_message, rotation_consent_message};

#[cfg(test)]
pub(crate) mod tests;
