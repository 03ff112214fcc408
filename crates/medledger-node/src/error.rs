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

/// `medledger`'s exit status for a command that did not succeed (clap's own usage errors exit
/// 2): scripts and service managers tell a bad file from a port in use or a broken disk.
pub mod exit {
    /// Anything else.
    pub const FAILURE: u8 = 1;
    /// A genesis, config or key file that cannot be read or fails its checks.
    pub const INVALID: u8 = 3;
    /// A listener that cannot be opened (a port in use, an address not on this host).
    pub const NETWORK: u8 = 4;
    /// The ledger store or the blob store that cannot be opened or written.
    pub const STORAGE: u8 = 5;
}

impl NodeError {
    /// The exit status this failure ends `medledger` with.
    pub fn exit_code(&self) -> u8 {
        match self {
            NodeError::Read { .. }
            | NodeError::Invalid { .. }
            | NodeError::Genesis(_)
            | NodeError::Key { .. } => exit::INVALID,
            NodeError::Store(_) | NodeError::Write { .. } => exit::STORAGE,
            NodeError::NoPorts { .. } => exit::NETWORK,
            NodeError::NoValidators | NodeError::NotEmpty(_) => exit::FAILURE,
        }
    }
}
