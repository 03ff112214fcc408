//! Emergency access (break-glass). A patient prepares an emergency set (allergies, medications,
//! conditions, emergency contacts, advance directives) as one sealed blob under a fresh key,
//! and splits that key `k`-of-`n` among the validators (Shamir's scheme), share `i` sealed to
//! validator `i`'s emergency key from the genesis. A registered clinician asks for it, naming
//! the patient's emergency account and a reason sealed to the patient; once the request is
//! final, each validator's node writes its share sealed again to the clinician, who combines
//! `k` of them and opens the set. Access lasts [`EMERGENCY_ACCESS_MS`] from the request.
//!
//! | key | value | present when |
//! | --- | --- | --- |
//! | `emergency/` ‖ account | [`EmergencySet`] | the account has an emergency set |
//! | `emergency-set/` ‖ set id | account (32 bytes) | the set is current (nodes find whose set a blob is) |
//! | `emergency-request/` ‖ request id | [`EmergencyRequest`] | a clinician asked |
//! | `emergency-requests/` ‖ account ‖ index, `…-count/` ‖ account | request id, u64 | the account's requests, in order |
//! | `emergency-access/` ‖ account ‖ clinician | request id | the clinician's latest request for the account |
//! | `emergency-watch/` ‖ watch key | account (32 bytes) | an account's set named the watch key (bound for good) |
//!
//! What is public: that some clinician (named, as every registered doctor is) asked for some
//! emergency account's set, and when. The account is a pairwise one the patient uses for
//! nothing else; the reason and the set are sealed.
//!
//! The patient's guardians watch the account: the set names a watch key (an X25519 key the
//! patient's phrase derives, its secret in every guardian's share), the reason is sealed to it
//! too, and a guardian finds the account from the key (`emergency-watch/`). The key is fresh
//! randomness to anyone else, and the first account to name it keeps it, so nobody can point a
//! patient's guardians at another account.

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::hash::{Address, ReceivingKey, RecordId, Sha256Digest, tagged_hash};
use crate::state::{StateKey, key};
use crate::tx::WrappedKey;

/// How long a clinician's access lasts after its request (24 hours): validators release no
/// share later, and nodes serve the set to it no longer.
pub const EMERGENCY_ACCESS_MS: u64 = 24 * 3600 * 1000;
/// Largest emergency set ciphertext (a summary, not a history).
pub const EMERGENCY_SET_MAX_LEN: u64 = 4 * 1024 * 1024;
/// Largest sealed share (to a validator, or released to a clinician).
pub const SEALED_EMERGENCY_SHARE_MAX: usize = 512;
/// Largest sealed reason.
pub const SEALED_REASON_MAX: usize = 1024;
/// Most validators a set is split among (as many as a certificate can name).
pub const EMERGENCY_SHARES_MAX: usize = crate::certificate::MAX_VALIDATORS;

/// Shares a clinician needs out of `validators`: a quorum (`n - f`, with `f = (n - 1) / 3`),
/// so the `f` validators consensus tolerates can neither open a set alone nor keep an honest
/// quorum from releasing it.
pub fn emergency_threshold(validators: usize) -> u8 {
    let n = validators.min(EMERGENCY_SHARES_MAX);
    (n - n.saturating_sub(1) / 3) as u8
}

/// A request's id: its clinician's address and transaction nonce.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EmergencyRequestId(pub [u8; 32]);

impl EmergencyRequestId {
    /// The id of the request `clinician` makes with transaction nonce `nonce`.
    pub fn derive(clinician: &Address, nonce: u64) -> Self {
        Self(tagged_hash(
            "medledger/emergency-request-id/v1",
            &[&clinician.0, &nonce.to_be_bytes()],
        ))
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Self, CodecError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut out)
            .map_err(|_| CodecError::Invalid("emergency request id hex"))?;
        Ok(Self(out))
    }
}

/// The id an emergency set's blob is fetched by (a node looks up whose set it is).
pub fn emergency_set_id(account: &Address, nonce: u64) -> RecordId {
    RecordId(tagged_hash(
        "medledger/emergency-set-id/v1",
        &[&account.0, &nonce.to_be_bytes()],
    ))
}

