//! The node's HTTP API for light clients, versioned under `/v1` and described by the OpenAPI
//! document at `/v1/openapi.json`. Every byte string is lowercase hex. Nothing here needs trust:
//! headers come with finalization certificates and state values with Merkle proofs, so wallets
//! verify what they are told.
//!
//! Errors are JSON `{ "code": …, "message": … }` with a 4xx status for the client's mistakes
//! (the code is stable; branch on it) and 5xx for the node's own failures.

mod blobs;
mod blocking;
mod chain;
mod error;
mod events;
mod health;
mod links;
mod mailbox;
mod state;
mod txs;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use medledger_state::store::Ledger;
use tokio::sync::watch;
use utoipa::OpenApi;

pub use blocking::ReadSlots;
pub use error::ApiError;

use crate::mempool::Mempool;

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    pub ledger: Arc<Ledger>,
    pub mempool: Arc<Mempool>,
    pub heights: watch::Receiver<u64>,
    /// This node's ed25519 public key.
    pub node_key: [u8; 32],
    /// Encrypted record payloads.
    pub blobs: Arc<crate::blobs::BlobStore>,
    /// Node keys allowed to fetch any blob (for replication).
    pub peers: Arc<BTreeSet<medledger_types::hash::PublicKey>>,
    /// Records an AccessReceipt for each grantee fetch before the blob is served.
    pub receipts: Arc<crate::receipts::ReceiptIssuer>,
    /// Blob requests already accepted (each is single-use).
    pub seen: Arc<crate::replay::ReplayGuard>,
    /// SMART Health Links: the key file locations are signed with, and the public scheme.
    pub links: Arc<crate::links::LinkDesk>,
    /// The device-join mailbox (in memory, outside the ledger).
    pub mailbox: Arc<crate::mailbox::Mailbox>,
    /// Slots for store reads run off the consensus runtime.
    pub reads: ReadSlots,
}

impl ApiState {
    /// What a blob request to this node must be addressed to, and the requests it has seen.
    pub fn gate(&self) -> crate::access::Gate<'_> {
        crate::access::Gate {
            me: medledger_types::blob_request::Target {
                chain: self.ledger.chain_id(),
                node: medledger_types::hash::PublicKey(self.node_key),
            },
            seen: &self.seen,
        }
    }
}

/// The node's wall clock, for request freshness and for the block a dry run imagines.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "medledger",
        description = "Full-node API of the Medwallet consortium ledger. Verify, don't trust: headers carry finalization certificates, state values carry Jellyfish Merkle proofs."
    ),
    paths(
        chain::status,
        chain::header,
        chain::headers,
        chain::block,
        chain::validators,
        state::value,
        state::patient_records,
        txs::submit,
        txs::submit_batch,
        txs::tx_status,
        blobs::put,
        blobs::get,
        events::events,
        links::manifest,
        links::direct,
        links::file,
        links::viewer,
        mailbox::put,
        mailbox::get,
        health::healthz,
        health::readyz,
    )
)]
pub struct ApiDoc;

/// The SMART Health Link endpoints, open to receiving applications on any origin (a viewer
/// served by another node, a clinic's own SHL reader): they carry no credentials, and the
/// link's token in the path is the capability.
fn shl_routes() -> Router<ApiState> {
    Router::new()
        .route("/shl/{token}", post(links::manifest).get(links::direct))
        .route("/shl/files/{link}/{hash}", get(links::file))
        .layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(tower_http::cors::Any)
                .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
                .allow_headers([axum::http::header::CONTENT_TYPE]),
        )
}

/// The router.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/v1/status", get(chain::status))
        .route("/v1/headers", get(chain::headers))
        .route("/v1/headers/{height}", get(chain::header))
        .route("/v1/blocks/{height}", get(chain::block))
        .route("/v1/validators", get(chain::validators))
        .route("/v1/state/{key}", get(state::value))
        .route(
            "/v1/patients/{address}/records",
            get(state::patient_records),
        )
        .route("/v1/txs", post(txs::submit))
        .route("/v1/txs/batch", post(txs::submit_batch))
        .route("/v1/txs/{id}", get(txs::tx_status))
        .route("/v1/blobs/{hash}", get(blobs::get).put(blobs::put))
        .route("/v1/events", get(events::events))
        .route(
            "/v1/mailbox/{slot}",
            get(mailbox::get)
                .put(mailbox::put)
                // Nothing near a request body's default limit is ever a mailbox value.
                .layer(axum::extract::DefaultBodyLimit::max(4096)),
        )
        .merge(shl_routes())
        .route("/viewer", get(links::viewer))
        .route("/v1/openapi.json", get(openapi))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(axum::middleware::map_response(error::json_errors))
        .with_state(state)
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests;
