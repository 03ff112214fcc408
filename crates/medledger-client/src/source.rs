//! Verified access to the ledger. An implementation fetches from untrusted nodes and returns
//! only what it verified (certificates, state proofs); a caller never sees unverified state.
//! The wallet core and the issuer are generic over it, so they are tested without a network.

use medledger_types::hash::{ChainId, Sha256Digest, TxId};
use medledger_types::state::StateKey;
use medledger_types::tx::SignedTx;
use medwallet_verify::{Invalid, VerifiedHeader};
use thiserror::Error;

use crate::blob_request::BlobRequest;
use crate::fault::{Incident, NetError, NodeFault};

/// Why the ledger could not answer. Every variant names the nodes and what each did.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("no node: add node URLs (none is trusted; their answers are verified)")]
    NoNodes,
    #[error("no node served a verifiable, current header: {}", joined(.0))]
    NoCurrentHeader(Vec<NodeFault>),
    #[error("no node could prove a value: {}", joined(.0))]
    Unproven(Vec<NodeFault>),
    #[error("no node served the ciphertext: {}", joined(.0))]
    NoBlob(Vec<NetError>),
    #[error("no node accepted the transaction: {}", joined(.0))]
    NotAccepted(Vec<NetError>),
    #[error("no node accepted the upload: {}", joined(.0))]
    NotUploaded(Vec<NetError>),
    /// A file on this side failed (the upload's source, a download's destination: a full
    /// disk), not a node.
    #[error("a local file failed: {0}")]
    Local(#[source] std::io::Error),
    #[error("no node took the message: {}", joined(.0))]
    NotPosted(Vec<NetError>),
    #[error("no node's mailbox answered: {}", joined(.0))]
    NoMailbox(Vec<NetError>),
    /// No verified state showed the transaction's effect in time: the write is not done.
    #[error(
        "the {kind} transaction {tx} is not done: no verified ledger state showed it taking effect within {seconds} s (accepted by {})",
        accepted(.accepted_by)
    )]
    NotCommitted {
        tx: TxId,
        kind: &'static str,
        seconds: u64,
        accepted_by: Vec<String>,
    },
}

fn accepted(nodes: &[String]) -> String {
    if nodes.is_empty() {
        "no node".into()
    } else {
        nodes.join(", ")
    }
}

fn joined<T: std::fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        return "no node answered".into();
    }
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl SourceError {
    /// The first deliberate refusal among the nodes' answers (`{ code, message }`): the request
    /// itself is wrong or not allowed, as opposed to nobody answering.
    pub fn refusal(&self) -> Option<&NetError> {
        let refused = |e: &&NetError| matches!(e, NetError::Refused { .. });
        match self {
            SourceError::NoBlob(errors)
            | SourceError::NotAccepted(errors)
            | SourceError::NotUploaded(errors)
            | SourceError::NotPosted(errors) => errors.iter().find(refused),
            _ => None,
        }
    }
}

/// Most keys one request for proofs may name (`POST /v1/state/proofs`): the batch a
/// [`LedgerSource::values`] over the network asks at once.
pub use medledger_api::proof_batch::MAX_BATCH_KEYS;

