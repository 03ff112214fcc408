//! The ledger's authenticated state: which keys exist and what their values hold.
//!
//! State lives in a Jellyfish Merkle Tree; a key's leaf is `SHA-256(key bytes)`, so every key
//! below has an inclusion proof when present and an exclusion proof when absent. Key layout
//! (`‖` is concatenation; ids and addresses are 32 raw bytes, indices u64 big-endian):
//!
//! | key | value | present when |
//! | --- | --- | --- |
//! | `nonce/` ‖ address | u64: next nonce | the address has sent a transaction |
//! | `account/` ‖ address | [`Account`] | patient, clinic or doctor is registered |
//! | `record/` ‖ record id | [`RecordEntry`] | the record was issued |
//! | `patient-records/` ‖ patient ‖ index | record id | per patient, in issue order |
//! | `patient-records-count/` ‖ patient | u64 | the patient has records |
//! | `grant/` ‖ grant id | [`GrantEntry`] | the grant was made |
//! | `grant-key/` ‖ grant id ‖ record id | wrapped key | the grantee may open that record |
//! | `grants-by-patient/` ‖ patient ‖ index, `…-count/` ‖ patient | grant id, u64 | |
//! | `grants-to/` ‖ grantee ‖ index, `…-count/` ‖ grantee | grant id, u64 | |
//! | `revocation/` ‖ grant id | [`Revocation`] | the grant was revoked (absent = not revoked, proven by exclusion) |
//! | `receipts/` ‖ patient ‖ index, `…-count/` ‖ patient | [`ReceiptEntry`], u64 | a grantee fetched a record |
//! | `served-requests/` ‖ grantee ‖ request nonce | height, u64 | that request has its receipt |
//! | `doctor-notices/` ‖ doctor ‖ index, `…-count/` ‖ doctor | sealed notice, u64 | a patient shares with that doctor |
//! | `key-owner/` ‖ key address | account address | the key took over that account by `RotateKeys` (kept after it rotates again, so a retired key stays refused) |
//!
//! Values are the canonical encodings below. No plaintext health data or patient name is ever
//! a key or a value.

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::grant::SealedTerms;
use crate::hash::{Address, GrantId, PublicKey, ReceivingKey, RecordId, Sha256Digest};
use crate::tx::{LICENCE_MAX, METADATA_MAX, NAME_MAX, Scope, WrappedKey};

/// Largest encoded state value.
pub const MAX_VALUE_LEN: usize = 64 * 1024;
/// Longest state proof a reader accepts (jmt's borsh `SparseMerkleProof`): 256 siblings of at
/// most 65 bytes, plus the leaf.
pub const MAX_PROOF_LEN: usize = 20_000;

/// A state key's bytes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct StateKey(pub Vec<u8>);

pub(crate) fn key(prefix: &str, parts: &[&[u8]]) -> StateKey {
    let mut bytes = prefix.as_bytes().to_vec();
    for p in parts {
        bytes.extend_from_slice(p);
    }
    StateKey(bytes)
}

