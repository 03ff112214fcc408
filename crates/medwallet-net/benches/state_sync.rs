//! Joining a large chain: how long a new node takes from nothing to serving proofs. A state of
//! `MEDLEDGER_BENCH_RECORDS` records (default 100,000) for a tenth as many patients is built
//! offline with the ledger's own execution (1,000 records a block), its tip finalized by a
//! quorum of four validators in Simplex's certificate format, and served by three real API
//! listeners on loopback. The new node runs `state_sync` against them (the block verified from
//! genesis, every chunk checked against its state root) and then proves a record. Prints the
//! figures; not part of `make bench` (building a million records takes minutes).

use std::sync::Arc;
use std::time::Instant;

use medledger_client::RecordMetadata;
use medledger_client::padded::seal_padded;
use medledger_node::state_sync::state_sync;
use medledger_state::store::Ledger;
use medledger_types::category::Category;
use medledger_types::genesis::{Genesis, GenesisClinic, ValidatorSet};
use medledger_types::hash::{PublicKey, ReceivingKey, RecordId, Sha256Digest};
use medledger_types::state::StateKey;
use medledger_types::tx::TxBody;
use medwallet_crypto::envelope::{ContentKey, Recipient, X25519Recipient};
use medwallet_net::NodeClient;
use rand::SeedableRng;
use rand::rngs::StdRng;

mod common;

use common::{account, finalize, now_ms, serve, signed};

/// Records per block while building.
const PER_BLOCK: u64 = 1_000;

fn disk(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn main() {
    let records: u64 = std::env::var("MEDLEDGER_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let patients = (records / 10).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let validators: Vec<ed25519_dalek::SigningKey> = (1..=4u8)
        .map(|i| ed25519_dalek::SigningKey::from_bytes(&[i; 32]))
        .collect();
    let set = ValidatorSet::new(
        validators
            .iter()
            .map(|k| PublicKey(k.verifying_key().to_bytes()))
            .collect(),
    )
    .expect("set");
    let clinic = account(20);
    let blocks = 1 + records.div_ceil(PER_BLOCK);
    let genesis = Genesis {
        chain_name: format!("state-sync-{records}"),
        timestamp_ms: now_ms() - blocks * 10 - 1_000,
        validators: set.clone(),
        clinics: vec![GenesisClinic {
            signing: PublicKey(clinic.signing_key().verifying_key().to_bytes()),
            receiving: ReceivingKey(clinic.public().receiving.to_bytes()),
            name: "Bench Clinic".into(),
        }],
        recovery_min_delay_ms: 1_000,
        emergency_keys: Vec::new(),
        epochs: medledger_types::epoch::Epochs::NONE,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let source_path = dir.path().join("source.redb");
    let ledger = Arc::new(Ledger::open(&source_path, genesis.clone()).expect("open"));
    ledger.set_bulk_load(true);
    let built = Instant::now();
    let mut rng = StdRng::seed_from_u64(records);
    let patient_keys: Vec<medwallet_crypto::AccountKeys> = (0..patients)
        .map(|i| {
            let mut entropy = [0u8; 32];
            entropy[..8].copy_from_slice(&i.to_be_bytes());
            medwallet_crypto::AccountKeys::derive(&medwallet_crypto::RecoveryPhrase::from_entropy(
                &entropy,
            ))
        })
        .collect();
    let registrations: Vec<_> = patient_keys
        .iter()
        .map(|keys| {
            signed(
                keys,
                &ledger,
                0,
                TxBody::RegisterPatient {
                    receiving: ReceivingKey(keys.public().receiving.to_bytes()),
                },
            )
        })
        .collect();
    let commit = |txs: &[medledger_types::tx::SignedTx], last: bool| {
        let tip = ledger.tip();
        let block = ledger
            .build(&tip, tip.timestamp_ms + 10, txs, &|_| false)
            .expect("build");
        assert_eq!(block.txs.len(), txs.len(), "every transaction applies");
        let finalization = last.then(|| finalize(&ledger, &validators, &set, &block.header.hash()));
        ledger
            .commit(&block, finalization.as_deref())
            .expect("commit");
    };
    commit(&registrations, false);
    let clinic_address = clinic.public().account();
    let ciphertext_len = seal_padded(&ContentKey::generate(&mut rng), &mut rng, &[b'{'; 2048])
        .expect("seal")
        .len() as u64;
    let mut issued = 0u64;
    while issued < records {
        let txs: Vec<_> = (issued..(issued + PER_BLOCK).min(records))
            .map(|n| {
                let record = RecordId::derive(&clinic_address, n);
                let key = ContentKey::generate(&mut rng);
                let to = &patient_keys[(n % patients) as usize];
                let metadata = RecordMetadata::new(
                    format!("Visit {n}"),
                    Some("2024-05-01".into()),
                    Category::Encounter,
                    1,
                    "Bench Clinic",
                );
                let mut hash = [0u8; 32];
                hash[..8].copy_from_slice(&n.to_be_bytes());
                signed(
                    &clinic,
                    &ledger,
                    n,
                    TxBody::IssueRecord {
                        record,
                        patient: to.public().account(),
                        ciphertext_sha256: Sha256Digest(hash),
                        ciphertext_len,
                        wrapped_key: X25519Recipient::new(to.public().receiving)
                            .wrap(&key, &record.0, &mut rng)
                            .expect("wrap"),
                        metadata: metadata.seal(&key, &mut rng).expect("seal"),
                    },
                )
            })
            .collect();
        issued += txs.len() as u64;
        commit(&txs, issued == records);
    }
    ledger.set_bulk_load(false);
    let height = ledger.tip().height;
    eprintln!(
        "built {records} records for {patients} patients in {height} blocks in {:.0} s; store {:.0} MiB",
        built.elapsed().as_secs_f64(),
        disk(&source_path) as f64 / (1 << 20) as f64
    );
    let probe = StateKey::record(&RecordId::derive(&clinic_address, records / 2));
    let urls = runtime.block_on(serve(ledger.clone(), &dir));
    let nodes: Vec<NodeClient> = urls.iter().map(NodeClient::new).collect();

    let joined_path = dir.path().join("joined.redb");
    let started = Instant::now();
    let synced = runtime
        .block_on(state_sync(genesis, &joined_path, &nodes))
        .expect("state sync");
    let proven = synced.ledger.prove(&probe, None).expect("prove");
    let serving = started.elapsed().as_secs_f64();
    assert!(proven.value.is_some(), "the restored node proves a record");
    assert_eq!(proven.state_root, ledger.tip().state_root);
    assert!(synced.lying.is_empty());
    eprintln!(
        "state sync: {records} records ({} leaves) restored at height {} and a record proven {serving:.2} s after start ({:.0} leaves/s); restored store {:.0} MiB",
        synced.leaves,
        synced.height,
        synced.leaves as f64 / serving,
        disk(&joined_path) as f64 / (1 << 20) as f64
    );
}
