//! A node's files: the chain's genesis, the node's configuration and its key.
//!
//! ```text
//! HOME/genesis.json   validators, founding clinics (identical on every node of a chain)
//! HOME/config.toml    listen addresses, peers, limits (unknown keys are refused)
//! HOME/node.key       the node's ed25519 seed (mode 0600; never logged)
//! HOME/data/          ledger.redb, consensus storage, blobs/
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub use medledger_api::{GenesisClinicFile, GenesisFile};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::NodeError;

/// A peer to connect to.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PeerFile {
    pub public_key: String,
    /// p2p address.
    pub address: SocketAddr,
    /// HTTP API address (for blob replication).
    #[serde(default)]
    pub api: Option<SocketAddr>,
    /// Whether that API is served over TLS (replication then uses https, checked against the
    /// platform's roots).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub api_tls: bool,
}

/// `config.toml`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    pub moniker: String,
    pub p2p_listen: SocketAddr,
    pub api_listen: SocketAddr,
    /// Where `GET /metrics` (Prometheus, OpenMetrics text) is served, apart from the API; none:
    /// not served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_listen: Option<SocketAddr>,
    /// Every validator of the chain (this node included), with its p2p address.
    pub peers: Vec<PeerFile>,
    #[serde(default = "default_max_block_txs")]
    pub max_block_txs: usize,
    #[serde(default = "default_max_blob_bytes")]
    pub max_blob_bytes: u64,
    #[serde(default = "default_mempool")]
    pub mempool_capacity: usize,
    /// Serve the API over TLS with this certificate chain and key (PEM files; a relative path
    /// is taken from the node's home). Without it the API is plain HTTP (put it behind a TLS
    /// proxy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsFiles>,
}

/// A TLS certificate chain and its private key, PEM.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn default_max_block_txs() -> usize {
    5_000
}
/// Whatever the ledger accepts, so that a node can hold every record it finalizes.
fn default_max_blob_bytes() -> u64 {
    medledger_types::tx::MAX_RECORD_LEN
}
fn default_mempool() -> usize {
    100_000
}

/// `node.key`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    version: u32,
    ed25519_seed: String,
}

/// A node home directory.
pub struct Home {
    pub root: PathBuf,
}

impl Home {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
    pub fn genesis_path(&self) -> PathBuf {
        self.root.join("genesis.json")
    }
    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    pub fn key_path(&self) -> PathBuf {
        self.root.join("node.key")
    }
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }
    /// The ledger's store (blocks, state): what `state-sync` restores and `start` opens.
    pub fn ledger_path(&self) -> PathBuf {
        self.data_dir().join("ledger.redb")
    }

    pub fn genesis(&self) -> Result<GenesisFile, NodeError> {
        read_json(&self.genesis_path())
    }

    pub fn config(&self) -> Result<NodeConfig, NodeError> {
        let path = self.config_path();
        let bytes = read_file(&path)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| NodeError::Invalid {
            path: path.clone(),
            reason: "not UTF-8 text".into(),
        })?;
        toml::from_str(text).map_err(|e| NodeError::Invalid {
            path,
            reason: e.to_string(),
        })
    }

    /// The node's ed25519 seed.
    pub fn key(&self) -> Result<Zeroizing<[u8; 32]>, NodeError> {
        let path = self.key_path();
        let invalid = |reason: &str| NodeError::Invalid {
            path: path.clone(),
            reason: reason.into(),
        };
        let file: KeyFile = read_json(&path)?;
        if file.version != 1 {
            return Err(invalid(&format!(
                "unsupported key file version {}",
                file.version
            )));
        }
        let seed = Zeroizing::new(
            hex::decode(file.ed25519_seed.trim()).map_err(|_| invalid("the seed is not hex"))?,
        );
        let mut out = Zeroizing::new([0u8; 32]);
        if seed.len() != 32 {
            return Err(invalid("the seed must hold 32 bytes"));
        }
        out.copy_from_slice(&seed);
        Ok(out)
    }

    /// Writes a new node key into this home (creating it, owner-only, if needed); refuses to
    /// replace an existing key. Returns the node's ed25519 public key.
    pub fn keygen(&self, rng: &mut impl rand_core::CryptoRng) -> Result<[u8; 32], NodeError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(seed.as_mut());
        create_private_dir(&self.root)?;
        let key = Zeroizing::new(json(&KeyFile {
            version: 1,
            ed25519_seed: hex::encode(seed.as_ref()),
        }));
        write_new(&self.key_path(), &key)?;
        Ok(medwallet_crypto::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes())
    }

    /// Writes a new home (refuses to overwrite an existing one).
    pub fn write(
        &self,
        genesis: &GenesisFile,
        config: &NodeConfig,
        seed: &[u8; 32],
    ) -> Result<(), NodeError> {
        std::fs::create_dir_all(&self.root).map_err(|source| NodeError::Write {
            path: self.root.clone(),
            source,
        })?;
        let key = Zeroizing::new(json(&KeyFile {
            version: 1,
            ed25519_seed: hex::encode(seed),
        }));
        write_new(&self.key_path(), &key)?;
        write_new(&self.genesis_path(), &json(genesis))?;
        write_new(&self.config_path(), config.to_toml().as_bytes())
    }
}

