//! `medledger`: a full node of the Medwallet consortium ledger.
//!
//! Consensus is Commonware Simplex with ed25519 certificates; marshal disseminates, stores and
//! delivers finalized blocks in order; the state machine and its authenticated store live in
//! `medledger-state`.
#![forbid(unsafe_code)]

pub mod access;
pub mod admission;
pub mod api;
pub mod application;
pub mod blobs;
pub mod block;
pub mod config;
pub mod emergency;
pub mod engine;
pub mod epochs;
pub mod erasure;
pub mod error;
pub mod finalizer;
pub mod governance;
pub mod links;
pub mod mailbox;
pub mod mempool;
pub mod metrics;
#[cfg(test)]
mod mocks;
pub mod orchestrator;
pub mod receipts;
pub mod replay;
pub mod replication;
pub mod run;
pub mod state_sync;
pub mod testnet;
