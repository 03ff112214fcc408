//! Validator-set changes through the store: approved by two thirds of the running set, held
//! in the next set until the epoch's last block, then running; headers name both sets and a
//! block that lies about them does not commit.

use medledger_client::governance;
use medledger_types::block::Header;
use medledger_types::epoch::Epochs;
use medledger_types::genesis::{Genesis, ValidatorSet};
use medledger_types::hash::{PublicKey, ReceivingKey};
use medledger_types::tx::SignedTx;
use medledger_types::validators::{Validator, ValidatorChange};
use medwallet_crypto::SigningKey;

use super::*;

/// Epochs of 5 heights: 0–4, 5–9, …
const EPOCH: u64 = 5;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn public(k: &SigningKey) -> PublicKey {
    PublicKey(k.verifying_key().to_bytes())
}

fn genesis(epochs: Epochs) -> Genesis {
    Genesis {
        chain_name: "governed".into(),
        timestamp_ms: 1_000,
        validators: ValidatorSet::new((1..=4).map(|i| public(&key(i))).collect()).expect("set"),
        clinics: Vec::new(),
        recovery_min_delay_ms: 1_000,
        emergency_keys: Vec::new(),
        epochs,
    }
}

fn ledger(epochs: Epochs) -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = Ledger::open(&dir.path().join("l.redb"), genesis(epochs)).expect("open");
    (dir, ledger)
}

fn validator(seed: u8) -> Validator {
    Validator {
        key: public(&key(seed)),
        emergency: None,
        address: format!("10.0.0.{seed}:9000"),
    }
}

/// `change` at governance counter `seq`, approved by the validators `approvers` (seeds),
/// signed by `author`.
fn change_tx(
    ledger: &Ledger,
    author: u8,
    nonce: u64,
    seq: u64,
    change: ValidatorChange,
    approvers: &[u8],
) -> SignedTx {
    let chain = ledger.chain_id();
    let approvals = approvers
        .iter()
        .map(|s| governance::approve(&key(*s), &chain, seq, &change))
        .collect();
    governance::change_tx(&key(author), chain, nonce, seq, change, approvals)
}

/// Builds and commits one block of `txs` (refused ones left out); its header.
fn commit(ledger: &Ledger, txs: &[SignedTx]) -> Header {
    let parent = ledger.tip();
    let block = ledger
        .build(&parent, parent.timestamp_ms + 1, txs, &|_| false)
        .expect("build");
    ledger.commit(&block, None).expect("commit");
    block.header
}

/// Why `tx` would not apply in the next block.
fn refusal(ledger: &Ledger, tx: &SignedTx) -> TxError {
    let parent = ledger.tip();
    let (_, rejected) = ledger
        .build_reporting(
            &parent,
            parent.timestamp_ms + 1,
            std::slice::from_ref(tx),
            &|_| false,
        )
        .expect("build");
    rejected.into_iter().next().expect("refused").1
}

fn keys(seeds: &[u8]) -> ValidatorSet {
    ValidatorSet::new(seeds.iter().map(|s| public(&key(*s))).collect()).expect("set")
}

