//! State proofs made by the node's store, checked by the light client: inclusion, exclusion,
//! and the lies a node could tell.

use medledger_state::store::Ledger;
use medledger_types::genesis::{Genesis, GenesisClinic, ValidatorSet};
use medledger_types::hash::{Address, PublicKey, ReceivingKey};
use medledger_types::state::StateKey;
use medledger_types::tx::{SignedTx, Tx, TxBody};
use medwallet_crypto::{Namespace, SigningKey};
use medwallet_verify::Invalid;
use medwallet_verify::proof::{MAX_PROOF_LEN, verify_value_at_root};

fn ledger(dir: &std::path::Path) -> (Ledger, Address) {
    let k = |s: u8| SigningKey::from_bytes(&[s; 32]);
    let public = |s: u8| PublicKey(k(s).verifying_key().to_bytes());
    let genesis = Genesis {
        chain_name: "proofs".into(),
        timestamp_ms: 1,
        validators: ValidatorSet::new(vec![public(1)]).expect("set"),
        clinics: vec![GenesisClinic {
            signing: public(10),
            receiving: ReceivingKey([1; 32]),
            name: "C".into(),
        }],
        recovery_min_delay_ms: 1_000,
        emergency_keys: Vec::new(),
        epochs: medledger_types::epoch::Epochs::NONE,
    };
    let ledger = Ledger::open(&dir.join("l.redb"), genesis).expect("open");
    let tx = Tx {
        chain: ledger.chain_id(),
        author: public(20),
        nonce: 0,
        body: TxBody::RegisterPatient {
            receiving: ReceivingKey([2; 32]),
        },
    };
    let signature = medwallet_crypto::sign(&k(20), Namespace::TX, &tx.signing_bytes()).to_bytes();
    let block = ledger
        .build(&ledger.tip(), 2, &[SignedTx { tx, signature }], &|_| false)
        .expect("build");
    ledger.commit(&block, None).expect("commit");
    (ledger, Address::of(&public(20)))
}

#[test]
fn inclusion_and_exclusion_proofs_verify_and_lies_do_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ledger, patient) = ledger(dir.path());
    let root = ledger.tip().state_root;

    let present = StateKey::account(&patient);
    let p = ledger.prove(&present, None).expect("prove");
    let value = p.value.clone().expect("registered");
    assert_eq!(
        verify_value_at_root(&root, &present, Some(&value), &p.proof),
        Ok(())
    );
    // Lies about a present key.
    assert_eq!(
        verify_value_at_root(&root, &present, None, &p.proof),
        Err(Invalid::BadProof),
        "claims absence of a present key"
    );
    assert_eq!(
        verify_value_at_root(&root, &present, Some(b"forged"), &p.proof),
        Err(Invalid::BadProof),
        "a forged value"
    );

    let revocation = StateKey::revocation(&medledger_types::hash::GrantId([5; 32]));
    let q = ledger.prove(&revocation, None).expect("prove");
    assert_eq!(q.value, None);
    assert_eq!(
        verify_value_at_root(&root, &revocation, None, &q.proof),
        Ok(()),
        "a valid exclusion proof"
    );
    // An inclusion proof of another key is no proof of absence.
    assert_eq!(
        verify_value_at_root(&root, &revocation, None, &p.proof),
        Err(Invalid::BadProof),
        "absence claimed with someone else's proof"
    );

    // A proof for the wrong root (an older state).
    let old = ledger
        .block(0)
        .expect("read")
        .expect("genesis")
        .header
        .state_root;
    assert_eq!(
        verify_value_at_root(&old, &present, Some(&value), &p.proof),
        Err(Invalid::BadProof)
    );

    assert!(matches!(
        verify_value_at_root(&root, &present, Some(&value), b"garbage"),
        Err(Invalid::MalformedProof(_))
    ));
    assert!(matches!(
        verify_value_at_root(&root, &present, Some(&value), &vec![0u8; MAX_PROOF_LEN + 1]),
        Err(Invalid::MalformedProof(_))
    ));
}
