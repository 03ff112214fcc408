//! The devnet the whole-system tests share: `medledger` validators running in this process (one
//! thread each, the production `run::start`) on free loopback ports, a demo clinic registered at
//! genesis, and a verified [`NetworkSource`] over them, as a wallet or a clinic holds one.
//!
//! ```no_run
//! let dir = tempfile::tempdir()?;
//! let devnet = medledger_devnet::Devnet::start(dir.path(), 1);
//! println!("node API at {}, genesis at {}", devnet.api(), devnet.genesis_path().display());
//! # Ok::<(), std::io::Error>(())
//! ```

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use medledger_issuer::ClinicKey;
use medledger_issuer::issue::{Clinic, Issued, issue};
use medledger_node::config::Home;
use medledger_node::testnet::{ChainSettings, FoundingClinic, TestnetSummary, generate};
use medledger_types::genesis::Genesis;
use medwallet_crypto::{AccountKeys, ShareCode};
use medwallet_net::{NetworkSource, NodeClient};

/// The demo clinic's name, as records carry it.
pub const CLINIC_NAME: &str = "Demo Clinic";

/// A running devnet.
pub struct Devnet {
    pub dir: PathBuf,
    pub summary: TestnetSummary,
    /// The demo clinic (the first founding clinic).
    pub clinic: ClinicKey,
    /// Every founding clinic, the demo clinic first.
    pub clinics: Vec<ClinicKey>,
    pub genesis: Genesis,
}

/// A base port with `count` free ports after it, distinct for every call in this process (tests
/// run in parallel; other test processes probe the same way).
pub fn free_base_port(count: u16) -> u16 {
    static CALLS: AtomicU16 = AtomicU16::new(0);
    let call = CALLS.fetch_add(1, Ordering::SeqCst);
    let start = 20_000 + (std::process::id() % 20_000) as u16 + call * 97;
    (0..400u16)
        .map(|k| start.wrapping_add(k * 16).max(20_000))
        .find(|&base| (0..count).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok()))
        .unwrap_or(start)
}

/// A Synthea patient from `tests/fixtures/fhir/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/fhir")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// The Synthea history the demo clinic issues.
pub const NED: &str = "Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json";

/// The shortest guardian-recovery delay on a test devnet's chain (its genesis says so).
pub const RECOVERY_MIN_DELAY_MS: u64 = 3_000;

fn now_ms() -> u64 {
    medledger_issuer::now_ms()
}

impl Devnet {
    /// `validators` validators in `dir`, started in this process; returns once every node has
    /// a finalized block.
    pub fn start(dir: &Path, validators: usize) -> Self {
        Self::start_with_clinics(dir, validators, &[])
    }

    /// [`Devnet::start`] with more founding clinics after the demo clinic, by name.
    pub fn start_with_clinics(dir: &Path, validators: usize, more: &[&str]) -> Self {
        let devnet = Self::write_with_clinics(dir, validators, "devnet-test", more);
        for i in 0..validators {
            devnet.start_node(i);
        }
        for api in devnet.apis() {
            wait_finalized(&api, 1);
        }
        devnet
    }

    /// The files of a devnet, not started.
    pub fn write(dir: &Path, validators: usize, chain: &str) -> Self {
        Self::write_with_clinics(dir, validators, chain, &[])
    }

    fn write_with_clinics(dir: &Path, validators: usize, chain: &str, more: &[&str]) -> Self {
        let clinics: Vec<ClinicKey> = std::iter::once(CLINIC_NAME)
            .chain(more.iter().copied())
            .map(|name| ClinicKey::generate(name, &mut rand_core_rng()))
            .collect();
        let founding: Vec<FoundingClinic> = clinics
            .iter()
            .map(|c| FoundingClinic {
                name: c.name.clone(),
                share_code: c.keys().public().share_code(),
            })
            .collect();
        let clinic = ClinicKey {
            name: clinics[0].name.clone(),
            phrase: medwallet_crypto::RecoveryPhrase::from_entropy(clinics[0].phrase.entropy()),
        };
        let out = dir.join("net");
        let base = free_base_port(3 * validators as u16);
        // Guardian recoveries on a test network take effect after seconds, by its genesis.
        let settings = ChainSettings {
            name: chain,
            recovery_min_delay_ms: RECOVERY_MIN_DELAY_MS,
            epoch_length: None,
        };
        let summary = generate(&out, validators, 0, base, settings, &founding, now_ms())
            .expect("write the devnet");
        clinic
            .write_new(&out.join("clinic.key"))
            .expect("write the clinic key");
        let genesis = Home::new(out.join("node0"))
            .genesis()
            .and_then(|g| Ok(g.to_genesis()?))
            .expect("genesis");
        Self {
            dir: out,
            summary,
            clinic,
            clinics,
            genesis,
        }
    }

