//! A large record end to end: a generated imaging study (1 GiB by default) issued by the real
//! `medclinic issue-file`, replicated by three real `medledger` validator processes, and saved by
//! the real `medwallet show --out`, on loopback. `make bench-large` runs this.
//!
//! Measured in the same run:
//! - raw ChaCha20-Poly1305 (and SHA-256) over 256 MiB in 64 KiB chunks, in memory: the
//!   machine's limit for the envelope's work;
//! - issuing (seal to a temporary file, hash, upload, IssueRecord final), replication (until
//!   every node holds the ciphertext), saving (download into the wallet, check, decrypt, write);
//!   each as MB/s and as a fraction of raw ChaCha20-Poly1305;
//! - peak RSS of each program (VmHWM, read while it runs), beside the same program moving a
//!   1 KiB file: the difference is what the size costs in memory. The nodes' peak RSS before
//!   and after.
//!
//! `MEDWALLET_LARGE_BYTES` sets the study's size; `MEDWALLET_LARGE_DIR` where the files go
//! (about 7 times the size in all). The programs are `target/release`'s: build them first
//! (`make bench-large` does).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use serde_json::Value;
use sha2::{Digest, Sha256};

const PASSWORD: &str = "large record bench";
const RAW_LEN: usize = 256 << 20;

/// `target/release`, where this bench's own binary sits under `deps/`.
fn release_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .context("no target directory")
}

fn program(name: &str) -> Result<PathBuf> {
    let path = release_dir()?.join(name);
    if !path.exists() {
        bail!(
            "{} is missing: build it first (cargo build --release -p medledger-node -p medledger-issuer -p medwallet-cli)",
            path.display()
        );
    }
    Ok(path)
}

/// A process's peak resident set so far, in KiB (`None` once it has exited).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs `command` to the end, watching its peak RSS; its time, peak (KiB) and JSON answer.
fn measured(command: &mut Command) -> Result<(Duration, u64, Value)> {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        peak = peak.max(peak_kib(child.id()).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = start.elapsed();
    let mut out = String::new();
    child
        .stdout
        .take()
        .context("stdout")?
        .read_to_string(&mut out)?;
    if !status.success() {
        bail!("{command:?} failed: {out}");
    }
    Ok((took, peak, serde_json::from_str(&out)?))
}

/// Waits until the files written so far are on disk (`sync`), so that one program's writes
/// are not timed in the next one's run.
fn settle() -> Result<()> {
    if !Command::new("sync").status()?.success() {
        bail!("sync failed");
    }
    Ok(())
}

/// The validator processes, stopped when dropped.
struct Nodes(Vec<Child>);

impl Drop for Nodes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn gbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e9
}

/// The best of three passes of `f` over `RAW_LEN` bytes, in GB/s.
fn best_rate(mut f: impl FnMut(&mut [u8])) -> f64 {
    let mut buf = vec![7u8; RAW_LEN];
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f(&mut buf);
            gbps(RAW_LEN, start.elapsed())
        })
        .fold(0.0, f64::max)
}

fn raw_chacha() -> f64 {
    let cipher = ChaCha20Poly1305::new(&[1u8; 32].into());
    best_rate(|buf| {
        for (i, chunk) in buf.chunks_mut(64 << 10).enumerate() {
            let mut nonce = [0u8; 12];
            nonce[..8].copy_from_slice(&(i as u64).to_be_bytes());
            let tag = cipher
                .encrypt_inout_detached(&nonce.into(), b"", chunk.into())
                .expect("encrypt");
            std::hint::black_box(tag);
        }
    })
}

fn raw_sha256() -> f64 {
    best_rate(|buf| {
        std::hint::black_box(Sha256::digest(&*buf));
    })
}

/// A study-sized file of incompressible bytes with a DICOM preamble ("DICM" at 128).
fn write_study(path: &Path, len: u64) -> Result<[u8; 32]> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut hasher = Sha256::new();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut block = vec![0u8; 1 << 20];
    let mut left = len;
    let mut first = true;
    while left > 0 {
        for word in block.chunks_mut(8) {
            // xorshift64*: fast, and nothing a compressor could shrink.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            word.copy_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        if first {
            block[..128].fill(0);
            block[128..132].copy_from_slice(b"DICM");
            first = false;
        }
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n])?;
        hasher.update(&block[..n]);
        left -= n as u64;
    }
    out.flush()?;
    Ok(hasher.finalize().into())
}

fn sha256_of(path: &Path) -> Result<[u8; 32]> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buf[..n]);
    }
}

