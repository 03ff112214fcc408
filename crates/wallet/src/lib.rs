//! The wallet core: what a patient's wallet does, independent of how it talks to nodes (a
//! [`source::LedgerSource`] that only returns verified data), how it stores its cache, or which
//! window shows it. No tokio, reqwest or Tauri here; the CLI and the desktop shell drive it.
//!
//! * [`sync::sync_records`]: new records of this patient, each proven against a verified
//!   header, their metadata decrypted with the patient's key.
//! * [`records::open_record`]: the ciphertext from a node, checked against the ledger's hash,
//!   decrypted to the FHIR the clinic issued.
#![forbid(unsafe_code)]

pub mod cache;
pub mod grants;
pub mod records;
pub mod source;
pub mod sync;

pub use cache::{open_cache, seal_cache};
pub use records::{RecordSummary, WalletError, open_record};
pub use source::{LedgerSource, SourceError};
pub use sync::{Progress, SyncEvent, sync_records};
