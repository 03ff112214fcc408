//! Erasure: a patient erases their own records (keys, metadata and every grant's key leave the
//! state; what proves the record existed stays), validators' nodes write one receipt each,
//! and an account with every record erased can be closed, after which nothing reaches it.

use medledger_types::erasure::{ErasedRecord, ErasureReceipt};

use super::*;

fn erase(records: Vec<RecordId>) -> TxBody {
    TxBody::EraseRecords { records }
}

fn get<T: Canonical>(w: &World, key: &StateKey) -> Option<T> {
    w.state
        .0
        .get(key)
        .map(|b| T::decode(b, MAX_VALUE_LEN).expect("value"))
}

#[test]
fn erasing_a_record_removes_every_key_to_it_and_keeps_that_it_existed() {
    let mut w = World::new();
    let record = w.issue(PATIENT);
    let kept = w.issue(PATIENT);
    let grant = w.grant(Scope::Open, vec![rk(record), rk(kept)], None);
    let entry: RecordEntry = get(&w, &StateKey::record(&record)).expect("issued");
    w.ok(PATIENT, erase(vec![record]));

    assert!(!w.state.0.contains_key(&StateKey::record(&record)));
    assert!(
        !w.state
            .0
            .contains_key(&StateKey::grant_key(&grant, &record)),
        "the doctor's key to it is gone too"
    );
    assert!(
        w.state.0.contains_key(&StateKey::grant_key(&grant, &kept)),
        "other records are untouched"
    );
    let erased: ErasedRecord = get(&w, &StateKey::erased(&record)).expect("tombstone");
    assert_eq!(erased.ciphertext_sha256, entry.ciphertext_sha256);
    assert_eq!(erased.patient, addr(&key(PATIENT)));
    assert_eq!(erased.erased_height, w.height);
    let patient = addr(&key(PATIENT));
    assert_eq!(
        w.state.0.get(&StateKey::erasure(&patient, 0)),
        Some(&record.0.to_vec())
    );
    // Nothing can bring its keys back or use it again.
    assert_eq!(
        w.err(PATIENT, erase(vec![record])),
        TxError::AlreadyErased(record.to_hex())
    );
    let err = w.err(
        PATIENT,
        TxBody::GrantKeys {
            grant,
            keys: vec![rk(record)],
        },
    );
    assert_eq!(err, TxError::UnknownRecord(record.to_hex()));
    let err = w.err(
        PATIENT,
        TxBody::RewrapRecords {
            keys: vec![rk(record)],
        },
    );
    assert_eq!(err, TxError::UnknownRecord(record.to_hex()));
}

#[test]
fn only_the_records_patient_erases_them() {
    let mut w = World::new();
    let record = w.issue(PATIENT);
    let err = w.err(OTHER_PATIENT, erase(vec![record]));
    assert_eq!(err, TxError::NotYourRecord(record.to_hex()));
    let err = w.err(CLINIC, erase(vec![record]));
    assert_eq!(
        err,
        TxError::NotAPatient,
        "not even the clinic that issued it"
    );
    let err = w.err(PATIENT, erase(vec![record, record]));
    assert_eq!(err, TxError::DuplicateKey(record.to_hex()));
    assert_eq!(
        w.err(PATIENT, erase(vec![])),
        TxError::OutOfRange("no records to erase")
    );
}

#[test]
fn each_validator_writes_one_erasure_receipt_for_an_erased_record() {
    let mut w = World::new();
    let record = w.issue(PATIENT);
    let body = TxBody::ErasureReceipt { record };
    let err = w.err(1, body.clone());
    assert_eq!(
        err,
        TxError::UnknownRecord(record.to_hex()),
        "not before it is erased"
    );
    w.ok(PATIENT, erase(vec![record]));
    w.ok(1, body.clone());
    w.ok(2, body.clone());
    assert_eq!(w.err(1, body.clone()), TxError::ReceiptReplayed);
    assert_eq!(
        w.err(DOCTOR, body),
        TxError::NotAValidator,
        "nobody else speaks for a node"
    );
    let patient = addr(&key(PATIENT));
    let first: ErasureReceipt = get(&w, &StateKey::erasure_receipt(&patient, 0)).expect("receipt");
    assert_eq!(first.record, record);
    assert_eq!(first.node, addr(&key(1)));
    let second: ErasureReceipt = get(&w, &StateKey::erasure_receipt(&patient, 1)).expect("receipt");
    assert_eq!(second.node, addr(&key(2)));
}

#[test]
fn a_closed_account_takes_nothing_more() {
    let mut w = World::new();
    let record = w.issue(PATIENT);
    let patient = addr(&key(PATIENT));
    let close = TxBody::CloseAccount { account: patient };
    assert_eq!(w.err(PATIENT, close.clone()), TxError::RecordsRemain(1));
    let other = TxBody::CloseAccount {
        account: addr(&key(OTHER_PATIENT)),
    };
    assert_eq!(
        w.err(PATIENT, other),
        TxError::OutOfRange("an account closes only itself")
    );
    w.ok(PATIENT, erase(vec![record]));
    w.ok(PATIENT, close.clone());

    let next = RecordId::derive(&addr(&key(CLINIC)), w.nonce(&key(CLINIC)));
    assert_eq!(
        w.err(CLINIC, issue_body(next, patient)),
        TxError::AccountClosed
    );
    let err = w.err(
        PATIENT,
        TxBody::Grant {
            grantee: addr(&key(DOCTOR)),
            scope: Scope::Open,
            expires_at_ms: None,
            keys: vec![],
            terms: SealedTerms::default(),
        },
    );
    assert_eq!(err, TxError::AccountClosed);
    assert_eq!(w.err(PATIENT, close), TxError::AccountClosed);
}
