use jmt::RootHash;
use jmt::proof::SparseMerkleProof;
use jmt_sha2::Sha256;
use medledger_types::block::{Block, Header};
use medledger_types::genesis::{Genesis, GenesisClinic, ValidatorSet};
use medledger_types::hash::{PublicKey, ReceivingKey};
use medledger_types::tx::{SignedTx, Tx, TxBody};
use medwallet_crypto::{Namespace, SigningKey};

use super::*;

pub(super) fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

pub(super) fn public(k: &SigningKey) -> PublicKey {
    PublicKey(k.verifying_key().to_bytes())
}

pub(super) fn genesis(name: &str) -> Genesis {
    Genesis {
        chain_name: name.into(),
        timestamp_ms: 1_000,
        validators: ValidatorSet::new((1..=4).map(|i| public(&key(i))).collect()).expect("set"),
        clinics: vec![GenesisClinic {
            signing: public(&key(10)),
            receiving: ReceivingKey([1; 32]),
            name: "Demo Clinic".into(),
        }],
        recovery_min_delay_ms: 1_000,
        emergency_keys: Vec::new(),
        epochs: medledger_types::epoch::Epochs::NONE,
    }
}

pub(super) fn register(ledger: &Ledger, seed: u8, nonce: u64) -> SignedTx {
    let k = key(seed);
    let tx = Tx {
        chain: ledger.chain_id(),
        author: public(&k),
        nonce,
        body: TxBody::RegisterPatient {
            receiving: ReceivingKey([seed; 32]),
        },
    };
    let signature = medwallet_crypto::sign(&k, Namespace::TX, &tx.signing_bytes()).to_bytes();
    SignedTx { tx, signature }
}

/// Executes `txs` on `parent` and returns the resulting block (remembered, not committed).
pub(super) fn build(ledger: &Ledger, parent: &Header, txs: &[SignedTx]) -> Block {
    ledger
        .build(parent, parent.timestamp_ms + 1, txs, &|_| false)
        .expect("build")
}

pub(super) fn verify_proof(p: &ProvenValue, key: &StateKey) -> Result<(), String> {
    let proof: SparseMerkleProof<Sha256> =
        borsh::from_slice(&p.proof).map_err(|e| e.to_string())?;
    proof
        .verify(RootHash(p.state_root.0), key_hash(key), p.value.as_ref())
        .map_err(|e| e.to_string())
}

#[test]
fn genesis_is_written_once_and_a_store_refuses_another_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ledger.redb");
    let tip = {
        let ledger = Ledger::open(&path, genesis("devnet")).expect("open");
        let tip = ledger.tip();
        assert_eq!(tip.height, 0);
        assert_eq!(
            ledger
                .block(0)
                .expect("read")
                .expect("genesis block")
                .header,
            tip
        );
        tip
    };
    let reopened = Ledger::open(&path, genesis("devnet")).expect("reopen");
    assert_eq!(reopened.tip(), tip);
    drop(reopened);
    assert!(matches!(
        Ledger::open(&path, genesis("other")),
        Err(StoreError::Invariant(_))
    ));
}

#[test]
fn genesis_clinics_are_in_the_proven_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = Ledger::open(&dir.path().join("l.redb"), genesis("devnet")).expect("open");
    let clinic = StateKey::account(&Address::of(&public(&key(10))));
    let proven = ledger.prove(&clinic, None).expect("prove");
    assert!(proven.value.is_some());
    assert_eq!(verify_proof(&proven, &clinic), Ok(()));
}

