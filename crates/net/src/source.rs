//! The wallet core's [`LedgerSource`] over several untrusted nodes: the newest header comes from
//! a cross-check (liars and stale nodes are left out and reported), values are proven against
//! it by whichever honest node answers, and blobs come from any node (the core checks their
//! hash against the verified record).

use std::sync::Mutex;

use medledger_types::hash::{GrantId, RecordId, Sha256Digest};
use medledger_types::state::StateKey;
use medledger_types::tx::SignedTx;
use medwallet_core::{LedgerSource, SourceError};
use medwallet_verify::{LightClient, VerifiedHeader};

use crate::client::NodeClient;
use crate::cross_check::cross_check;
use crate::verified::verified_value;

/// Several nodes, a light client, and what they were caught doing.
pub struct NetworkSource {
    nodes: Vec<NodeClient>,
    light: Mutex<LightClient>,
    max_age_ms: u64,
    /// Human-readable reports of nodes caught lying or equivocating (for the UI's red banner).
    pub incidents: Mutex<Vec<String>>,
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

    fn report(&self, what: String) {
        self.incidents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what);
    }

    fn light(&self) -> LightClient {
        self.light.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl LedgerSource for NetworkSource {
    async fn latest(&self, now_ms: u64) -> Result<VerifiedHeader, SourceError> {
        let light = self.light();
        let check = cross_check(&self.nodes, &light, now_ms, self.max_age_ms).await;
        for fault in check.lying() {
            self.report(fault.to_string());
        }
        for (e, a, b) in &check.equivocations {
            self.report(format!(
                "equivocation at height {}: {a} and {b} serve different finalized blocks",
                e.height
            ));
        }
        let Some((newest, _)) = check.newest else {
            let reasons: Vec<String> = check.faults.iter().map(ToString::to_string).collect();
            return Err(SourceError(format!(
                "no node served a verifiable, current header: {}",
                reasons.join("; ")
            )));
        };
        let mut light = self.light.lock().unwrap_or_else(|e| e.into_inner());
        // Never go back: a newer header verified earlier stays the floor.
        if light.apply(newest.clone()).is_err() {
            return light
                .latest
                .clone()
                .ok_or_else(|| SourceError("no verified header".into()));
        }
        Ok(newest)
    }

    async fn value(
        &self,
        at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<Option<Vec<u8>>, SourceError> {
        let mut last = String::from("no node");
        for node in &self.nodes {
            match verified_value(node, at, key).await {
                Ok(v) => return Ok(v),
                Err(fault) => {
                    if fault.is_lying() {
                        self.report(fault.to_string());
                    }
                    last = fault.to_string();
                }
            }
        }
        Err(SourceError(format!("no node could prove a value: {last}")))
    }

    async fn blob(
        &self,
        hash: &Sha256Digest,
        record: &RecordId,
        grant: Option<&GrantId>,
        auth_header: &str,
    ) -> Result<Vec<u8>, SourceError> {
        let mut last = String::from("no node");
        for node in &self.nodes {
            match node.get_blob(hash, record, grant, auth_header).await {
                Ok(bytes) => return Ok(bytes),
                Err(e) => last = e.to_string(),
            }
        }
        Err(SourceError(last))
    }

    async fn submit(&self, tx: &SignedTx) -> Result<u64, SourceError> {
        let mut last = String::from("no node");
        for node in &self.nodes {
            match node.submit(tx).await {
                Ok(id) => {
                    let status = node
                        .wait_tx(&id, 30_000)
                        .await
                        .map_err(|e| SourceError(e.to_string()))?;
                    return status.height.ok_or_else(|| {
                        SourceError(format!(
                            "transaction {} not finalized within 30 s",
                            id.to_hex()
                        ))
                    });
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(SourceError(last))
    }
}
