//! SMART Health Links (HL7 "SMART Health Cards and Links" IG, STU1) for Medwallet: what a
//! patient shares with someone who has no Medwallet (an emergency room, a pharmacy, a carer).
//!
//! * [`payload`]: the `shlink:/…` link itself (manifest URL, 32-byte key, expiry, flags, label),
//!   bare or behind a viewer URL (`https://viewer…#shlink:/…`).
//! * [`jwe`]: the shared files, compact JWE with `alg: dir`, `enc: A256GCM`, a `cty`, and
//!   optionally `zip: DEF`, under the link's key (which never reaches the ledger or a node).
//! * [`manifest`]: the manifest request and response a receiving application exchanges with the
//!   link's server.
//! * [`receive`]: the receiving side of that protocol, over a transport the caller supplies.
//!
//! ```
//! use medwallet_shl::{jwe, payload::{LinkKey, ShlPayload}};
//! let key = LinkKey::generate(&mut rand::rng());
//! let file = jwe::encrypt(&key, &mut rand::rng(), "application/fhir+json", br#"{"resourceType":"Bundle"}"#, true)?;
//! let opened = jwe::decrypt(&key, &file)?;
//! assert_eq!(opened.plaintext, br#"{"resourceType":"Bundle"}"#);
//! let link = ShlPayload::new("https://node.example/shl/abc", key).encode();
//! assert!(link.starts_with("shlink:/"));
//! # Ok::<(), medwallet_shl::ShlError>(())
//! ```
#![forbid(unsafe_code)]

mod error;
pub mod jwe;
pub mod manifest;
pub mod payload;
pub mod receive;

pub use error::ShlError;
pub use payload::{Flags, LinkKey, ShlPayload};