#[test]
fn blocks_commit_persist_and_prove_inclusion_and_exclusion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("l.redb");
    let (block, patient) = {
        let ledger = Ledger::open(&path, genesis("devnet")).expect("open");
        let tx = register(&ledger, 20, 0);
        let block = build(&ledger, &ledger.tip(), std::slice::from_ref(&tx));
        assert_eq!(block.txs.len(), 1);
        ledger
            .commit(&block, Some(b"certificate bytes"))
            .expect("commit");
        assert_eq!(ledger.tx_height(&tx.id()).expect("index"), Some(1));
        (block, Address::of(&public(&key(20))))
    };
    // Everything survives a restart.
    let ledger = Ledger::open(&path, genesis("devnet")).expect("reopen");
    assert_eq!(ledger.tip(), block.header);
    assert_eq!(
        ledger.finalization(1).expect("read"),
        Some(b"certificate bytes".to_vec())
    );
    assert_eq!(
        ledger.latest_finalization(5).expect("read").map(|(h, _)| h),
        Some(1)
    );

    let present = StateKey::account(&patient);
    let proven = ledger.prove(&present, None).expect("prove");
    assert_eq!(proven.state_root, block.header.state_root);
    assert!(proven.value.is_some());
    assert_eq!(verify_proof(&proven, &present), Ok(()));

    let absent = StateKey::account(&Address([0xee; 32]));
    let proven_absent = ledger.prove(&absent, None).expect("prove");
    assert_eq!(proven_absent.value, None);
    assert_eq!(
        verify_proof(&proven_absent, &absent),
        Ok(()),
        "exclusion proof verifies"
    );

    // A lying node: claiming absence with the inclusion proof, or presence with the exclusion proof, fails.
    let mut lie = ledger.prove(&present, None).expect("prove");
    lie.value = None;
    assert!(verify_proof(&lie, &present).is_err());
    let mut lie = ledger.prove(&absent, None).expect("prove");
    lie.value = Some(b"forged".to_vec());
    assert!(verify_proof(&lie, &absent).is_err());
    // A proof against another root fails.
    let mut old_root = ledger.prove(&present, None).expect("prove");
    old_root.state_root = ledger
        .block(0)
        .expect("read")
        .expect("genesis")
        .header
        .state_root;
    assert!(verify_proof(&old_root, &present).is_err());
    // Historical proofs are against their own height's root.
    let historic = ledger.prove(&present, Some(0)).expect("prove at 0");
    assert_eq!(historic.value, None);
    assert_eq!(verify_proof(&historic, &present), Ok(()));
    assert!(matches!(
        ledger.prove(&present, Some(9)),
        Err(StoreError::Unavailable(9))
    ));

    // Many keys at once: the same values and proofs as one at a time, at any kept height.
    let keys = [present.clone(), absent.clone(), present.clone()];
    for height in [None, Some(0)] {
        let many = ledger.prove_many(&keys, height).expect("prove many");
        assert_eq!(many.entries.len(), keys.len());
        for (key, (value, proof)) in keys.iter().zip(&many.entries) {
            let one = ledger.prove(key, height).expect("prove");
            assert_eq!((&one.value, &one.proof), (value, proof));
            assert_eq!((one.height, one.state_root), (many.height, many.state_root));
        }
    }
    assert!(matches!(
        ledger.prove_many(&keys, Some(9)),
        Err(StoreError::Unavailable(9))
    ));
}

#[test]
fn descendants_of_unfinalized_blocks_execute_on_their_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = Ledger::open(&dir.path().join("l.redb"), genesis("devnet")).expect("open");
    let genesis_header = ledger.tip();
    let b1 = build(&ledger, &genesis_header, &[register(&ledger, 20, 0)]);
    // Block 2 builds on block 1 before block 1 is finalized: the patient's second registration
    // is rejected (already registered) and its nonce 1 is accepted only on top of block 1.
    let b2 = build(
        &ledger,
        &b1.header,
        &[register(&ledger, 20, 1), register(&ledger, 21, 0)],
    );
    assert_eq!(
        b2.txs.len(),
        1,
        "the duplicate registration is left out of the proposal"
    );
    // A competing block 1' on genesis does not see block 1's writes.
    let b1_fork = build(&ledger, &genesis_header, &[register(&ledger, 21, 0)]);
    assert_eq!(b1_fork.txs.len(), 1);
    assert_ne!(b1_fork.header.state_root, b1.header.state_root);

    ledger.commit(&b1, None).expect("commit 1");
    ledger.commit(&b2, None).expect("commit 2");
    assert_eq!(ledger.tip(), b2.header);
    assert!(
        ledger.executed(&b1_fork.hash()).is_none(),
        "abandoned forks are pruned"
    );
    // Redelivery is a no-op; a conflicting block at a committed height is an invariant error.
    ledger.commit(&b1, None).expect("redelivery");
    assert!(matches!(
        ledger.commit(&b1_fork, None),
        Err(ExecuteError::Store(StoreError::Invariant(_)))
    ));
    assert!(matches!(
        ledger.execute(&b1_fork.hash(), 2, 5_000, &[], Mode::Verify, &|_| false),
        Err(ExecuteError::UnknownParent)
    ));
}

