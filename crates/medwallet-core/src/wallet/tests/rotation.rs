//! Key rotation across pairwise accounts: every account moves to the new phrase's keys and
//! keeps its address and records; the old keys are refused; records, shares and clinics follow
//! the new keys; a wallet restored from the new phrase alone finds everything.

use std::collections::BTreeSet;

use medledger_client::transaction::sign;
use medledger_types::codec::Canonical;
use medledger_types::hash::LinkId;
use medledger_types::link::LinkStatus;
use medledger_types::state::{MAX_VALUE_LEN, RecordEntry, StateKey};
use medwallet_crypto::RecoveryPhrase;
use medwallet_crypto::envelope::{Identity, WrappedKey};

use super::*;
use crate::links::Selection;

/// The seed of the new recovery phrase.
const NEXT: u8 = 9;

impl World {
    fn rotate(&mut self) -> Rotation {
        block_on(self.patient.rotate_keys(
            &self.ledger,
            &RecoveryPhrase::from_entropy(&[NEXT; 32]),
            &self.ledger.emergency_keys(),
            &mut self.rng,
        ))
        .expect("rotation")
    }

    fn link(&mut self) -> LinkId {
        let request = self.request(Selection::All);
        block_on(
            self.patient
                .create_link(&self.ledger, request, &mut self.rng),
        )
        .expect("link")
        .id
    }
}

#[test]
fn every_account_moves_to_the_new_keys_and_the_old_keys_are_refused() {
    let mut w = world();
    let (a, b, second, shared_before) = w.labs_shared_from_two_clinics();
    let link = w.link();
    let first_address = address(&keys(PATIENT));
    let second_address = address(&second);

    let rotation = w.rotate();
    assert_eq!(rotation.accounts, 2);
    assert_eq!(rotation.records_rewrapped, 2);
    assert_eq!(rotation.shares_moved, 1);
    assert_eq!(rotation.links_revoked, 1);

    // The old keys sign for nothing: neither account takes their transactions.
    for old in [keys(PATIENT), keys(PATIENT).account(1)] {
        let nonce = w.ledger.nonce(&address(&old));
        let body = TxBody::Revoke {
            grant: shared_before.grant,
        };
        let tx = sign(old.signing_key(), w.ledger.chain(), nonce, body);
        let err = w.ledger.apply(&tx).expect_err("the old key is refused");
        assert!(err.contains("no longer signs"), "{err}");
    }

    // The wallet under the new keys: same accounts and addresses, every record opens.
    let after = wallet(&w.ledger, NEXT, w.patient_store.clone());
    assert_eq!(
        after.accounts(),
        vec![(0, first_address), (1, second_address)],
        "the addresses stay the accounts' first ones"
    );
    for (n, id) in [(0, a), (1, b)] {
        let record = after.record(&id.to_hex()).expect("kept");
        assert_eq!(after.open_offline(&record).expect("open"), Some(fhir(n)));
        // On the ledger the key is wrapped to the new receiving key, not the old one.
        let entry = RecordEntry::decode(
            &w.ledger
                .state_values_at(&StateKey::record(&id))
                .expect("record"),
            MAX_VALUE_LEN,
        )
        .expect("entry");
        let wrapped = WrappedKey::from_bytes(entry.wrapped_key.as_bytes()).expect("key");
        let new = keys(NEXT).account(n as u32);
        let old = keys(PATIENT).account(n as u32);
        assert!(new.identity().unwrap(&wrapped, &id.0).is_ok());
        assert!(old.identity().unwrap(&wrapped, &id.0).is_err());
    }

    // A clinic reads the receiving key by proof: its next record opens under the new keys.
    let harbour = keys(7);
    let later =
        w.ledger
            .issue_to_account(&harbour, second_address, &fhir(5), Category::Labs, "Later");
    let mut rng = StdRng::seed_from_u64(9);
    let report = block_on(after.sync(&w.ledger, &mut quiet(), &mut rng)).expect("sync");
    assert_eq!(report.new_records, 1);
    assert!(report.unreadable.is_empty());
    assert_eq!(
        block_on(after.open_record(&w.ledger, &later.to_hex())).expect("opens"),
        fhir(5)
    );

    // The share was made again under the new keys and its old grants revoked: the doctor
    // still reads both labs (and the later one, which the open share took in at the sync).
    let (_, grants) = block_on(after.grants(&w.ledger)).expect("grants");
    for old in &shared_before.grants {
        let view = grants.iter().find(|g| g.id == *old).expect("listed");
        assert_eq!(view.status, GrantStatus::Revoked);
    }
    let active: Vec<_> = grants
        .iter()
        .filter(|g| g.status == GrantStatus::Active)
        .collect();
    assert_eq!(active.len(), 2, "one per account again");
    assert!(active.iter().all(|g| g.terms.is_some()));
    let (_, shared) = block_on(w.doctor.shared_with_me(&w.ledger)).expect("shared");
    let moved: Vec<_> = shared
        .iter()
        .filter(|s| !shared_before.grants.contains(&s.grant))
        .collect();
    let records: BTreeSet<RecordId> = moved.iter().map(|s| s.record).collect();
    assert_eq!(records, BTreeSet::from([a, b, later]));
    for s in moved {
        block_on(w.doctor.open_shared(&w.ledger, s.grant, s.record)).expect("doctor opens");
    }
    let old = shared
        .iter()
        .find(|s| s.grant == shared_before.grant)
        .expect("old");
    let err = block_on(w.doctor.open_shared(&w.ledger, old.grant, old.record));
    assert!(matches!(err, Err(WalletError::GrantEnded(_))), "{err:?}");

    // The link made under the old keys is revoked.
    let (_, links) = block_on(after.links(&w.ledger)).expect("links");
    let view = links.iter().find(|l| l.id == link).expect("listed");
    assert_eq!(view.status, LinkStatus::Revoked);
}

