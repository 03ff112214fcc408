//! The desktop wallet's start-up figures, in its real webview: cold start to an interactive
//! timeline with 10,000 records in the local cache, and the memory (PSS) of the app and its
//! WebKit processes. `make bench-desktop` builds the release app and runs this under Xvfb with
//! tauri-driver on port 4444.
//!
//! Each run is a new app process on a profile prepared here: a wallet restored from a fresh
//! phrase with the app's own keystore cost (Argon2id, 64 MiB, t = 3), whose sealed cache holds
//! N record summaries made from the Synthea fixtures (one per visit, cycled). The nodes point
//! at a closed port, so the app starts offline, as a patient opening it on a train would.
//!
//! Timed, per run:
//! - launch: from the WebDriver new-session request (tauri-driver starts the app) to the unlock
//!   screen's password field being present;
//! - unlock: from the click on Unlock (keystore KDF, cache decryption, records view, render)
//!   to the first record of the timeline being present;
//! - then, after 2 s of quiet, PSS summed over the app and every process it started.
//!
//! An empty wallet is run side by side, so the cost of the 10k records shows as a difference.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use medwallet_app::{App, Settings, system_clock};
use medwallet_core::cache::Cached;
use medwallet_core::{RecordSummary, Relationship, seal_cache};
use medwallet_crypto::{AccountKeys, KdfParams, RecoveryPhrase};
use medwallet_store::WalletDir;
use serde_json::json;
use sha2::{Digest, Sha256};

#[path = "common/figures.rs"]
mod figures;
use figures::{run_count, synthea_files};

const PASSWORD: &str = "figures password 1";

fn main() -> Result<()> {
    let app = PathBuf::from(std::env::var("MEDWALLET_FIGURES_APP").context(
        "MEDWALLET_FIGURES_APP is not set: run `make bench-desktop` (it starts tauri-driver)",
    )?);
    let app = app.canonicalize().context("the app binary")?;
    let work = PathBuf::from(std::env::var("MEDWALLET_FIGURES_WORK").context("work dir")?);
    let count: usize = std::env::var("MEDWALLET_FIGURES_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let summaries = synthea_summaries(count)?;
    let rt = tokio::runtime::Runtime::new()?;
    let mut report = Vec::new();
    let full = format!("{count} records");
    for (label, records) in [
        ("empty wallet", &summaries[..0]),
        (full.as_str(), &summaries[..]),
    ] {
        let profile = work.join(format!("figures-{}", records.len()));
        let in_process = prepare_profile(&profile, records)?;
        let mut runs = Vec::new();
        for i in 0..run_count() {
            let run = rt.block_on(one_run(&app, &profile, !records.is_empty()))?;
            println!(
                "{label} run {}: launch {} ms, unlock to timeline {} ms, total {} ms, PSS {:.1} MiB ({})",
                i + 1,
                run.launch.as_millis(),
                run.unlock.as_millis(),
                (run.launch + run.unlock).as_millis(),
                run.pss_kib as f64 / 1024.0,
                run.breakdown
            );
            runs.push(run);
        }
        report.push((label, records.len(), in_process, runs));
    }
    println!(
        "\nmedian of {} runs (app process start to interactive; offline):",
        run_count()
    );
    for (label, n, in_process, runs) in &report {
        let launch = median(runs.iter().map(|r| r.launch.as_secs_f64() * 1e3).collect());
        let unlock = median(runs.iter().map(|r| r.unlock.as_secs_f64() * 1e3).collect());
        let total = median(
            runs.iter()
                .map(|r| (r.launch + r.unlock).as_secs_f64() * 1e3)
                .collect(),
        );
        let worst = runs
            .iter()
            .map(|r| (r.launch + r.unlock).as_secs_f64() * 1e3)
            .fold(0.0, f64::max);
        let pss = median(runs.iter().map(|r| r.pss_kib as f64 / 1024.0).collect());
        println!(
            "  {label:13} ({n:5} records): launch {launch:6.0} ms + unlock {unlock:6.0} ms = {total:6.0} ms (worst {worst:.0} ms); PSS {pss:6.1} MiB; in-process unlock {:.0} ms, records view {:.0} ms",
            in_process.unlock.as_secs_f64() * 1e3,
            in_process.records.as_secs_f64() * 1e3,
        );
    }
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Record summaries as a clinic's per-visit records of the Synthea patients would give them,
/// cycled to `count` with distinct ids and ledger heights.
fn synthea_summaries(count: usize) -> Result<Vec<RecordSummary>> {
    let mut drafts = Vec::new();
    for file in synthea_files()? {
        let bytes = std::fs::read(&file)?;
        for d in medwallet_fhir::records_from(&bytes, true)
            .with_context(|| format!("{}", file.display()))?
        {
            let digest = Sha256::digest(&d.bytes);
            drafts.push((d.category.code(), d.title, d.date, digest, d.bytes.len()));
        }
    }
    if drafts.is_empty() {
        bail!("no Synthea bundles found");
    }
    let clinics = [[0x11u8; 32], [0x22; 32], [0x33; 32]];
    Ok((0..count)
        .map(|i| {
            let (category, title, date, digest, len) = &drafts[i % drafts.len()];
            let id = Sha256::digest(format!("record {i}"));
            RecordSummary {
                id: hex::encode(id),
                clinic: hex::encode(clinics[i % clinics.len()]),
                category: (*category).into(),
                title: title.clone(),
                date: date.clone(),
                issued_height: 10 + i as u64,
                verified_height: 10 + count as u64,
                ciphertext_sha256: hex::encode(digest),
                ciphertext_len: *len as u64 + 16,
                wrapped_key: hex::encode([i as u8; 81]),
                unreadable: false,
                visit: None,
                account: (i % clinics.len()) as u32,
                erased: false,
                file: None,
            }
        })
        .collect())
}

/// What unlocking costs inside the process, without the webview.
struct InProcess {
    unlock: Duration,
    records: Duration,
}

/// A wallet directory with the app's keystore cost and `records` in its sealed cache.
fn prepare_profile(profile: &Path, records: &[RecordSummary]) -> Result<InProcess> {
    if profile.exists() {
        std::fs::remove_dir_all(profile)?;
    }
    let settings = Settings {
        // Port 9 (discard) is closed here: the app starts offline and says so.
        nodes: vec!["http://127.0.0.1:9".into()],
        genesis_path: None,
        chain_id: None,
        auto_lock_minutes: 30,
        devnet: false,
    };
    let app = App::new(profile, settings, KdfParams::RFC9106_SECOND, system_clock())
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let phrase = RecoveryPhrase::generate(&mut rand::rng());
    app.restore(&phrase.words(), PASSWORD)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    app.save_settings(vec!["http://127.0.0.1:9".into()], 30)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    app.lock();
    let keys = AccountKeys::derive(&phrase);
    let sealed = seal_cache(
        &keys,
        medledger_types::hash::ChainId([1; 32]),
        &Cached {
            records: records.to_vec(),
            relationships: (0..3)
                .map(|account| Relationship {
                    account,
                    label: String::new(),
                    address: None,
                })
                .collect(),
        },
        &mut rand::rng(),
    )?;
    WalletDir::new(profile).save_cache(&sealed)?;

    let start = Instant::now();
    app.unlock(PASSWORD)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let unlock = start.elapsed();
    let start = Instant::now();
    let items = app
        .records()
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let json = serde_json::to_vec(&items)?;
    let records_time = start.elapsed();
    if items.len() != records.len() {
        bail!(
            "the cache held {} of {} records",
            items.len(),
            records.len()
        );
    }
    println!(
        "profile {}: {} records, records view {} KiB as JSON",
        profile.display(),
        items.len(),
        json.len() / 1024
    );
    app.lock();
    Ok(InProcess {
        unlock,
        records: records_time,
    })
}

struct Run {
    launch: Duration,
    unlock: Duration,
    pss_kib: u64,
    breakdown: String,
}

async fn one_run(app: &Path, profile: &Path, has_records: bool) -> Result<Run> {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app, "args": ["--home", profile] }),
    );
    caps.insert("browserName".into(), json!("wry"));
    let start = Instant::now();
    let c = ClientBuilder::rustls()?
        .capabilities(caps)
        .connect("http://127.0.0.1:4444")
        .await
        .context("cannot reach tauri-driver on port 4444")?;
    let password = poll(&c, "[data-testid='unlock-password']").await?;
    let launch = start.elapsed();
    password.send_keys(PASSWORD).await?;
    let submit = c
        .find(Locator::Css("[data-testid='unlock-submit']"))
        .await?;
    let start = Instant::now();
    submit.click().await?;
    let shown = if has_records {
        "[data-testid='record-item']"
    } else {
        "[data-testid='empty-records']"
    };
    poll(&c, shown).await?;
    let unlock = start.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (pss_kib, breakdown) = pss_of_app(app)?;
    c.close().await?;
    // The app exits with its session; the next run starts it anew.
    for _ in 0..100 {
        if pids_of(app)?.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(Run {
        launch,
        unlock,
        pss_kib,
        breakdown,
    })
}

