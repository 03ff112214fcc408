//! One untrusted node's HTTP API (`/v1`), typed with `medledger-api`. Nothing returned here is
//! trusted: `medwallet-net` verifies headers by certificate and values by proof, and blobs are
//! checked against the hash a proven record entry names.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::{Stream, StreamExt, TryStreamExt};
use medledger_api::proof_batch::{MAX_BATCH_LEN, ProofBatchRequest, ProvenBatch};
use medledger_api::{
    BlockJson, EpochJson, ErrorBody, HeaderJson, PatientRecordsJson, ProvenJson, StatusJson,
    SubmittedJson, TxStatusJson,
};
use medledger_types::blob_request::AUTH_HEADER;
use medledger_types::blob_request::{NONCE_LEN, Target};
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, ChainId, PublicKey, Sha256Digest, TxId};
use medledger_types::snapshot::{MAX_CHUNK_LEN, StateChunk};
use medledger_types::state::StateKey;
use medledger_types::tx::SignedTx;
use medwallet_crypto::SigningKey;

use crate::blob_request::{BlobRequest, upload_auth};
use crate::fault::NetError;

/// Largest JSON answer read from a node (a page of 1000 headers is about 1 MiB).
pub const MAX_JSON_LEN: u64 = 16 << 20;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How much of a file an upload reads at a time.
const UPLOAD_PIECE: usize = 256 << 10;

/// How long moving `len` bytes of a blob may take: a minute, and a second per MiB (slow links
/// move a 1 GiB study in under 20 minutes).
pub fn transfer_timeout(len: u64) -> Duration {
    Duration::from_secs(60 + (len >> 20))
}

/// A node's API at a base URL (e.g. `http://127.0.0.1:26601`).
#[derive(Clone, Debug)]
pub struct NodeClient {
    base: String,
    http: reqwest::Client,
    /// The node's key (from its status), which signed blob requests are bound to.
    node_key: Arc<OnceLock<PublicKey>>,
}

impl NodeClient {
    /// A node at `base`; `https://` nodes are checked against the platform's roots (rustls
    /// with the platform verifier).
    pub fn new(base: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .unwrap_or_default();
        Self::with_http(base, http)
    }

    /// A node whose TLS certificate chains to one of `roots` (PEM) as well as to the platform's
    /// roots: a consortium's private CA.
    pub fn with_extra_roots(base: impl Into<String>, roots: &[u8]) -> Result<Self, NetError> {
        let base = base.into();
        let bad = |e: reqwest::Error| NetError::Protocol {
            node: base.clone(),
            message: format!("the extra TLS roots cannot be used: {e}"),
        };
        let certs = reqwest::Certificate::from_pem_bundle(roots).map_err(bad)?;
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .tls_certs_merge(certs)
            .build()
            .map_err(bad)?;
        Ok(Self::with_http(base, http))
    }

