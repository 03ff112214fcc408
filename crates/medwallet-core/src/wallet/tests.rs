//! The wallet service end to end without a network: a clinic issues on an in-memory ledger that
//! runs the real rules; patients and doctors use [`Wallet`] as the app and the CLI do.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::consent::ShareScope;
use futures::executor::block_on;
use medledger_types::category::Category;
use medledger_types::state::GrantStatus;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::memory_ledger::{MemoryLedger, address, keys};
use super::*;
use crate::store::memory::MemoryStore;

const CLINIC: u8 = 1;
const PATIENT: u8 = 2;
const DOCTOR: u8 = 3;
const OTHER_DOCTOR: u8 = 4;

type TestWallet = Wallet<Arc<MemoryStore>, Arc<dyn Fn() -> u64 + Send + Sync>>;

struct World {
    ledger: MemoryLedger,
    clinic: AccountKeys,
    patient: TestWallet,
    patient_store: Arc<MemoryStore>,
    doctor: TestWallet,
    rng: StdRng,
}

fn wallet(ledger: &MemoryLedger, seed: u8, store: Arc<MemoryStore>) -> TestWallet {
    let now = ledger.now.clone();
    let clock: Arc<dyn Fn() -> u64 + Send + Sync> = Arc::new(move || now.load(Ordering::SeqCst));
    Wallet::open(Arc::new(keys(seed)), store, clock).expect("open")
}

fn world() -> World {
    let clinic = keys(CLINIC);
    let ledger = MemoryLedger::new(&clinic);
    let patient_store = Arc::new(MemoryStore::default());
    let patient = wallet(&ledger, PATIENT, patient_store.clone());
    let doctor = wallet(&ledger, DOCTOR, Arc::default());
    block_on(patient.register_patient(&ledger, &mut rand::rng())).expect("register");
    ledger.register_doctor(&clinic, &keys(DOCTOR), "Dr. Grey");
    ledger.register_doctor(&clinic, &keys(OTHER_DOCTOR), "Dr. Shepherd");
    World {
        ledger,
        clinic,
        patient,
        patient_store,
        doctor,
        rng: StdRng::seed_from_u64(5),
    }
}

fn fhir(n: usize) -> Vec<u8> {
    format!(r#"{{"resourceType":"Bundle","type":"collection","id":"r{n}"}}"#).into_bytes()
}

/// A FHIR fixture of `tests/fixtures/fhir`.
fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/fhir")
            .join(name),
    )
    .expect("fixture")
}

fn quiet() -> impl FnMut(SyncEvent<'_>) -> Result<(), WalletError> {
    |_| Ok(())
}

impl World {
    fn issue(&self, n: usize, category: Category) -> RecordId {
        self.ledger.issue(
            &self.clinic,
            &keys(PATIENT),
            &fhir(n),
            category,
            &format!("Record {n}"),
        )
    }

    /// The clinic issues a fixture history, one record per visit and category; the patient
    /// syncs.
    fn issue_history(&mut self, fixture_name: &str) {
        for draft in medwallet_fhir::records_from(&fixture(fixture_name), true).expect("split") {
            self.ledger.issue(
                &self.clinic,
                &keys(PATIENT),
                &draft.bytes,
                draft.category,
                &draft.title,
            );
        }
        self.sync();
    }

    fn sync(&mut self) -> SyncReport {
        block_on(self.patient.sync(&self.ledger, &mut quiet(), &mut self.rng)).expect("sync")
    }

    fn grant(&mut self, scope: ShareScope, expires_at_ms: Option<u64>) -> Granted {
        let request = GrantRequest {
            grantee: address(&keys(DOCTOR)),
            scope,
            expires_at_ms,
            label: "Ana Ruiz".into(),
        };
        block_on(self.patient.grant(&self.ledger, request, &mut self.rng)).expect("grant")
    }
}