impl StateKey {
    pub fn nonce(a: &Address) -> Self {
        key("nonce/", &[&a.0])
    }
    pub fn account(a: &Address) -> Self {
        key("account/", &[&a.0])
    }
    pub fn record(id: &RecordId) -> Self {
        key("record/", &[&id.0])
    }
    pub fn patient_record(patient: &Address, index: u64) -> Self {
        key("patient-records/", &[&patient.0, &index.to_be_bytes()])
    }
    pub fn patient_record_count(patient: &Address) -> Self {
        key("patient-records-count/", &[&patient.0])
    }
    pub fn grant(id: &GrantId) -> Self {
        key("grant/", &[&id.0])
    }
    pub fn grant_key(grant: &GrantId, record: &RecordId) -> Self {
        key("grant-key/", &[&grant.0, &record.0])
    }
    pub fn grant_by_patient(patient: &Address, index: u64) -> Self {
        key("grants-by-patient/", &[&patient.0, &index.to_be_bytes()])
    }
    pub fn grant_by_patient_count(patient: &Address) -> Self {
        key("grants-by-patient-count/", &[&patient.0])
    }
    pub fn grant_to(grantee: &Address, index: u64) -> Self {
        key("grants-to/", &[&grantee.0, &index.to_be_bytes()])
    }
    pub fn grant_to_count(grantee: &Address) -> Self {
        key("grants-to-count/", &[&grantee.0])
    }
    pub fn revocation(grant: &GrantId) -> Self {
        key("revocation/", &[&grant.0])
    }
    pub fn receipt(patient: &Address, index: u64) -> Self {
        key("receipts/", &[&patient.0, &index.to_be_bytes()])
    }
    pub fn receipt_count(patient: &Address) -> Self {
        key("receipts-count/", &[&patient.0])
    }
    /// The `index`th notice to a doctor (a patient's secret, sealed to the doctor).
    pub fn doctor_notice(doctor: &Address, index: u64) -> Self {
        key("doctor-notices/", &[&doctor.0, &index.to_be_bytes()])
    }
    pub fn doctor_notice_count(doctor: &Address) -> Self {
        key("doctor-notices-count/", &[&doctor.0])
    }
    /// The account a rotated-in key signs for (its address is not the account's).
    pub fn key_owner(signer: &Address) -> Self {
        key("key-owner/", &[&signer.0])
    }
    /// A grantee's blob request already recorded by a receipt (each is recorded once).
    pub fn served_request(grantee: &Address, nonce: &[u8]) -> Self {
        key("served-requests/", &[&grantee.0, nonce])
    }
}

/// What kind of account an address is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum AccountKind {
    Patient,
    Clinic {
        name: String,
    },
    Doctor {
        clinic: Address,
        display_name: String,
        licence: String,
    },
}

/// A registered account.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Account {
    pub kind: AccountKind,
    pub signing: PublicKey,
    pub receiving: ReceivingKey,
    pub registered_height: u64,
}

/// An issued record (the ciphertext itself lives in the nodes' blob stores).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RecordEntry {
    pub patient: Address,
    pub clinic: Address,
    pub ciphertext_sha256: Sha256Digest,
    /// A size bucket ([`crate::size_bucket`]), not the record's exact size.
    pub ciphertext_len: u64,
    /// The content key wrapped to the patient.
    pub wrapped_key: WrappedKey,
    /// Metadata encrypted by the clinic (title, date, category, visit), opened with the content
    /// key: the ledger never sees what kind of record this is.
    pub metadata: Vec<u8>,
    pub issued_height: u64,
    pub issued_at_ms: u64,
}

/// A grant.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GrantEntry {
    pub patient: Address,
    pub grantee: Address,
    pub scope: Scope,
    pub expires_at_ms: Option<u64>,
    /// What it covers and who the patient is to the grantee, sealed to each of them.
    pub terms: SealedTerms,
    pub granted_height: u64,
    pub granted_at_ms: u64,
}

/// A revocation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Revocation {
    pub height: u64,
    pub at_ms: u64,
}

/// A served fetch of a record by a grantee.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ReceiptEntry {
    pub grant: GrantId,
    pub record: RecordId,
    pub grantee: Address,
    /// The node that served it (the one the grantee's signed request was addressed to).
    pub node: Address,
    /// The grantee's signed request time (within `MAX_SKEW_MS` of the block's time).
    pub served_at_ms: u64,
    pub height: u64,
}

impl Canonical for Account {
    fn write(&self, w: &mut Writer) {
        match &self.kind {
            AccountKind::Patient => w.u8(1),
            AccountKind::Clinic { name } => {
                w.u8(2);
                w.str(name);
            }
            AccountKind::Doctor {
                clinic,
                display_name,
                licence,
            } => {
                w.u8(3);
                clinic.write(w);
                w.str(display_name);
                w.str(licence);
            }
        }
        self.signing.write(w);
        self.receiving.write(w);
        w.u64(self.registered_height);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let kind = match r.u8("account kind")? {
            1 => AccountKind::Patient,
            2 => AccountKind::Clinic {
                name: r.string("clinic name", NAME_MAX)?,
            },
            3 => AccountKind::Doctor {
                clinic: Address::read(r)?,
                display_name: r.string("display name", NAME_MAX)?,
                licence: r.string("licence", LICENCE_MAX)?,
            },
            tag => {
                return Err(CodecError::UnknownTag {
                    field: "account kind",
                    tag,
                });
            }
        };
        Ok(Account {
            kind,
            signing: PublicKey::read(r)?,
            receiving: ReceivingKey::read(r)?,
            registered_height: r.u64("height")?,
        })
    }
}

