//! Deterministic-runtime tests of the ledger on Commonware Simplex: a 4-validator network on
//! the simulated p2p network, driven by a seed.

use std::time::{Duration, UNIX_EPOCH};

use commonware_runtime::{Runner, deterministic};
use medledger_node::simulation::{
    SimNode, assert_agreement, genesis, good_link, link_all, network, start_node, wait_for_height,
};
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, PublicKey, ReceivingKey};
use medledger_types::state::StateKey;
use medledger_types::tx::{SignedTx, Tx, TxBody};
use medwallet_crypto::{Namespace, SigningKey};

const N: usize = 4;

fn runner(seed: u64) -> deterministic::Runner {
    deterministic::Runner::new(
        deterministic::Config::new()
            .with_seed(seed)
            .with_start_time(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .with_timeout(Some(Duration::from_secs(600))),
    )
}

fn clinic_key() -> SigningKey {
    SigningKey::from_bytes(&[0xc1; 32])
}

fn register_patient(chain: medledger_types::hash::ChainId, seed: u8) -> SignedTx {
    let k = SigningKey::from_bytes(&[seed; 32]);
    let tx = Tx {
        chain,
        author: PublicKey(k.verifying_key().to_bytes()),
        nonce: 0,
        body: TxBody::RegisterPatient {
            receiving: ReceivingKey([seed; 32]),
        },
    };
    let signature = medwallet_crypto::sign(&k, Namespace::TX, &tx.signing_bytes()).to_bytes();
    SignedTx { tx, signature }
}

#[test]
fn four_validators_finalize_transactions_and_agree() {
    for seed in [1u64, 2] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        runner(seed).start(|context| async move {
            let genesis = genesis(N, PublicKey(clinic_key().verifying_key().to_bytes()));
            let oracle = network(&context, N).await;
            link_all(&oracle, N, good_link()).await;
            let mut nodes: Vec<SimNode> = Vec::new();
            for i in 0..N {
                nodes.push(start_node(&context, &oracle, &genesis, i, N, &path).await);
            }
            // Patients submit to different validators' mempools.
            let chain = nodes[0].ledger.chain_id();
            for p in 0..8u8 {
                let tx = register_patient(chain, 100 + p);
                nodes[usize::from(p) % N]
                    .mempool
                    .admit(&tx.encode(), |_| 0)
                    .expect("admit");
            }
            let refs: Vec<&SimNode> = nodes.iter().collect();
            assert!(
                wait_for_height(&context, &refs, 8, Duration::from_secs(120)).await,
                "seed {seed}: no progress"
            );
            assert_agreement(&refs);
            for node in &nodes {
                for p in 0..8u8 {
                    let who = Address::of(&PublicKey(
                        SigningKey::from_bytes(&[100 + p; 32])
                            .verifying_key()
                            .to_bytes(),
                    ));
                    assert!(
                        node.ledger
                            .get(&StateKey::account(&who))
                            .expect("read")
                            .is_some(),
                        "seed {seed}: patient {p} missing"
                    );
                }
                assert!(
                    node.mempool.is_empty(),
                    "committed transactions leave the mempool"
                );
            }
        });
    }
}
