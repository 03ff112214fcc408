//! Sync against an in-memory source that serves genuine record entries (keys wrapped to the
//! patient, metadata sealed): ordering, batching, resuming, stopping, and foreign records.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::executor::block_on;
use medledger_client::{BlobRequest, Incident, RecordMetadata, SourceError};
use medledger_types::block::{Header, tx_root};
use medledger_types::category::Category;
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, BlockHash, ChainId, RecordId, Sha256Digest, StateRoot};
use medledger_types::state::{RecordEntry, StateKey, encode_u64};
use medledger_types::tx::SignedTx;
use medwallet_crypto::envelope::{ContentKey, Recipient, X25519Recipient};
use medwallet_crypto::{AccountKeys, RecoveryPhrase};
use medwallet_verify::{Invalid, VerifiedHeader};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;

struct MemorySource {
    header: VerifiedHeader,
    values: BTreeMap<Vec<u8>, Vec<u8>>,
    requests: AtomicUsize,
}

impl LedgerSource for MemorySource {
    fn chain(&self) -> ChainId {
        ChainId([0; 32])
    }
    fn incidents(&self) -> Vec<Incident> {
        Vec::new()
    }
    fn adopt_floor(&self, _header: &[u8], _certificate: &[u8]) -> Result<(), Invalid> {
        Ok(())
    }
    async fn latest(&self, _now_ms: u64) -> Result<VerifiedHeader, SourceError> {
        Ok(self.header.clone())
    }
    async fn value(
        &self,
        _at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<Option<Vec<u8>>, SourceError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        Ok(self.values.get(&key.0).cloned())
    }
    async fn values(
        &self,
        _at: &VerifiedHeader,
        keys: &[StateKey],
    ) -> Result<Vec<Option<Vec<u8>>>, SourceError> {
        assert!(keys.len() <= BATCH, "a batch names at most {BATCH} keys");
        self.requests.fetch_add(1, Ordering::SeqCst);
        Ok(keys
            .iter()
            .map(|k| self.values.get(&k.0).cloned())
            .collect())
    }
    async fn blob(&self, _: &BlobRequest<'_>, _: u64) -> Result<Vec<u8>, SourceError> {
        Err(SourceError::NoBlob(Vec::new()))
    }
    async fn submit(&self, _: &SignedTx) -> Result<u64, SourceError> {
        Err(SourceError::NotAccepted(Vec::new()))
    }
}

fn keys(seed: u8) -> AccountKeys {
    AccountKeys::derive(&RecoveryPhrase::from_entropy(&[seed; 32]))
}

/// An account under its own keys.
fn own(keys: AccountKeys) -> crate::relationships::OwnAccount {
    let address = address(&keys);
    crate::relationships::OwnAccount {
        keys: Arc::new(keys),
        address,
    }
}

fn address(keys: &AccountKeys) -> Address {
    keys.public().account()
}

/// One record the ledger gets wrong.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// The entry at this index names another patient.
    ForeignPatient(u64),
    /// The entry at this index has its key wrapped to someone else.
    WrappedForOther(u64),
}

/// A ledger holding `count` records for `patient`, with one `fault`.
fn ledger(patient: &AccountKeys, count: u64, fault: Fault) -> MemorySource {
    let mut rng = StdRng::seed_from_u64(7);
    let me = address(patient);
    let clinic = Address([9; 32]);
    let mut values = BTreeMap::new();
    values.insert(StateKey::patient_record_count(&me).0, encode_u64(count));
    for index in 0..count {
        let mut id = RecordId([0xa5; 32]);
        id.0[..8].copy_from_slice(&index.to_be_bytes());
        let key = ContentKey::generate(&mut rng);
        let title = format!("Visit {index}");
        let metadata = RecordMetadata::new(
            title,
            Some("2020-01-01".into()),
            Category::Encounter,
            1,
            "Clinic",
        );
        let receiving = if fault == Fault::WrappedForOther(index) {
            keys(2).public().receiving
        } else {
            patient.public().receiving
        };
        let wrapped = X25519Recipient::new(receiving)
            .wrap(&key, &id.0, &mut rng)
            .expect("wrap");
        let entry = RecordEntry {
            patient: if fault == Fault::ForeignPatient(index) {
                Address([1; 32])
            } else {
                me
            },
            clinic,
            ciphertext_sha256: Sha256Digest([index as u8; 32]),
            ciphertext_len: 100,
            wrapped_key: wrapped,
            metadata: metadata.seal(&key, &mut rng).expect("seal"),
            issued_height: index + 1,
            issued_at_ms: 1_000,
        };
        values.insert(StateKey::patient_record(&me, index).0, id.0.to_vec());
        values.insert(StateKey::record(&id).0, entry.encode());
    }
    let validator = medwallet_crypto::SigningKey::from_bytes(&[0x77; 32]);
    let set = crate::certified::validator_set(&validator).hash();
    let header = Header {
        height: 500,
        parent: BlockHash([1; 32]),
        timestamp_ms: 1_000,
        state_root: StateRoot([2; 32]),
        tx_root: tx_root(&[]),
        tx_count: 0,
        validator_set: set,
        next_validator_set: set,
    };
    MemorySource {
        header: crate::certified::certify(&validator, ChainId([5; 32]), header),
        values,
        requests: AtomicUsize::new(0),
    }
}