impl Canonical for RecordEntry {
    fn write(&self, w: &mut Writer) {
        self.patient.write(w);
        self.clinic.write(w);
        self.ciphertext_sha256.write(w);
        w.u64(self.ciphertext_len);
        w.fixed(&self.wrapped_key.0);
        w.bytes(&self.metadata);
        w.u64(self.issued_height);
        w.u64(self.issued_at_ms);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(RecordEntry {
            patient: Address::read(r)?,
            clinic: Address::read(r)?,
            ciphertext_sha256: Sha256Digest::read(r)?,
            ciphertext_len: r.u64("ciphertext length")?,
            wrapped_key: WrappedKey(r.array("wrapped key")?),
            metadata: r.bytes("metadata", METADATA_MAX)?,
            issued_height: r.u64("height")?,
            issued_at_ms: r.u64("issued at")?,
        })
    }
}

impl Canonical for GrantEntry {
    fn write(&self, w: &mut Writer) {
        self.patient.write(w);
        self.grantee.write(w);
        self.scope.write(w);
        w.option(self.expires_at_ms.as_ref(), |w, t| w.u64(*t));
        self.terms.write(w);
        w.u64(self.granted_height);
        w.u64(self.granted_at_ms);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(GrantEntry {
            patient: Address::read(r)?,
            grantee: Address::read(r)?,
            scope: Scope::read(r)?,
            expires_at_ms: r.option("expiry", |r| r.u64("expiry"))?,
            terms: SealedTerms::read(r)?,
            granted_height: r.u64("height")?,
            granted_at_ms: r.u64("granted at")?,
        })
    }
}

impl GrantEntry {
    /// Whether the ledger lets the grant hold a key for one of the patient's records: a listed
    /// scope only for the records it lists. A record's category is sealed in its metadata and
    /// an open grant's coverage in its terms, so for an open scope it is the patient's wallet
    /// that picks the records (it is the patient's own grant: the ledger has nothing to protect
    /// them from there).
    pub fn admits(&self, record: &RecordId) -> bool {
        match &self.scope {
            Scope::Records(ids) => ids.contains(record),
            Scope::Open => true,
        }
    }

    /// Whether the grant has expired at `now_ms`.
    pub fn expired(&self, now_ms: u64) -> bool {
        self.expires_at_ms.is_some_and(|t| now_ms >= t)
    }
}

/// Where a grant stands at a moment. The one rule the ledger (which takes no keys for an
/// inactive grant), the nodes (which serve no blob under one) and the wallets (which show it)
/// all apply: a revocation ends a grant for good, whatever its expiry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GrantStatus {
    Active,
    Revoked,
    Expired,
}

impl GrantStatus {
    /// The status of `entry` at `now_ms`, `revoked` if the ledger holds its revocation.
    pub fn of(entry: &GrantEntry, revoked: bool, now_ms: u64) -> Self {
        if revoked {
            GrantStatus::Revoked
        } else if entry.expired(now_ms) {
            GrantStatus::Expired
        } else {
            GrantStatus::Active
        }
    }

    /// Its stable text form (`active`, `revoked`, `expired`).
    pub const fn code(self) -> &'static str {
        match self {
            GrantStatus::Active => "active",
            GrantStatus::Revoked => "revoked",
            GrantStatus::Expired => "expired",
        }
    }
}

impl Canonical for Revocation {
    fn write(&self, w: &mut Writer) {
        w.u64(self.height);
        w.u64(self.at_ms);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Revocation {
            height: r.u64("height")?,
            at_ms: r.u64("revoked at")?,
        })
    }
}

impl Canonical for ReceiptEntry {
    fn write(&self, w: &mut Writer) {
        self.grant.write(w);
        self.record.write(w);
        self.grantee.write(w);
        self.node.write(w);
        w.u64(self.served_at_ms);
        w.u64(self.height);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(ReceiptEntry {
            grant: GrantId::read(r)?,
            record: RecordId::read(r)?,
            grantee: Address::read(r)?,
            node: Address::read(r)?,
            served_at_ms: r.u64("served at")?,
            height: r.u64("height")?,
        })
    }
}