#[test]
fn verification_rejects_invalid_transactions_and_wrong_roots() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = Ledger::open(&dir.path().join("l.redb"), genesis("devnet")).expect("open");
    let tip = ledger.tip();
    let mut bad = register(&ledger, 20, 0);
    bad.signature[5] ^= 1;
    let err = ledger
        .execute(&tip.hash(), 1, 2_000, &[bad], Mode::Verify, &|_| false)
        .expect_err("bad signature");
    assert!(matches!(
        err,
        ExecuteError::Tx {
            index: 0,
            error: TxError::BadSignature
        }
    ));

    // A block whose header claims another state root is refused at commit (even if finalized).
    let mut block = build(&ledger, &tip, &[register(&ledger, 20, 0)]);
    block.header.state_root = StateRoot([0; 32]);
    assert!(matches!(
        ledger.commit(&block, None),
        Err(ExecuteError::Store(StoreError::Invariant(_)))
    ));
    let mut block = build(&ledger, &tip, &[register(&ledger, 20, 0)]);
    block.txs.clear();
    assert!(matches!(
        ledger.commit(&block, None),
        Err(ExecuteError::Store(StoreError::Invariant(_)))
    ));
    assert_eq!(ledger.tip(), tip, "nothing was committed");
}

#[test]
fn a_block_not_seen_before_is_executed_at_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = Ledger::open(&dir.path().join("a.redb"), genesis("devnet")).expect("open");
    let b = Ledger::open(&dir.path().join("b.redb"), genesis("devnet")).expect("open");
    let block = build(&a, &a.tip(), &[register(&a, 20, 0), register(&a, 21, 0)]);
    // Node b never executed it (it was down, say) and commits it from the finalized chain.
    b.commit(&block, None).expect("commit on b");
    a.commit(&block, None).expect("commit on a");
    assert_eq!(a.tip(), b.tip());
}

#[test]
fn bulk_loaded_blocks_are_all_there_after_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ledger.redb");
    let tip = {
        let ledger = Ledger::open(&path, genesis("bulk")).expect("open");
        ledger.set_bulk_load(true);
        for i in 0..50u8 {
            let txs = if i % 10 == 0 {
                vec![register(&ledger, 100 + i, 0)]
            } else {
                vec![]
            };
            let block = build(&ledger, &ledger.tip(), &txs);
            ledger.commit(&block, None).expect("commit");
        }
        ledger.set_bulk_load(false);
        let block = build(&ledger, &ledger.tip(), &[]);
        ledger
            .commit(&block, Some(b"cert"))
            .expect("durable commit");
        ledger.tip()
    };
    let reopened = Ledger::open(&path, genesis("bulk")).expect("reopen");
    assert_eq!(reopened.tip(), tip);
    assert_eq!(tip.height, 51);
    let account = reopened
        .prove(&StateKey::account(&Address::of(&public(&key(140)))), None)
        .expect("prove");
    assert!(
        account.value.is_some(),
        "a bulk-loaded registration persisted"
    );
    verify_proof(
        &account,
        &StateKey::account(&Address::of(&public(&key(140)))),
    )
    .expect("proof");
}
