//! Pairwise accounts: each clinic its own account, one history, discovery on restore by gap
//! limit, one grant per account with sealed terms, and a doctor who still sees one patient.

use std::collections::BTreeSet;

use medledger_types::codec::Canonical;
use medledger_types::grant::Coverage;
use medledger_types::state::{GrantEntry, MAX_VALUE_LEN, StateKey};
use medledger_types::tx::Scope;

use super::*;
use crate::relationships::GAP_LIMIT;
use crate::terms::open_terms;

const SECOND_CLINIC: u8 = 7;

impl World {
    /// A second clinic, and a share code (a fresh account) the patient made for it.
    pub(super) fn second_clinic(&mut self) -> (AccountKeys, AccountKeys) {
        let clinic = keys(SECOND_CLINIC);
        self.ledger.add_clinic(&clinic, "Harbour Sexual Health");
        let (relationship, code) = block_on(self.patient.new_relationship(
            &self.ledger,
            "Harbour",
            &mut self.rng,
        ))
        .expect("share code");
        assert_eq!(relationship.account, 1);
        let account = keys(PATIENT).account(1);
        assert_eq!(code, account.public().share_code());
        (clinic, account)
    }

    /// A lab record from each clinic (to accounts 0 and 1), synced, and the labs shared with the
    /// doctor: the records, the second account, and the share.
    pub(super) fn labs_shared_from_two_clinics(
        &mut self,
    ) -> (RecordId, RecordId, AccountKeys, Granted) {
        let (harbour, second) = self.second_clinic();
        let a = self.issue_from(&self.clinic, &keys(PATIENT), 0, Category::Labs);
        let b = self.issue_from(&harbour, &second, 1, Category::Labs);
        self.sync();
        let granted = self.grant(ShareScope::Category(Category::Labs), None);
        (a, b, second, granted)
    }

    pub(super) fn issue_from(
        &self,
        clinic: &AccountKeys,
        to: &AccountKeys,
        n: usize,
        c: Category,
    ) -> RecordId {
        self.ledger
            .issue(clinic, to, &fhir(n), c, &format!("Record {n}"))
    }
}

#[test]
fn each_clinic_gets_its_own_account_and_one_sync_shows_every_record() {
    let mut w = world();
    let (harbour, second) = w.second_clinic();
    let first = keys(PATIENT);
    assert_ne!(address(&first), address(&second));
    assert_ne!(first.public().receiving, second.public().receiving);
    let a = w.issue_from(&w.clinic, &first, 0, Category::Labs);
    let b = w.issue_from(&harbour, &second, 1, Category::Conditions);
    let c = w.issue_from(&w.clinic, &first, 2, Category::Labs);
    let report = w.sync();
    assert_eq!((report.new_records, report.total_records), (3, 3));
    let records = w.patient.records();
    assert_eq!(
        records.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        vec![a.to_hex(), b.to_hex(), c.to_hex()],
        "one history, in the order the records were issued"
    );
    assert_eq!(
        records.iter().map(|r| r.account).collect::<Vec<_>>(),
        vec![0, 1, 0]
    );
    assert_eq!(
        block_on(w.patient.open_record(&w.ledger, &b.to_hex())).expect("opens"),
        fhir(1)
    );
    // The relationships are kept in the sealed cache: a restart knows both.
    let again = wallet(&w.ledger, PATIENT, w.patient_store.clone());
    assert_eq!(
        again
            .relationships()
            .iter()
            .map(|r| (r.account, r.label.as_str()))
            .collect::<Vec<_>>(),
        vec![(0, ""), (1, "Harbour")]
    );
    assert_eq!(again.records().len(), 3);
}

