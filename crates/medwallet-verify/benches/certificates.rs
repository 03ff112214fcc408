//! Certificate verification (decode, checks, batch signature verification) against raw
//! ed25519-dalek batch verification of the same signatures, in the same run.
//! `make bench` prints the ratios (ours / raw; 1.0 = no overhead; target <= 1.1).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use medledger_types::block::{Header, tx_root};
use medledger_types::certificate::{Finalization, Proposal, quorum};
use medledger_types::codec::Canonical;
use medledger_types::genesis::ValidatorSet;
use medledger_types::hash::{BlockHash, PublicKey, StateRoot};
use medwallet_verify::TrustedSet;
use medwallet_verify::certificate::verify_finalization;

struct Case {
    set: TrustedSet,
    header: Vec<u8>,
    certificate: Vec<u8>,
    message: Vec<u8>,
    keys: Vec<VerifyingKey>,
    signatures: Vec<ed25519_dalek::Signature>,
}

fn case(n: usize) -> Case {
    let mut signers: Vec<SigningKey> = (0..n)
        .map(|i| SigningKey::from_bytes(&[(i % 251) as u8 + 1; 32].map(|b| b ^ (i / 251) as u8)))
        .collect();
    signers.sort_by_key(|k| k.verifying_key().to_bytes());
    let set = ValidatorSet::new(
        signers
            .iter()
            .map(|k| PublicKey(k.verifying_key().to_bytes()))
            .collect(),
    )
    .expect("set");
    let header = Header {
        height: 42,
        parent: BlockHash([1; 32]),
        timestamp_ms: 1,
        state_root: StateRoot([2; 32]),
        tx_root: tx_root(&[]),
        tx_count: 0,
        validator_set: set.hash(),
        next_validator_set: set.hash(),
    };
    let namespace = b"medledger/consensus/v1/bench".to_vec();
    let proposal = Proposal {
        epoch: 0,
        view: 100,
        parent_view: 99,
        block: header.hash(),
    };
    let message = proposal.finalize_message(&namespace);
    let q = quorum(n);
    let signatures: Vec<ed25519_dalek::Signature> =
        signers[..q].iter().map(|k| k.sign(&message)).collect();
    let certificate = Finalization {
        proposal,
        validator_count: n,
        signers: (0..q).collect(),
        signatures: signatures.iter().map(|s| s.to_bytes()).collect(),
    }
    .encode();
    Case {
        set: TrustedSet::new(set).expect("points"),
        header: header.encode(),
        certificate,
        message,
        keys: signers[..q].iter().map(|k| k.verifying_key()).collect(),
        signatures,
    }
}

fn bench(c: &mut Criterion) {
    for n in [4usize, 7, 21, 100] {
        let case = case(n);
        let namespace = b"medledger/consensus/v1/bench".to_vec();
        let mut group = c.benchmark_group(format!("certificate_{n}"));
        group.bench_function(BenchmarkId::new("raw_batch", n), |b| {
            let messages: Vec<&[u8]> = vec![&case.message; case.keys.len()];
            b.iter(|| {
                ed25519_dalek::verify_batch(
                    black_box(&messages),
                    black_box(&case.signatures),
                    black_box(&case.keys),
                )
                .expect("valid")
            })
        });
        group.bench_function(BenchmarkId::new("verify_finalization", n), |b| {
            b.iter(|| {
                verify_finalization(
                    black_box(&case.set),
                    &namespace,
                    black_box(&case.header),
                    black_box(&case.certificate),
                )
                .expect("valid")
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