    /// Starts node `i` in a thread of this process.
    pub fn start_node(&self, i: usize) {
        let home = Home::new(self.dir.join(format!("node{i}")));
        std::thread::spawn(move || {
            let _ = medledger_node::run::start(&home);
        });
    }

    /// Node 0's API URL.
    pub fn api(&self) -> &str {
        &self.summary.nodes[0].api
    }

    /// Every node's API URL.
    pub fn apis(&self) -> Vec<String> {
        self.summary.nodes.iter().map(|n| n.api.clone()).collect()
    }

    /// The chain's genesis file (what wallets and clinics anchor trust at).
    pub fn genesis_path(&self) -> PathBuf {
        self.dir.join("node0/genesis.json")
    }

    /// The clinic's key file.
    pub fn clinic_key_path(&self) -> PathBuf {
        self.dir.join("clinic.key")
    }

    /// A verified source over `urls`, anchored at this devnet's genesis.
    pub fn source_over(&self, urls: &[String]) -> NetworkSource {
        NetworkSource::anchored(urls, &self.genesis).expect("source")
    }

    /// A verified source over every node.
    pub fn source(&self) -> NetworkSource {
        self.source_over(&self.apis())
    }

    /// The demo clinic issues `fhir` to `patient`, one record per encounter.
    pub async fn issue(&self, patient: &ShareCode, fhir: &[u8]) -> Vec<Issued> {
        self.issue_as(0, patient, fhir).await
    }

    /// Founding clinic `clinic` issues `fhir` to `patient`, one record per encounter.
    pub async fn issue_as(&self, clinic: usize, patient: &ShareCode, fhir: &[u8]) -> Vec<Issued> {
        let key = &self.clinics[clinic];
        let keys = key.keys();
        let clinic = Clinic {
            keys: &keys,
            name: &key.name,
        };
        issue(
            &self.source(),
            &clinic,
            patient,
            fhir,
            true,
            now_ms(),
            &mut rand_core_rng(),
        )
        .await
        .expect("the clinic issues")
    }

    /// The demo clinic issues the file at `path` (`content_type`) to `patient` as one record.
    pub async fn issue_file(
        &self,
        patient: &ShareCode,
        path: &std::path::Path,
        content_type: &str,
        title: &str,
    ) -> Issued {
        let keys = self.clinic.keys();
        let clinic = Clinic {
            keys: &keys,
            name: &self.clinic.name,
        };
        let record = medledger_issuer::file::FileRecord {
            path,
            content_type,
            title,
            date: None,
            category: medledger_types::category::Category::Reports,
        };
        medledger_issuer::file::issue_file(
            &self.source(),
            &clinic,
            patient,
            &record,
            now_ms(),
            &mut rand_core_rng(),
            std::sync::Arc::new(|_| {}),
        )
        .await
        .expect("the clinic issues the file")
    }

    /// A doctor's consent to this devnet's demo clinic registering them.
    pub fn doctor_consent(&self, doctor: &AccountKeys, name: &str, licence: &str) -> [u8; 64] {
        medledger_client::doctor_consent::sign_as(
            doctor,
            self.genesis.chain_id(),
            &self.clinic.keys().public().account(),
            name,
            licence,
        )
    }

    /// The demo clinic registers a doctor, with the consent they signed.
    pub async fn register_doctor(
        &self,
        doctor: &ShareCode,
        name: &str,
        licence: &str,
        consent: [u8; 64],
    ) -> u64 {
        medledger_issuer::doctors::register_doctor(
            &self.source(),
            &self.clinic.keys(),
            doctor,
            name,
            licence,
            consent,
            now_ms(),
        )
        .await
        .expect("the clinic registers the doctor")
    }
}

fn rand_core_rng() -> impl rand_core::CryptoRng {
    rand::rng()
}

/// Waits (up to a minute) until the node at `api` has finalized `height`.
pub fn wait_finalized(api: &str, height: u64) {
    let node = NodeClient::new(api);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for _ in 0..600 {
        let done = runtime.block_on(async {
            node.status().await.is_ok_and(|s| {
                s.latest_finalized
                    .as_ref()
                    .is_some_and(|h| h.height >= height)
            })
        });
        if done {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{api} did not finalize height {height}");
}
