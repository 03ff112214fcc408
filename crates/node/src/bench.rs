//! `medledger bench`: a load generator against a real validator network on loopback.
//!
//! It writes a testnet, starts one `medledger start` process per validator, registers patients
//! and doctors, then submits a realistic mix (70 % IssueRecord from a clinic, 30 % Grant from
//! patients) to every node in batches, and follows finalized blocks to time each transaction
//! from submission to finality. Phase 1 pushes as fast as the network takes transactions
//! (throughput); phase 2 offers half that rate steadily (latency at half load).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use medledger_types::category::Category;
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, ChainId, PublicKey, ReceivingKey, RecordId, Sha256Digest};
use medledger_types::tx::{Scope, SignedTx, Tx, TxBody, WRAPPED_KEY_LEN, WrappedKey};
use medwallet_crypto::{Namespace, SigningKey};
use serde::Serialize;
use serde_json::Value;

use crate::clinic_key::ClinicKey;

/// Benchmark parameters.
pub struct BenchConfig {
    pub validators: usize,
    pub txs: usize,
    pub patients: usize,
    pub base_port: u16,
    pub dir: PathBuf,
    pub latency_seconds: u64,
}

/// What was measured.
#[derive(Serialize)]
pub struct BenchReport {
    pub validators: usize,
    pub peak: PhaseReport,
    pub half_load: PhaseReport,
}

#[derive(Serialize)]
pub struct PhaseReport {
    pub offered_txs: usize,
    pub finalized_txs: usize,
    pub seconds: f64,
    pub finalized_tx_per_s: f64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
}

struct Nodes {
    children: Vec<Child>,
    apis: Vec<String>,
}

impl Drop for Nodes {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn sign(chain: ChainId, key: &SigningKey, nonce: u64, body: TxBody) -> SignedTx {
    let tx = Tx {
        chain,
        author: PublicKey(key.verifying_key().to_bytes()),
        nonce,
        body,
    };
    let signature = medwallet_crypto::sign(key, Namespace::TX, &tx.signing_bytes()).to_bytes();
    SignedTx { tx, signature }
}

fn key_for(kind: u8, i: usize) -> SigningKey {
    let mut seed = [kind; 32];
    seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
    SigningKey::from_bytes(&seed)
}

/// Sends transactions to every node (concurrently) in batches of 1000.
fn submit_all(
    client: &reqwest::blocking::Client,
    apis: &[String],
    txs: &[SignedTx],
) -> anyhow::Result<()> {
    for chunk in txs.chunks(1000) {
        let body = serde_json::json!({ "txs": chunk.iter().map(|t| hex::encode(t.encode())).collect::<Vec<_>>() });
        std::thread::scope(|scope| {
            let handles: Vec<_> = apis
                .iter()
                .map(|api| {
                    let body = &body;
                    scope.spawn(move || -> anyhow::Result<()> {
                        let r = client
                            .post(format!("{api}/v1/txs/batch"))
                            .json(body)
                            .timeout(Duration::from_secs(60))
                            .send()
                            .context("submit")?;
                        if !r.status().is_success() {
                            bail!("batch refused by {api}: {}", r.text().unwrap_or_default());
                        }
                        Ok(())
                    })
                })
                .collect();
            handles.into_iter().try_for_each(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("submitter panicked"))?
            })
        })?;
    }
    Ok(())
}

fn height(client: &reqwest::blocking::Client, api: &str) -> Option<u64> {
    client
        .get(format!("{api}/v1/status"))
        .timeout(Duration::from_secs(5))
        .send()
        .ok()?
        .json::<Value>()
        .ok()?["height"]
        .as_u64()
}

