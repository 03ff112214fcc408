//! The wallet's light client, as pure functions: it never trusts a node, it checks.
//!
//! * [`certificate::verify_finalization`]: a quorum of the trusted validators signed this
//!   header (Commonware Simplex's ed25519 certificate bytes, documented in
//!   `medledger_types::certificate`; signatures batch-verified with ed25519-dalek).
//! * [`chain::verify_ancestors`]: older headers by parent-hash linkage; validator-set changes
//!   against the hash a verified header commits to.
//! * [`proof::verify_value`]: a state value (or its absence) against a verified state root.
//! * [`client::freshness`], [`client::detect_equivocation`], and [`client::LightClient`], whose
//!   `verify` only reads and `apply` only mutates. It verifies each header under the set of its
//!   epoch, and learns a later epoch's set only through `verify_epoch_change` (the previous
//!   epoch's last block, certified by the set it knows, commits to it) and
//!   `apply_epoch_change`.
//!
//! No I/O, no clock (pass `now`), no Commonware (it builds wherever the wallet does).
//!
//! ```
//! use medledger_types::genesis::ValidatorSet;
//! use medledger_types::hash::{ChainId, PublicKey};
//! use medwallet_verify::{LightClient, TrustAnchor, TrustedSet};
//!
//! // Certificates recorded from the real Simplex engine (tests/vectors/certificates).
//! let fixture: serde_json::Value = serde_json::from_str(include_str!("../../../tests/vectors/certificates/simplex-4-validators.json")).unwrap();
//! let keys = fixture["validators"].as_array().unwrap().iter().map(|k| PublicKey::from_hex(k.as_str().unwrap()).unwrap()).collect();
//! let anchor = TrustAnchor { chain: ChainId::from_hex(fixture["chain_id"].as_str().unwrap()).unwrap(), validators: TrustedSet::new(ValidatorSet::new(keys).unwrap())?, epoch: 0, epochs: medledger_types::epoch::Epochs::NONE, checkpoint: None };
//!
//! let mut client = LightClient::new(anchor);
//! let newest = fixture["finalizations"].as_array().unwrap().last().unwrap();
//! let header = hex::decode(newest["header"].as_str().unwrap()).unwrap();       // untrusted
//! let certificate = hex::decode(newest["certificate"].as_str().unwrap()).unwrap(); // untrusted
//! let verified = client.verify(&header, &certificate)?;
//! client.apply(verified)?;
//! # Ok::<(), medwallet_verify::Invalid>(())
//! ```
#![forbid(unsafe_code)]

pub mod anchor;
pub mod certificate;
pub mod chain;
pub mod client;
mod invalid;
pub mod proof;

pub use anchor::{TrustAnchor, TrustedSet};
pub use certificate::VerifiedHeader;
pub use client::{Freshness, LightClient};
pub use invalid::Invalid;
