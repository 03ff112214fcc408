//! Validator-set changes in the deterministic runtime: Simplex runs one engine per epoch and the
//! set changes only at an epoch's last block. A node that joins catches up as a follower, then
//! votes from the epoch its addition takes effect; a removed validator that keeps running (and
//! voting) is no longer counted; a crash across the switch restarts into the right epoch; and
//! every node agrees on every height throughout.

use std::time::{Duration, UNIX_EPOCH};

use commonware_runtime::{Runner, deterministic};
use medledger_client::governance;
use medledger_types::certificate::Finalization;
use medledger_types::codec::Canonical;
use medledger_types::epoch::Epochs;
use medledger_types::hash::PublicKey;
use medledger_types::tx::SignedTx;
use medledger_types::validators::{Validator, ValidatorChange};
use medwallet_crypto::SigningKey;

use crate::mocks::simulation::{
    SimNode, assert_agreement, genesis, good_link, link_all, network, seeds, start_node,
    validator_seed, wait_for_height,
};

/// Heights per epoch in these scenarios.
const EPOCH: u64 = 8;
/// Nodes on the network: four genesis validators and one that joins.
const NODES: usize = 5;

fn runner(seed: u64) -> deterministic::Runner {
    deterministic::Runner::new(
        deterministic::Config::new()
            .with_seed(seed)
            .with_start_time(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .with_timeout(Some(Duration::from_secs(900))),
    )
}

fn key(i: usize) -> SigningKey {
    SigningKey::from_bytes(&validator_seed(i))
}

fn public(i: usize) -> PublicKey {
    PublicKey(key(i).verifying_key().to_bytes())
}

/// `change` at governance counter `seq`, approved by `approvers` and signed by `author`.
fn change(
    chain: medledger_types::hash::ChainId,
    author: usize,
    nonce: u64,
    seq: u64,
    change: ValidatorChange,
    approvers: &[usize],
) -> SignedTx {
    let approvals = approvers
        .iter()
        .map(|i| governance::approve(&key(*i), &chain, seq, &change))
        .collect();
    governance::change_tx(&key(author), chain, nonce, seq, change, approvals)
}

fn submit(nodes: &[SimNode], tx: &SignedTx) {
    for node in nodes {
        let _ = node.mempool.admit(&tx.encode(), |_| tx.tx.nonce);
    }
}

/// Who signed the certificate stored at `height` (positions in that epoch's set), if any.
fn signers(node: &SimNode, height: u64) -> Option<(usize, Vec<usize>)> {
    let cert = node.ledger.finalization(height).expect("read")?;
    let f = Finalization::decode(&cert).expect("a certificate");
    Some((f.validator_count, f.signers))
}

#[test]
fn a_validator_joins_votes_and_another_leaves_while_blocks_keep_finalizing() {
    for seed in seeds(1) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        runner(seed).start(|context| async move {
            let mut genesis = genesis(4, PublicKey([0xc1; 32]));
            genesis.epochs = Epochs::new(EPOCH).expect("epochs");
            let oracle = network(&context, NODES).await;
            link_all(&oracle, NODES, good_link()).await;
            let mut nodes = Vec::new();
            for i in 0..NODES {
                nodes.push(start_node(&context, &oracle, &genesis, i, NODES, &path).await);
            }
            let refs: Vec<&SimNode> = nodes.iter().collect();
            assert!(
                wait_for_height(&context, &refs, 2, Duration::from_secs(120)).await,
                "seed {seed}: no start"
            );
            let chain = nodes[0].ledger.chain_id();

            // Node 4 (a follower so far) joins, approved by three of the four.
            let joining = Validator {
                key: public(4),
                emergency: None,
                address: "10.0.0.5:9000".into(),
            };
            submit(
                &nodes,
                &change(chain, 4, 0, 0, ValidatorChange::Add(joining), &[0, 1, 2]),
            );
            // Two boundaries later the change has taken effect on every node.
            assert!(
                wait_for_height(&context, &refs, 2 * EPOCH + 2, Duration::from_secs(300)).await,
                "seed {seed}: stalled around the first change"
            );
            for node in &nodes {
                let running = node.ledger.validators().expect("read");
                assert_eq!(running.members().len(), 5, "seed {seed}: node 4 joined");
            }
            // Its vote counts: an epoch-2 certificate names five validators, 4 among its signers
            // in some block of the epoch.
            let set = nodes[0].ledger.validators().expect("read");
            let position = set.position(&public(4)).expect("member");
            let epoch2 = (2 * EPOCH..=nodes[0].ledger.tip().height)
                .filter_map(|h| signers(&nodes[0], h))
                .collect::<Vec<_>>();
            assert!(!epoch2.is_empty(), "seed {seed}: certificates in epoch 2");
            assert!(
                epoch2.iter().all(|(n, _)| *n == 5),
                "seed {seed}: {epoch2:?}"
            );
            assert!(
                epoch2.iter().any(|(_, s)| s.contains(&position)),
                "seed {seed}: the new validator signs: {epoch2:?}"
            );

            // Validator 0 leaves (four of the five approve), and keeps running.
            submit(
                &nodes,
                &change(
                    chain,
                    1,
                    0,
                    1,
                    ValidatorChange::Remove(public(0)),
                    &[1, 2, 3, 4],
                ),
            );
            let target = (nodes[0].ledger.tip().height / EPOCH + 2) * EPOCH + 2;
            assert!(
                wait_for_height(&context, &refs, target, Duration::from_secs(300)).await,
                "seed {seed}: stalled around the removal"
            );
            for node in &nodes {
                let running = node.ledger.validators().expect("read");
                assert!(
                    running.position(&public(0)).is_none(),
                    "seed {seed}: node 0 left"
                );
                assert_eq!(running.members().len(), 4);
            }
            let from = (target / EPOCH) * EPOCH;
            for h in from..=nodes[1].ledger.tip().height {
                if let Some((n, _)) = signers(&nodes[1], h) {
                    assert_eq!(n, 4, "seed {seed}: height {h} certified by the new set");
                }
            }
            assert_agreement(&refs);
        });
    }
}

