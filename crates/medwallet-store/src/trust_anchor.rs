//! The wallet's trust anchor: the chain's genesis file, copied into the wallet directory once it
//! has been checked, so it cannot change underneath. The light client trusts nothing else.

use std::io;
use std::path::{Path, PathBuf};

use medledger_api::GenesisFile;
use medledger_types::genesis::Genesis;
use medwallet_files::{read_bounded, write_atomically};
use thiserror::Error;

use crate::WalletDir;

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
    /// (atomically). Nothing changes when it is not a valid genesis.
    pub fn adopt_genesis(&self, source: &Path) -> Result<Genesis, AnchorError> {
        let (bytes, genesis) = read(source)?;
        std::fs::create_dir_all(self.root()).map_err(AnchorError::Save)?;
        write_atomically(&self.root().join(GENESIS_FILE), &bytes).map_err(AnchorError::Save)?;
        Ok(genesis)
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
            let err = wallet.adopt_genesis(&path).expect_err("not a genesis");
            assert!(matches!(err, AnchorError::Invalid { .. }), "{err}");
        }
        assert!(matches!(
            wallet.adopt_genesis(&dir.path().join("absent")),
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
        };
        let path = dir.path().join("genesis.json");
        std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");
        let wallet = WalletDir::new(dir.path().join("wallet"));
        let adopted = wallet.adopt_genesis(&path).expect("adopt");
        assert_eq!(wallet.genesis().expect("read"), adopted);
        assert_eq!(adopted, file.to_genesis().expect("valid"));
    }
}
