//! The desktop wallet's operations, without Tauri: the shell's commands only deserialize, call
//! one method of [`App`] and return its result or its [`AppError`] (`{ code, message }`). So
//! every command is tested here, without a window.
//!
//! Keys stay inside [`App`] while it is unlocked and are zeroized on lock or after idle time;
//! the UI receives addresses, share codes, verified metadata and, for the one record being
//! viewed, its FHIR.
//!
//! ```
//! use medwallet_app::{App, Settings, system_clock};
//! use medwallet_crypto::KdfParams;
//!
//! let dir = tempfile::tempdir()?;
//! let defaults = Settings { nodes: vec![], genesis_path: None, chain_id: None, auto_lock_minutes: 5, devnet: false };
//! let app = App::new(dir.path(), defaults, KdfParams::INSECURE_FOR_TESTS, system_clock())?;
//! let created = app.create("a long enough password")?;
//! assert_eq!(created.words.len(), 24);
//! app.lock();
//! assert!(!app.status().unlocked);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod card;
pub mod device_views;
mod devices;
mod emergency;
pub mod emergency_views;
pub mod error;
pub mod follow;
pub mod guardian_views;
mod guardians;
#[cfg(test)]
mod ipc_types;
mod join_qr;
pub mod ledger;
mod lifecycle;
pub mod lifecycle_views;
mod links;
mod records;
mod saving;
mod search;
pub mod session;
pub mod settings;
mod sharing;
mod summary;
pub mod views;

pub use device_views::*;
pub use emergency_views::*;
pub use error::{AppError, ErrorCode};
pub use guardian_views::*;
pub use lifecycle_views::*;
pub use medwallet_core::REVOCATION_NOTICE;
pub use session::{App, Clock, system_clock};
pub use views::*;

/// The bech32 form (`mdw1…`) of a hex address from the ledger (as it is, if it is not one).
pub(crate) fn ledger_address(hex_address: &str) -> String {
    medledger_types::hash::Address::from_hex(hex_address).map_or_else(
        |_| hex_address.to_owned(),
        |a| medwallet_core::input::display_address(&a),
    )
}