/// One validator's share of the set's key: sealed to it, and a commitment a clinician checks
/// the released share against (a validator that releases anything else is named).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EmergencyShareSlot {
    pub sealed: Vec<u8>,
    pub commitment: Sha256Digest,
}

/// An account's emergency set.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EmergencySet {
    pub id: RecordId,
    pub ciphertext_sha256: Sha256Digest,
    pub ciphertext_len: u64,
    /// Shares a clinician needs.
    pub threshold: u8,
    /// One per validator, in the validator set's order.
    pub shares: Vec<EmergencyShareSlot>,
    /// The set's key wrapped to the account itself, so every device of the patient can show
    /// what a clinician would read.
    pub own_key: WrappedKey,
    /// The patient's guardians' watch key: a clinician seals the reason to it too.
    pub watch: Option<ReceivingKey>,
    pub set_height: u64,
    pub set_at_ms: u64,
}

/// A share a validator's node released to the clinician.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReleasedEmergencyShare {
    /// The validator's position in the set.
    pub validator: u8,
    pub sealed: Vec<u8>,
}

/// A clinician's emergency request.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EmergencyRequest {
    /// The emergency account asked for.
    pub patient: Address,
    pub clinician: Address,
    /// The clinic that registered the clinician.
    pub clinic: Address,
    /// The set the request opens (as it was when asked).
    pub set: RecordId,
    pub threshold: u8,
    /// Why, sealed to the patient.
    pub reason: Vec<u8>,
    pub height: u64,
    pub at_ms: u64,
    pub released: Vec<ReleasedEmergencyShare>,
}

impl EmergencyRequest {
    /// When the access ends.
    pub fn ends_at_ms(&self) -> u64 {
        self.at_ms.saturating_add(EMERGENCY_ACCESS_MS)
    }

    /// Whether the access is open at `now_ms`.
    pub fn open_at(&self, now_ms: u64) -> bool {
        now_ms < self.ends_at_ms()
    }
}

impl StateKey {
    pub fn emergency(account: &Address) -> Self {
        key("emergency/", &[&account.0])
    }
    pub fn emergency_set(set: &RecordId) -> Self {
        key("emergency-set/", &[&set.0])
    }
    pub fn emergency_request(request: &EmergencyRequestId) -> Self {
        key("emergency-request/", &[&request.0])
    }
    pub fn emergency_requests(account: &Address, index: u64) -> Self {
        key("emergency-requests/", &[&account.0, &index.to_be_bytes()])
    }
    pub fn emergency_requests_count(account: &Address) -> Self {
        key("emergency-requests-count/", &[&account.0])
    }
    pub fn emergency_access(account: &Address, clinician: &Address) -> Self {
        key("emergency-access/", &[&account.0, &clinician.0])
    }
    pub fn emergency_watch(watch: &ReceivingKey) -> Self {
        key("emergency-watch/", &[&watch.0])
    }
}

pub(crate) fn write_slots(w: &mut Writer, slots: &[EmergencyShareSlot]) {
    w.list(slots, |w, s| {
        w.bytes(&s.sealed);
        s.commitment.write(w);
    });
}

pub(crate) fn read_slots(r: &mut Reader<'_>) -> Result<Vec<EmergencyShareSlot>, CodecError> {
    r.list("emergency shares", EMERGENCY_SHARES_MAX, |r| {
        Ok(EmergencyShareSlot {
            sealed: r.bytes("sealed emergency share", SEALED_EMERGENCY_SHARE_MAX)?,
            commitment: Sha256Digest::read(r)?,
        })
    })
}

impl Canonical for EmergencySet {
    fn write(&self, w: &mut Writer) {
        self.id.write(w);
        self.ciphertext_sha256.write(w);
        w.u64(self.ciphertext_len);
        w.u8(self.threshold);
        write_slots(w, &self.shares);
        w.fixed(self.own_key.as_bytes());
        w.option(self.watch.as_ref(), |w, k| w.fixed(&k.0));
        w.u64(self.set_height);
        w.u64(self.set_at_ms);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(EmergencySet {
            id: RecordId::read(r)?,
            ciphertext_sha256: Sha256Digest::read(r)?,
            ciphertext_len: r.u64("emergency set length")?,
            threshold: r.u8("threshold")?,
            shares: read_slots(r)?,
            own_key: WrappedKey(r.array("own key")?),
            watch: r.option("watch key", |r| Ok(ReceivingKey(r.array("watch key")?)))?,
            set_height: r.u64("set height")?,
            set_at_ms: r.u64("set at")?,
        })
    }
}

