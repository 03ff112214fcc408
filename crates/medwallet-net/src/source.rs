//! The [`LedgerSource`] over several untrusted nodes: the newest header comes from a
//! cross-check (liars and stale nodes are left out and reported), values are proven against it
//! by whichever honest node answers, blobs come from any node (the caller checks their hash
//! against the verified record), and transactions go to every node and count as done only when
//! their effect is proven at a verified header.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::{join_all, try_join_all};
use medledger_client::effect::{Effect, effects};
use medledger_client::http::transfer_timeout;
use medledger_client::source::MAX_BATCH_KEYS;
use medledger_client::{
    BlobRequest, BlobSink, BlobUpload, Incident, LedgerSource, Mailbox, NetError, NodeClient,
    NodeFault, ProofSource, SourceError, WriteLie,
};
use medledger_types::genesis::Genesis;
use medledger_types::hash::{ChainId, Sha256Digest};
use medledger_types::state::StateKey;
use medledger_types::tx::SignedTx;
use medwallet_verify::{Invalid, LightClient, TrustAnchor, VerifiedHeader};
use sha2::{Digest, Sha256};

use crate::MAX_HEADER_AGE_MS;
use crate::cross_check::cross_check;
use crate::verified::{verified_value_with_proof, verified_values};

/// How long a submitted transaction is waited for.
const FINALITY_WAIT_MS: u64 = 30_000;
/// How long each node is asked to hold its answer about a pending transaction.
const STATUS_WAIT_MS: u64 = 1_000;
/// Pause between looks at the verified state while a write is pending.
const POLL_MS: u64 = 100;

/// Several nodes, a light client, and what they were caught doing.
pub struct NetworkSource {
    nodes: Vec<NodeClient>,
    light: Mutex<LightClient>,
    max_age_ms: u64,
    write_wait_ms: u64,
    incidents: Mutex<Vec<Incident>>,
    /// The newest height each node certified (a node that then withholds state at or below it
    /// is named).
    certified: Mutex<HashMap<String, u64>>,
    /// A trust floor in an epoch the light client has not learned yet: verified (after the sets
    /// it needs are learned from a node, by proof) before any node's newest header is used.
    pending_floor: Mutex<Option<(Vec<u8>, Vec<u8>)>>,
    /// Batches of proofs asked so far: each starts at the next node, spreading the work.
    next_batch: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each guarded value is consistent after any panic; a poisoned lock is not fatal.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl NetworkSource {
    pub fn new(nodes: Vec<NodeClient>, light: LightClient, max_age_ms: u64) -> Self {
        Self {
            nodes,
            light: Mutex::new(light),
            max_age_ms,
            write_wait_ms: FINALITY_WAIT_MS,
            incidents: Mutex::default(),
            certified: Mutex::default(),
            pending_floor: Mutex::default(),
            next_batch: AtomicUsize::new(0),
        }
    }

    /// How long a write is waited for before it is reported as not done (default 30 s).
    pub fn with_write_wait(mut self, ms: u64) -> Self {
        self.write_wait_ms = ms;
        self
    }

    /// The nodes at `urls`, anchored at `genesis` (the trust anchor a wallet or clinic holds),
    /// with the standard freshness window.
    pub fn anchored(urls: &[String], genesis: &Genesis) -> Result<Self, AnchorError> {
        if urls.is_empty() {
            return Err(AnchorError::NoNodes);
        }
        let anchor = TrustAnchor::from_genesis(genesis).map_err(AnchorError::Genesis)?;
        Ok(Self::new(
            urls.iter().map(NodeClient::new).collect(),
            LightClient::new(anchor),
            MAX_HEADER_AGE_MS,
        ))
    }

    /// The nodes, in the order they are asked.
    pub fn nodes(&self) -> &[NodeClient] {
        &self.nodes
    }

    fn report(&self, incident: Incident) {
        let mut incidents = lock(&self.incidents);
        if !incidents.contains(&incident) {
            incidents.push(incident);
        }
    }
}

/// Why a source could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnchorError {
    #[error("no node: add node URLs (none is trusted; their answers are verified)")]
    NoNodes,
    #[error("the genesis file cannot anchor a light client: {0}")]
    Genesis(Invalid),
}