#[test]
fn a_restored_wallet_finds_its_accounts_by_proof_up_to_the_gap_limit() {
    let mut w = world();
    let (harbour, second) = w.second_clinic();
    w.issue_from(&harbour, &second, 0, Category::Labs);
    // Another device of the same phrase registered account 1 + GAP_LIMIT (a gap of
    // GAP_LIMIT - 1 unregistered accounts: still found) and, a full gap further, one more
    // (beyond GAP_LIMIT unregistered accounts in a row: not looked for).
    let far = 1 + GAP_LIMIT;
    let beyond = far + GAP_LIMIT + 1;
    w.ledger.register_patient(&keys(PATIENT).account(far));
    w.ledger.register_patient(&keys(PATIENT).account(beyond));
    w.issue_from(&w.clinic, &keys(PATIENT).account(far), 1, Category::Labs);

    let mut restored = wallet(&w.ledger, PATIENT, Arc::default());
    assert!(
        restored.relationships().is_empty(),
        "nothing but the phrase"
    );
    let report = block_on(restored.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    assert_eq!(report.total_records, 2);
    let found: BTreeSet<u32> = restored.relationships().iter().map(|r| r.account).collect();
    assert_eq!(found, BTreeSet::from([0, 1, far]));
    // A new share code takes the next index above every account found.
    let (relationship, _) =
        block_on(restored.new_relationship(&w.ledger, "GP", &mut w.rng)).expect("share code");
    assert_eq!(relationship.account, far + 1);
    restored = wallet(&w.ledger, PATIENT, Arc::default());
    block_on(restored.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    let found: BTreeSet<u32> = restored.relationships().iter().map(|r| r.account).collect();
    assert_eq!(
        found,
        BTreeSet::from([0, 1, far, far + 1, beyond]),
        "account {beyond} is now within the gap limit of account {}",
        far + 1
    );
}

#[test]
fn a_share_across_two_accounts_is_one_grant_each_and_one_patient_to_the_doctor() {
    let mut w = world();
    let (a, b, second, granted) = w.labs_shared_from_two_clinics();
    assert_eq!(granted.records_shared, 2);
    assert_eq!(granted.grants.len(), 2, "one grant per account");

    // On the ledger: each grant by its own account, scope open, terms sealed.
    let doctor_keys = keys(DOCTOR);
    let mut handles = BTreeSet::new();
    let mut authors = BTreeSet::new();
    for id in &granted.grants {
        let bytes = w
            .ledger
            .state_values_at(&StateKey::grant(id))
            .expect("grant");
        let entry = GrantEntry::decode(&bytes, MAX_VALUE_LEN).expect("entry");
        assert_eq!(entry.scope, Scope::Open, "the category is not in the clear");
        authors.insert(entry.patient);
        let terms =
            open_terms(&doctor_keys.identity(), id, &entry.terms.to_grantee).expect("doctor");
        assert_eq!(terms.coverage, Coverage::Category(Category::Labs));
        assert_eq!(terms.label, "Ana Ruiz");
        handles.insert(terms.handle);
        assert!(
            open_terms(&keys(OTHER_DOCTOR).identity(), id, &entry.terms.to_grantee).is_none(),
            "sealed to the grantee alone"
        );
    }
    assert_eq!(
        authors,
        BTreeSet::from([address(&keys(PATIENT)), address(&second)])
    );
    assert_eq!(handles.len(), 1, "the same handle in both grants");

    // The doctor sees one patient, by handle and label.
    let (_, shared) = block_on(w.doctor.shared_with_me(&w.ledger)).expect("shared");
    let records: BTreeSet<RecordId> = shared.iter().map(|s| s.record).collect();
    assert_eq!(records, BTreeSet::from([a, b]));
    let patients: BTreeSet<&str> = shared.iter().map(|s| s.patient_handle.as_str()).collect();
    assert_eq!(patients.len(), 1);
    assert!(shared.iter().all(|s| s.patient_label == "Ana Ruiz"));

    // The patient reads their grants' terms back, and revoking one revokes the share.
    let (_, grants) = block_on(w.patient.grants(&w.ledger)).expect("grants");
    assert_eq!(grants.len(), 2);
    assert!(
        grants
            .iter()
            .all(|g| g.scope() == Some(ShareScope::Category(Category::Labs)))
    );
    block_on(w.patient.revoke(&w.ledger, granted.grants[1])).expect("revoke");
    let (_, grants) = block_on(w.patient.grants(&w.ledger)).expect("grants");
    assert!(grants.iter().all(|g| g.status == GrantStatus::Revoked));
}

#[test]
fn an_open_share_reaches_records_a_new_clinic_issues_later() {
    let mut w = world();
    let (harbour, second) = w.second_clinic();
    w.issue_from(&w.clinic, &keys(PATIENT), 0, Category::Labs);
    w.sync();
    let granted = w.grant(ShareScope::Category(Category::Labs), None);
    assert_eq!(granted.grants.len(), 1, "only account 0 holds labs yet");
    let later = w.issue_from(&harbour, &second, 1, Category::Labs);
    w.issue_from(&harbour, &second, 2, Category::Conditions);
    let report = w.sync();
    assert_eq!(
        report.keys_shared, 1,
        "the new clinic's lab, not its condition"
    );
    assert_eq!(w.sync().keys_shared, 0, "once");
    let (_, grants) = block_on(w.patient.grants(&w.ledger)).expect("grants");
    assert_eq!(
        grants.len(),
        2,
        "account 1 joined the share with a grant of its own"
    );
    assert_eq!(
        grants[0].terms.as_ref().map(|t| t.share),
        grants[1].terms.as_ref().map(|t| t.share)
    );
    let (_, shared) = block_on(w.doctor.shared_with_me(&w.ledger)).expect("shared");
    let grant = shared
        .iter()
        .find(|s| s.record == later)
        .map(|s| s.grant)
        .expect("shared");
    let opened = block_on(w.doctor.open_shared(&w.ledger, grant, later)).expect("opens");
    assert_eq!(opened.fhir, fhir(1));
}

#[test]
fn the_access_log_and_links_cover_every_account() {
    let mut w = world();
    let (harbour, second) = w.second_clinic();
    let b = w.issue_from(&harbour, &second, 0, Category::Labs);
    w.sync();
    let granted = w.grant(ShareScope::Records(vec![b]), None);
    assert_eq!(granted.grants.len(), 1);
    block_on(w.doctor.open_shared(&w.ledger, granted.grant, b)).expect("opens");
    let (_, log) = block_on(w.patient.access_log(&w.ledger)).expect("log");
    assert_eq!(
        log.len(),
        1,
        "the receipt is under account 1, and the wallet reads it"
    );
    assert_eq!(log[0].receipt.record, b);
    assert_eq!(log[0].doctor, address(&keys(DOCTOR)));
}

#[test]
fn a_label_longer_than_the_terms_allow_is_refused_before_anything_is_signed() {
    let mut w = world();
    w.issue(0, Category::Labs);
    w.sync();
    let request = GrantRequest {
        grantee: address(&keys(DOCTOR)),
        scope: ShareScope::All,
        expires_at_ms: None,
        label: "x".repeat(medledger_types::grant::LABEL_MAX + 1),
    };
    let err = block_on(w.patient.grant(&w.ledger, request, &mut w.rng)).expect_err("too long");
    assert!(matches!(err, WalletError::InvalidInput(_)), "{err}");
    let (_, grants) = block_on(w.patient.grants(&w.ledger)).expect("grants");
    assert!(grants.is_empty());
}

#[test]
fn a_cache_from_before_pairwise_accounts_keeps_its_records_and_finds_its_account() {
    let mut w = world();
    w.issue(0, Category::Labs);
    w.sync();
    // What a wallet sealed before it kept its accounts: the records alone.
    let old = crate::cache::Cached {
        records: w.patient.records(),
        relationships: Vec::new(),
    };
    let sealed =
        crate::cache::seal_cache(&keys(PATIENT), w.ledger.chain(), &old, &mut w.rng).expect("seal");
    w.patient_store.save_cache(&sealed).expect("save");
    let reopened = wallet(&w.ledger, PATIENT, w.patient_store.clone());
    assert!(reopened.relationships().is_empty());
    assert_eq!(reopened.records().len(), 1);
    w.issue(1, Category::Labs);
    let report = block_on(reopened.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    assert_eq!(
        (report.new_records, report.total_records),
        (1, 2),
        "nothing twice"
    );
    assert_eq!(
        reopened
            .relationships()
            .iter()
            .map(|r| r.account)
            .collect::<Vec<_>>(),
        vec![0]
    );
}

#[test]
fn no_grant_names_the_doctor_and_each_account_names_its_own_grantee() {
    let mut w = world();
    let (a, b, _, granted) = w.labs_shared_from_two_clinics();
    let doctor = address(&keys(DOCTOR));
    let grantees: BTreeSet<_> = granted
        .grants
        .iter()
        .map(|id| {
            let bytes = w
                .ledger
                .state_values_at(&StateKey::grant(id))
                .expect("grant");
            GrantEntry::decode(&bytes, MAX_VALUE_LEN)
                .expect("entry")
                .grantee
        })
        .collect();
    assert_eq!(grantees.len(), 2, "one grantee per account");
    assert!(!grantees.contains(&doctor), "no grant names the doctor");
    let notices = || {
        w.ledger
            .state_values_at(&StateKey::doctor_notice_count(&doctor))
    };
    assert_eq!(notices(), Some(medledger_types::state::encode_u64(1)));

    // A restored patient wallet shares again without a second notice; a restored doctor wallet
    // finds both accounts' records from the ledger alone.
    let restored = wallet(&w.ledger, PATIENT, Arc::default());
    block_on(restored.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    let request = GrantRequest {
        grantee: doctor,
        scope: ShareScope::Records(vec![a]),
        expires_at_ms: None,
        label: String::new(),
    };
    block_on(restored.grant(&w.ledger, request, &mut w.rng)).expect("grant");
    assert_eq!(
        notices(),
        Some(medledger_types::state::encode_u64(1)),
        "once"
    );
    let doctor_wallet = wallet(&w.ledger, DOCTOR, Arc::default());
    let (_, shared) = block_on(doctor_wallet.shared_with_me(&w.ledger)).expect("shared");
    let records: BTreeSet<RecordId> = shared.iter().map(|s| s.record).collect();
    assert_eq!(records, BTreeSet::from([a, b]));
    let on_b = shared.iter().find(|s| s.record == b).expect("b").grant;
    let opened = block_on(doctor_wallet.open_shared(&w.ledger, on_b, b)).expect("opens");
    assert_eq!(opened.fhir, fhir(1));
}