#[test]
fn a_patient_syncs_keeps_ciphertexts_opens_offline_and_resumes_from_the_cache() {
    let mut w = world();
    let ids: Vec<RecordId> = (0..3).map(|n| w.issue(n, Category::Labs)).collect();
    let report = w.sync();
    assert_eq!((report.new_records, report.total_records), (3, 3));
    assert_eq!(report.ciphertexts_missing, 0);
    for (n, id) in ids.iter().enumerate() {
        let record = w.patient.record(&id.to_hex()).expect("known");
        assert_eq!(record.title, format!("Record {n}"), "metadata decrypted");
        assert!(w.patient.is_kept(&record));
        assert_eq!(
            w.patient.open_offline(&record).expect("open"),
            Some(fhir(n))
        );
    }
    // Offline: the kept ciphertexts open without a node.
    w.ledger.no_blobs.store(true, Ordering::SeqCst);
    assert_eq!(
        block_on(w.patient.open_record(&w.ledger, &ids[1].to_hex())).expect("offline"),
        fhir(1)
    );
    assert_eq!(w.sync().new_records, 0, "nothing is fetched twice");
    // A wallet opened later on the same store starts from what was saved.
    let reopened = wallet(&w.ledger, PATIENT, w.patient_store.clone());
    assert_eq!(reopened.records(), w.patient.records());
    let unknown = block_on(reopened.open_record(&w.ledger, &"00".repeat(32)));
    assert!(matches!(unknown, Err(WalletError::UnknownRecord(_))));
}

#[test]
fn a_ciphertext_that_does_not_match_the_ledger_is_refused_and_not_kept() {
    let mut w = world();
    let id = w.issue(0, Category::Encounter);
    w.ledger.corrupt_blobs.store(true, Ordering::SeqCst);
    let report = w.sync();
    assert_eq!(report.new_records, 1);
    assert_eq!(
        report.ciphertexts_missing, 1,
        "the bad download is not kept"
    );
    let record = w.patient.record(&id.to_hex()).expect("known");
    assert!(!w.patient.is_kept(&record));
    let err = block_on(w.patient.open_record(&w.ledger, &record.id)).expect_err("wrong bytes");
    assert!(matches!(err, WalletError::WrongCiphertext(_)), "{err}");
    w.ledger.corrupt_blobs.store(false, Ordering::SeqCst);
    assert_eq!(w.sync().ciphertexts_missing, 0, "retried at the next sync");
    assert!(w.patient.is_kept(&record));
}