/// Whether every node's blob store holds a file of `len` bytes.
fn replicated(homes: &[PathBuf], len: u64) -> bool {
    homes.iter().all(|home| {
        let blobs = home.join("data").join("blobs");
        std::fs::read_dir(&blobs)
            .into_iter()
            .flatten()
            .flatten()
            .any(|dir| {
                std::fs::read_dir(dir.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                    .any(|f| {
                        let name = f.file_name();
                        !name.to_string_lossy().starts_with('.')
                            && f.metadata().is_ok_and(|m| m.len() == len)
                    })
            })
    })
}

struct Side {
    took: Duration,
    peak_kib: u64,
    /// The same program moving a 1 KiB file: what does not depend on the size.
    small_took: Duration,
    small_peak_kib: u64,
}

impl Side {
    fn growth_mb(&self) -> f64 {
        (self.peak_kib.saturating_sub(self.small_peak_kib)) as f64 * 1024.0 / 1e6
    }
}

fn main() -> Result<()> {
    let size: u64 = std::env::var("MEDWALLET_LARGE_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 30);
    let work = match std::env::var_os("MEDWALLET_LARGE_DIR") {
        Some(dir) => tempfile::tempdir_in(dir)?,
        None => tempfile::tempdir()?,
    };
    let (medledger, medclinic, medwallet) = (
        program("medledger")?,
        program("medclinic")?,
        program("medwallet")?,
    );

    eprintln!("raw ChaCha20-Poly1305 and SHA-256 over 256 MiB…");
    let chacha = raw_chacha();
    let sha = raw_sha256();

    let devnet = medledger_devnet::Devnet::write(work.path(), 3, "large-record");
    let homes: Vec<PathBuf> = (0..3)
        .map(|i| devnet.dir.join(format!("node{i}")))
        .collect();
    let mut nodes = Nodes(Vec::new());
    for home in &homes {
        nodes.0.push(
            Command::new(&medledger)
                .arg("start")
                .arg("--home")
                .arg(home)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(home.join("node.log"))?)
                .spawn()?,
        );
    }
    let apis = devnet.apis();
    std::thread::sleep(Duration::from_secs(2));
    for (home, child) in homes.iter().zip(&mut nodes.0) {
        if let Some(status) = child.try_wait()? {
            bail!(
                "the node at {} stopped ({status}): {}",
                home.display(),
                std::fs::read_to_string(home.join("node.log")).unwrap_or_default()
            );
        }
    }
    for api in &apis {
        medledger_devnet::wait_finalized(api, 1);
    }
    let genesis = devnet.genesis_path();
    let node_args: Vec<String> = apis
        .iter()
        .flat_map(|a| ["--node".into(), a.clone()])
        .collect();

    let wallet = work.path().join("wallet");
    let wallet_cmd = |args: &[&str]| {
        let mut c = Command::new(&medwallet);
        c.arg("--wallet")
            .arg(&wallet)
            .args(args)
            .env("MEDWALLET_PASSWORD", PASSWORD)
            .env_remove("MEDWALLET_NODES");
        c
    };
    let (_, _, init) = measured(&mut wallet_cmd(&["init", "--json"]))?;
    let code = init["share_code"]
        .as_str()
        .context("share code")?
        .to_owned();
    let mut register = wallet_cmd(&["register", "--json", "--genesis"]);
    register.arg(&genesis).args(&node_args);
    measured(&mut register)?;

    let small = work.path().join("small.dcm");
    write_study(&small, 1024)?;
    let study = work.path().join("study.dcm");
    eprintln!("writing a {size}-byte study…");
    let study_sha = write_study(&study, size)?;

    let issue = |file: &Path| -> Result<(Duration, u64, Value)> {
        let mut c = Command::new(&medclinic);
        c.arg("issue-file")
            .arg("--key")
            .arg(devnet.clinic_key_path())
            .arg("--genesis")
            .arg(&genesis)
            .args(&node_args)
            .args(["--patient", &code, "--title", "CT chest", "--file"])
            .arg(file);
        measured(&mut c)
    };
    let save = |id: &str, out: &Path| -> Result<(Duration, u64, Value)> {
        let mut c = wallet_cmd(&["show", id, "--json", "--out"]);
        c.arg(out).args(&node_args);
        measured(&mut c)
    };

    let (small_issue_took, small_issue_peak, small_issued) = issue(&small)?;
    let nodes_before: Vec<u64> = nodes
        .0
        .iter()
        .map(|c| peak_kib(c.id()).unwrap_or(0))
        .collect();
    // Each program starts with no other program's writes still going to disk.
    settle()?;
    eprintln!("issuing…");
    let (issue_took, issue_peak, issued) = issue(&study)?;
    let sealed = issued["size"].as_u64().context("size")?;
    let replicating = Instant::now();
    while !replicated(&homes, sealed) {
        if replicating.elapsed() > Duration::from_secs(600) {
            bail!("the nodes did not all replicate the study in 10 minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let replication = replicating.elapsed();

    let mut sync = wallet_cmd(&["sync", "--json"]);
    sync.args(&node_args);
    measured(&mut sync)?;
    let small_id = small_issued["record_id"].as_str().context("id")?;
    let (small_save_took, small_save_peak, _) = save(small_id, &work.path().join("small.out"))?;
    settle()?;
    eprintln!("saving…");
    let out = work.path().join("study.out");
    let (save_took, save_peak, _) = save(issued["record_id"].as_str().context("id")?, &out)?;
    if sha256_of(&out)? != study_sha {
        bail!("the saved study is not the one issued");
    }
    let nodes_after: Vec<u64> = nodes
        .0
        .iter()
        .map(|c| peak_kib(c.id()).unwrap_or(0))
        .collect();

    let clinic = Side {
        took: issue_took,
        peak_kib: issue_peak,
        small_took: small_issue_took,
        small_peak_kib: small_issue_peak,
    };
    let patient = Side {
        took: save_took,
        peak_kib: save_peak,
        small_took: small_save_took,
        small_peak_kib: small_save_peak,
    };
    let rate = |d: Duration| size as f64 / d.as_secs_f64() / 1e9;
    let end_to_end = issue_took + save_took;
    println!(
        "study: {size} bytes ({sealed} sealed), 3 validators on loopback, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "raw ChaCha20-Poly1305: {chacha:.2} GB/s; raw SHA-256: {sha:.2} GB/s (one core, in memory)"
    );
    for (name, side) in [
        ("issue (medclinic)", &clinic),
        ("save (medwallet)", &patient),
    ] {
        println!(
            "{name}: {:.2} s, {:.3} GB/s = {:.2} of raw ChaCha20-Poly1305 ({:.2} s for a 1 KiB file; the bytes alone {:.3} GB/s = {:.2}); peak RSS {:.1} MB, {:.1} MB above a 1 KiB file",
            side.took.as_secs_f64(),
            rate(side.took),
            rate(side.took) / chacha,
            side.small_took.as_secs_f64(),
            rate(side.took.saturating_sub(side.small_took)),
            rate(side.took.saturating_sub(side.small_took)) / chacha,
            side.peak_kib as f64 * 1024.0 / 1e6,
            side.growth_mb()
        );
    }
    println!(
        "replication to all 3 nodes after the issue: {:.2} s",
        replication.as_secs_f64()
    );
    println!(
        "issued to saved (issue + save): {:.2} s, {:.3} GB/s = {:.2} of raw ChaCha20-Poly1305",
        end_to_end.as_secs_f64(),
        rate(end_to_end),
        rate(end_to_end) / chacha
    );
    for (i, (before, after)) in nodes_before.iter().zip(&nodes_after).enumerate() {
        println!(
            "node {i}: peak RSS {:.1} MB before, {:.1} MB after",
            *before as f64 * 1024.0 / 1e6,
            *after as f64 * 1024.0 / 1e6
        );
    }
    println!(
        "{}",
        serde_json::json!({
            "bytes": size,
            "sealed": sealed,
            "raw_chacha_gbps": chacha,
            "raw_sha256_gbps": sha,
            "issue_s": clinic.took.as_secs_f64(),
            "issue_rss_growth_mb": clinic.growth_mb(),
            "replication_s": replication.as_secs_f64(),
            "save_s": patient.took.as_secs_f64(),
            "save_rss_growth_mb": patient.growth_mb(),
            "end_to_end_fraction_of_chacha": rate(end_to_end) / chacha,
            "node_peak_rss_mb_after": nodes_after.iter().map(|k| *k as f64 * 1024.0 / 1e6).collect::<Vec<_>>(),
        })
    );
    if std::env::var_os("MEDWALLET_LARGE_PAUSE").is_some() {
        // For profiling by hand: the network stays up until this process is stopped.
        eprintln!(
            "paused: wallet {} (record {}), nodes {}",
            wallet.display(),
            issued["record_id"],
            apis.join(" ")
        );
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    }
    drop(nodes);
    Ok(())
}