#[test]
fn an_approved_change_takes_effect_at_the_epochs_last_block() {
    let (_dir, ledger) = ledger(Epochs::new(EPOCH).expect("epochs"));
    let four = keys(&[1, 2, 3, 4]).hash();
    let five = keys(&[1, 2, 3, 4, 5]).hash();
    // Three of four approve: the quorum of four.
    let add = change_tx(
        &ledger,
        5,
        0,
        0,
        ValidatorChange::Add(validator(5)),
        &[1, 2, 3],
    );
    let h1 = commit(&ledger, &[add]);
    assert_eq!(
        (h1.validator_set, h1.next_validator_set),
        (four, four),
        "not before the boundary"
    );
    assert_eq!(ledger.validators().expect("read").members().len(), 4);
    for _ in 2..4 {
        commit(&ledger, &[]);
    }
    let boundary = commit(&ledger, &[]);
    assert_eq!(boundary.height, EPOCH - 1);
    assert_eq!(
        (boundary.validator_set, boundary.next_validator_set),
        (four, five)
    );
    let first = commit(&ledger, &[]);
    assert_eq!(
        (first.validator_set, first.next_validator_set),
        (five, five)
    );
    assert_eq!(ledger.validators().expect("read").set().hash(), five);
    assert_eq!(
        ledger
            .validators_of_epoch(0)
            .expect("read")
            .expect("epoch 0")
            .set()
            .hash(),
        four
    );
    assert_eq!(
        ledger
            .validators_of_epoch(1)
            .expect("read")
            .expect("epoch 1")
            .set()
            .hash(),
        five
    );
    assert!(ledger.validators_of_epoch(2).expect("read").is_none());
    // The new set is in the proven state the boundary block commits to.
    let proven = ledger
        .prove(&StateKey::validators_of_epoch(1), Some(boundary.height))
        .expect("prove");
    assert_eq!(proven.state_root, boundary.state_root);
    assert!(proven.value.is_some());
}

#[test]
fn changes_need_two_thirds_of_the_running_set_and_a_fresh_counter() {
    let (_dir, ledger) = ledger(Epochs::new(EPOCH).expect("epochs"));
    let add = ValidatorChange::Add(validator(5));
    // Two of four is not the quorum; approvals by a key outside the set do not count.
    let too_few = change_tx(&ledger, 5, 0, 0, add.clone(), &[1, 2, 9]);
    assert_eq!(
        refusal(&ledger, &too_few),
        TxError::NotEnoughApprovals { got: 2, needed: 3 }
    );
    // The joining key signs the change itself.
    let by_other = change_tx(&ledger, 1, 0, 0, add.clone(), &[1, 2, 3]);
    assert_eq!(refusal(&ledger, &by_other), TxError::JoiningKeyMustSign);
    // Approvals for a counter the chain is not at.
    let ahead = change_tx(&ledger, 5, 0, 1, add.clone(), &[1, 2, 3]);
    assert_eq!(
        refusal(&ledger, &ahead),
        TxError::StaleGovernance {
            expected: 0,
            got: 1
        }
    );
    commit(
        &ledger,
        &[change_tx(&ledger, 5, 0, 0, add.clone(), &[1, 2, 3])],
    );
    // Removed, then brought back with the approvals that once added it: refused (the counter
    // moved), so an approval is good for one change only.
    let remove = ValidatorChange::Remove(public(&key(5)));
    commit(&ledger, &[change_tx(&ledger, 1, 0, 1, remove, &[2, 3, 4])]);
    let replayed = change_tx(&ledger, 5, 1, 0, add, &[1, 2, 3]);
    assert_eq!(
        refusal(&ledger, &replayed),
        TxError::StaleGovernance {
            expected: 2,
            got: 0
        }
    );
    // A change that does not apply to the next set.
    let again = ValidatorChange::Remove(public(&key(5)));
    let gone = change_tx(&ledger, 1, 1, 2, again, &[1, 2, 3]);
    assert!(matches!(
        refusal(&ledger, &gone),
        TxError::ValidatorChangeRefused(_)
    ));
}

#[test]
fn a_replaced_key_stops_counting_from_the_next_epoch() {
    let (_dir, ledger) = ledger(Epochs::new(EPOCH).expect("epochs"));
    let replace = ValidatorChange::Replace {
        old: public(&key(4)),
        new: validator(6),
    };
    commit(&ledger, &[change_tx(&ledger, 6, 0, 0, replace, &[1, 2, 3])]);
    while ledger.tip().height < EPOCH {
        commit(&ledger, &[]);
    }
    assert_eq!(
        ledger.validators().expect("read").set(),
        keys(&[1, 2, 3, 6])
    );
    // The leaked key's approval no longer counts: 4 is outside the running set.
    let remove = ValidatorChange::Remove(public(&key(1)));
    let with_old = change_tx(&ledger, 2, 0, 1, remove.clone(), &[2, 3, 4]);
    assert_eq!(
        refusal(&ledger, &with_old),
        TxError::NotEnoughApprovals { got: 2, needed: 3 }
    );
    let with_new = change_tx(&ledger, 2, 0, 1, remove, &[2, 3, 6]);
    commit(&ledger, &[with_new]);
    assert_eq!(ledger.tip().tx_count, 1);
}