#[test]
fn a_failing_store_stops_the_sync_with_its_error() {
    let mut w = world();
    w.issue(0, Category::Labs);
    w.patient_store.fail_saves.store(true, Ordering::SeqCst);
    let err = block_on(w.patient.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect_err("disk");
    assert!(matches!(err, WalletError::LocalStorage(_)), "{err}");
    assert!(w.patient.records().is_empty(), "nothing unsaved is held");
}

#[test]
fn a_category_grant_shares_that_category_alone_and_records_issued_later() {
    let mut w = world();
    let lab = w.issue(0, Category::Labs);
    let visit = w.issue(1, Category::Encounter);
    w.sync();
    let granted = w.grant(ShareScope::Category(Category::Labs), None);
    assert_eq!(granted.records_shared, 1);
    assert_eq!(granted.doctor.name, "Dr. Grey");
    let (_, shared) = block_on(w.doctor.shared_with_me(&w.ledger)).expect("shared");
    assert_eq!(
        shared.iter().map(|s| s.record).collect::<Vec<_>>(),
        vec![lab]
    );
    assert_eq!(shared[0].title, "Record 0", "the doctor reads the metadata");
    assert_eq!(shared[0].status, GrantStatus::Active);
    let err = block_on(w.doctor.open_shared(&w.ledger, granted.grant, visit)).expect_err("other");
    assert!(matches!(err, WalletError::NotShared(_)), "{err}");

    // A lab record issued after the grant reaches the doctor once the patient syncs.
    let later = w.issue(2, Category::Labs);
    let report = w.sync();
    assert_eq!(report.keys_shared, 1);
    assert_eq!(w.sync().keys_shared, 0, "each key is shared once");
    let (_, shared) = block_on(w.doctor.shared_with_me(&w.ledger)).expect("shared");
    assert_eq!(shared.len(), 2);
    let opened = block_on(w.doctor.open_shared(&w.ledger, granted.grant, later)).expect("open");
    assert_eq!(opened.fhir, fhir(2), "byte for byte what the clinic issued");
    assert_eq!(
        opened.clinic_name.as_deref(),
        Some("Memory Clinic"),
        "the issuing clinic, by its registered name, read by proof"
    );
}

#[test]
fn a_labs_grant_over_a_split_history_gives_the_doctor_every_lab_record_and_nothing_else() {
    let mut w = world();
    let history = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/fhir/Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json"
    ))
    .expect("fixture");
    let mut labs = std::collections::BTreeSet::new();
    let drafts = medwallet_fhir::records_from(&history, true).expect("split");
    for draft in &drafts {
        let id = w.ledger.issue(
            &w.clinic,
            &keys(PATIENT),
            &draft.bytes,
            draft.category,
            &draft.title,
        );
        if draft.category == Category::Labs {
            labs.insert(id);
        }
    }
    assert!(!labs.is_empty() && labs.len() < drafts.len());
    w.sync();
    let granted = w.grant(ShareScope::Category(Category::Labs), None);
    assert_eq!(granted.records_shared, labs.len());
    let (_, shared) = block_on(w.doctor.shared_with_me(&w.ledger)).expect("shared");
    let got: std::collections::BTreeSet<_> = shared.iter().map(|s| s.record).collect();
    assert_eq!(got, labs, "every lab record, and only those");
    for record in got {
        let opened =
            block_on(w.doctor.open_shared(&w.ledger, granted.grant, record)).expect("open");
        let bundle: serde_json::Value = serde_json::from_slice(&opened.fhir).expect("json");
        for entry in bundle["entry"].as_array().expect("entries") {
            assert_eq!(
                medwallet_fhir::category_of(&entry["resource"]),
                Category::Labs,
                "{}",
                entry["resource"]["resourceType"]
            );
        }
    }
}

#[test]
fn a_doctor_opens_by_grant_the_patient_sees_the_access_and_revocation_ends_it() {
    let mut w = world();
    let id = w.issue(0, Category::Labs);
    w.sync();
    let granted = w.grant(ShareScope::Records(vec![id]), None);
    let opened = block_on(w.doctor.open_shared(&w.ledger, granted.grant, id)).expect("open");
    assert_eq!(opened.fhir, fhir(0));
    let (_, log) = block_on(w.patient.access_log(&w.ledger)).expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].doctor, log[0].receipt.record, log[0].receipt.grant),
        (address(&keys(DOCTOR)), id, granted.grant)
    );
    assert_ne!(
        log[0].receipt.grantee,
        address(&keys(DOCTOR)),
        "the receipt names the grant's pairwise key, not the doctor"
    );
    // Another doctor holds no grant: the grant id alone opens nothing.
    let other = wallet(&w.ledger, OTHER_DOCTOR, Arc::default());
    let err = block_on(other.open_shared(&w.ledger, granted.grant, id)).expect_err("not theirs");
    assert!(matches!(err, WalletError::NotShared(_)), "{err}");

    block_on(w.patient.revoke(&w.ledger, granted.grant)).expect("revoke");
    let (_, grants) = block_on(w.patient.grants(&w.ledger)).expect("grants");
    assert_eq!(grants[0].status, GrantStatus::Revoked);
    let err = block_on(w.doctor.open_shared(&w.ledger, granted.grant, id)).expect_err("revoked");
    assert!(
        matches!(err, WalletError::GrantEnded(GrantStatus::Revoked)),
        "{err}"
    );
    let (_, shared) = block_on(w.doctor.shared_with_me(&w.ledger)).expect("shared");
    assert_eq!(
        shared[0].status,
        GrantStatus::Revoked,
        "listed, with its status"
    );
}

