//! The ledger's state machine and its authenticated store.
//!
//! * [`rules`]: what each transaction requires and writes (pure, over [`rules::StateRead`]).
//! * [`store`]: the Jellyfish Merkle Tree (SHA-256) persisted in redb, with finalized blocks,
//!   certificates and proofs; [`store::Ledger`] executes blocks speculatively on top of
//!   unfinalized ancestors and commits them atomically when they finalize.
#![forbid(unsafe_code)]

pub mod error;
pub mod rules;
pub mod store;

pub use error::{StoreError, TxError};