/// Verified access to one chain.
#[allow(async_fn_in_trait)]
pub trait LedgerSource {
    /// The chain this source is anchored to (from its trust anchor, never from a node).
    fn chain(&self) -> ChainId;
    /// The newest finalized header that a node served and the light client verified.
    async fn latest(&self, now_ms: u64) -> Result<VerifiedHeader, SourceError>;
    /// A state value (or its proven absence) in the state `at` commits to, verified by proof.
    async fn value(
        &self,
        at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<Option<Vec<u8>>, SourceError>;
    /// Many state values (or their proven absence) in the state `at` commits to, in the order
    /// of `keys`, each verified by proof as [`LedgerSource::value`] verifies one. A source over
    /// the network asks for them in batches rather than one request per key.
    async fn values(
        &self,
        at: &VerifiedHeader,
        keys: &[StateKey],
    ) -> Result<Vec<Option<Vec<u8>>>, SourceError> {
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            values.push(self.value(at, key).await?);
        }
        Ok(values)
    }
    /// A record's ciphertext, `len` bytes (the proven entry's length) whose SHA-256 is
    /// `request.blob`: a node that serves anything else is named and the next one is asked.
    async fn blob(&self, request: &BlobRequest<'_>, len: u64) -> Result<Vec<u8>, SourceError>;
    /// [`LedgerSource::blob`] into `sink` as it arrives, for a record too large to hold in
    /// memory: the same checks, with the sink restarted before each node's answer. Only an
    /// `Ok` means the sink holds the ciphertext. This default holds it in memory once (and
    /// checks it again here, whatever [`LedgerSource::blob`] did); a source over the network
    /// streams it.
    async fn blob_to(
        &self,
        request: &BlobRequest<'_>,
        len: u64,
        sink: &mut dyn BlobSink,
    ) -> Result<(), SourceError> {
        use sha2::Digest;
        let bytes = self.blob(request, len).await?;
        if bytes.len() as u64 != len || sha2::Sha256::digest(&bytes)[..] != request.blob.0[..] {
            return Err(SourceError::NoBlob(vec![NetError::Protocol {
                node: "the source".into(),
                message: Invalid::WrongCiphertext.to_string(),
            }]));
        }
        sink.restart().map_err(SourceError::Local)?;
        sink.write(&bytes).map_err(SourceError::Local)
    }
    /// Submits a transaction and returns once its effect ([`crate::effect::effects`]) is proven
    /// at a verified header: the height of that header. A node's word that it committed is
    /// never enough.
    async fn submit(&self, tx: &SignedTx) -> Result<u64, SourceError>;
    /// Submits consecutive transactions (one author's nonces in order) and waits until each one's
    /// effect is proven; returns those heights. An implementation may submit them all before
    /// waiting.
    async fn submit_all(&self, txs: &[SignedTx]) -> Result<Vec<u64>, SourceError> {
        let mut heights = Vec::with_capacity(txs.len());
        for tx in txs {
            heights.push(self.submit(tx).await?);
        }
        Ok(heights)
    }
    /// What nodes were caught doing so far (lies, equivocation, rollbacks), for the user to see.
    fn incidents(&self) -> Vec<Incident>;
    /// Starts from a header verified earlier (the wallet's persisted trust floor), verified
    /// again here: no node may then serve an older view, and a different block at its height
    /// is equivocation.
    fn adopt_floor(&self, header: &[u8], certificate: &[u8]) -> Result<(), Invalid>;
}

/// State values with the proofs that verified them, for what must be checked again later
/// without any node (a patient's export).
#[allow(async_fn_in_trait)]
pub trait ProofSource {
    /// The value at `key` in the state `at` commits to (verified, as [`LedgerSource::value`])
    /// and the proof it was verified with.
    async fn proven(
        &self,
        at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<(Option<Vec<u8>>, Vec<u8>), SourceError>;
}

/// Where a clinic puts the ciphertexts it issues (nodes accept them by hash from registered
/// clinics and replicate them to each other).
#[allow(async_fn_in_trait)]
pub trait BlobUpload {
    /// Uploads `bytes` under their SHA-256 `blob`, the request signed by `key` (a registered
    /// clinic's) for each node it goes to.
    async fn upload(
        &self,
        blob: &Sha256Digest,
        bytes: Vec<u8>,
        key: &medwallet_crypto::SigningKey,
        now_ms: u64,
    ) -> Result<(), SourceError>;
    /// [`BlobUpload::upload`] of the `len` bytes in the file at `path` (a sealed record of any
    /// size), read as it is sent; `sent` hears the bytes sent so far.
    async fn upload_file(
        &self,
        blob: &Sha256Digest,
        path: &std::path::Path,
        len: u64,
        key: &medwallet_crypto::SigningKey,
        now_ms: u64,
        sent: std::sync::Arc<dyn Fn(u64) + Send + Sync>,
    ) -> Result<(), SourceError>;
}

/// Where a downloaded ciphertext goes, piece by piece as a node sends it (a file, for a large
/// record). Nothing in it is trusted until [`LedgerSource::blob_to`] returns `Ok`.
pub trait BlobSink: Send {
    /// Drops what was written: that node's answer was refused and the next node's follows.
    fn restart(&mut self) -> std::io::Result<()>;
    /// Takes the next piece.
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()>;
}

/// The device-join mailbox on the nodes: write-once slots outside the ledger that live ten
/// minutes (`medledger_node::mailbox`). Nothing read from it is trusted: the devices
/// authenticate what they exchange through it (`medwallet_crypto::device_join`).
#[allow(async_fn_in_trait)]
pub trait Mailbox {
    /// Puts `bytes` in `slot` on every node; done if one took them. If any node holds other
    /// bytes there, refused with its `slot_taken`.
    async fn post(&self, slot: &[u8; 32], bytes: &[u8]) -> Result<(), SourceError>;
    /// The distinct values the nodes hold in `slot` (empty: nothing yet).
    async fn read(&self, slot: &[u8; 32]) -> Result<Vec<Vec<u8>>, SourceError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(node: &str) -> NetError {
        NetError::Refused {
            node: node.into(),
            status: 409,
            code: "wrong_nonce".into(),
            message: "expected nonce 1".into(),
        }
    }

    #[test]
    fn errors_list_every_node_and_find_the_refusal() {
        let down = NetError::Unreachable {
            node: "http://a".into(),
            message: "connection refused".into(),
        };
        let e = SourceError::NotAccepted(vec![down.clone(), refused("http://b")]);
        let text = e.to_string();
        assert!(
            text.contains("http://a") && text.contains("wrong_nonce"),
            "{text}"
        );
        assert_eq!(e.refusal(), Some(&refused("http://b")));
        assert_eq!(SourceError::NoBlob(vec![down]).refusal(), None);
        assert!(
            SourceError::Unproven(vec![])
                .to_string()
                .contains("no node answered")
        );
    }
}
