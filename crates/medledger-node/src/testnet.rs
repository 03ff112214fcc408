//! `medledger testnet`: a local network's files, all on 127.0.0.1.
//!
//! ```text
//! OUT/node{i}/              one home per node (see `config`): validators first, then followers
//! ```
//!
//! Founding clinics are named by their share codes (public keys only: a clinic's key file never
//! leaves the clinic; `medclinic keygen` makes one).

use std::path::Path;

use medwallet_crypto::ShareCode;
use rand::Rng;
use serde::Serialize;

use crate::config::{GenesisClinicFile, GenesisFile, Home, NodeConfig, PeerFile};
use crate::error::NodeError;

/// A clinic registered at genesis.
#[derive(Clone, Debug)]
pub struct FoundingClinic {
    pub name: String,
    pub share_code: ShareCode,
}

impl std::str::FromStr for FoundingClinic {
    type Err = String;

    /// `NAME=SHARECODE`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, code) = s
            .rsplit_once('=')
            .ok_or_else(|| "expected NAME=SHARECODE".to_owned())?;
        Ok(Self {
            name: name.trim().to_owned(),
            share_code: code.parse().map_err(|e| format!("share code: {e}"))?,
        })
    }
}

/// ed25519 public key of a 32-byte seed (RFC 8032), as Commonware and ed25519-dalek both derive it.
pub fn seed_public_key(seed: &[u8; 32]) -> [u8; 32] {
    medwallet_crypto::SigningKey::from_bytes(seed)
        .verifying_key()
        .to_bytes()
}

/// What `testnet` wrote.
#[derive(Serialize)]
pub struct TestnetSummary {
    pub chain_id: String,
    pub nodes: Vec<NodeSummary>,
    /// The founding clinics' addresses.
    pub clinics: Vec<String>,
}

#[derive(Serialize)]
pub struct NodeSummary {
    pub home: String,
    pub validator: bool,
    pub public_key: String,
    pub p2p: String,
    pub api: String,
    /// The Prometheus endpoint.
    pub metrics: String,
}

/// What a testnet's genesis says of the chain itself.
#[derive(Clone, Copy, Debug)]
pub struct ChainSettings<'a> {
    pub name: &'a str,
    /// The shortest guardian-recovery delay patients may set.
    pub recovery_min_delay_ms: u64,
    /// Heights per epoch (None: one validator set forever).
    pub epoch_length: Option<u64>,
}

impl<'a> ChainSettings<'a> {
    /// A chain named `name` with the default recovery minimum delay (a day).
    pub fn named(name: &'a str) -> Self {
        Self {
            name,
            recovery_min_delay_ms: medledger_api::DEFAULT_RECOVERY_MIN_DELAY_MS,
            epoch_length: None,
        }
    }
}

