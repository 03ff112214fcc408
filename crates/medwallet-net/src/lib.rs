//! Verified ledger access over several full nodes, none of which is trusted: what a wallet and a
//! clinic's issuer talk to the ledger through.
//!
//! * [`verified`]: fetch from one node (`medledger_client::NodeClient`) and verify with the
//!   light client; an invalid answer is a [`NodeFault::Lying`] naming the node.
//! * [`cross_check`]: ask several nodes, report liars and equivocation, use the rest.
//! * [`epochs`]: learn the validator sets of later epochs from a node, by proof.
//! * [`source::NetworkSource`]: the [`medledger_client::LedgerSource`] over several nodes, with
//!   failover and the incidents it saw.
//! * [`shl_http::HttpShl`]: SMART Health Links someone shared, opened over HTTP(S).
//!
//! ```no_run
//! # async fn example(light: medwallet_verify::LightClient) {
//! use medledger_client::NodeClient;
//! use medwallet_net::cross_check::cross_check;
//! let nodes = [NodeClient::new("http://127.0.0.1:26601"), NodeClient::new("http://127.0.0.1:26603")];
//! let now_ms = 1_700_000_000_000;
//! let report = cross_check(&nodes, &light, now_ms, medwallet_net::MAX_HEADER_AGE_MS).await;
//! for fault in report.lying() {
//!     eprintln!("not using a node: {fault}");
//! }
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod cross_check;
pub mod shl_http;
pub mod source;
pub mod verified;

pub use medledger_client::{NetError, NodeClient, NodeFault};
pub use shl_http::HttpShl;
pub use source::NetworkSource;

/// How old a node's newest finalized header may be and still count as current: an older one
/// hides whatever happened since (a revocation, say), so it is not used.
pub const MAX_HEADER_AGE_MS: u64 = 60_000;
