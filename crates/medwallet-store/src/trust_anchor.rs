//! The wallet's trust anchor: the chain's genesis file, copied into the wallet directory once it
//! has been checked, so it cannot change underneath. The light client trusts nothing else.

use std::io;
use std::path::{Path, PathBuf};

use medledger_api::GenesisFile;
use medledger_types::genesis::Genesis;
use medwallet_files::{read_bounded, write_atomically};
use thiserror::Error;

use crate::wallet_dir::TRUST_FILE;
use crate::{CACHE_FILE, WalletDir};

/// The trust anchor's file inside a wallet directory.
pub const GENESIS_FILE: &str = "genesis.json";
/// Largest genesis file read.
const MAX_GENESIS_LEN: usize = 4 * 1024 * 1024;

/// Why the trust anchor cannot be had.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AnchorError {
    /// The wallet has no trust anchor yet (each front end says how to give it one).
    #[error("this wallet has no trust anchor (the chain's genesis file) yet")]
    Missing,
    #[error("cannot read genesis file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The file is not a valid genesis; nothing was adopted.
    #[error("{path} is not a valid genesis file: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("the trust anchor could not be saved: {0}")]
    Save(#[source] io::Error),
    /// The wallet trusts another chain; nothing was changed.
    #[error(
        "this wallet trusts chain {current}, and the genesis file describes chain {offered}: the records it verified were proven on {current}, not on {offered}. Trusting the other chain must be asked for explicitly; its records verified so far are then set aside (kept, not shown)"
    )]
    OtherChain { current: String, offered: String },
}

/// Whether a genesis of another chain may replace the wallet's trust anchor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainSwitch {
    /// Refuse it (the default: a wrong file must not silently re-anchor a wallet).
    Refuse,
    /// The user asked for it: adopt it and set the old chain's records aside.
    Allow,
}

/// A trust anchor adopted.
#[derive(Debug)]
pub struct Adopted {
    pub genesis: Genesis,
    /// Where the previous chain's sealed cache was moved, if the chain changed (its records are
    /// not proven on the new chain, so they are no longer shown; the file is kept).
    pub set_aside: Option<PathBuf>,
}

