//! Cold sync: a new wallet, trusting only the genesis file, syncs a patient's records from
//! three full nodes (real `medledger` API handlers on loopback) serving a chain of 100,000
//! finalized blocks with an unchanged validator set. It verifies the newest certificate only
//! (skipping), cross-checks the nodes, and proves every record against the verified root.
//!
//! The same sync against a 1,000-block chain runs beside it: the ratio shows that the cost does
//! not grow with the chain. `make bench` prints both; the target is <= 1 s at 100k blocks.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signer, SigningKey};
use medledger_client::padded::seal_padded;
use medledger_client::transaction::sign;
use medledger_client::{LedgerSource, RecordMetadata};
use medledger_node::api::{ApiState, router};
use medledger_node::blobs::BlobStore;
use medledger_node::mempool::Mempool;
use medledger_state::store::Ledger;
use medledger_types::category::Category;
use medledger_types::certificate::{Finalization, Proposal, consensus_namespace, quorum};
use medledger_types::genesis::{Genesis, GenesisClinic, ValidatorSet};
use medledger_types::hash::{PublicKey, ReceivingKey, RecordId, Sha256Digest};
use medledger_types::tx::{SignedTx, TxBody};
use medwallet_core::SyncEvent;
use medwallet_core::sync::sync_records;
use medwallet_crypto::envelope::{ContentKey, Recipient, X25519Recipient};
use medwallet_crypto::{AccountKeys, RecoveryPhrase};
use medwallet_net::NodeClient;
use medwallet_net::source::NetworkSource;
use medwallet_verify::{LightClient, TrustAnchor};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Records of the patient, spread over the chain.
const RECORDS: u64 = 100;
/// Full nodes the wallet asks (all honest here; they serve one ledger).
const NODES: usize = 3;
const BLOCK_INTERVAL_MS: u64 = 10;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn account(seed: u8) -> AccountKeys {
    AccountKeys::derive(&RecoveryPhrase::from_entropy(&[seed; 32]))
}

fn signed(keys: &AccountKeys, ledger: &Ledger, nonce: u64, body: TxBody) -> SignedTx {
    sign(keys.signing_key(), ledger.chain_id(), nonce, body)
}

struct Chain {
    genesis: Genesis,
    patient: AccountKeys,
    urls: Vec<String>,
    _dir: tempfile::TempDir,
}

