//! The [`LedgerSource`] over several untrusted nodes: the newest header comes from a
//! cross-check (liars and stale nodes are left out and reported), values are proven against it
//! by whichever honest node answers, blobs come from any node (the caller checks their hash
//! against the verified record), and transactions go to the first node that accepts them.

use std::sync::{Mutex, MutexGuard};

use medledger_client::{
    BlobRequest, BlobUpload, Incident, LedgerSource, NetError, NodeClient, SourceError,
};
use medledger_types::genesis::Genesis;
use medledger_types::hash::{ChainId, Sha256Digest, TxId};
use medledger_types::state::StateKey;
use medledger_types::tx::SignedTx;
use medwallet_verify::{Invalid, LightClient, TrustAnchor, VerifiedHeader};

use crate::MAX_HEADER_AGE_MS;
use crate::cross_check::cross_check;
use crate::verified::verified_value;

/// How long a submitted transaction is waited for.
const FINALITY_WAIT_MS: u64 = 30_000;

/// Several nodes, a light client, and what they were caught doing.
pub struct NetworkSource {
    nodes: Vec<NodeClient>,
    light: Mutex<LightClient>,
    max_age_ms: u64,
    incidents: Mutex<Vec<Incident>>,
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
            incidents: Mutex::default(),
        }
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

impl LedgerSource for NetworkSource {
    fn chain(&self) -> ChainId {
        lock(&self.light).anchor.chain
    }

    async fn latest(&self, now_ms: u64) -> Result<VerifiedHeader, SourceError> {
        if self.nodes.is_empty() {
            return Err(SourceError::NoNodes);
        }
        let light = lock(&self.light).clone();
        let check = cross_check(&self.nodes, &light, now_ms, self.max_age_ms).await;
        for incident in check.incidents() {
            self.report(incident);
        }
        let Some((newest, _)) = check.newest else {
            return Err(SourceError::NoCurrentHeader(check.faults));
        };
        let mut light = lock(&self.light);
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
        let mut faults = Vec::new();
        for node in &self.nodes {
            match verified_value(node, at, key).await {
                Ok(v) => return Ok(v),
                Err(fault) => {
                    if let Some(incident) = fault.incident() {
                        self.report(incident);
                    }
                    faults.push(fault);
                }
            }
        }
        Err(SourceError::Unproven(faults))
    }

    async fn blob(&self, request: &BlobRequest) -> Result<Vec<u8>, SourceError> {
        let mut errors = Vec::new();
        for node in &self.nodes {
            match node.get_blob(request).await {
                Ok(bytes) => return Ok(bytes),
                Err(e) => errors.push(e),
            }
        }
        Err(SourceError::NoBlob(errors))
    }

    async fn submit(&self, tx: &SignedTx) -> Result<u64, SourceError> {
        let (node, id) = self.accept(tx).await?;
        self.finalized(node, id).await
    }

    async fn submit_all(&self, txs: &[SignedTx]) -> Result<Vec<u64>, SourceError> {
        // All of them first, so they finalize together, then each is waited for.
        let mut accepted = Vec::with_capacity(txs.len());
        for tx in txs {
            accepted.push(self.accept(tx).await?);
        }
        let mut heights = Vec::with_capacity(txs.len());
        for (node, id) in accepted {
            heights.push(self.finalized(node, id).await?);
        }
        Ok(heights)
    }

    fn incidents(&self) -> Vec<Incident> {
        lock(&self.incidents).clone()
    }

    fn adopt_floor(&self, header: &[u8], certificate: &[u8]) -> Result<(), Invalid> {
        let mut light = lock(&self.light);
        let floor = light.verify(header, certificate)?;
        light.apply(floor)
    }
}

impl NetworkSource {
    /// Submits `tx` to the first node that accepts it.
    async fn accept(&self, tx: &SignedTx) -> Result<(&NodeClient, TxId), SourceError> {
        let mut errors: Vec<NetError> = Vec::new();
        for node in &self.nodes {
            match node.submit(tx).await {
                Ok(id) => return Ok((node, id)),
                Err(e) => errors.push(e),
            }
        }
        Err(SourceError::NotAccepted(errors))
    }

    /// Waits for `node` to report `id` finalized.
    async fn finalized(&self, node: &NodeClient, id: TxId) -> Result<u64, SourceError> {
        let status = node
            .wait_tx(&id, FINALITY_WAIT_MS)
            .await
            .map_err(|e| SourceError::NotAccepted(vec![e]))?;
        status.height.ok_or_else(|| SourceError::NotFinalized {
            tx: id,
            node: node.url().to_owned(),
            seconds: FINALITY_WAIT_MS / 1000,
        })
    }
}

impl BlobUpload for NetworkSource {
    async fn upload(
        &self,
        blob: &Sha256Digest,
        bytes: Vec<u8>,
        auth: &str,
    ) -> Result<(), SourceError> {
        let mut errors = Vec::new();
        for node in &self.nodes {
            match node.put_blob(blob, bytes.clone(), auth).await {
                Ok(()) => return Ok(()),
                Err(e) => errors.push(e),
            }
        }
        Err(SourceError::NotUploaded(errors))
    }
}