#[test]
fn every_record_arrives_in_issue_order_in_batches_with_events() {
    let patient = keys(1);
    let source = ledger(&patient, 2100, Fault::None);
    let mut events = Vec::new();
    let (_, new) = block_on(sync_records(
        &source,
        &[own(patient.account(0))],
        &[],
        block_on(source.latest(0)).expect("header"),
        &mut |e: SyncEvent<'_>| {
            events.push(match e {
                SyncEvent::HeaderVerified {
                    height,
                    total_records,
                } => (height, total_records, 0),
                SyncEvent::Records { batch, done, total } => (done, total, batch.len()),
            });
            Ok(())
        },
    ))
    .expect("sync");
    assert_eq!(new.len(), 2100);
    for (i, r) in new.iter().enumerate() {
        assert_eq!(
            r.title,
            format!("Visit {i}"),
            "metadata decrypted, order kept"
        );
        assert_eq!(r.issued_height, i as u64 + 1);
        assert_eq!(r.verified_height, 500);
    }
    // Full batches of as many keys as one request may name, the rest in the last.
    let mut expected = vec![(500, 2100, 0)];
    expected.extend((1..=8).map(|i| (256 * i, 2100, 256)));
    expected.push((2100, 2100, 52));
    assert_eq!(events, expected);
    // The count, then one batch of index proofs and one of entries per batch of records.
    assert_eq!(source.requests.load(Ordering::SeqCst), 1 + 2 * 9);
}

#[test]
fn a_sync_resumes_after_the_records_already_saved() {
    let patient = keys(1);
    let source = ledger(&patient, 150, Fault::None);
    let (_, all) = block_on(sync_records(
        &source,
        &[own(patient.account(0))],
        &[],
        block_on(source.latest(0)).expect("header"),
        &mut |_: SyncEvent<'_>| Ok(()),
    ))
    .expect("sync");
    let fresh = ledger(&patient, 150, Fault::None);
    let (_, rest) = block_on(sync_records(
        &fresh,
        &[own(patient.account(0))],
        &all[..70],
        block_on(fresh.latest(0)).expect("header"),
        &mut |_: SyncEvent<'_>| Ok(()),
    ))
    .expect("resume");
    assert_eq!(rest, all[70..].to_vec());
    // The count, then for the 80 missing records (in batches of 16, proven at once by
    // several nodes) one batch of index proofs and one of entries each; nothing is fetched
    // twice.
    assert_eq!(fresh.requests.load(Ordering::SeqCst), 1 + 2 * 5);
}

#[test]
fn a_failing_save_stops_the_sync_with_its_error() {
    let patient = keys(1);
    let source = ledger(&patient, 150, Fault::None);
    let mut batches = 0;
    let err = block_on(sync_records(
        &source,
        &[own(patient.account(0))],
        &[],
        block_on(source.latest(0)).expect("header"),
        &mut |e: SyncEvent<'_>| {
            if let SyncEvent::Records { .. } = e {
                batches += 1;
                return Err(WalletError::Cache("disk full"));
            }
            Ok(())
        },
    ))
    .expect_err("the save failed");
    assert!(matches!(err, WalletError::Cache(_)), "{err}");
    assert_eq!(batches, 1, "no further batch after the failure");
}

#[test]
fn a_record_entry_for_another_patient_is_refused() {
    let patient = keys(1);
    let source = ledger(&patient, 10, Fault::ForeignPatient(4));
    let err = block_on(sync_records(
        &source,
        &[own(patient.account(0))],
        &[],
        block_on(source.latest(0)).expect("header"),
        &mut |_: SyncEvent<'_>| Ok(()),
    ))
    .expect_err("foreign record");
    assert!(
        err.to_string().contains("belongs to another patient"),
        "{err}"
    );
}

#[test]
fn a_record_wrapped_to_another_key_is_kept_as_unreadable_and_the_sync_goes_on() {
    let patient = keys(1);
    let source = ledger(&patient, 10, Fault::WrappedForOther(6));
    let (_, records) = block_on(sync_records(
        &source,
        &[own(patient.account(0))],
        &[],
        block_on(source.latest(0)).expect("header"),
        &mut |_: SyncEvent<'_>| Ok(()),
    ))
    .expect("one bad record does not stop the sync");
    assert_eq!(records.len(), 10, "the records after it arrive too");
    let unreadable: Vec<&RecordSummary> = records.iter().filter(|r| r.unreadable).collect();
    assert_eq!(unreadable.len(), 1);
    assert_eq!(unreadable[0].issued_height, 7);
    assert_eq!(
        unreadable[0].clinic,
        Address([9; 32]).to_hex(),
        "named by its clinic"
    );
    assert!(
        !unreadable[0].title.contains("Visit"),
        "its metadata is not read"
    );
    assert!(
        records
            .iter()
            .filter(|r| !r.unreadable)
            .all(|r| r.title.starts_with("Visit"))
    );
}
