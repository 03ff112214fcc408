//! Liveness and readiness for an orchestrator or a load balancer. `/healthz`: the process
//! answers. `/readyz`: the store is readable and the newest finalized block is recent, which
//! needs a quorum of the validators online and this node connected to enough of them (a
//! follower gets finalized blocks only from its peers), so a node that is not ready is taken
//! out of rotation and wallets ask another.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use medledger_api::ErrorBody;
use medledger_types::error_code::ErrorCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::{ApiState, now_ms};

/// How old the newest finalized block may be for the node to be ready (blocks finalize every
/// second or so, empty or not).
pub const READY_MAX_AGE_MS: u64 = 30_000;

/// A readiness report.
#[derive(Serialize, ToSchema)]
pub struct ReadyJson {
    pub ready: bool,
    /// The newest finalized height.
    pub height: u64,
    /// How long ago (by this node's clock) that block was made.
    pub finalized_age_ms: u64,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", operation_id = "healthz", tag = "operations", responses((status = 200, content_type = "text/plain", description = "the process answers")))]
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// The node can serve verified answers: its store is readable and its newest finalized block
/// is at most 30 s old.
#[utoipa::path(get, path = "/readyz", operation_id = "readyz", tag = "operations", responses((status = 200, body = ReadyJson), (status = 500, body = ErrorBody, description = "the store could not be read (internal)"), (status = 503, body = ErrorBody, description = "not ready: the message says why (not_ready)")))]
pub async fn readyz(State(state): State<ApiState>) -> Result<Json<ReadyJson>, ApiError> {
    let tip = state.ledger.tip();
    let finalized = state.ledger.latest_finalization(tip.height)?;
    let Some((height, _)) = finalized else {
        return Err(ApiError::unavailable(
            ErrorCode::NotReady,
            "no block is finalized yet",
        ));
    };
    let made_at = state
        .ledger
        .block(height)?
        .map_or(0, |b| b.header.timestamp_ms);
    let age = now_ms().saturating_sub(made_at);
    if age > READY_MAX_AGE_MS {
        return Err(ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: ErrorCode::NotReady,
            message: format!(
                "the newest finalized block (height {height}) is {} s old: too few validators online, or this node is cut off from them",
                age / 1000
            ),
        });
    }
    Ok(Json(ReadyJson {
        ready: true,
        height,
        finalized_age_ms: age,
    }))
}
