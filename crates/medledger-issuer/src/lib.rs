//! The clinic side of Medwallet: what a clinic's IT runs to issue records to patients' wallets.
//!
//! * [`key_file::ClinicKey`]: the clinic's identity, a key file guarded like any issuer
//!   credential.
//! * [`issue::issue`]: FHIR R4 in (validated strictly), split per encounter, each record sealed
//!   under a fresh content key, its ciphertext uploaded, its key wrapped to the patient, and
//!   IssueRecord submitted and finalized.
//! * [`file::issue_file`]: a file (an imaging study) issued as one record, in constant memory.
//! * [`doctors::register_doctor`]: the clinic registers a doctor.
//! * [`demo`]: the devnet's demo clinic, which issues a history to every patient who registers.
//!
//! Every read (the clinic's nonce, the patient's account) is verified through a
//! [`medledger_client::LedgerSource`] anchored at the chain's genesis: a clinic trusts no node.
#![forbid(unsafe_code)]

pub mod demo;
pub mod doctors;
pub mod error;
pub mod file;
pub mod issue;
pub mod key_file;

pub use error::IssueError;
pub use key_file::ClinicKey;

/// Milliseconds since the Unix epoch (blob-request timestamps, freshness).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
