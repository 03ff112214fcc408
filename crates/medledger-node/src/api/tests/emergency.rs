//! Emergency access on a node: who may fetch an emergency set (the patient, a clinician inside
//! the 24 hours of its request, nobody else), and the validator's release of its share sealed
//! to the clinician, refused for a share copied from another patient's set.

use medledger_types::blob_request::{AUTH_HEADER, Method};
use medledger_types::emergency::{
    EMERGENCY_ACCESS_MS, EmergencyRequest, EmergencyRequestId, EmergencyShareSlot, emergency_set_id,
};
use medwallet_crypto::emergency::{combine_key, open_release, seal_shares, validator_identity};
use medwallet_crypto::envelope::{ContentKey, X25519Identity};
use sha2::Digest;

use super::blob_access::{auth, now};
use super::*;
use crate::emergency::{Releaser, Withheld};

const DOCTOR: u8 = 40;
const OTHER_PATIENT: u8 = 21;

/// The doctor's receiving identity (a real X25519 key, so released shares open).
fn doctor_identity() -> X25519Identity {
    medwallet_crypto::AccountKeys::derive(&medwallet_crypto::RecoveryPhrase::from_entropy(
        &[44; 32],
    ))
    .identity()
}

struct World {
    s: Server,
    key: ContentKey,
    blob: Vec<u8>,
    hash: Sha256Digest,
    set: RecordId,
    slots: Vec<EmergencyShareSlot>,
}

fn address(seed: u8) -> Address {
    Address::of(&public(&key(seed)))
}

/// A registered doctor, and the patient's emergency set (its blob uploaded).
async fn world() -> World {
    let s = server().await;
    let chain = s.ledger.chain_id();
    let receiving = ReceivingKey(doctor_identity().to_recipient().public_bytes());
    let mut rng = rand::rng();
    let key_ = ContentKey::generate(&mut rng);
    let mut blob = b"sealed emergency set".to_vec();
    blob.resize(1024, 0);
    let hash = Sha256Digest(sha2::Sha256::digest(&blob).into());
    let set = emergency_set_id(&address(PATIENT), 1);
    let validator = validator_identity(&[NODE; 32]).to_recipient();
    let slots: Vec<EmergencyShareSlot> =
        seal_shares(&key_, 1, &[validator], &address(PATIENT), &set, &mut rng)
            .expect("shares")
            .into_iter()
            .map(|s| EmergencyShareSlot {
                sealed: s.sealed,
                commitment: s.commitment,
            })
            .collect();
    let txs = vec![
        register_doctor(chain, 0, DOCTOR, receiving),
        sign(
            chain,
            PATIENT,
            1,
            TxBody::SetEmergency {
                ciphertext_sha256: hash,
                ciphertext_len: blob.len() as u64,
                shares: slots.clone(),
                own_key: WrappedKey([3; WRAPPED_KEY_LEN]),
                watch: None,
            },
        ),
    ];
    s.finalize(s.ledger.tip().timestamp_ms + 1, &txs);
    let w = World {
        s,
        key: key_,
        blob,
        hash,
        set,
        slots,
    };
    let put =
        w.s.client
            .put(format!("{}/v1/blobs/{}", w.s.base, w.hash.to_hex()))
            .header(
                AUTH_HEADER,
                auth(NODE, PATIENT, Method::Put, &w.hash, None, None, now()),
            )
            .body(w.blob.clone())
            .send()
            .await
            .expect("put");
    assert_eq!(put.status().as_u16(), 201);
    w
}

impl World {
    async fn fetch(&self, signer: u8) -> (u16, String) {
        let r = self
            .s
            .client
            .get(format!(
                "{}/v1/blobs/{}?record={}",
                self.s.base,
                self.hash.to_hex(),
                self.set.to_hex()
            ))
            .header(
                AUTH_HEADER,
                auth(
                    NODE,
                    signer,
                    Method::Get,
                    &self.hash,
                    Some(&self.set),
                    None,
                    now(),
                ),
            )
            .send()
            .await
            .expect("get");
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    }

    /// The doctor asks at `at_ms`; returns the request's id.
    fn request(&self, at_ms: u64, nonce: u64) -> EmergencyRequestId {
        self.s.finalize(
            at_ms,
            &[sign(
                self.s.ledger.chain_id(),
                DOCTOR,
                nonce,
                TxBody::EmergencyRequest {
                    patient: address(PATIENT),
                    reason: vec![1; 100],
                },
            )],
        );
        EmergencyRequestId::derive(&address(DOCTOR), nonce)
    }