impl Canonical for EmergencyRequest {
    fn write(&self, w: &mut Writer) {
        self.patient.write(w);
        self.clinician.write(w);
        self.clinic.write(w);
        self.set.write(w);
        w.u8(self.threshold);
        w.bytes(&self.reason);
        w.u64(self.height);
        w.u64(self.at_ms);
        w.list(&self.released, |w, s| {
            w.u8(s.validator);
            w.bytes(&s.sealed);
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(EmergencyRequest {
            patient: Address::read(r)?,
            clinician: Address::read(r)?,
            clinic: Address::read(r)?,
            set: RecordId::read(r)?,
            threshold: r.u8("threshold")?,
            reason: r.bytes("sealed reason", SEALED_REASON_MAX)?,
            height: r.u64("height")?,
            at_ms: r.u64("at")?,
            released: r.list("released emergency shares", EMERGENCY_SHARES_MAX, |r| {
                Ok(ReleasedEmergencyShare {
                    validator: r.u8("validator")?,
                    sealed: r.bytes("released emergency share", SEALED_EMERGENCY_SHARE_MAX)?,
                })
            })?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_a_quorum_of_the_validators() {
        assert_eq!(emergency_threshold(1), 1);
        assert_eq!(emergency_threshold(3), 3);
        assert_eq!(emergency_threshold(4), 3);
        assert_eq!(emergency_threshold(7), 5);
        assert_eq!(emergency_threshold(10), 7);
    }

    #[test]
    fn emergency_values_round_trip_and_refuse_truncation_and_overlong_fields() {
        let set = EmergencySet {
            id: RecordId([1; 32]),
            ciphertext_sha256: Sha256Digest([2; 32]),
            ciphertext_len: 3,
            threshold: 3,
            shares: vec![
                EmergencyShareSlot {
                    sealed: vec![4; 150],
                    commitment: Sha256Digest([5; 32]),
                };
                4
            ],
            own_key: WrappedKey([9; crate::tx::WRAPPED_KEY_LEN]),
            watch: Some(ReceivingKey([16; 32])),
            set_height: 6,
            set_at_ms: 7,
        };
        let bytes = set.encode();
        assert_eq!(EmergencySet::decode(&bytes, 1 << 16), Ok(set));
        assert!(EmergencySet::decode(&bytes[..bytes.len() - 1], 1 << 16).is_err());

        let request = EmergencyRequest {
            patient: Address([8; 32]),
            clinician: Address([9; 32]),
            clinic: Address([10; 32]),
            set: RecordId([11; 32]),
            threshold: 3,
            reason: vec![12; 200],
            height: 13,
            at_ms: 14,
            released: vec![ReleasedEmergencyShare {
                validator: 2,
                sealed: vec![15; 150],
            }],
        };
        let bytes = request.encode();
        assert_eq!(
            EmergencyRequest::decode(&bytes, 1 << 16),
            Ok(request.clone())
        );
        assert!(EmergencyRequest::decode(&[bytes.as_slice(), &[0]].concat(), 1 << 16).is_err());
        assert!(request.open_at(14 + EMERGENCY_ACCESS_MS - 1));
        assert!(!request.open_at(14 + EMERGENCY_ACCESS_MS));

        // A reason longer than the bound is refused before anything is allocated.
        let mut w = Writer::new();
        for part in [[8u8; 32], [9; 32], [10; 32], [11; 32]] {
            w.fixed(&part);
        }
        w.u8(3);
        w.bytes(&[0; SEALED_REASON_MAX + 1]);
        assert!(EmergencyRequest::decode(&w.finish(), 1 << 16).is_err());
    }
}