#[test]
fn an_expired_grant_opens_nothing_and_takes_no_new_keys() {
    let mut w = world();
    let id = w.issue(0, Category::Labs);
    w.sync();
    let now = w.patient.now_ms();
    let granted = w.grant(ShareScope::All, Some(now + 1_000));
    w.ledger.now.store(now + 1_000, Ordering::SeqCst);
    let (_, grants) = block_on(w.patient.grants(&w.ledger)).expect("grants");
    assert_eq!(grants[0].status, GrantStatus::Expired);
    let err = block_on(w.doctor.open_shared(&w.ledger, granted.grant, id)).expect_err("expired");
    assert!(
        matches!(err, WalletError::GrantEnded(GrantStatus::Expired)),
        "{err}"
    );
    w.issue(1, Category::Labs);
    assert_eq!(w.sync().keys_shared, 0);
}

#[test]
fn grants_go_only_to_doctors_and_only_into_the_future() {
    let mut w = world();
    w.issue(0, Category::Labs);
    w.sync();
    let to_patient = GrantRequest {
        grantee: address(&keys(PATIENT)),
        scope: ShareScope::All,
        expires_at_ms: None,
        label: String::new(),
    };
    let err = block_on(w.patient.grant(&w.ledger, to_patient, &mut w.rng)).expect_err("patient");
    assert!(matches!(err, WalletError::NotADoctor(_)), "{err}");
    let past = GrantRequest {
        grantee: address(&keys(DOCTOR)),
        scope: ShareScope::All,
        expires_at_ms: Some(w.patient.now_ms()),
        label: String::new(),
    };
    let err = block_on(w.patient.grant(&w.ledger, past, &mut w.rng)).expect_err("past");
    assert!(matches!(err, WalletError::InvalidInput(_)), "{err}");
    let (_, grants) = block_on(w.patient.grants(&w.ledger)).expect("grants");
    assert!(grants.is_empty(), "nothing was submitted");
}

#[test]
fn registering_twice_is_refused_by_the_ledger() {
    let w = world();
    let err = block_on(w.patient.register_patient(&w.ledger, &mut rand::rng())).expect_err("twice");
    assert!(
        err.source_error().is_some_and(|e| e.refusal().is_some()),
        "{err}"
    );
}

#[test]
fn a_record_wrapped_to_another_key_is_kept_unreadable_and_does_not_stop_sync_or_grants() {
    let mut w = world();
    w.issue(0, Category::Labs);
    let bad = w.ledger.issue_wrapped_to(
        &w.clinic,
        &keys(PATIENT),
        &keys(OTHER_DOCTOR),
        &fhir(1),
        Category::Labs,
        "Misaddressed",
    );
    w.issue(2, Category::Labs);
    let report = w.sync();
    assert_eq!(report.total_records, 3, "the sync went on past it");
    assert_eq!(report.ciphertexts_missing, 0, "nothing to download for it");
    assert_eq!(
        report
            .unreadable
            .iter()
            .map(|r| r.id.clone())
            .collect::<Vec<_>>(),
        vec![bad.to_hex()]
    );
    assert_eq!(report.unreadable[0].clinic, address(&w.clinic).to_hex());
    let err = block_on(w.patient.open_record(&w.ledger, &bad.to_hex())).expect_err("unreadable");
    assert!(matches!(err, WalletError::NotForMe(_)), "{err}");
    // A grant of the category shares the two it can and skips the one it cannot open.
    assert_eq!(
        w.grant(ShareScope::Category(Category::Labs), None)
            .records_shared,
        2
    );
    assert_eq!(w.sync().keys_shared, 0, "and does not keep trying");
}

