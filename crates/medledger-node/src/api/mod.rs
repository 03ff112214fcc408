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
mod int64;
mod links;
mod mailbox;
mod state;
mod txs;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use medledger_state::store::Ledger;
use tokio::sync::watch;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

/// The document's frame: what the API is and its groups. The operations come from the
/// routes themselves ([`documented_routes`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "medledger",
        description = "Full-node API of the Medwallet consortium ledger. Verify, don't trust: headers carry finalization certificates, state values carry Jellyfish Merkle proofs. Every error is JSON `{ code, message }`; `code` is one of the `ErrorBody.code` enum's values."
    ),
    tags(
        (name = "chain", description = "Headers with their finalization certificates, blocks, the validator set, and a stream of new heights."),
        (name = "state", description = "State values with Jellyfish Merkle proofs against a header's state root."),
        (name = "transactions", description = "Submitting signed transactions and following them to a block."),
        (name = "blobs", description = "Encrypted record payloads: upload by clinics, download by the patient, a grantee or a peer node; every request signed."),
        (name = "shl", description = "SMART Health Links: manifests, files and the viewer, open to any receiving application."),
        (name = "mailbox", description = "The device-join mailbox: write-once slots that live 10 minutes, outside the ledger."),
        (name = "operations", description = "Liveness and readiness for orchestrators and load balancers."),
    ),
    modifiers(&SignedRequests)
)]
pub struct ApiDoc;

/// Blob requests are signed: the `x-medwallet-auth` header carries the requester's key, the
/// time, a nonce and an ed25519 signature over what is asked of which node
/// (`medledger_types::blob_request`).
struct SignedRequests;

impl utoipa::Modify for SignedRequests {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "signed_request",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                medledger_types::blob_request::AUTH_HEADER,
                "key.timestamp_ms.nonce.signature (hex; ed25519 in namespace medwallet/blob-request/v1 over the chain, this node's key, the method, the blob, the record, the grant, the time and the nonce)",
            ))),
        );
    }
}

/// Opaque bytes of at least one byte, as the document describes a body: a binary string, not
/// an array of numbers.
fn binary(max_length: Option<usize>) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
        .min_length(Some(1))
        .max_length(max_length)
        .into()
}

/// A sealed record's bytes (never empty; the node's blob limit is in its config).
pub(crate) struct SealedBytes;

impl utoipa::PartialSchema for SealedBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        binary(None)
    }
}

impl utoipa::ToSchema for SealedBytes {}

/// A mailbox value: 1 to 256 bytes.
pub(crate) struct MailboxValue;

impl utoipa::PartialSchema for MailboxValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        binary(Some(crate::mailbox::MAILBOX_VALUE_MAX))
    }
}

impl utoipa::ToSchema for MailboxValue {}

/// Largest JSON body of a transaction batch (2,000 transactions of a few KiB, in hex).
pub const MAX_BATCH_BODY: usize = 8 * 1024 * 1024;
/// Largest body a mailbox write may have (a value is at most 256 bytes).
const MAX_MAILBOX_BODY: usize = 4096;

/// The SMART Health Link endpoints, open to receiving applications on any origin (a viewer
/// served by another node, a clinic's own SHL reader): they carry no credentials, and the
/// link's token in the path is the capability.
fn shl_routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(links::manifest, links::direct))
        .routes(routes!(links::file))
        .layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(tower_http::cors::Any)
                .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
                .allow_headers([axum::http::header::CONTENT_TYPE]),
        )
}

/// Every endpoint with its OpenAPI operation, declared once: the router and the document at
/// `/v1/openapi.json` are both split from this.
fn documented_routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(chain::status))
        .routes(routes!(chain::headers))
        .routes(routes!(chain::header))
        .routes(routes!(chain::block))
        .routes(routes!(chain::validators))
        .routes(routes!(chain::epoch))
        .routes(routes!(events::events))
        .routes(routes!(state::value))
        .routes(routes!(state::proofs))
        .routes(routes!(state::chunk))
        .routes(routes!(state::patient_records))
        .routes(routes!(txs::submit))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(txs::submit_batch))
                .layer(axum::extract::DefaultBodyLimit::max(MAX_BATCH_BODY)),
        )
        .routes(routes!(txs::tx_status))
        .routes(routes!(blobs::get, blobs::put))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(mailbox::get, mailbox::put))
                // Nothing near a request body's default limit is ever a mailbox value.
                .layer(axum::extract::DefaultBodyLimit::max(MAX_MAILBOX_BODY)),
        )
        .merge(shl_routes())
        .routes(routes!(links::viewer))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}

/// The OpenAPI document the node serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented_routes().into_openapi()
}

/// The router.
pub fn router(state: ApiState) -> Router {
    let (routes, doc) = documented_routes().split_for_parts();
    let doc = Arc::new(doc);
    routes
        .route(
            "/v1/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(axum::middleware::map_response(error::json_errors))
        .with_state(state)
}

#[cfg(test)]
mod tests;