/// Builds a `blocks`-long chain offline with the ledger's own execution, finalizes its tip with
/// a quorum of the four validators in Simplex's certificate format, and serves it from
/// [`NODES`] API listeners.
fn chain(blocks: u64, runtime: &tokio::runtime::Runtime) -> Chain {
    let validators: Vec<SigningKey> = (1..=4u8)
        .map(|i| SigningKey::from_bytes(&[i; 32]))
        .collect();
    let set = ValidatorSet::new(
        validators
            .iter()
            .map(|k| PublicKey(k.verifying_key().to_bytes()))
            .collect(),
    )
    .expect("validator set");
    let clinic = account(20);
    let patient = account(30);
    let start = now_ms() - blocks * BLOCK_INTERVAL_MS - 1_000;
    let genesis = Genesis {
        chain_name: format!("cold-sync-{blocks}"),
        timestamp_ms: start,
        validators: set.clone(),
        clinics: vec![GenesisClinic {
            signing: PublicKey(clinic.signing_key().verifying_key().to_bytes()),
            receiving: ReceivingKey(clinic.public().receiving.to_bytes()),
            name: "Bench Clinic".into(),
        }],
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger =
        Arc::new(Ledger::open(&dir.path().join("ledger.redb"), genesis.clone()).expect("open"));
    ledger.set_bulk_load(true);
    let clinic_address = clinic.public().account();
    let patient_address = patient.public().account();
    let mut rng = StdRng::seed_from_u64(blocks);
    let spacing = (blocks - 2) / RECORDS;
    let mut issued = 0;
    for height in 1..=blocks {
        let txs = if height == 1 {
            vec![signed(
                &patient,
                &ledger,
                0,
                TxBody::RegisterPatient {
                    receiving: ReceivingKey(patient.public().receiving.to_bytes()),
                },
            )]
        } else if issued < RECORDS && (height - 2) % spacing == 0 {
            let record = RecordId::derive(&clinic_address, issued);
            let key = ContentKey::generate(&mut rng);
            let ciphertext = seal_padded(&key, &mut rng, &[b'{'; 2048]).expect("seal");
            let metadata = RecordMetadata::new(
                format!("Visit {issued}"),
                Some("2024-05-01".into()),
                Category::Encounter,
                1,
                "Bench Clinic",
            );
            let wrapped = X25519Recipient::new(patient.public().receiving)
                .wrap(&key, &record.0, &mut rng)
                .expect("wrap");
            let body = TxBody::IssueRecord {
                record,
                patient: patient_address,
                ciphertext_sha256: Sha256Digest(
                    <sha2::Sha256 as sha2::Digest>::digest(&ciphertext).into(),
                ),
                ciphertext_len: ciphertext.len() as u64,
                wrapped_key: wrapped,
                metadata: metadata.seal(&key, &mut rng).expect("seal"),
            };
            issued += 1;
            vec![signed(&clinic, &ledger, issued - 1, body)]
        } else {
            Vec::new()
        };
        let tip = ledger.tip();
        let block = ledger
            .build(&tip, start + height * BLOCK_INTERVAL_MS, &txs, &|_| false)
            .expect("build");
        assert_eq!(block.txs.len(), txs.len(), "every transaction applies");
        let finalization =
            (height == blocks).then(|| finalize(&ledger, &validators, &set, &block.header.hash()));
        ledger
            .commit(&block, finalization.as_deref())
            .expect("commit");
    }
    ledger.set_bulk_load(false);
    assert_eq!(issued, RECORDS);
    let urls = runtime.block_on(serve(ledger, &dir));
    Chain {
        genesis,
        patient,
        urls,
        _dir: dir,
    }
}

/// A quorum certificate for `block`, signed as Simplex validators sign a finalize vote.
fn finalize(
    ledger: &Ledger,
    validators: &[SigningKey],
    set: &ValidatorSet,
    block: &medledger_types::hash::BlockHash,
) -> Vec<u8> {
    let height = ledger.tip().height + 1;
    let proposal = Proposal {
        epoch: 0,
        view: height + 3,
        parent_view: height + 2,
        block: *block,
    };
    let message = proposal.finalize_message(&consensus_namespace(&ledger.chain_id()));
    let q = quorum(set.len());
    let signatures = set.keys()[..q]
        .iter()
        .map(|public| {
            let signer = validators
                .iter()
                .find(|k| k.verifying_key().to_bytes() == public.0)
                .expect("validator key");
            signer.sign(&message).to_bytes()
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

async fn serve(ledger: Arc<Ledger>, dir: &tempfile::TempDir) -> Vec<String> {
    let height = ledger.tip().height;
    let (heights_tx, heights) = tokio::sync::watch::channel(height);
    // The sender lives as long as the servers (events streams would end without it).
    std::mem::forget(heights_tx);
    let state = ApiState {
        mempool: Arc::new(Mempool::new(ledger.chain_id(), 1_000)),
        ledger,
        heights,
        node_key: [1; 32],
        metrics: Arc::new(String::new),
        blobs: Arc::new(BlobStore::open(&dir.path().join("blobs"), 1 << 20).expect("blobs")),
        peers: Arc::new(BTreeSet::new()),
        receipts: Arc::new(medledger_node::receipts::ReceiptIssuer::new(
            &[1; 32],
            Vec::new(),
        )),
        seen: Arc::default(),
        links: Arc::new(medledger_node::links::LinkDesk::new(false)),
    };
    let mut urls = Vec::new();
    for _ in 0..NODES {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        urls.push(format!("http://{}", listener.local_addr().expect("addr")));
        let app = router(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    urls
}

/// What a new wallet does on first start: trust genesis, verify, fetch every record.
async fn cold_sync(chain: &Chain) -> usize {
    let source = NetworkSource::new(
        chain.urls.iter().map(NodeClient::new).collect(),
        LightClient::new(TrustAnchor::from_genesis(&chain.genesis).expect("anchor")),
        60_000,
    );
    let (_, records) = sync_records(
        &source,
        &chain.patient,
        &[],
        source.latest(now_ms()).await.expect("header"),
        &mut |_: SyncEvent<'_>| Ok(()),
    )
    .await
    .expect("sync");
    assert!(source.incidents().is_empty(), "no node lied");
    records.len()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("cold_sync");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    for blocks in [1_000u64, 100_000] {
        let built = std::time::Instant::now();
        let chain = chain(blocks, &runtime);
        eprintln!(
            "built a {blocks}-block chain in {:.1} s",
            built.elapsed().as_secs_f64()
        );
        assert_eq!(runtime.block_on(cold_sync(&chain)), RECORDS as usize);
        group.bench_function(format!("{blocks}_blocks_{RECORDS}_records"), |b| {
            b.iter(|| runtime.block_on(cold_sync(&chain)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