fn read(path: &Path) -> Result<(Vec<u8>, Genesis), AnchorError> {
    let bytes = read_bounded(path, MAX_GENESIS_LEN).map_err(|source| AnchorError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let genesis = GenesisFile::parse(&bytes).map_err(|e| AnchorError::Invalid {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    Ok((bytes, genesis))
}

impl WalletDir {
    /// Whether the wallet has a trust anchor.
    pub fn has_genesis(&self) -> bool {
        self.root().join(GENESIS_FILE).exists()
    }

    /// The wallet's trust anchor.
    pub fn genesis(&self) -> Result<Genesis, AnchorError> {
        let path = self.root().join(GENESIS_FILE);
        if !path.exists() {
            return Err(AnchorError::Missing);
        }
        Ok(read(&path)?.1)
    }

    /// Checks the genesis file at `source` and adopts it as the wallet's trust anchor
    /// (atomically). Nothing changes when it is not a valid genesis, or when it is another
    /// chain's and `switch` does not allow that.
    pub fn adopt_genesis(
        &self,
        source: &Path,
        switch: ChainSwitch,
    ) -> Result<Adopted, AnchorError> {
        let (bytes, genesis) = read(source)?;
        let mut set_aside = None;
        if self.has_genesis() {
            let current = self.genesis()?.chain_id();
            let offered = genesis.chain_id();
            if current != offered {
                if switch == ChainSwitch::Refuse {
                    return Err(AnchorError::OtherChain {
                        current: current.to_hex(),
                        offered: offered.to_hex(),
                    });
                }
                let cache = self.root().join(CACHE_FILE);
                if cache.exists() {
                    let aside = self
                        .root()
                        .join(format!("cache-{}.mdw", &current.to_hex()[..16]));
                    std::fs::rename(&cache, &aside).map_err(AnchorError::Save)?;
                    set_aside = Some(aside);
                }
                // The old chain's trust floor and alarm mean nothing on the new one.
                let trust = self.root().join(TRUST_FILE);
                if trust.exists() {
                    let aside = self
                        .root()
                        .join(format!("trust-{}.json", &current.to_hex()[..16]));
                    std::fs::rename(&trust, &aside).map_err(AnchorError::Save)?;
                }
            }
        }
        std::fs::create_dir_all(self.root()).map_err(AnchorError::Save)?;
        write_atomically(&self.root().join(GENESIS_FILE), &bytes).map_err(AnchorError::Save)?;
        Ok(Adopted { genesis, set_aside })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_genesis_is_refused_and_nothing_is_adopted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wallet = WalletDir::new(dir.path().join("wallet"));
        for (name, bytes) in [
            ("bogus.json", &b"{\"hello\": 1}"[..]),
            ("binary", &[0xff, 0, 1][..]),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            let err = wallet
                .adopt_genesis(&path, ChainSwitch::Refuse)
                .expect_err("not a genesis");
            assert!(matches!(err, AnchorError::Invalid { .. }), "{err}");
        }
        assert!(matches!(
            wallet.adopt_genesis(&dir.path().join("absent"), ChainSwitch::Refuse),
            Err(AnchorError::Unreadable { .. })
        ));
        assert!(!wallet.has_genesis());
        assert!(matches!(wallet.genesis(), Err(AnchorError::Missing)));
    }

    #[test]
    fn a_valid_genesis_is_adopted_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = GenesisFile {
            chain_name: "test".into(),
            timestamp_ms: 1,
            validators: vec!["11".repeat(32)],
            clinics: vec![],
            recovery_min_delay_ms: 1_000,
            emergency_keys: Vec::new(),
            epoch_length: None,
        };
        let path = dir.path().join("genesis.json");
        std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");
        let wallet = WalletDir::new(dir.path().join("wallet"));
        let adopted = wallet
            .adopt_genesis(&path, ChainSwitch::Refuse)
            .expect("adopt");
        assert_eq!(wallet.genesis().expect("read"), adopted.genesis);
        assert_eq!(adopted.genesis, file.to_genesis().expect("valid"));
        assert!(adopted.set_aside.is_none());
    }

    fn genesis_file(dir: &Path, name: &str) -> PathBuf {
        let file = GenesisFile {
            chain_name: name.into(),
            timestamp_ms: 1,
            validators: vec!["11".repeat(32)],
            clinics: vec![],
            recovery_min_delay_ms: 1_000,
            emergency_keys: Vec::new(),
            epoch_length: None,
        };
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");
        path
    }

    #[test]
    fn another_chains_genesis_is_refused_unless_asked_for_and_then_the_old_records_are_set_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wallet = WalletDir::new(dir.path().join("wallet"));
        let first = wallet
            .adopt_genesis(&genesis_file(dir.path(), "alpha"), ChainSwitch::Refuse)
            .expect("adopt")
            .genesis;
        wallet
            .save_cache(b"sealed records of alpha")
            .expect("cache");
        let beta = genesis_file(dir.path(), "beta");
        let err = wallet
            .adopt_genesis(&beta, ChainSwitch::Refuse)
            .expect_err("another chain");
        assert!(matches!(err, AnchorError::OtherChain { .. }), "{err}");
        assert!(err.to_string().contains("explicitly"), "{err}");
        assert_eq!(wallet.genesis().expect("kept"), first, "nothing changed");
        assert!(wallet.load_cache().expect("cache").is_some());
        // The same chain again is fine.
        wallet
            .adopt_genesis(&genesis_file(dir.path(), "alpha"), ChainSwitch::Refuse)
            .expect("same chain");
        let switched = wallet
            .adopt_genesis(&beta, ChainSwitch::Allow)
            .expect("switch");
        assert_eq!(wallet.genesis().expect("new"), switched.genesis);
        let aside = switched.set_aside.expect("the old cache was set aside");
        assert_eq!(
            std::fs::read(&aside).expect("kept"),
            b"sealed records of alpha"
        );
        assert!(wallet.load_cache().expect("cache").is_none(), "not shown");
    }
}
