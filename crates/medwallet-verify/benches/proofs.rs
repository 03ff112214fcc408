//! Verifying 10,000 state proofs (borsh decoding included) from a ledger with 10,000 accounts.
//! Target: <= 100 ms for the 10,000.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use medledger_state::store::Ledger;
use medledger_types::genesis::{Genesis, ValidatorSet};
use medledger_types::hash::{Address, PublicKey, ReceivingKey};
use medledger_types::state::StateKey;
use medledger_types::tx::{SignedTx, Tx, TxBody};
use medwallet_crypto::{Namespace, SigningKey};
use medwallet_verify::proof::verify_value_at_root;

const ACCOUNTS: usize = 10_000;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let genesis = Genesis {
        chain_name: "proof-bench".into(),
        timestamp_ms: 1,
        validators: ValidatorSet::new(vec![PublicKey(
            SigningKey::from_bytes(&[1; 32]).verifying_key().to_bytes(),
        )])
        .expect("set"),
        clinics: vec![],
        recovery_min_delay_ms: 1_000,
        emergency_keys: Vec::new(),
        epochs: medledger_types::epoch::Epochs::NONE,
    };
    let ledger = Ledger::open(&dir.path().join("l.redb"), genesis).expect("open");
    let keys: Vec<SigningKey> = (0..ACCOUNTS)
        .map(|i| {
            let mut seed = [7u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
            SigningKey::from_bytes(&seed)
        })
        .collect();
    let txs: Vec<SignedTx> = keys
        .iter()
        .map(|k| {
            let tx = Tx {
                chain: ledger.chain_id(),
                author: PublicKey(k.verifying_key().to_bytes()),
                nonce: 0,
                body: TxBody::RegisterPatient {
                    receiving: ReceivingKey([2; 32]),
                },
            };
            let signature =
                medwallet_crypto::sign(k, Namespace::TX, &tx.signing_bytes()).to_bytes();
            SignedTx { tx, signature }
        })
        .collect();
    let block = ledger
        .build(&ledger.tip(), 2, &txs, &|_| false)
        .expect("build");
    ledger.commit(&block, None).expect("commit");
    let header = ledger.tip().state_root;
    let proofs: Vec<(StateKey, Vec<u8>, Vec<u8>)> = keys
        .iter()
        .map(|k| {
            let key = StateKey::account(&Address::of(&PublicKey(k.verifying_key().to_bytes())));
            let p = ledger.prove(&key, None).expect("prove");
            (key, p.value.expect("present"), p.proof)
        })
        .collect();
    let bytes: usize = proofs.iter().map(|(_, _, proof)| proof.len()).sum();
    eprintln!(
        "proof size: {} bytes per key on average ({} keys)",
        bytes / proofs.len(),
        proofs.len()
    );

    c.bench_function("state_proofs_10k", |b| {
        b.iter(|| {
            for (key, value, proof) in &proofs {
                verify_value_at_root(black_box(&header), key, Some(value), black_box(proof))
                    .expect("valid");
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