/// A u64 state value (nonces, counts).
pub fn encode_u64(v: u64) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

/// Decodes a u64 state value.
pub fn decode_u64(bytes: &[u8]) -> Result<u64, CodecError> {
    let arr: [u8; 8] = bytes
        .try_into()
        .map_err(|_| CodecError::Invalid("u64 value"))?;
    Ok(u64::from_be_bytes(arr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_different_kinds_never_collide() {
        let a = Address([7; 32]);
        let keys = [
            StateKey::nonce(&a),
            StateKey::account(&a),
            StateKey::patient_record_count(&a),
            StateKey::grant_by_patient_count(&a),
            StateKey::grant_to_count(&a),
            StateKey::receipt_count(&a),
            StateKey::patient_record(&a, 0),
            StateKey::grant_by_patient(&a, 0),
            StateKey::grant_to(&a, 0),
            StateKey::receipt(&a, 0),
        ];
        for (i, x) in keys.iter().enumerate() {
            for y in &keys[i + 1..] {
                assert_ne!(x, y);
            }
        }
    }

    #[test]
    fn values_round_trip() {
        let account = Account {
            kind: AccountKind::Doctor {
                clinic: Address([1; 32]),
                display_name: "Dr. Grey".into(),
                licence: "MD-1".into(),
            },
            signing: PublicKey([2; 32]),
            receiving: ReceivingKey([3; 32]),
            registered_height: 9,
        };
        assert_eq!(
            Account::decode(&account.encode(), MAX_VALUE_LEN),
            Ok(account)
        );
        let grant = GrantEntry {
            patient: Address([1; 32]),
            grantee: Address([2; 32]),
            scope: Scope::Open,
            expires_at_ms: Some(5),
            terms: SealedTerms {
                to_grantee: vec![1, 2],
                to_patient: vec![3],
            },
            granted_height: 3,
            granted_at_ms: 4,
        };
        assert_eq!(
            GrantEntry::decode(&grant.encode(), MAX_VALUE_LEN),
            Ok(grant.clone())
        );
        assert!(grant.admits(&RecordId([0; 32])));
        let listed = GrantEntry {
            scope: Scope::Records(vec![RecordId([7; 32])]),
            ..grant.clone()
        };
        assert!(listed.admits(&RecordId([7; 32])) && !listed.admits(&RecordId([0; 32])));
        assert!(!grant.expired(4) && grant.expired(5));
        let receipt = ReceiptEntry {
            grant: GrantId([1; 32]),
            record: RecordId([2; 32]),
            grantee: Address([3; 32]),
            node: Address([4; 32]),
            served_at_ms: 5,
            height: 6,
        };
        assert_eq!(
            ReceiptEntry::decode(&receipt.encode(), MAX_VALUE_LEN),
            Ok(receipt)
        );
        assert_eq!(decode_u64(&encode_u64(42)), Ok(42));
        assert!(decode_u64(&[1, 2]).is_err());
    }

    #[test]
    fn a_revocation_outranks_expiry_and_expiry_starts_at_its_millisecond() {
        let grant = GrantEntry {
            patient: Address([1; 32]),
            grantee: Address([2; 32]),
            scope: Scope::Open,
            expires_at_ms: Some(100),
            terms: SealedTerms::default(),
            granted_height: 1,
            granted_at_ms: 1,
        };
        assert_eq!(GrantStatus::of(&grant, false, 99), GrantStatus::Active);
        assert_eq!(GrantStatus::of(&grant, false, 100), GrantStatus::Expired);
        assert_eq!(GrantStatus::of(&grant, true, 99), GrantStatus::Revoked);
        assert_eq!(GrantStatus::of(&grant, true, 100), GrantStatus::Revoked);
        let open_ended = GrantEntry {
            expires_at_ms: None,
            ..grant
        };
        assert_eq!(
            GrantStatus::of(&open_ended, false, u64::MAX),
            GrantStatus::Active
        );
        assert_eq!(GrantStatus::Expired.code(), "expired");
    }
}
