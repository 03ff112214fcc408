//! A wallet that trusts only the genesis catches up across three validator-set changes over
//! HTTP: each node's newest header is in a later epoch, so the wallet asks the node how each
//! epoch began (`/v1/epochs/{e}`) and checks every answer before it trusts a set. A node that
//! serves a wrong set is named as lying; the honest nodes' answers are used.

#[path = "../benches/common/mod.rs"]
mod common;

use std::sync::Arc;

use axum::extract::{Path, State};
use ed25519_dalek::{Signer, SigningKey};
use medledger_client::{Incident, LedgerSource, governance};
use medledger_state::store::Ledger;
use medledger_types::block::Header;
use medledger_types::certificate::{Finalization, Proposal, consensus_namespace, quorum};
use medledger_types::codec::Canonical;
use medledger_types::epoch::Epochs;
use medledger_types::genesis::{Genesis, ValidatorSet};
use medledger_types::hash::PublicKey;
use medledger_types::tx::SignedTx;
use medledger_types::validators::{Validator, ValidatorChange};
use medwallet_net::{NetworkSource, NodeClient};
use medwallet_verify::{Invalid, LightClient, TrustAnchor};

const EPOCH: u64 = 4;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn public(seed: u8) -> PublicKey {
    PublicKey(key(seed).verifying_key().to_bytes())
}

fn set_of(seeds: &[u8]) -> ValidatorSet {
    ValidatorSet::new(seeds.iter().map(|s| public(*s)).collect()).expect("set")
}

/// `header` finalized by a quorum of `seeds` in `epoch`, as Simplex validators sign.
fn certify(
    chain: &medledger_types::hash::ChainId,
    header: &Header,
    seeds: &[u8],
    epoch: u64,
) -> Vec<u8> {
    let set = set_of(seeds);
    let proposal = Proposal {
        epoch,
        view: header.height + 1,
        parent_view: header.height,
        block: header.hash(),
    };
    let message = proposal.finalize_message(&consensus_namespace(chain));
    let q = quorum(set.len());
    let signatures = set.keys()[..q]
        .iter()
        .map(|k| {
            let seed = seeds.iter().find(|s| public(**s) == *k).expect("member");
            key(*seed).sign(&message).to_bytes()
        })
        .collect();
    Finalization {
        proposal,
        validator_count: set.len(),
        signers: (0..q).collect(),
        signatures,
    }
    .encode()
}

fn change(
    ledger: &Ledger,
    author: u8,
    seq: u64,
    change: ValidatorChange,
    approvers: &[u8],
) -> SignedTx {
    let chain = ledger.chain_id();
    let approvals = approvers
        .iter()
        .map(|s| governance::approve(&SigningKey::from_bytes(&[*s; 32]), &chain, seq, &change))
        .collect();
    governance::change_tx(
        &SigningKey::from_bytes(&[author; 32]),
        chain,
        0,
        seq,
        change,
        approvals,
    )
}

fn joining(seed: u8) -> Validator {
    Validator {
        key: public(seed),
        emergency: None,
        address: format!("10.0.0.{seed}:9000"),
    }
}