/// Polls every 5 ms (WebDriver's own implicit wait would round the figure up).
async fn poll(c: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    let start = Instant::now();
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            return Ok(e);
        }
        if start.elapsed() > Duration::from_secs(60) {
            bail!("{css} did not appear within a minute");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Processes whose executable is `app`.
fn pids_of(app: &Path) -> Result<Vec<u32>> {
    Ok(processes()?
        .into_iter()
        .filter(|p| p.exe.as_deref() == Some(app))
        .map(|p| p.pid)
        .collect())
}

struct Process {
    pid: u32,
    ppid: u32,
    name: String,
    exe: Option<PathBuf>,
}

fn processes() -> Result<Vec<Process>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        // A process may end while being read: skip it.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_owned();
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let exe = std::fs::read_link(entry.path().join("exe")).ok();
        out.push(Process {
            pid,
            ppid,
            name,
            exe,
        });
    }
    Ok(out)
}

/// PSS (KiB) of the app and all its descendants (WebKitWebProcess, WebKitNetworkProcess, and
/// any sandbox helper between them), with a per-process breakdown.
fn pss_of_app(app: &Path) -> Result<(u64, String)> {
    let all = processes()?;
    let roots: Vec<u32> = all
        .iter()
        .filter(|p| p.exe.as_deref() == Some(app))
        .map(|p| p.pid)
        .collect();
    if roots.len() != 1 {
        bail!("expected one app process, found {}", roots.len());
    }
    let mut children: HashMap<u32, Vec<&Process>> = HashMap::new();
    for p in &all {
        children.entry(p.ppid).or_default().push(p);
    }
    let mut stack = roots.clone();
    let mut total = 0;
    let mut parts = Vec::new();
    let by_pid: HashMap<u32, &Process> = all.iter().map(|p| (p.pid, p)).collect();
    while let Some(pid) = stack.pop() {
        let pss = pss_kib(pid)?;
        total += pss;
        let name = by_pid.get(&pid).map_or("?", |p| p.name.as_str());
        parts.push(format!("{name} {:.1}", pss as f64 / 1024.0));
        stack.extend(children.get(&pid).into_iter().flatten().map(|p| p.pid));
    }
    Ok((total, parts.join(", ")))
}

fn pss_kib(pid: u32) -> Result<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .with_context(|| format!("reading /proc/{pid}/smaps_rollup"))?;
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no Pss line in smaps_rollup")
}
