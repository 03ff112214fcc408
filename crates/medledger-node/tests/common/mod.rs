//! What the real-process tests share: free ports, a `medledger` process per node home, and
//! polling its API.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A base port with 3N free ports after it (p2p, API, metrics), distinct for every call in this process (tests run
/// in parallel).
pub fn free_base_port(nodes: usize) -> u16 {
    static CALLS: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let start = 20_000 + (std::process::id() % 10_000) as u16 + call * 1000;
    (0..200u16)
        .map(|k| start + k * 16)
        .find(|&base| {
            (0..3 * nodes as u16).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok())
        })
        .expect("free ports")
}

/// One node's home and, while it runs, its process.
pub struct Node {
    pub home: PathBuf,
    pub api: String,
    pub metrics: String,
    pub child: Option<Child>,
    pub log: PathBuf,
}

impl Node {
    pub fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_medledger"))
            .args(["start", "--home"])
            .arg(&self.home)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn medledger");
        self.child = Some(child);
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
        }
    }
}

impl Node {
    /// SIGTERM; the exit status once it stopped (within `timeout`).
    pub fn terminate(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if start.elapsed() > timeout {
                let _ = child.kill();
                panic!("the node did not stop within {timeout:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn get(client: &reqwest::blocking::Client, url: &str) -> Option<Value> {
    client
        .get(url)
        .timeout(Duration::from_secs(5))
        .send()
        .ok()?
        .json()
        .ok()
}

pub fn height(client: &reqwest::blocking::Client, node: &Node) -> Option<u64> {
    get(client, &format!("{}/v1/status", node.api))?["height"].as_u64()
}

pub fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A `medledger testnet` of `nodes` homes (validators, then followers, as `args` ask) under
/// `dir`, on free ports; its summary and the nodes, none started.
pub fn testnet(dir: &Path, nodes: usize, args: &[&str]) -> (Value, Vec<Node>) {
    let base = free_base_port(nodes);
    let out = dir.join("net");
    let summary = Command::new(env!("CARGO_BIN_EXE_medledger"))
        .arg("testnet")
        .args(args)
        .args(["--base-port", &base.to_string(), "--out"])
        .arg(&out)
        .output()
        .expect("testnet");
    assert!(
        summary.status.success(),
        "{}",
        String::from_utf8_lossy(&summary.stderr)
    );
    let summary: Value = serde_json::from_slice(&summary.stdout).expect("summary");
    let nodes = (0..nodes)
        .map(|i| Node {
            home: out.join(format!("node{i}")),
            api: summary["nodes"][i]["api"].as_str().expect("api").to_owned(),
            metrics: summary["nodes"][i]["metrics"]
                .as_str()
                .expect("metrics")
                .to_owned(),
            child: None,
            log: dir.join(format!("node{i}.log")),
        })
        .collect();
    (summary, nodes)
}
