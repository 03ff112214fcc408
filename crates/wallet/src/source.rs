//! Where the wallet learns about the ledger. Implementations fetch from untrusted nodes and
//! must return only what they verified (the network adapter does, with the light client); the
//! core never sees unverified state.

use medledger_types::hash::{GrantId, RecordId, Sha256Digest};
use medledger_types::state::StateKey;
use medledger_types::tx::SignedTx;
use medwallet_verify::VerifiedHeader;
use thiserror::Error;

/// A source failure, already explained for a person.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct SourceError(pub String);

/// Verified access to the ledger.
#[allow(async_fn_in_trait)]
pub trait LedgerSource {
    /// The newest finalized header that a node served and the light client verified.
    async fn latest(&self, now_ms: u64) -> Result<VerifiedHeader, SourceError>;
    /// A state value (or proven absence) in the state `at` commits to, verified by proof.
    async fn value(
        &self,
        at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<Option<Vec<u8>>, SourceError>;
    /// A record's ciphertext (the caller checks its hash against the verified record entry).
    async fn blob(
        &self,
        hash: &Sha256Digest,
        record: &RecordId,
        grant: Option<&GrantId>,
        auth_header: &str,
    ) -> Result<Vec<u8>, SourceError>;
    /// Submits a transaction and waits until it is finalized; returns the height.
    async fn submit(&self, tx: &SignedTx) -> Result<u64, SourceError>;
}
