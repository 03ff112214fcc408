//! Erasure: the record's keys leave the ledger (the patient's and the doctor's), links that
//! may hold it are revoked, the wallet and every other device of it forget it, a restore sees
//! only that it existed, nodes' receipts are listed, and a closed account takes no more.

use std::collections::BTreeSet;

use medledger_types::link::LinkStatus;
use medledger_types::state::StateKey;

use super::*;
use crate::erasure::ERASED_TITLE;
use crate::links::Selection;

#[test]
fn an_erased_record_is_gone_for_the_doctor_every_device_and_a_restore() {
    let mut w = world();
    let ids: Vec<RecordId> = (0..3).map(|n| w.issue(n, Category::Labs)).collect();
    w.sync();
    let granted = w.grant(ShareScope::Category(Category::Labs), None);
    let request = w.request(Selection::All);
    let link = block_on(w.patient.create_link(&w.ledger, request, &mut w.rng))
        .expect("link")
        .id;
    // Another device of the same wallet, synced before the erasure.
    let other_device = wallet(&w.ledger, PATIENT, Arc::default());
    block_on(other_device.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");

    let erased =
        block_on(w.patient.erase_records(&w.ledger, &ids[..1], &mut w.rng)).expect("erase");
    assert_eq!((erased.records, erased.links_revoked), (1, 1));

    // On the ledger: no entry opens it, no grant holds its key; that it existed stays.
    assert!(
        w.ledger
            .state_values_at(&StateKey::record(&ids[0]))
            .is_none()
    );
    assert!(
        w.ledger
            .state_values_at(&StateKey::grant_key(&granted.grant, &ids[0]))
            .is_none()
    );
    assert!(
        w.ledger
            .state_values_at(&StateKey::grant_key(&granted.grant, &ids[1]))
            .is_some()
    );
    assert!(
        w.ledger
            .state_values_at(&StateKey::erased(&ids[0]))
            .is_some()
    );

    // This wallet forgot it: no title, no key, no kept ciphertext; it does not open.
    let record = w.patient.record(&ids[0].to_hex()).expect("kept as erased");
    assert!(record.erased && record.unreadable);
    assert_eq!(record.title, ERASED_TITLE);
    assert!(record.wrapped_key.is_empty());
    assert!(!w.patient.is_kept(&record));
    assert!(block_on(w.patient.open_record(&w.ledger, &record.id)).is_err());
    let report = w.sync();
    assert!(
        report.unreadable.is_empty(),
        "an erased record is not 'unreadable'"
    );

    // The doctor's share holds the other two only; the link is revoked.
    let (_, shared) = block_on(w.doctor.shared_with_me(&w.ledger)).expect("shared");
    let records: BTreeSet<RecordId> = shared.iter().map(|s| s.record).collect();
    assert_eq!(records, BTreeSet::from([ids[1], ids[2]]));
    let (_, links) = block_on(w.patient.links(&w.ledger)).expect("links");
    assert_eq!(
        links.iter().find(|l| l.id == link).expect("listed").status,
        LinkStatus::Revoked
    );

    // The other device learns it at its next sync; a restore sees only that it existed.
    block_on(other_device.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    assert!(other_device.record(&ids[0].to_hex()).expect("known").erased);
    let restored = wallet(&w.ledger, PATIENT, Arc::default());
    let report = block_on(restored.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    assert_eq!(report.total_records, 3);
    assert!(report.unreadable.is_empty());
    let record = restored.record(&ids[0].to_hex()).expect("known");
    assert!(record.erased);
    assert_eq!(record.title, ERASED_TITLE);

    // Erasing twice is refused; the nodes' receipts are listed with the erasure.
    let again = block_on(w.patient.erase_records(&w.ledger, &ids[..1], &mut w.rng));
    assert!(matches!(again, Err(WalletError::InvalidInput(_))));
    w.ledger.erasure_receipt(ids[0]).expect("receipt");
    let (_, erasures) = block_on(w.patient.erasures(&w.ledger)).expect("erasures");
    assert_eq!(erasures.len(), 1);
    assert_eq!(erasures[0].record, ids[0]);
    assert_eq!(erasures[0].receipts.len(), 1);
}

#[test]
fn closing_an_account_revokes_its_grants_erases_its_records_and_takes_no_more() {
    let mut w = world();
    let ids: Vec<RecordId> = (0..2).map(|n| w.issue(n, Category::Labs)).collect();
    w.sync();
    w.grant(ShareScope::Records(ids.clone()), None);
    let closed = block_on(w.patient.close_account(&w.ledger, 0, &mut w.rng)).expect("close");
    assert_eq!((closed.records, closed.grants_revoked), (2, 1));
    assert!(w.patient.records().iter().all(|r| r.erased));
    let (_, grants) = block_on(w.patient.grants(&w.ledger)).expect("grants");
    assert!(grants.iter().all(|g| g.status == GrantStatus::Revoked));
    // Nothing more reaches it: a clinic's next record is refused, and so is a new share.
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        w.issue(9, Category::Labs);
    }));
    assert!(refused.is_err(), "a closed account takes no record");
    let request = GrantRequest {
        grantee: address(&keys(DOCTOR)),
        scope: ShareScope::All,
        expires_at_ms: None,
        label: String::new(),
    };
    let err = block_on(w.patient.grant(&w.ledger, request, &mut w.rng)).expect_err("closed");
    assert!(err.to_string().contains("closed"), "{err}");
    let err = block_on(w.patient.close_account(&w.ledger, 7, &mut w.rng)).expect_err("none");
    assert!(matches!(err, WalletError::InvalidInput(_)));
}