    fn releaser(&self) -> Releaser {
        Releaser::for_validator(
            self.s.ledger.clone(),
            self.s.mempool.clone(),
            Arc::new(crate::receipts::ReceiptIssuer::new(&[NODE; 32], Vec::new())),
            &[NODE; 32],
            &public(&key(NODE)),
        )
        .expect("a validator with its genesis emergency key")
    }
}

#[tokio::test]
async fn the_patient_and_a_clinician_inside_its_window_fetch_the_set_and_nobody_else() {
    let w = world().await;
    assert_eq!(w.fetch(PATIENT).await.0, 200);
    assert_eq!(w.fetch(DOCTOR).await, (403, "no_emergency_access".into()));
    assert_eq!(
        w.fetch(OTHER_PATIENT).await,
        (403, "no_emergency_access".into())
    );
    let at = w.s.ledger.tip().timestamp_ms + 1;
    w.request(at, 0);
    assert_eq!(w.fetch(DOCTOR).await.0, 200);
    assert_eq!(
        w.fetch(OTHER_PATIENT).await,
        (403, "no_emergency_access".into())
    );
    // 24 hours later (by the finalized blocks' time) the clinician is refused again.
    w.s.finalize(at + EMERGENCY_ACCESS_MS, &[]);
    assert_eq!(w.fetch(DOCTOR).await, (403, "no_emergency_access".into()));
    assert_eq!(w.fetch(PATIENT).await.0, 200);
}

#[tokio::test]
async fn the_validator_releases_its_share_to_the_clinician_once_and_it_opens_the_key() {
    let w = world().await;
    let at = w.s.ledger.tip().timestamp_ms + 1;
    let id = w.request(at, 0);
    let releaser = w.releaser();
    assert!(releaser.release(&id, at + 1).await.expect("released"));
    let queued = w.s.mempool.candidates(10);
    assert_eq!(queued.len(), 1);
    assert!(matches!(queued[0].tx.body, TxBody::EmergencyShare { .. }));
    w.s.finalize(at + 2, &queued);
    w.s.mempool.remove_committed(&queued);
    // Released once: a second pass writes nothing.
    assert!(releaser.release(&id, at + 3).await.expect("done"));
    assert!(w.s.mempool.is_empty());

    let request = EmergencyRequest::decode(
        &w.s.ledger
            .get(&StateKey::emergency_request(&id))
            .expect("state")
            .expect("request"),
        1 << 20,
    )
    .expect("decode");
    assert_eq!(request.released.len(), 1);
    let share = open_release(
        &doctor_identity(),
        &id,
        &address(PATIENT),
        &w.set,
        0,
        &request.released[0].sealed,
        &w.slots[0].commitment,
    )
    .expect("the clinician opens the share");
    let key_ = combine_key(1, &[share]).expect("key");
    assert_eq!(*key_.to_export(), *w.key.to_export());
}

#[tokio::test]
async fn a_share_copied_into_another_patients_set_is_not_released() {
    let w = world().await;
    let chain = w.s.ledger.chain_id();
    let at = w.s.ledger.tip().timestamp_ms + 1;
    // Another patient puts the first one's sealed shares in a set of its own and has the
    // (colluding) doctor ask for it.
    w.s.finalize(
        at,
        &[
            sign(
                chain,
                OTHER_PATIENT,
                0,
                TxBody::RegisterPatient {
                    receiving: ReceivingKey([5; 32]),
                },
            ),
            sign(
                chain,
                OTHER_PATIENT,
                1,
                TxBody::SetEmergency {
                    ciphertext_sha256: w.hash,
                    ciphertext_len: w.blob.len() as u64,
                    shares: w.slots.clone(),
                    own_key: WrappedKey([3; WRAPPED_KEY_LEN]),
                    watch: None,
                },
            ),
            sign(
                chain,
                DOCTOR,
                0,
                TxBody::EmergencyRequest {
                    patient: address(OTHER_PATIENT),
                    reason: vec![1; 100],
                },
            ),
        ],
    );
    let id = EmergencyRequestId::derive(&address(DOCTOR), 0);
    assert!(matches!(
        w.releaser().release(&id, at + 1).await,
        Err(Withheld::Share(_))
    ));
    assert!(w.s.mempool.is_empty(), "nothing is released");
}