#[test]
fn a_crash_across_the_epoch_switch_restarts_into_the_next_epoch() {
    for seed in seeds(1) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        runner(seed).start(|context| async move {
            use commonware_runtime::Clock as _;
            let mut genesis = genesis(4, PublicKey([0xc1; 32]));
            genesis.epochs = Epochs::new(EPOCH).expect("epochs");
            let oracle = network(&context, 4).await;
            link_all(&oracle, 4, good_link()).await;
            let mut nodes = Vec::new();
            for i in 0..4 {
                nodes.push(start_node(&context, &oracle, &genesis, i, 4, &path).await);
            }
            let chain = nodes[0].ledger.chain_id();
            // Validator 3's key is replaced by node 5's (not started: three of four keep going,
            // then the new set needs its quorum of 4: three old and the new one).
            let replacement = Validator {
                key: public(4),
                emergency: None,
                address: "10.0.0.5:9000".into(),
            };
            submit(
                &nodes,
                &change(
                    chain,
                    4,
                    0,
                    0,
                    ValidatorChange::Replace {
                        old: public(3),
                        new: replacement,
                    },
                    &[0, 1, 2],
                ),
            );
            // Node 2 crashes just before the boundary and comes back after it.
            {
                let refs: Vec<&SimNode> = nodes.iter().collect();
                assert!(
                    wait_for_height(&context, &refs, EPOCH - 2, Duration::from_secs(120)).await,
                    "seed {seed}"
                );
            }
            let crashed = nodes.remove(2);
            crashed.crash();
            context.sleep(Duration::from_secs(5)).await;
            nodes.insert(
                2,
                start_node(&context, &oracle, &genesis, 2, 4, &path).await,
            );
            let refs: Vec<&SimNode> = nodes.iter().collect();
            assert!(
                wait_for_height(&context, &refs, EPOCH + 1, Duration::from_secs(300)).await,
                "seed {seed}: the restarted node did not reach the next epoch: {:?}",
                refs.iter()
                    .map(|n| n.ledger.tip().height)
                    .collect::<Vec<_>>()
            );
            assert_agreement(&refs);
        });
    }
}