/// A directory only its owner may read (a node's home holds its key).
fn create_private_dir(dir: &Path) -> Result<(), NodeError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| NodeError::Write {
        path: dir.to_owned(),
        source,
    })
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Plain data with string keys: serializing it cannot fail.
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), NodeError> {
    medwallet_files::write_new_atomically(path, bytes).map_err(|source| NodeError::Write {
        path: path.to_owned(),
        source,
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, NodeError> {
    medwallet_files::read_bounded(path, 4 * 1024 * 1024).map_err(|source| NodeError::Read {
        path: path.to_owned(),
        source,
    })
}

impl NodeConfig {
    /// The config as `config.toml` text.
    pub fn to_toml(&self) -> String {
        // Plain data with string keys and no maps: serializing it cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

/// Reads a bounded JSON file with a clear error naming it.
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, NodeError> {
    let bytes = read_file(path)?;
    serde_json::from_slice(&bytes).map_err(|e| NodeError::Invalid {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genesis_file() -> GenesisFile {
        GenesisFile {
            chain_name: "t".into(),
            timestamp_ms: 1,
            validators: vec![hex::encode([1u8; 32]), hex::encode([2u8; 32])],
            clinics: vec![GenesisClinicFile {
                name: "C".into(),
                signing_key: hex::encode([3u8; 32]),
                receiving_key: hex::encode([4u8; 32]),
            }],
            recovery_min_delay_ms: 1_000,
            emergency_keys: Vec::new(),
            epoch_length: None,
        }
    }

    #[test]
    fn a_home_round_trips_and_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = Home::new(dir.path().join("node0"));
        let config = NodeConfig {
            moniker: "node0".into(),
            p2p_listen: "127.0.0.1:1".parse().expect("addr"),
            api_listen: "127.0.0.1:2".parse().expect("addr"),
            metrics_listen: Some("127.0.0.1:3".parse().expect("addr")),
            peers: vec![],
            max_block_txs: 10,
            max_blob_bytes: 10,
            mempool_capacity: 10,
            tls: Some(TlsFiles {
                cert: "tls/cert.pem".into(),
                key: "tls/key.pem".into(),
            }),
        };
        home.write(&genesis_file(), &config, &[9; 32])
            .expect("write");
        assert_eq!(home.config().expect("config"), config);
        assert_eq!(*home.key().expect("key"), [9; 32]);
        assert_eq!(
            home.genesis()
                .expect("genesis")
                .to_genesis()
                .expect("valid")
                .validators
                .len(),
            2
        );
        assert!(home.write(&genesis_file(), &config, &[8; 32]).is_err());
        assert_eq!(*home.key().expect("key"), [9; 32]);
    }

    #[test]
    fn a_misspelled_or_unknown_config_key_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = Home::new(dir.path());
        let good = "moniker = \"node0\"\np2p_listen = \"127.0.0.1:1\"\napi_listen = \"127.0.0.1:2\"\npeers = []\n";
        std::fs::write(home.config_path(), good).expect("write");
        let config = home.config().expect("a minimal config");
        assert_eq!(config.max_block_txs, 5_000, "defaults fill the rest");
        assert_eq!(config.metrics_listen, None);
        std::fs::write(home.config_path(), format!("{good}max_block_tx = 10\n")).expect("write");
        match home.config() {
            Err(NodeError::Invalid { reason, .. }) => {
                assert!(reason.contains("max_block_tx"), "{reason}")
            }
            other => panic!("an unknown key must be refused: {other:?}"),
        }
        std::fs::write(home.config_path(), "moniker = \"node0\"\n").expect("write");
        assert!(
            matches!(home.config(), Err(NodeError::Invalid { .. })),
            "missing addresses"
        );
    }

    #[test]
    fn the_packaged_default_config_reads_with_its_strict_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = Home::new(dir.path());
        std::fs::write(
            home.config_path(),
            include_str!("../../../packaging/medledger/config.toml"),
        )
        .expect("write");
        let config = home.config().expect("the Debian package's config.toml");
        assert_eq!(config.api_listen.to_string(), "127.0.0.1:26601");
        assert!(config.metrics_listen.is_some() && config.peers.is_empty() && config.tls.is_none());
    }

    #[test]
    fn bad_genesis_files_are_explained() {
        let mut g = genesis_file();
        g.validators.push(g.validators[0].clone());
        assert!(
            g.to_genesis()
                .expect_err("duplicate")
                .to_string()
                .contains("duplicate")
        );
        let mut g = genesis_file();
        g.validators[0] = "zz".into();
        assert!(
            g.to_genesis()
                .expect_err("hex")
                .to_string()
                .contains("not hex")
        );
        let json = r#"{"chain_name":"x","timestamp_ms":1,"validators":[],"clinics":[],"extra":1}"#;
        assert!(serde_json::from_str::<GenesisFile>(json).is_err());
    }
}