/// Follows finalized blocks on one node, recording when each transaction id was first seen.
fn watch(
    client: reqwest::blocking::Client,
    api: String,
    seen: Arc<Mutex<HashMap<String, Instant>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) {
    let mut next = height(&client, &api).unwrap_or(0) + 1;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let tip = height(&client, &api).unwrap_or(0);
        while next <= tip {
            if let Ok(r) = client
                .get(format!("{api}/v1/blocks/{next}"))
                .timeout(Duration::from_secs(10))
                .send()
                && let Ok(block) = r.json::<Value>()
            {
                let now = Instant::now();
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                for id in block["tx_ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    seen.entry(id.to_owned()).or_insert(now);
                }
                next += 1;
            } else {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
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

fn start_nodes(dir: &Path, summary: &crate::testnet::TestnetSummary) -> anyhow::Result<Nodes> {
    let exe = std::env::current_exe()?;
    let mut children = Vec::new();
    for (i, node) in summary.nodes.iter().enumerate() {
        let log = std::fs::File::create(dir.join(format!("node{i}.log")))?;
        children.push(
            Command::new(&exe)
                .args(["start", "--home", &node.home])
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()?,
        );
    }
    Ok(Nodes {
        children,
        apis: summary.nodes.iter().map(|n| n.api.clone()).collect(),
    })
}

/// Runs the benchmark.
pub fn run(cfg: &BenchConfig) -> anyhow::Result<BenchReport> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as u64;
    let summary = crate::testnet::generate(
        &cfg.dir.join("net"),
        cfg.validators,
        0,
        cfg.base_port,
        "medledger-bench",
        now_ms,
    )?;
    let chain = ChainId::from_hex(&summary.chain_id).map_err(|e| anyhow::anyhow!("{e}"))?;
    let nodes = start_nodes(&cfg.dir, &summary)?;
    let client = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while nodes
        .apis
        .iter()
        .any(|a| height(&client, a).is_none_or(|h| h < 2))
    {
        if Instant::now() > deadline {
            bail!(
                "the network did not start (see {}/node*.log)",
                cfg.dir.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    // Accounts: patients, and doctors registered by the demo clinic.
    let clinic = ClinicKey::read(Path::new(&summary.clinic_key))?.keys();
    let clinic_key = clinic.signing_key().clone();
    let clinic_addr = Address::of(&PublicKey(clinic_key.verifying_key().to_bytes()));
    let doctors: Vec<SigningKey> = (0..8).map(|i| key_for(0xd0, i)).collect();
    let patients: Vec<SigningKey> = (0..cfg.patients).map(|i| key_for(0xa0, i)).collect();
    let mut clinic_nonce = 0u64;
    let mut setup: Vec<SignedTx> = patients
        .iter()
        .map(|p| {
            sign(
                chain,
                p,
                0,
                TxBody::RegisterPatient {
                    receiving: ReceivingKey([1; 32]),
                },
            )
        })
        .collect();
    for d in &doctors {
        setup.push(sign(
            chain,
            &clinic_key,
            clinic_nonce,
            TxBody::RegisterDoctor {
                doctor: PublicKey(d.verifying_key().to_bytes()),
                receiving: ReceivingKey([2; 32]),
                display_name: "Dr. Bench".into(),
                licence: "B-1".into(),
            },
        ));
        clinic_nonce += 1;
    }
    submit_all(&client, &nodes.apis, &setup)?;
    let last = setup.last().map(|t| t.id().to_hex()).unwrap_or_default();
    let status: Value = client
        .get(format!("{}/v1/txs/{last}?wait_ms=30000", nodes.apis[0]))
        .send()?
        .json()?;
    if status["status"] != "committed" {
        bail!("setup transactions did not commit");
    }

    let mut patient_nonce = vec![1u64; patients.len()];
    let mut next_tx = |i: usize| -> SignedTx {
        let p = i % patients.len();
        if i % 10 < 7 {
            let record = RecordId::derive(&clinic_addr, clinic_nonce);
            let tx = sign(
                chain,
                &clinic_key,
                clinic_nonce,
                TxBody::IssueRecord {
                    record,
                    patient: Address::of(&PublicKey(patients[p].verifying_key().to_bytes())),
                    ciphertext_sha256: Sha256Digest(record.0),
                    ciphertext_len: 40_000,
                    wrapped_key: WrappedKey([7; WRAPPED_KEY_LEN]),
                    metadata: vec![0x5a; 160],
                    category: Category::ALL[i % Category::ALL.len()],
                },
            );
            clinic_nonce += 1;
            tx
        } else {
            let doctor = Address::of(&PublicKey(
                doctors[i % doctors.len()].verifying_key().to_bytes(),
            ));
            let tx = sign(
                chain,
                &patients[p],
                patient_nonce[p],
                TxBody::Grant {
                    grantee: doctor,
                    scope: Scope::Category(Category::ALL[i % 6]),
                    expires_at_ms: None,
                    keys: vec![],
                },
            );
            patient_nonce[p] += 1;
            tx
        }
    };

    let seen = Arc::new(Mutex::new(HashMap::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (seen, stop, api) = (seen.clone(), stop.clone(), nodes.apis[0].clone());
        std::thread::spawn(move || watch(reqwest::blocking::Client::new(), api, seen, stop))
    };

    // Phase 1: everything at once.
    let peak_txs: Vec<SignedTx> = (0..cfg.txs).map(&mut next_tx).collect();
    let mut offered = Vec::with_capacity(peak_txs.len());
    for chunk in peak_txs.chunks(1000) {
        let t = Instant::now();
        submit_all(&client, &nodes.apis, chunk)?;
        offered.extend(chunk.iter().map(|tx| (tx.id().to_hex(), t)));
    }
    wait_for(&seen, &offered, Duration::from_secs(120));
    let peak = report(&offered, &seen.lock().unwrap_or_else(|e| e.into_inner()));

    // Phase 2: half the measured rate, steadily, in batches every 100 ms.
    let rate = (peak.finalized_tx_per_s / 2.0).max(10.0);
    let per_tick = ((rate / 10.0).round() as usize).max(1);
    let ticks = cfg.latency_seconds * 10;
    let mut offered = Vec::new();
    let start = Instant::now();
    for tick in 0..ticks {
        let batch: Vec<SignedTx> = (0..per_tick)
            .map(|k| next_tx(cfg.txs + tick as usize * per_tick + k))
            .collect();
        let t = Instant::now();
        submit_all(&client, &nodes.apis, &batch)?;
        offered.extend(batch.iter().map(|tx| (tx.id().to_hex(), t)));
        let due = start + Duration::from_millis(100 * (tick + 1));
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    wait_for(&seen, &offered, Duration::from_secs(60));
    let half_load = report(&offered, &seen.lock().unwrap_or_else(|e| e.into_inner()));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = watcher.join();
    Ok(BenchReport {
        validators: cfg.validators,
        peak,
        half_load,
    })
}

fn wait_for(
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
        std::thread::sleep(Duration::from_millis(50));
    }
}