impl NetworkSource {
    /// The first node's value at `key` that verifies, with its proof; every node's fault is
    /// reported.
    async fn proven_by_any(
        &self,
        at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<(Option<Vec<u8>>, Vec<u8>), SourceError> {
        let mut faults = Vec::new();
        for node in &self.nodes {
            match verified_value_with_proof(node, at, key).await {
                Ok(v) => return Ok(v),
                Err(fault) => {
                    self.report_fault(node, at, &fault);
                    faults.push(fault);
                }
            }
        }
        Err(SourceError::Unproven(faults))
    }

    /// Reports what `fault` shows of `node`: a lie, or state withheld at or below a height it
    /// certified itself.
    fn report_fault(&self, node: &NodeClient, at: &VerifiedHeader, fault: &NodeFault) {
        if let Some(incident) = fault.incident() {
            self.report(incident);
        }
        let withheld = matches!(fault, NodeFault::Net(NetError::Refused { status: 404, .. }))
            && lock(&self.certified)
                .get(node.url())
                .is_some_and(|&h| h >= at.height());
        if withheld {
            self.report(Incident::Withheld {
                node: node.url().to_owned(),
                height: at.height(),
            });
        }
    }

    /// `keys` (at most one batch) proven in one answer, asking the nodes in turn from
    /// `first` (so that a sync's batches spread over them); a node that lies or withholds is
    /// named. When no node answers a batch that verifies, each key is asked on its own
    /// ([`Self::proven_by_any`]).
    async fn batch_by_any(
        &self,
        at: &VerifiedHeader,
        keys: &[StateKey],
        first: usize,
    ) -> Result<Vec<Option<Vec<u8>>>, SourceError> {
        let count = self.nodes.len();
        for node in self
            .nodes
            .iter()
            .cycle()
            .skip(first % count.max(1))
            .take(count)
        {
            match verified_values(node, at, keys).await {
                Ok(values) => return Ok(values),
                Err(fault) => self.report_fault(node, at, &fault),
            }
        }
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            values.push(self.proven_by_any(at, key).await?.0);
        }
        Ok(values)
    }
}

impl ProofSource for NetworkSource {
    async fn proven(
        &self,
        at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<(Option<Vec<u8>>, Vec<u8>), SourceError> {
        self.proven_by_any(at, key).await
    }
}

impl LedgerSource for NetworkSource {
    fn chain(&self) -> ChainId {
        lock(&self.light).anchor.chain
    }

    async fn latest(&self, now_ms: u64) -> Result<VerifiedHeader, SourceError> {
        if self.nodes.is_empty() {
            return Err(SourceError::NoNodes);
        }
        self.adopt_pending_floor().await?;
        let light = lock(&self.light).clone();
        let check = cross_check(&self.nodes, &light, now_ms, self.max_age_ms).await;
        for incident in check.incidents() {
            self.report(incident);
        }
        {
            let mut certified = lock(&self.certified);
            for (node, height) in &check.certified {
                let h = certified.entry(node.clone()).or_default();
                *h = (*h).max(*height);
            }
        }
        let Some((newest, _)) = check.newest else {
            return Err(SourceError::NoCurrentHeader(check.faults));
        };
        let mut light = lock(&self.light);
        for change in check.learned {
            if light.validators_of(change.epoch).is_none() {
                light.apply_epoch_change(change);
            }
        }
        // Never go back: a newer header verified earlier stays the floor.
        if light.apply(newest.clone()).is_err() {
            return light
                .latest
                .clone()
                .ok_or(SourceError::NoCurrentHeader(Vec::new()));
        }
        Ok(newest)
    }

