//! `medledger-bench`: a load generator against a real validator network on loopback.
//!
//! It writes a testnet, starts one `medledger start` process per validator, registers patients
//! and doctors, then submits a realistic mix (70 % IssueRecord from a clinic, 30 % Grant from
//! patients) to every node in batches, and follows finalized blocks to time each transaction
//! from submission to finality. Phase 1 pushes as fast as the network takes transactions
//! (throughput); phase 2 offers half that rate steadily (latency at half load).
//!
//! Throughout both phases a reader asks the last node for one patient's records page (every
//! record with its Merkle proofs, what a wallet's sync reads) back to back, and reports the
//! API's latency under that load: the figure that shows whether proof-heavy reads stall the
//! consensus runtime or the reverse.
//!
//! Before the network starts, the same cores measure their limit for this work: signing each
//! transaction of the mix once (the load generator) and checking its signature once per
//! validator (each node checks a transaction once, when it first sees it), on every core at
//! once. Finalized tx/s is reported as a fraction of that rate, which moves with the machine
//! far less than tx/s does.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use medledger_client::NodeClient;
use medledger_client::transaction::sign;
use medledger_issuer::ClinicKey;
use medledger_node::testnet::{FoundingClinic, TestnetSummary};
use medledger_types::grant::{SealedTerms, TERMS_LEN};
use medledger_types::hash::{Address, ChainId, PublicKey, ReceivingKey, RecordId, Sha256Digest};
use medledger_types::tx::{Scope, SignedTx, TxBody, WRAPPED_KEY_LEN, WrappedKey};
use medwallet_crypto::SigningKey;
use medwallet_crypto::envelope::WRAPPED_KEY_LEN as HPKE_WRAPPED_LEN;

/// One sealed copy of a grant's terms: a wrapped key, then the padded terms as one STREAM
/// payload (`medwallet_crypto::envelope::seal_to`).
const SEALED_TERMS_LEN: usize =
    HPKE_WRAPPED_LEN + medwallet_crypto::envelope::sealed_len(TERMS_LEN as u64) as usize;
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "medledger-bench",
    about = "Load-test a local validator network: finalized tx/s and finality latency"
)]
struct Args {
    #[arg(long, default_value_t = 4)]
    validators: usize,
    /// Transactions in the throughput phase.
    #[arg(long, default_value_t = 20_000)]
    txs: usize,
    #[arg(long, default_value_t = 500)]
    patients: usize,
    /// Length of the half-load latency phase.
    #[arg(long, default_value_t = 10)]
    latency_seconds: u64,
    #[arg(long, default_value_t = 28600)]
    base_port: u16,
    /// Working directory (default: a new temporary one).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The `medledger` binary (default: the one beside this program).
    #[arg(long)]
    medledger: Option<PathBuf>,
}

/// What was measured.
#[derive(Serialize)]
struct BenchReport {
    validators: usize,
    machine_limit: LimitReport,
    /// Peak finalized tx/s over the machine's limit.
    peak_fraction_of_limit: f64,
    peak: PhaseReport,
    half_load: PhaseReport,
    /// A records page (with proofs) read back to back from one node during both phases.
    records_page: ReadReport,
}

/// How fast these cores sign a transaction once and check it once per validator.
#[derive(Serialize)]
struct LimitReport {
    cores: usize,
    txs: usize,
    seconds: f64,
    /// Transactions per second signed once and checked `validators` times, on every core.
    tx_per_s: f64,
}

#[derive(Serialize)]
struct ReadReport {
    reads: usize,
    failed: usize,
    /// Records on the page at the last read (each with two proofs, plus the count's).
    records_on_page: usize,
    latency_p50_ms: f64,
    latency_p99_ms: f64,
    latency_max_ms: f64,
}

#[derive(Serialize)]
struct PhaseReport {
    offered_txs: usize,
    finalized_txs: usize,
    seconds: f64,
    finalized_tx_per_s: f64,
    latency_p50_ms: f64,
    latency_p99_ms: f64,
}

struct Nodes {
    children: Vec<Child>,
    clients: Vec<NodeClient>,
}