    fn with_http(base: impl Into<String>, http: reqwest::Client) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            http,
            node_key: Arc::default(),
        }
    }

    /// Where a request to this node on `chain` goes: its node key, asked once. A node that
    /// names another node's key only misdirects requests sent to itself.
    pub async fn target(&self, chain: ChainId) -> Result<Target, NetError> {
        if let Some(node) = self.node_key.get() {
            return Ok(Target { chain, node: *node });
        }
        let status = self.status().await?;
        let node = PublicKey::from_hex(&status.node_key).map_err(|e| self.protocol(e))?;
        let _ = self.node_key.set(node);
        Ok(Target { chain, node })
    }

    /// The `x-medwallet-auth` header of `request` for this node, with a fresh nonce.
    async fn auth(&self, request: &BlobRequest<'_>, chain: ChainId) -> Result<String, NetError> {
        let target = self.target(chain).await?;
        Ok(request.auth_for(&target, fresh_nonce()))
    }

    /// The node's URL, which names it in reports.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> NetError {
        NetError::Unreachable {
            node: self.base.clone(),
            message: e.to_string(),
        }
    }

    fn protocol(&self, message: impl std::fmt::Display) -> NetError {
        NetError::Protocol {
            node: self.base.clone(),
            message: message.to_string(),
        }
    }

    /// The error for a non-success response: the node's `{ code, message }`.
    async fn refusal(&self, response: reqwest::Response) -> NetError {
        let status = response.status();
        match response.json::<ErrorBody>().await {
            Ok(body) => NetError::Refused {
                node: self.base.clone(),
                status: status.as_u16(),
                code: body.code,
                message: body.message,
            },
            Err(_) => self.protocol(format!("HTTP {status} without an error body")),
        }
    }

    async fn parse<T: serde::de::DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<T, NetError> {
        if !response.status().is_success() {
            return Err(self.refusal(response).await);
        }
        let bytes = self.read_bounded(response, MAX_JSON_LEN).await?;
        serde_json::from_slice(&bytes).map_err(|e| self.protocol(e))
    }

    /// A response body of at most `max` bytes: a node cannot make the client read more.
    async fn read_bounded(
        &self,
        mut response: reqwest::Response,
        max: u64,
    ) -> Result<Vec<u8>, NetError> {
        let too_long = |len: u64| {
            self.protocol(format!(
                "answered {len} bytes or more, beyond the {max} expected"
            ))
        };
        if let Some(len) = response.content_length().filter(|&n| n > max) {
            return Err(too_long(len));
        }
        let mut out = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.unreachable(e))? {
            let len = out.len() as u64 + chunk.len() as u64;
            if len > max {
                return Err(too_long(len));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, NetError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        self.parse(response).await
    }

    pub async fn status(&self) -> Result<StatusJson, NetError> {
        self.get("/v1/status").await
    }

    pub async fn header(&self, height: u64) -> Result<HeaderJson, NetError> {
        self.get(&format!("/v1/headers/{height}")).await
    }

    /// How `epoch` began (its set, and the certified last block of the epoch before), unverified.
    pub async fn epoch(&self, epoch: u64) -> Result<EpochJson, NetError> {
        self.get(&format!("/v1/epochs/{epoch}")).await
    }

    /// A whole block (header and transactions), unverified.
    pub async fn block(&self, height: u64) -> Result<BlockJson, NetError> {
        self.get(&format!("/v1/blocks/{height}")).await
    }

    /// Headers `from..=to` (at most 1000).
    pub async fn headers(&self, from: u64, to: u64) -> Result<Vec<HeaderJson>, NetError> {
        self.get(&format!("/v1/headers?from={from}&to={to}")).await
    }

    pub async fn state(&self, key: &StateKey, height: u64) -> Result<ProvenJson, NetError> {
        self.get(&format!(
            "/v1/state/{}?height={height}",
            hex::encode(&key.0)
        ))
        .await
    }

    /// Many keys' values with their proofs at `height`, in the order asked (at most
    /// [`MAX_BATCH_KEYS`](crate::source::MAX_BATCH_KEYS); unverified: check each entry
    /// against a verified header).
    pub async fn prove_many(
        &self,
        keys: &[StateKey],
        height: u64,
    ) -> Result<ProvenBatch, NetError> {
        let response = self
            .http
            .post(format!("{}/v1/state/proofs", self.base))
            .json(&ProofBatchRequest {
                height,
                keys: keys.iter().map(|k| hex::encode(&k.0)).collect(),
            })
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if !response.status().is_success() {
            return Err(self.refusal(response).await);
        }
        let bytes = self.read_bounded(response, MAX_BATCH_LEN as u64).await?;
        let batch = ProvenBatch::decode(&bytes, MAX_BATCH_LEN).map_err(|e| self.protocol(e))?;
        if batch.entries.len() != keys.len() {
            return Err(self.protocol(format!(
                "answered {} proofs for {} keys",
                batch.entries.len(),
                keys.len()
            )));
        }
        Ok(batch)
    }

    /// The state's leaves at `height` after the key hash `after`, with their range proof
    /// (state sync; unverified: a restore checks it against a verified header's root).
    pub async fn state_chunk(
        &self,
        height: u64,
        after: Option<&[u8; 32]>,
    ) -> Result<StateChunk, NetError> {
        let after = after.map_or(String::new(), |a| format!("&after={}", hex::encode(a)));
        let response = self
            .http
            .get(format!(
                "{}/v1/state/chunks?height={height}{after}",
                self.base
            ))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if !response.status().is_success() {
            return Err(self.refusal(response).await);
        }
        let bytes = self.read_bounded(response, MAX_CHUNK_LEN as u64).await?;
        StateChunk::decode(&bytes, MAX_CHUNK_LEN).map_err(|e| self.protocol(e))
    }

    pub async fn patient_records(
        &self,
        patient: &Address,
        height: u64,
        offset: u64,
    ) -> Result<PatientRecordsJson, NetError> {
        self.get(&format!(
            "/v1/patients/{}/records?height={height}&offset={offset}",
            patient.to_hex()
        ))
        .await
    }

    /// Submits one transaction; returns the id the node reports (callers compare it with the
    /// transaction's own).
    pub async fn submit(&self, tx: &SignedTx) -> Result<TxId, NetError> {
        let body = serde_json::json!({ "tx": hex::encode(tx.encode()) });
        let response = self
            .http
            .post(format!("{}/v1/txs", self.base))
            .json(&body)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let submitted: SubmittedJson = self.parse(response).await?;
        TxId::from_hex(&submitted.tx_id).map_err(|e| self.protocol(e))
    }

    /// Submits many transactions in one request (the load generator's path).
    pub async fn submit_batch(&self, txs: &[SignedTx]) -> Result<(), NetError> {
        let body = serde_json::json!({
            "txs": txs.iter().map(|t| hex::encode(t.encode())).collect::<Vec<_>>()
        });
        let response = self
            .http
            .post(format!("{}/v1/txs/batch", self.base))
            .json(&body)
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(self.refusal(response).await)
    }

    /// Waits up to `wait_ms` for a transaction to commit.
    pub async fn wait_tx(&self, id: &TxId, wait_ms: u64) -> Result<TxStatusJson, NetError> {
        self.get(&format!("/v1/txs/{}?wait_ms={wait_ms}", id.to_hex()))
            .await
    }

    /// Writes a device-join mailbox slot (`medledger_node::mailbox`).
    pub async fn put_mailbox(&self, slot: &[u8; 32], bytes: &[u8]) -> Result<(), NetError> {
        let response = self
            .http
            .put(format!("{}/v1/mailbox/{}", self.base, hex::encode(slot)))
            .body(bytes.to_vec())
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(self.refusal(response).await)
    }

    /// Reads a device-join mailbox slot (`None`: nothing in it).
    pub async fn get_mailbox(&self, slot: &[u8; 32]) -> Result<Option<Vec<u8>>, NetError> {
        let response = self
            .http
            .get(format!("{}/v1/mailbox/{}", self.base, hex::encode(slot)))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(self.refusal(response).await);
        }
        // A mailbox value is at most 256 bytes; a node cannot make the client read more.
        Ok(Some(self.read_bounded(response, 4096).await?))
    }

    /// Uploads an encrypted blob, signed by `key` (a registered clinic's) for this node.
    pub async fn put_blob(
        &self,
        hash: &Sha256Digest,
        bytes: Vec<u8>,
        key: &SigningKey,
        chain: ChainId,
        now_ms: u64,
    ) -> Result<(), NetError> {
        let target = self.target(chain).await?;
        let auth = upload_auth(key, &target, hash, now_ms, fresh_nonce());
        let response = self
            .http
            .put(format!("{}/v1/blobs/{}", self.base, hash.to_hex()))
            .header(AUTH_HEADER, &auth)
            .body(bytes)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(self.refusal(response).await)
    }

    /// Uploads the sealed blob in `file` (`len` bytes), read as it is sent; `sent` hears the
    /// bytes sent so far. Signed by `key` (a registered clinic's) for this node.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_blob_file(
        &self,
        hash: &Sha256Digest,
        file: tokio::fs::File,
        len: u64,
        key: &SigningKey,
        chain: ChainId,
        now_ms: u64,
        sent: Arc<dyn Fn(u64) + Send + Sync>,
    ) -> Result<(), NetError> {
        let target = self.target(chain).await?;
        let auth = upload_auth(key, &target, hash, now_ms, fresh_nonce());
        let mut so_far = 0u64;
        let body = tokio_util::io::ReaderStream::with_capacity(file, UPLOAD_PIECE).inspect_ok(
            move |piece: &bytes::Bytes| {
                so_far += piece.len() as u64;
                sent(so_far);
            },
        );
        let response = self
            .http
            .put(format!("{}/v1/blobs/{}", self.base, hash.to_hex()))
            .header(AUTH_HEADER, &auth)
            .header(reqwest::header::CONTENT_LENGTH, len)
            .timeout(transfer_timeout(len))
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(self.refusal(response).await)
    }

    async fn blob_response(
        &self,
        request: &BlobRequest<'_>,
        chain: ChainId,
        timeout: Duration,
    ) -> Result<reqwest::Response, NetError> {
        let auth = self.auth(request, chain).await?;
        let mut url = format!(
            "{}/v1/blobs/{}?record={}",
            self.base,
            request.blob.to_hex(),
            request.record.to_hex()
        );
        if let Some(g) = &request.grant {
            url.push_str(&format!("&grant={}", g.to_hex()));
        }
        let response = self
            .http
            .get(url)
            .header(AUTH_HEADER, &auth)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(self.refusal(response).await)
    }

    /// Downloads an encrypted blob of at most `max_len` bytes (unverified: check its hash); the
    /// request is signed for this node on `chain`.
    pub async fn get_blob(
        &self,
        request: &BlobRequest<'_>,
        chain: ChainId,
        max_len: u64,
    ) -> Result<Vec<u8>, NetError> {
        let response = self.blob_response(request, chain, TIMEOUT).await?;
        self.read_bounded(response, max_len).await
    }

    /// Downloads an encrypted blob as a stream of chunks, for a caller that writes it to disk
    /// and checks its hash as it goes (node replication).
    pub async fn blob_stream(
        &self,
        request: &BlobRequest<'_>,
        chain: ChainId,
        timeout: Duration,
    ) -> Result<impl Stream<Item = Result<bytes::Bytes, String>> + use<>, NetError> {
        let response = self.blob_response(request, chain, timeout).await?;
        Ok(response.bytes_stream().map_err(|e| e.to_string()))
    }
}

impl NodeClient {
    /// The node's new finalized heights as it announces them (`GET /v1/events`), until the
    /// connection ends (at the latest after `connection`): hints to sync, never trusted.
    pub async fn finalized_heights(
        &self,
        connection: Duration,
    ) -> Result<impl Stream<Item = Result<Vec<u64>, NetError>> + use<>, NetError> {
        let response = self
            .http
            .get(format!("{}/v1/events", self.base))
            .timeout(connection)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if !response.status().is_success() {
            return Err(self.refusal(response).await);
        }
        let node = self.base.clone();
        let mut events = crate::events::FinalizedEvents::default();
        Ok(response.bytes_stream().map(move |chunk| match chunk {
            Ok(bytes) => Ok(events.push(&bytes)),
            Err(e) => Err(NetError::Unreachable {
                node: node.clone(),
                message: e.to_string(),
            }),
        }))
    }
}

fn fresh_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    rand::Rng::fill_bytes(&mut rand::rng(), &mut nonce);
    nonce
}