async fn four(
    context: &deterministic::Context,
    path: &std::path::Path,
) -> (
    commonware_p2p::simulated::Oracle<
        commonware_cryptography::ed25519::PublicKey,
        deterministic::Context,
    >,
    medledger_types::genesis::Genesis,
    Vec<SimNode>,
) {
    let mut genesis = genesis(4, PublicKey([0xc1; 32]));
    genesis.epochs = Epochs::new(EPOCH).expect("epochs");
    let oracle = network(context, 4).await;
    link_all(&oracle, 4, good_link()).await;
    let mut nodes = Vec::new();
    for i in 0..4 {
        nodes.push(start_node(context, &oracle, &genesis, i, 4, path).await);
    }
    (oracle, genesis, nodes)
}

#[test]
fn a_change_made_during_a_partition_waits_for_quorum_then_takes_effect() {
    for seed in seeds(1) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        runner(seed).start(|context| async move {
            use crate::mocks::simulation::{heal, partition};
            use commonware_runtime::Clock as _;
            let (oracle, _, nodes) = four(&context, &path).await;
            let chain = nodes[0].ledger.chain_id();
            // Split two and two: no quorum, so nothing is final and the removal waits.
            partition(&oracle, &[0, 1], &[2, 3]).await;
            context.sleep(Duration::from_secs(2)).await;
            let before: Vec<u64> = nodes.iter().map(|n| n.ledger.tip().height).collect();
            submit(
                &nodes,
                &change(
                    chain,
                    0,
                    0,
                    0,
                    ValidatorChange::Remove(public(3)),
                    &[0, 1, 2],
                ),
            );
            context.sleep(Duration::from_secs(20)).await;
            let during: Vec<u64> = nodes.iter().map(|n| n.ledger.tip().height).collect();
            assert!(
                during.iter().zip(&before).all(|(d, b)| d <= &(b + 1)),
                "seed {seed}: blocks finalized without a quorum: {before:?} -> {during:?}"
            );
            heal(&oracle, &[0, 1], &[2, 3], good_link()).await;
            let refs: Vec<&SimNode> = nodes.iter().collect();
            let target = (during.iter().max().copied().unwrap_or(0) / EPOCH + 2) * EPOCH + 2;
            assert!(
                wait_for_height(&context, &refs, target, Duration::from_secs(300)).await,
                "seed {seed}: {:?}",
                refs.iter()
                    .map(|n| n.ledger.tip().height)
                    .collect::<Vec<_>>()
            );
            assert_agreement(&refs);
            for node in &nodes {
                let running = node.ledger.validators().expect("read");
                assert!(
                    running.position(&public(3)).is_none(),
                    "seed {seed}: 3 left"
                );
            }
            // The three that remain finalize on their own (3 still runs, as a follower).
            let last = signers(&nodes[0], nodes[0].ledger.tip().height)
                .or_else(|| signers(&nodes[0], target));
            if let Some((n, _)) = last {
                assert_eq!(n, 3, "seed {seed}");
            }
        });
    }
}

#[test]
fn a_validator_offline_for_two_epochs_catches_up_across_both_boundaries() {
    for seed in seeds(1) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        runner(seed).start(|context| async move {
            let (oracle, genesis, mut nodes) = four(&context, &path).await;
            {
                let refs: Vec<&SimNode> = nodes.iter().collect();
                assert!(wait_for_height(&context, &refs, 2, Duration::from_secs(120)).await);
            }
            let down = nodes.remove(3);
            let left_at = down.ledger.tip().height;
            down.crash();
            // Three of four go on through two boundaries.
            let refs: Vec<&SimNode> = nodes.iter().collect();
            assert!(
                wait_for_height(
                    &context,
                    &refs,
                    left_at + 2 * EPOCH + 1,
                    Duration::from_secs(300)
                )
                .await,
                "seed {seed}: three validators stalled"
            );
            nodes.push(start_node(&context, &oracle, &genesis, 3, 4, &path).await);
            let refs: Vec<&SimNode> = nodes.iter().collect();
            let target = nodes[0].ledger.tip().height + 3;
            assert!(
                wait_for_height(&context, &refs, target, Duration::from_secs(600)).await,
                "seed {seed}: the returning validator did not catch up: {:?}",
                refs.iter()
                    .map(|n| n.ledger.tip().height)
                    .collect::<Vec<_>>()
            );
            assert_agreement(&refs);
        });
    }
}