#[test]
fn proven_equivocation_stops_new_ledger_data_until_acknowledged_even_after_a_restart() {
    let mut w = world();
    w.issue(1, Category::Labs);
    w.sync();
    w.ledger
        .incidents
        .lock()
        .expect("lock")
        .push(Incident::Equivocation {
            height: 3,
            first: "http://a".into(),
            second: "http://b".into(),
        });
    let err = block_on(w.patient.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect_err("halted");
    assert!(
        matches!(err, WalletError::Equivocation(ref a) if a.height == 3),
        "{err}"
    );
    assert!(err.to_string().contains("http://a") && err.to_string().contains("acknowledge"));
    // Every ledger operation stops, and a restart does not clear it.
    let reopened = wallet(&w.ledger, PATIENT, w.patient_store.clone());
    assert!(reopened.equivocation().is_some());
    assert!(matches!(
        block_on(reopened.grants(&w.ledger)),
        Err(WalletError::Equivocation(_))
    ));
    assert_eq!(reopened.records().len(), 1, "verified records stay");
    assert!(reopened.acknowledge_equivocation().expect("ack"));
    assert!(
        block_on(reopened.grants(&w.ledger)).is_ok(),
        "acknowledged: on it goes"
    );
    let again = wallet(&w.ledger, PATIENT, w.patient_store.clone());
    assert_eq!(again.equivocation(), None, "the acknowledgement is kept");
}

#[test]
fn the_newest_verified_header_is_kept_and_every_later_operation_starts_from_it() {
    let mut w = world();
    w.issue(1, Category::Labs);
    let report = w.sync();
    let floor = report.header.height();
    // A later run (a new wallet object over the same files) hands the floor to the source
    // before it asks any node, so no node can serve it an older view.
    let reopened = wallet(&w.ledger, PATIENT, w.patient_store.clone());
    w.ledger.floors.lock().expect("lock").clear();
    block_on(reopened.grants(&w.ledger)).expect("grants");
    assert_eq!(w.ledger.floors.lock().expect("lock").first(), Some(&floor));
}

#[test]
fn a_cache_this_wallet_did_not_seal_is_refused_kept_aside_and_rebuilt_by_sync() {
    let mut w = world();
    w.issue(1, Category::Labs);
    w.sync();
    // Someone who can write the wallet folder plants a cache sealed under another key.
    let mut rng = StdRng::seed_from_u64(8);
    let planted = crate::cache::seal_cache(
        &keys(9),
        w.ledger.chain(),
        &crate::cache::Cached {
            records: w.patient.records(),
            relationships: w.patient.relationships(),
        },
        &mut rng,
    )
    .expect("seal");
    *w.patient_store.cache.lock().expect("lock") = Some(planted.clone());
    let err = Wallet::open(
        Arc::new(keys(PATIENT)),
        w.patient_store.clone(),
        Arc::new(|| 0u64) as Arc<dyn Fn() -> u64 + Send + Sync>,
    )
    .err()
    .expect("refused");
    assert!(matches!(err, WalletError::CacheRejected { .. }), "{err}");
    assert!(err.to_string().contains("kept for inspection"), "{err}");
    assert_eq!(
        w.patient_store.set_aside.lock().expect("lock").as_slice(),
        &[planted],
        "kept as it was"
    );
    // The next open starts empty, and a sync verifies the records again.
    let mut reopened = wallet(&w.ledger, PATIENT, w.patient_store.clone());
    assert!(reopened.records().is_empty());
    std::mem::swap(&mut w.patient, &mut reopened);
    assert_eq!(w.sync().total_records, 1);
}

#[test]
fn a_cache_verified_on_another_chain_is_not_mixed_with_this_one() {
    let mut w = world();
    w.issue(1, Category::Labs);
    w.sync();
    let other = MemoryLedger::with_chain(&w.clinic, ChainId([0x43; 32]));
    let err = block_on(w.patient.sync(&other, &mut quiet(), &mut w.rng)).expect_err("other chain");
    assert!(matches!(err, WalletError::CacheChain { .. }), "{err}");
}

mod device_join;
mod emergency;
mod emergency_guardians;
mod erasure;
mod files;
mod links;
mod pairwise;
mod recovery;
mod rotation;
mod summary;