#[test]
fn the_new_phrase_alone_restores_every_account_and_a_rerun_moves_nothing_twice() {
    let mut w = world();
    let (_, _, _, _) = w.labs_shared_from_two_clinics();
    w.rotate();
    let again = w.rotate();
    assert_eq!(
        (again.accounts, again.shares_moved),
        (0, 0),
        "an account already moved is not moved again, a share not made twice"
    );

    // A fresh device with only the new phrase finds both accounts by proof.
    let restored = wallet(&w.ledger, NEXT, Arc::default());
    let mut rng = StdRng::seed_from_u64(3);
    let report = block_on(restored.sync(&w.ledger, &mut quiet(), &mut rng)).expect("sync");
    assert_eq!(report.total_records, 2);
    assert!(report.unreadable.is_empty());
    assert_eq!(
        restored.accounts(),
        vec![
            (0, address(&keys(PATIENT))),
            (1, address(&keys(PATIENT).account(1)))
        ]
    );
    // The old phrase finds nothing to sign for.
    let old = wallet(&w.ledger, PATIENT, Arc::default());
    block_on(old.sync(&w.ledger, &mut quiet(), &mut rng)).expect("sync");
    assert!(old.relationships().is_empty());
}

#[test]
fn a_fresh_device_of_a_rotated_phrase_rotates_again_and_every_record_follows() {
    // The case of a recovery after an earlier rotation: a device that has the current phrase
    // but no cache (it never synced) moves the wallet to a new phrase at once.
    let mut w = world();
    let record = w.issue(0, Category::Labs);
    w.sync();
    w.rotate();
    let device = wallet(&w.ledger, NEXT, Arc::default());
    let latest = RecoveryPhrase::from_entropy(&[NEXT + 1; 32]);
    let again =
        block_on(device.rotate_keys(&w.ledger, &latest, &w.ledger.emergency_keys(), &mut w.rng))
            .expect("rotate");
    assert_eq!(again.records_rewrapped, 1, "the record is rewrapped");
    let after = wallet(&w.ledger, NEXT + 1, Arc::default());
    let report = block_on(after.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    assert!(
        report.unreadable.is_empty(),
        "every record opens: {report:?}"
    );
    assert_eq!(
        block_on(after.open_record(&w.ledger, &record.to_hex())).expect("opens"),
        fhir(0)
    );
}