/// Writes a testnet of `validators` validators and `followers` followers under `out`, with
/// `clinics` registered at genesis.
pub fn generate(
    out: &Path,
    validators: usize,
    followers: usize,
    base_port: u16,
    chain: ChainSettings<'_>,
    clinics: &[FoundingClinic],
    now_ms: u64,
) -> Result<TestnetSummary, NodeError> {
    if validators == 0 {
        return Err(NodeError::NoValidators);
    }
    let unreadable = |source| NodeError::Read {
        path: out.to_owned(),
        source,
    };
    if out.exists() && std::fs::read_dir(out).map_err(unreadable)?.next().is_some() {
        return Err(NodeError::NotEmpty(out.to_owned()));
    }
    std::fs::create_dir_all(out).map_err(|source| NodeError::Write {
        path: out.to_owned(),
        source,
    })?;
    let total = validators + followers;
    if u32::from(base_port) + 3 * total as u32 > u32::from(u16::MAX) {
        return Err(NodeError::NoPorts {
            base: base_port,
            nodes: total,
        });
    }
    let mut rng = rand::rng();
    let seeds: Vec<zeroize::Zeroizing<[u8; 32]>> = (0..total)
        .map(|_| {
            let mut s = zeroize::Zeroizing::new([0u8; 32]);
            rng.fill_bytes(s.as_mut());
            s
        })
        .collect();
    let publics: Vec<[u8; 32]> = seeds.iter().map(|s| seed_public_key(s)).collect();

    let genesis = GenesisFile {
        chain_name: chain.name.into(),
        timestamp_ms: now_ms,
        validators: publics[..validators].iter().map(hex::encode).collect(),
        clinics: clinics
            .iter()
            .map(|c| {
                let keys = c.share_code.public_keys();
                GenesisClinicFile {
                    name: c.name.clone(),
                    signing_key: hex::encode(keys.signing.as_bytes()),
                    receiving_key: hex::encode(keys.receiving.as_bytes()),
                }
            })
            .collect(),
        recovery_min_delay_ms: chain.recovery_min_delay_ms,
        // Each validator's emergency key, derived from its node key.
        emergency_keys: seeds[..validators]
            .iter()
            .map(|seed| {
                hex::encode(
                    medwallet_crypto::emergency::validator_identity(seed)
                        .to_recipient()
                        .public_bytes(),
                )
            })
            .collect(),
        epoch_length: chain.epoch_length,
    };
    let chain_id = genesis.to_genesis()?.chain_id();
    let addr = |i: usize, api: bool| -> std::net::SocketAddr {
        let port = base_port + 2 * i as u16 + u16::from(api);
        std::net::SocketAddr::from(([127, 0, 0, 1], port))
    };
    let peers: Vec<PeerFile> = (0..total)
        .map(|i| PeerFile {
            public_key: hex::encode(publics[i]),
            address: addr(i, false),
            api: Some(addr(i, true)),
            api_tls: false,
        })
        .collect();
    let mut nodes = Vec::new();
    for i in 0..total {
        let home = Home::new(out.join(format!("node{i}")));
        let config = NodeConfig {
            moniker: format!("node{i}"),
            p2p_listen: addr(i, false),
            api_listen: addr(i, true),
            // After every node's p2p and API ports.
            metrics_listen: Some(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                base_port + (2 * total + i) as u16,
            ))),
            peers: peers.clone(),
            max_block_txs: 5_000,
            max_blob_bytes: medledger_types::tx::MAX_RECORD_LEN,
            mempool_capacity: 100_000,
            tls: None,
        };
        home.write(&genesis, &config, &seeds[i])?;
        nodes.push(NodeSummary {
            home: home.root.display().to_string(),
            validator: i < validators,
            public_key: hex::encode(publics[i]),
            p2p: config.p2p_listen.to_string(),
            api: format!("http://{}", config.api_listen),
            metrics: config
                .metrics_listen
                .map(|a| format!("http://{a}/metrics"))
                .unwrap_or_default(),
        });
    }
    Ok(TestnetSummary {
        chain_id: chain_id.to_hex(),
        nodes,
        clinics: clinics
            .iter()
            .map(|c| c.share_code.address().to_string())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_consistent_homes_and_refuses_a_used_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("net");
        let clinic: FoundingClinic = format!(
            "Demo Clinic={}",
            medwallet_crypto::AccountKeys::derive(&medwallet_crypto::RecoveryPhrase::from_entropy(
                &[3; 32]
            ))
            .public()
            .share_code()
        )
        .parse()
        .expect("clinic");
        let summary = generate(
            &out,
            4,
            1,
            30_000,
            ChainSettings::named("devnet"),
            std::slice::from_ref(&clinic),
            5,
        )
        .expect("generate");
        assert_eq!(summary.nodes.len(), 5);
        assert_eq!(summary.nodes.iter().filter(|n| n.validator).count(), 4);
        let genesis = Home::new(out.join("node0")).genesis().expect("genesis");
        for i in 0..5 {
            let home = Home::new(out.join(format!("node{i}")));
            assert_eq!(
                home.genesis().expect("genesis"),
                genesis,
                "every node has the same genesis"
            );
            let config = home.config().expect("config");
            assert_eq!(config.peers.len(), 5);
            assert_eq!(
                hex::encode(seed_public_key(&home.key().expect("key"))),
                summary.nodes[i].public_key
            );
        }
        assert_eq!(
            genesis.to_genesis().expect("valid").chain_id().to_hex(),
            summary.chain_id
        );
        assert_eq!(genesis.clinics[0].name, "Demo Clinic");
        assert_eq!(
            summary.clinics,
            vec![clinic.share_code.address().to_string()]
        );
        assert!(
            generate(&out, 4, 0, 30_000, ChainSettings::named("devnet"), &[], 5).is_err(),
            "never overwrites a network"
        );
        assert!(
            generate(
                &dir.path().join("x"),
                0,
                0,
                30_000,
                ChainSettings::named("devnet"),
                &[],
                5
            )
            .is_err()
        );
        assert!(
            generate(
                &dir.path().join("y"),
                4,
                0,
                65_530,
                ChainSettings::named("devnet"),
                &[],
                5
            )
            .is_err()
        );
        assert!("no equals sign".parse::<FoundingClinic>().is_err());
    }
}
