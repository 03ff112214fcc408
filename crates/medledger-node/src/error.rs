//! Why setting up or starting a node failed: a file that cannot be read, written or trusted, a
//! testnet that cannot be laid out, a store that does not open. The binary adds nothing but
//! the exit code.

use std::io;
use std::path::PathBuf;

use medledger_api::GenesisError;
use medledger_state::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NodeError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Refused to replace an existing file, or the disk said no.
    #[error("cannot write {path} (does it exist already?): {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not valid: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    #[error("cannot open the ledger store: {0}")]
    Store(#[from] StoreError),
    #[error("a network needs at least one validator")]
    NoValidators,
    #[error("{0} is not empty; choose a new directory")]
    NotEmpty(PathBuf),
    #[error("base port {base} leaves no room for {nodes} nodes")]
    NoPorts { base: u16, nodes: usize },
    /// A peer's or this node's key does not decode.
    #[error("invalid key ({what}): {reason}")]
    Key { what: &'static str, reason: String },
}
