//! The wallet's transport to full nodes, none of which it trusts.
//!
//! * [`client::NodeClient`]: one node's HTTP API (`/v1`), typed with `medledger-api`.
//! * [`verified`]: fetch and verify with the light client; invalid answers become
//!   [`verified::NodeFault::Lying`] naming the node.
//! * [`cross_check`]: ask several nodes, report liars and equivocation, use the rest.
//!
//! ```no_run
//! # async fn example(light: medwallet_verify::LightClient) {
//! use medwallet_net::{NodeClient, cross_check::cross_check};
//! let nodes = [NodeClient::new("http://127.0.0.1:26601"), NodeClient::new("http://127.0.0.1:26603")];
//! let now_ms = 1_700_000_000_000;
//! let report = cross_check(&nodes, &light, now_ms, 60_000).await;
//! for fault in report.lying() {
//!     eprintln!("not using a node: {fault}");
//! }
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod client;
pub mod cross_check;
pub mod source;
pub mod verified;

pub use client::{NetError, NodeClient};
pub use verified::NodeFault;
