//! The wallet core: what a patient's or a doctor's wallet does, written once, independent of how
//! it talks to nodes (a [`LedgerSource`] that only returns verified data), where it keeps its
//! files (a [`WalletStore`]) or which window shows it. No tokio, reqwest or Tauri here; the CLI
//! and the desktop app are thin adapters over [`Wallet`].
//!
//! * [`Wallet::sync`]: new records, each proven against a verified header and their metadata
//!   decrypted; their ciphertexts kept for offline use; keys owed to category grants shared.
//! * [`Wallet::open_record`]: a record's FHIR, checked against the ledger's hash.
//! * [`Wallet::new_relationship`]: a fresh account and share code for each clinic
//!   ([`relationships`]); every account synced as one history.
//! * [`Wallet::grant`], [`Wallet::revoke`], [`Wallet::grants`], [`Wallet::access_log`]: consent,
//!   one grant per account, terms sealed ([`terms`]).
//! * [`Wallet::create_link`], [`Wallet::links`], [`Wallet::renew_links`],
//!   [`Wallet::revoke_link`], [`links::open_link`]: SMART Health Links.
//! * [`Wallet::shared_with_me`], [`Wallet::open_shared`]: a doctor's view.
//! * [`Wallet::rotate_keys`], [`Wallet::erase_records`], [`Wallet::set_guardians`],
//!   [`Wallet::guarding`], [`Wallet::recovered_phrase`]: keys for real people ([`recovery`]);
//!   [`device_join`]: a new device gets the phrase from an unlocked one, by a code.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod cache;
#[cfg(test)]
mod certified;
pub mod clock;
pub mod consent;
pub mod device_join;
pub mod emergency;
pub mod erasure;
pub mod error;
pub mod export;
pub mod input;
pub mod links;
pub mod records;
pub mod recovery;
pub mod relationships;
pub mod shared;
pub mod store;
pub mod summary;
pub mod sync;
pub mod terms;
pub mod trust;
pub mod wallet;

pub use cache::{open_cache, seal_cache};
pub use clock::{Clock, SystemClock};
pub use consent::REVOCATION_NOTICE;
pub use consent::ShareScope;
pub use error::WalletError;
pub use medledger_client::{Attachment, Incident, LedgerSource, SourceError, Visit};
pub use records::RecordSummary;
pub use relationships::Relationship;
pub use store::{StoreFailure, WalletStore};
pub use sync::{Progress, SyncEvent};
pub use wallet::saving::{SaveProgress, SaveProgressFn};
pub use wallet::{
    Erased, GrantRequest, Granted, GuardianChoice, OpenedShared, Rotation, SyncReport, Wallet,
    describe_delay,
};

/// The ledger account of a wallet's keys.
pub fn account_of(keys: &medwallet_crypto::AccountKeys) -> medledger_types::hash::Address {
    keys.public().account()
}