/// Four epochs built by the ledger's rules (4 replaced by 5, then 6 added, then 1 removed),
/// every block certified by its epoch's set, served by honest API listeners.
fn chain(runtime: &tokio::runtime::Runtime) -> (Genesis, Vec<String>, tempfile::TempDir) {
    let genesis = Genesis {
        chain_name: "epochs-over-http".into(),
        timestamp_ms: common::now_ms() - 60_000,
        validators: set_of(&[1, 2, 3, 4]),
        clinics: Vec::new(),
        recovery_min_delay_ms: 1_000,
        emergency_keys: Vec::new(),
        epochs: Epochs::new(EPOCH).expect("epochs"),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = Arc::new(Ledger::open(&dir.path().join("l.redb"), genesis.clone()).expect("open"));
    let sets: [&[u8]; 4] = [
        &[1, 2, 3, 4],
        &[1, 2, 3, 5],
        &[1, 2, 3, 5, 6],
        &[2, 3, 5, 6],
    ];
    let changes = [
        (
            1,
            change(
                &ledger,
                5,
                0,
                ValidatorChange::Replace {
                    old: public(4),
                    new: joining(5),
                },
                &[1, 2, 3],
            ),
        ),
        (
            5,
            change(&ledger, 6, 1, ValidatorChange::Add(joining(6)), &[1, 2, 5]),
        ),
        (
            9,
            change(
                &ledger,
                2,
                2,
                ValidatorChange::Remove(public(1)),
                &[2, 3, 5, 6],
            ),
        ),
    ];
    for height in 1..EPOCH * 4 - 1 {
        let tip = ledger.tip();
        let txs: Vec<SignedTx> = changes
            .iter()
            .filter(|(h, _)| *h == height)
            .map(|(_, t)| t.clone())
            .collect();
        let block = ledger
            .build(&tip, common::now_ms() - 1_000 + height, &txs, &|_| false)
            .expect("build");
        assert_eq!(block.txs.len(), txs.len());
        let epoch = height / EPOCH;
        let cert = certify(
            &ledger.chain_id(),
            &block.header,
            sets[epoch as usize],
            epoch,
        );
        ledger.commit(&block, Some(&cert)).expect("commit");
    }
    let urls = runtime.block_on(common::serve(ledger, &dir));
    (genesis, urls, dir)
}

/// A node that answers like `honest` except that it names another set for epoch 2.
async fn liar(honest: String) -> String {
    async fn forward(
        State(honest): State<String>,
        Path(path): Path<String>,
    ) -> axum::response::Response {
        let mut body: serde_json::Value = reqwest::get(format!("{honest}/{path}"))
            .await
            .expect("honest")
            .json()
            .await
            .expect("json");
        if path == "v1/epochs/2" {
            let other = set_of(&[1, 2, 7, 8]);
            body["validators"] = other.keys().iter().map(|k| k.to_hex()).collect();
            body["validator_set_hash"] = other.hash().to_hex().into();
        }
        axum::Json(body).into_response()
    }
    use axum::response::IntoResponse;
    let app = axum::Router::new()
        .route("/{*path}", axum::routing::get(forward))
        .with_state(honest);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[test]
fn a_wallet_from_genesis_follows_three_set_changes_and_names_the_node_that_lies_about_one() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (genesis, urls, _dir) = chain(&runtime);
    runtime.block_on(async {
        let liar = liar(urls[0].clone()).await;
        let nodes = [liar.clone(), urls[0].clone(), urls[1].clone()]
            .into_iter()
            .map(NodeClient::new)
            .collect();
        let source = NetworkSource::new(
            nodes,
            LightClient::new(TrustAnchor::from_genesis(&genesis).expect("anchor")),
            120_000,
        );
        let latest = source
            .latest(common::now_ms())
            .await
            .expect("a verified header");
        assert_eq!(latest.height(), EPOCH * 4 - 2);
        assert_eq!(latest.header().validator_set, set_of(&[2, 3, 5, 6]).hash());
        let incidents = source.incidents();
        assert!(
            incidents.iter().any(|i| matches!(
                i,
                Incident::Lying { node, reason: Invalid::WrongValidatorChange } if *node == liar
            )),
            "the liar is named: {incidents:?}"
        );
        assert!(
            incidents
                .iter()
                .all(|i| !matches!(i, Incident::Lying { node, .. } if *node != liar)),
            "no honest node is: {incidents:?}"
        );
    });
}

#[test]
fn a_restarted_wallet_whose_floor_is_in_a_later_epoch_learns_that_set_first() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (genesis, urls, _dir) = chain(&runtime);
    runtime.block_on(async {
        let source = |urls: &[String]| {
            NetworkSource::new(
                urls.iter().map(NodeClient::new).collect(),
                LightClient::new(TrustAnchor::from_genesis(&genesis).expect("anchor")),
                120_000,
            )
        };
        let first = source(&urls);
        let floor = first.latest(common::now_ms()).await.expect("verified");
        let header = floor.header().encode();
        let certificate = floor.certificate().expect("certified directly").encode();
        // A new process: its light client knows only genesis's set; the floor is in epoch 3.
        let restarted = source(&urls);
        restarted
            .adopt_floor(&header, &certificate)
            .expect("kept until its set is learned");
        let latest = restarted.latest(common::now_ms()).await.expect("verified");
        assert!(latest.height() >= floor.height());
        // A floor signed by a set the chain never had is not adopted once its epoch is known.
        let forged = certify(&genesis.chain_id(), floor.header(), &[1, 2, 3, 4], 3);
        let again = source(&urls);
        again.adopt_floor(&header, &forged).expect("pending");
        let latest = again
            .latest(common::now_ms())
            .await
            .expect("verified without it");
        assert!(latest.height() >= floor.height());
    });
}