impl Drop for Nodes {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn key_for(kind: u8, i: usize) -> SigningKey {
    let mut seed = [kind; 32];
    seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
    SigningKey::from_bytes(&seed)
}

fn address(key: &SigningKey) -> Address {
    Address::of(&PublicKey(key.verifying_key().to_bytes()))
}

/// Sends transactions to every node (concurrently) in batches of 500 (about 1.3 MB of hex
/// with the mix's 1 KiB metadata, under a node's body limit for a batch).
async fn submit_all(nodes: &[NodeClient], txs: &[SignedTx]) -> anyhow::Result<()> {
    for chunk in txs.chunks(500) {
        let sends = nodes.iter().map(|node| node.submit_batch(chunk));
        for result in futures::future::join_all(sends).await {
            result.context("batch refused")?;
        }
    }
    Ok(())
}

async fn height(node: &NodeClient) -> Option<u64> {
    node.status().await.ok().map(|s| s.height)
}

/// Follows finalized blocks on one node, recording when each transaction id was first seen.
async fn watch(node: NodeClient, seen: Arc<Mutex<HashMap<String, Instant>>>) {
    let mut next = height(&node).await.unwrap_or(0) + 1;
    loop {
        let tip = height(&node).await.unwrap_or(0);
        while next <= tip {
            let Ok(block) = node.block(next).await else {
                break;
            };
            let now = Instant::now();
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            for id in block.tx_ids {
                seen.entry(id).or_insert(now);
            }
            next += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads `patient`'s records page from `node` back to back until stopped.
async fn read_pages(
    node: NodeClient,
    patient: Address,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> ReadReport {
    let mut latencies = Vec::new();
    let (mut failed, mut records_on_page) = (0, 0);
    while !*stop.borrow() {
        let Some(tip) = height(&node).await else {
            failed += 1;
            continue;
        };
        let t = Instant::now();
        match node.patient_records(&patient, tip, 0).await {
            Ok(page) => {
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                records_on_page = page.records.len();
            }
            Err(_) => failed += 1,
        }
        // Not a flood: about what a few dozen wallets syncing at once ask of one node.
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            _ = stop.changed() => {}
        }
    }
    latencies.sort_by(f64::total_cmp);
    ReadReport {
        reads: latencies.len(),
        failed,
        records_on_page,
        latency_p50_ms: percentile(&latencies, 0.5),
        latency_p99_ms: percentile(&latencies, 0.99),
        latency_max_ms: latencies.last().copied().unwrap_or(f64::NAN),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(offered: &[(String, Instant)], seen: &HashMap<String, Instant>) -> PhaseReport {
    let mut latencies: Vec<f64> = Vec::new();
    let mut last = None::<Instant>;
    let first = offered.iter().map(|(_, t)| *t).min();
    for (id, sent) in offered {
        if let Some(done) = seen.get(id) {
            latencies.push(done.duration_since(*sent).as_secs_f64() * 1000.0);
            last = Some(last.map_or(*done, |l: Instant| l.max(*done)));
        }
    }
    latencies.sort_by(f64::total_cmp);
    let seconds = match (first, last) {
        (Some(f), Some(l)) => l.duration_since(f).as_secs_f64(),
        _ => f64::NAN,
    };
    PhaseReport {
        offered_txs: offered.len(),
        finalized_txs: latencies.len(),
        seconds,
        finalized_tx_per_s: latencies.len() as f64 / seconds,
        latency_p50_ms: percentile(&latencies, 0.5),
        latency_p99_ms: percentile(&latencies, 0.99),
    }
}

fn start_nodes(medledger: &Path, dir: &Path, summary: &TestnetSummary) -> anyhow::Result<Nodes> {
    let mut children = Vec::new();
    for (i, node) in summary.nodes.iter().enumerate() {
        let log = std::fs::File::create(dir.join(format!("node{i}.log")))?;
        children.push(
            Command::new(medledger)
                .args(["start", "--home", &node.home])
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .with_context(|| format!("cannot start {}", medledger.display()))?,
        );
    }
    Ok(Nodes {
        children,
        clients: summary
            .nodes
            .iter()
            .map(|n| NodeClient::new(&n.api))
            .collect(),
    })
}

async fn wait_for(
    seen: &Mutex<HashMap<String, Instant>>,
    offered: &[(String, Instant)],
    timeout: Duration,
) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let done = {
            let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            offered.iter().all(|(id, _)| seen.contains_key(id))
        };
        if done {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The transaction mix: 70 % IssueRecord from the clinic, 30 % Grant from patients.
#[derive(Clone)]
struct Mix {
    chain: ChainId,
    clinic: SigningKey,
    clinic_nonce: u64,
    patients: Vec<SigningKey>,
    patient_nonce: Vec<u64>,
    doctors: Vec<Address>,
}

impl Mix {
    fn next(&mut self, i: usize) -> SignedTx {
        let p = i % self.patients.len();
        if i % 10 < 7 {
            let record = RecordId::derive(&address(&self.clinic), self.clinic_nonce);
            let tx = sign(
                &self.clinic,
                self.chain,
                self.clinic_nonce,
                TxBody::IssueRecord {
                    record,
                    patient: address(&self.patients[p]),
                    ciphertext_sha256: Sha256Digest(record.0),
                    ciphertext_len: medledger_types::size_bucket::bucket(40_000),
                    wrapped_key: WrappedKey([7; WRAPPED_KEY_LEN]),
                    metadata: vec![0x5a; 1024],
                },
            );
            self.clinic_nonce += 1;
            tx
        } else {
            let tx = sign(
                &self.patients[p],
                self.chain,
                self.patient_nonce[p],
                TxBody::Grant {
                    grantee: self.doctors[i % self.doctors.len()],
                    scope: Scope::Open,
                    expires_at_ms: None,
                    keys: vec![],
                    // Two sealed copies of the terms, as long as a wallet's (opaque here).
                    terms: SealedTerms {
                        to_grantee: vec![(i % 251) as u8; SEALED_TERMS_LEN],
                        to_patient: vec![(i % 241) as u8; SEALED_TERMS_LEN],
                    },
                },
            );
            self.patient_nonce[p] += 1;
            tx
        }
    }
}

/// Signs `txs` transactions of `mix` and checks each one's signature `validators` times, split
/// across every core; how long that took.
fn machine_limit(mix: &Mix, txs: usize, validators: usize) -> anyhow::Result<LimitReport> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let per_core = txs.div_ceil(cores);
    let start = Instant::now();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores)
            .map(|core| {
                let mut mix = mix.clone();
                scope.spawn(move || -> anyhow::Result<()> {
                    for i in core * per_core..(core + 1) * per_core {
                        let tx = mix.next(i);
                        for _ in 0..validators {
                            medledger_state::rules::verify_signature(&tx)
                                .map_err(|e| anyhow::anyhow!("{e}"))?;
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().map_err(|_| anyhow::anyhow!("a worker panicked"))?)
    })?;
    let seconds = start.elapsed().as_secs_f64();
    let done = per_core * cores;
    Ok(LimitReport {
        cores,
        txs: done,
        seconds,
        tx_per_s: done as f64 / seconds,
    })
}

async fn run(args: &Args, dir: &Path) -> anyhow::Result<BenchReport> {
    let medledger = match &args.medledger {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("medledger"),
    };
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as u64;
    let clinic = ClinicKey::generate("Bench Clinic", &mut rand::rng());
    let founding = FoundingClinic {
        name: clinic.name.clone(),
        share_code: clinic.keys().public().share_code(),
    };
    let summary = medledger_node::testnet::generate(
        &dir.join("net"),
        args.validators,
        0,
        args.base_port,
        medledger_node::testnet::ChainSettings::named("medledger-bench"),
        &[founding],
        now_ms,
    )?;
    let chain = ChainId::from_hex(&summary.chain_id).map_err(|e| anyhow::anyhow!("{e}"))?;
    let clinic_key = clinic.keys().signing_key().clone();
    let doctors: Vec<SigningKey> = (0..8).map(|i| key_for(0xd0, i)).collect();
    let patients: Vec<SigningKey> = (0..args.patients).map(|i| key_for(0xa0, i)).collect();
    let mut mix = Mix {
        chain,
        clinic: clinic_key.clone(),
        clinic_nonce: doctors.len() as u64,
        patient_nonce: vec![1; patients.len()],
        patients: patients.clone(),
        doctors: doctors.iter().map(address).collect(),
    };
    // The machine's limit, on idle cores (the network is not started yet).
    let limit = machine_limit(&mix, args.txs.min(20_000), args.validators)?;
    let nodes = start_nodes(&medledger, dir, &summary)?;
    let deadline = Instant::now() + Duration::from_secs(60);
    for node in &nodes.clients {
        while height(node).await.is_none_or(|h| h < 2) {
            if Instant::now() > deadline {
                bail!(
                    "the network did not start (see {}/node*.log)",
                    dir.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    // Accounts: patients, and doctors registered by the clinic.
    let mut setup: Vec<SignedTx> = patients
        .iter()
        .map(|p| {
            sign(
                p,
                chain,
                0,
                TxBody::RegisterPatient {
                    receiving: ReceivingKey([1; 32]),
                },
            )
        })
        .collect();
    for (nonce, d) in doctors.iter().enumerate() {
        setup.push(sign(
            &clinic_key,
            chain,
            nonce as u64,
            TxBody::RegisterDoctor {
                doctor: PublicKey(d.verifying_key().to_bytes()),
                receiving: ReceivingKey([2; 32]),
                display_name: "Dr. Bench".into(),
                licence: "B-1".into(),
                consent: medledger_client::doctor_consent::sign(
                    d,
                    &ReceivingKey([2; 32]),
                    chain,
                    &Address::of(&PublicKey(clinic_key.verifying_key().to_bytes())),
                    "Dr. Bench",
                    "B-1",
                ),
            },
        ));
    }
    submit_all(&nodes.clients, &setup).await?;
    let last = setup.last().map(SignedTx::id).context("no setup")?;
    let status = nodes.clients[0].wait_tx(&last, 30_000).await?;
    if status.height.is_none() {
        bail!("setup transactions did not commit");
    }

    let seen = Arc::new(Mutex::new(HashMap::new()));
    let watcher = tokio::spawn(watch(nodes.clients[0].clone(), seen.clone()));
    let (stop_reading, reading) = tokio::sync::watch::channel(false);
    let reader = tokio::spawn(read_pages(
        nodes.clients[nodes.clients.len() - 1].clone(),
        address(&mix.patients[0]),
        reading,
    ));

    // Phase 1: everything at once.
    let peak_txs: Vec<SignedTx> = (0..args.txs).map(|i| mix.next(i)).collect();
    let mut offered = Vec::with_capacity(peak_txs.len());
    for chunk in peak_txs.chunks(1000) {
        let t = Instant::now();
        submit_all(&nodes.clients, chunk).await?;
        offered.extend(chunk.iter().map(|tx| (tx.id().to_hex(), t)));
    }
    wait_for(&seen, &offered, Duration::from_secs(120)).await;
    let peak = report(&offered, &seen.lock().unwrap_or_else(|e| e.into_inner()));

    // Phase 2: half the measured rate, steadily, in batches every 100 ms.
    let rate = (peak.finalized_tx_per_s / 2.0).max(10.0);
    let per_tick = ((rate / 10.0).round() as usize).max(1);
    let ticks = args.latency_seconds * 10;
    let mut offered = Vec::new();
    let start = Instant::now();
    for tick in 0..ticks {
        let batch: Vec<SignedTx> = (0..per_tick)
            .map(|k| mix.next(args.txs + tick as usize * per_tick + k))
            .collect();
        let t = Instant::now();
        submit_all(&nodes.clients, &batch).await?;
        offered.extend(batch.iter().map(|tx| (tx.id().to_hex(), t)));
        let due = start + Duration::from_millis(100 * (tick + 1));
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }
    wait_for(&seen, &offered, Duration::from_secs(60)).await;
    let half_load = report(&offered, &seen.lock().unwrap_or_else(|e| e.into_inner()));
    watcher.abort();
    let _ = stop_reading.send(true);
    let records_page = reader.await.context("the reader failed")?;
    Ok(BenchReport {
        validators: args.validators,
        peak_fraction_of_limit: peak.finalized_tx_per_s / limit.tx_per_s,
        machine_limit: limit,
        peak,
        half_load,
        records_page,
    })
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let tmp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let report = tokio::runtime::Runtime::new()?.block_on(run(&args, &dir))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