#[test]
fn a_block_naming_other_sets_than_it_executes_to_does_not_commit() {
    let (_dir, ledger) = ledger(Epochs::new(EPOCH).expect("epochs"));
    commit(
        &ledger,
        &[change_tx(
            &ledger,
            5,
            0,
            0,
            ValidatorChange::Add(validator(5)),
            &[1, 2, 3],
        )],
    );
    while ledger.tip().height < EPOCH - 2 {
        commit(&ledger, &[]);
    }
    // The boundary block, with a proposer's lie: no change of set announced.
    let parent = ledger.tip();
    let mut block = ledger
        .build(&parent, parent.timestamp_ms + 1, &[], &|_| false)
        .expect("build");
    assert_ne!(block.header.next_validator_set, block.header.validator_set);
    block.header.next_validator_set = block.header.validator_set;
    let err = ledger
        .commit(&block, None)
        .expect_err("a lie about the next set");
    assert!(err.to_string().contains("executes to"), "{err}");
    // And a block claiming a change where there is none, in the next epoch.
    let honest = ledger
        .build(&parent, parent.timestamp_ms + 1, &[], &|_| false)
        .expect("build");
    ledger.commit(&honest, None).expect("the honest boundary");
    let parent = ledger.tip();
    let mut block = ledger
        .build(&parent, parent.timestamp_ms + 1, &[], &|_| false)
        .expect("build");
    block.header.next_validator_set = keys(&[1, 2]).hash();
    assert!(ledger.commit(&block, None).is_err());
}

#[test]
fn a_chain_without_epochs_keeps_its_genesis_set_and_refuses_changes() {
    let (_dir, ledger) = ledger(Epochs::NONE);
    let add = change_tx(
        &ledger,
        5,
        0,
        0,
        ValidatorChange::Add(validator(5)),
        &[1, 2, 3, 4],
    );
    assert_eq!(refusal(&ledger, &add), TxError::NoEpochs);
    let header = commit(&ledger, &[]);
    let four = keys(&[1, 2, 3, 4]).hash();
    assert_eq!(
        (header.validator_set, header.next_validator_set),
        (four, four)
    );
    // Nothing about validators is in its state (its genesis root is the one it always had).
    assert!(
        ledger
            .get(&StateKey::validators_current())
            .expect("read")
            .is_none()
    );
    assert_eq!(ledger.validators().expect("read").set().hash(), four);
}

#[test]
fn a_joining_validator_names_its_address_and_an_emergency_key_only_where_offered() {
    let (_dir, ledger) = ledger(Epochs::new(EPOCH).expect("epochs"));
    let mut nowhere = validator(5);
    nowhere.address.clear();
    let tx = change_tx(&ledger, 5, 0, 0, ValidatorChange::Add(nowhere), &[1, 2, 3]);
    assert!(matches!(refusal(&ledger, &tx), TxError::OutOfRange(_)));
    let mut with_emergency = validator(5);
    with_emergency.emergency = Some(ReceivingKey([5; 32]));
    let tx = change_tx(
        &ledger,
        5,
        0,
        0,
        ValidatorChange::Add(with_emergency),
        &[1, 2, 3],
    );
    assert!(
        matches!(refusal(&ledger, &tx), TxError::OutOfRange(_)),
        "this chain offers no emergency access"
    );
}