    async fn value(
        &self,
        at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<Option<Vec<u8>>, SourceError> {
        Ok(self.proven_by_any(at, key).await?.0)
    }

    async fn values(
        &self,
        at: &VerifiedHeader,
        keys: &[StateKey],
    ) -> Result<Vec<Option<Vec<u8>>>, SourceError> {
        let batches = keys.chunks(MAX_BATCH_KEYS).map(|batch| {
            let first = self.next_batch.fetch_add(1, Ordering::Relaxed);
            self.batch_by_any(at, batch, first)
        });
        Ok(try_join_all(batches).await?.into_iter().flatten().collect())
    }

    async fn blob(&self, request: &BlobRequest<'_>, len: u64) -> Result<Vec<u8>, SourceError> {
        let mut errors = Vec::new();
        let chain = self.chain();
        for node in &self.nodes {
            match node.get_blob(request, chain, len).await {
                Ok(bytes)
                    if bytes.len() as u64 == len
                        && Sha256::digest(&bytes).as_slice() == request.blob.as_bytes() =>
                {
                    return Ok(bytes);
                }
                Ok(_) => {
                    self.report(Incident::Lying {
                        node: node.url().to_owned(),
                        reason: Invalid::WrongCiphertext,
                    });
                    errors.push(NetError::Protocol {
                        node: node.url().to_owned(),
                        message: Invalid::WrongCiphertext.to_string(),
                    });
                }
                Err(e) => errors.push(e),
            }
        }
        Err(SourceError::NoBlob(errors))
    }

    async fn blob_to(
        &self,
        request: &BlobRequest<'_>,
        len: u64,
        sink: &mut dyn BlobSink,
    ) -> Result<(), SourceError> {
        let mut errors = Vec::new();
        let chain = self.chain();
        for node in &self.nodes {
            sink.restart().map_err(SourceError::Local)?;
            let mut stream = match node
                .blob_stream(request, chain, transfer_timeout(len))
                .await
            {
                Ok(stream) => std::pin::pin!(stream),
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let mut hasher = Sha256::new();
            let mut received = 0u64;
            let mut cut = None;
            while let Some(piece) = stream.next().await {
                match piece {
                    Ok(piece) => {
                        received += piece.len() as u64;
                        if received > len {
                            break;
                        }
                        hasher.update(&piece);
                        sink.write(&piece).map_err(SourceError::Local)?;
                    }
                    Err(message) => {
                        cut = Some(message);
                        break;
                    }
                }
            }
            if let Some(message) = cut {
                errors.push(NetError::Unreachable {
                    node: node.url().to_owned(),
                    message,
                });
                continue;
            }
            if received == len && hasher.finalize().as_slice() == request.blob.as_bytes() {
                return Ok(());
            }
            self.report(Incident::Lying {
                node: node.url().to_owned(),
                reason: Invalid::WrongCiphertext,
            });
            errors.push(NetError::Protocol {
                node: node.url().to_owned(),
                message: Invalid::WrongCiphertext.to_string(),
            });
        }
        Err(SourceError::NoBlob(errors))
    }

    async fn submit(&self, tx: &SignedTx) -> Result<u64, SourceError> {
        let accepted = self.broadcast(tx).await?;
        self.confirmed(tx, accepted).await
    }

    async fn submit_all(&self, txs: &[SignedTx]) -> Result<Vec<u64>, SourceError> {
        // All of them first, so they finalize together, then each one's effect is proven.
        let mut accepted = Vec::with_capacity(txs.len());
        for tx in txs {
            accepted.push(self.broadcast(tx).await?);
        }
        let mut heights = Vec::with_capacity(txs.len());
        for (tx, nodes) in txs.iter().zip(accepted) {
            heights.push(self.confirmed(tx, nodes).await?);
        }
        Ok(heights)
    }

    fn incidents(&self) -> Vec<Incident> {
        lock(&self.incidents).clone()
    }

    fn adopt_floor(&self, header: &[u8], certificate: &[u8]) -> Result<(), Invalid> {
        let mut light = lock(&self.light);
        if light.epoch_needed(header)?.is_some() {
            // Its epoch's set is learned (and the floor checked) before the next use.
            *lock(&self.pending_floor) = Some((header.to_vec(), certificate.to_vec()));
            return Ok(());
        }
        let floor = light.verify(header, certificate)?;
        light.apply(floor)
    }
}

impl NetworkSource {
    /// Learns the sets a pending trust floor needs from the first node that can prove them,
    /// then verifies and adopts the floor. A floor no node can bring into reach stays pending
    /// (the sync fails rather than run without it); a floor that fails its checks is dropped.
    async fn adopt_pending_floor(&self) -> Result<(), SourceError> {
        let Some((header, certificate)) = lock(&self.pending_floor).clone() else {
            return Ok(());
        };
        let mut faults = Vec::new();
        for node in &self.nodes {
            let mut light = lock(&self.light).clone();
            match medledger_client::epochs::learn_epochs(node, &mut light, &header).await {
                Ok(()) => {
                    let mut shared = lock(&self.light);
                    for change in light.learned() {
                        if shared.validators_of(change.epoch).is_none() {
                            shared.apply_epoch_change(change);
                        }
                    }
                    *lock(&self.pending_floor) = None;
                    if let Ok(floor) = shared.verify(&header, &certificate) {
                        let _ = shared.apply(floor);
                    }
                    return Ok(());
                }
                Err(fault) => {
                    if let Some(incident) = fault.incident() {
                        self.report(incident);
                    }
                    faults.push(fault);
                }
            }
        }
        Err(SourceError::NoCurrentHeader(faults))
    }

    /// Submits `tx` to every node at once (one that swallows it cannot stop it); returns the
    /// nodes that took it under its own id. A node reporting another id is named.
    async fn broadcast(&self, tx: &SignedTx) -> Result<Vec<&NodeClient>, SourceError> {
        let id = tx.id();
        let answers = join_all(self.nodes.iter().map(|n| n.submit(tx))).await;
        let mut accepted = Vec::new();
        let mut errors: Vec<NetError> = Vec::new();
        for (node, answer) in self.nodes.iter().zip(answers) {
            match answer {
                Ok(reported) if reported == id => accepted.push(node),
                Ok(reported) => self.report(Incident::WriteLie {
                    node: node.url().to_owned(),
                    tx: id.to_hex(),
                    lie: WriteLie::WrongId {
                        reported: reported.to_hex(),
                    },
                }),
                // It has the transaction already (from a peer): as good as accepted.
                Err(NetError::Refused { code, .. }) if code == "duplicate" => accepted.push(node),
                Err(e) => errors.push(e),
            }
        }
        if accepted.is_empty() {
            return Err(SourceError::NotAccepted(errors));
        }
        Ok(accepted)
    }

    /// Waits until the verified state shows `tx`'s effects; returns the verified height. A
    /// node that reports it committed at a height whose verified state says otherwise is
    /// named, and no longer waited on.
    async fn confirmed(
        &self,
        tx: &SignedTx,
        mut waiting: Vec<&NodeClient>,
    ) -> Result<u64, SourceError> {
        let id = tx.id();
        let effects = effects(tx);
        let accepted_by: Vec<String> = waiting.iter().map(|n| n.url().to_owned()).collect();
        let started = Instant::now();
        let deadline = Duration::from_millis(self.write_wait_ms);
        while started.elapsed() < deadline {
            // The nodes' own long poll paces the loop: an honest node answers as soon as the
            // transaction commits. What they say is only a hint of when to look.
            let statuses = join_all(waiting.iter().map(|n| n.wait_tx(&id, STATUS_WAIT_MS))).await;
            let claims: Vec<(&NodeClient, u64)> = waiting
                .iter()
                .zip(statuses)
                .filter_map(|(n, s)| Some((*n, s.ok()?.height?)))
                .collect();
            if let Ok(at) = self.latest(now_ms()).await {
                if self.proven(&at, &effects).await {
                    return Ok(at.height());
                }
                for (node, claimed) in claims.iter().filter(|(_, h)| *h <= at.height()) {
                    self.report(Incident::WriteLie {
                        node: node.url().to_owned(),
                        tx: id.to_hex(),
                        lie: WriteLie::FalseCommit {
                            claimed: *claimed,
                            verified: at.height(),
                        },
                    });
                    waiting.retain(|n| n.url() != node.url());
                }
            }
            tokio::time::sleep(Duration::from_millis(POLL_MS)).await;
        }
        Err(SourceError::NotCommitted {
            tx: id,
            kind: tx.tx.body.kind(),
            seconds: self.write_wait_ms / 1000,
            accepted_by,
        })
    }

    /// Whether every effect is proven at `at` (a value no node can prove counts as not yet).
    async fn proven(&self, at: &VerifiedHeader, effects: &[Effect]) -> bool {
        for effect in effects {
            match self.value(at, effect.key()).await {
                Ok(value) if effect.holds(value.as_deref()) => {}
                _ => return false,
            }
        }
        true
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl BlobUpload for NetworkSource {
    async fn upload(
        &self,
        blob: &Sha256Digest,
        bytes: Vec<u8>,
        key: &medwallet_crypto::SigningKey,
        now_ms: u64,
    ) -> Result<(), SourceError> {
        let mut errors = Vec::new();
        let chain = self.chain();
        for node in &self.nodes {
            match node.put_blob(blob, bytes.clone(), key, chain, now_ms).await {
                Ok(()) => return Ok(()),
                Err(e) => errors.push(e),
            }
        }
        Err(SourceError::NotUploaded(errors))
    }

    async fn upload_file(
        &self,
        blob: &Sha256Digest,
        path: &std::path::Path,
        len: u64,
        key: &medwallet_crypto::SigningKey,
        now_ms: u64,
        sent: std::sync::Arc<dyn Fn(u64) + Send + Sync>,
    ) -> Result<(), SourceError> {
        let mut errors = Vec::new();
        let chain = self.chain();
        for node in &self.nodes {
            // Read afresh for each node: the file is the one copy.
            let file = tokio::fs::File::open(path)
                .await
                .map_err(SourceError::Local)?;
            match node
                .put_blob_file(blob, file, len, key, chain, now_ms, sent.clone())
                .await
            {
                Ok(()) => return Ok(()),
                Err(e) => errors.push(e),
            }
        }
        Err(SourceError::NotUploaded(errors))
    }
}

impl Mailbox for NetworkSource {
    async fn post(&self, slot: &[u8; 32], bytes: &[u8]) -> Result<(), SourceError> {
        let mut errors = Vec::new();
        let mut taken = false;
        let mut stored = false;
        for node in &self.nodes {
            match node.put_mailbox(slot, bytes).await {
                Ok(()) => stored = true,
                Err(e) => {
                    taken |= matches!(&e, NetError::Refused { code, .. } if code == "slot_taken");
                    errors.push(e);
                }
            }
        }
        if stored && !taken {
            Ok(())
        } else {
            Err(SourceError::NotPosted(errors))
        }
    }

    async fn read(&self, slot: &[u8; 32]) -> Result<Vec<Vec<u8>>, SourceError> {
        let mut values: Vec<Vec<u8>> = Vec::new();
        let mut errors = Vec::new();
        for node in &self.nodes {
            match node.get_mailbox(slot).await {
                Ok(Some(bytes)) => {
                    if !values.contains(&bytes) {
                        values.push(bytes);
                    }
                }
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        if errors.len() == self.nodes.len() && !self.nodes.is_empty() {
            return Err(SourceError::NoMailbox(errors));
        }
        Ok(values)
    }
}
