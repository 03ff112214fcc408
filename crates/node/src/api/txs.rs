//! Submitting transactions and waiting for their inclusion.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use medledger_types::hash::TxId;
use medledger_types::state::{StateKey, decode_u64};
use medledger_types::tx::MAX_TX_LEN;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::error::{ApiError, ErrorBody, parse32};
use crate::mempool::AdmitError;

/// Longest wait a client may ask for.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SubmitJson {
    /// The signed transaction's canonical encoding, hex.
    pub tx: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SubmittedJson {
    pub tx_id: String,
}

/// Submits a signed transaction. Rejections name their reason in `code` (e.g. `bad_signature`,
/// `wrong_nonce`, `wrong_chain`, `malformed`, `duplicate`, `mempool_full`); checks that need
/// the state at inclusion (an unknown patient, an unregistered clinic) are reported by the
/// status endpoint as `rejected` when the transaction cannot be included.
#[utoipa::path(post, path = "/v1/txs", request_body = SubmitJson, responses((status = 202, body = SubmittedJson), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn submit(
    State(state): State<ApiState>,
    Json(body): Json<SubmitJson>,
) -> Result<(StatusCode, Json<SubmittedJson>), ApiError> {
    if body.tx.len() > 2 * MAX_TX_LEN {
        return Err(ApiError::bad_request(
            "too_large",
            format!("transactions are at most {MAX_TX_LEN} bytes"),
        ));
    }
    let bytes =
        hex::decode(&body.tx).map_err(|_| ApiError::bad_request("bad_hex", "tx must be hex"))?;
    let ledger = state.ledger.clone();
    let next_nonce = |author: &medledger_types::hash::Address| {
        ledger
            .get(&StateKey::nonce(author))
            .ok()
            .flatten()
            .and_then(|v| decode_u64(&v).ok())
            .unwrap_or(0)
    };
    // Check the current state too, so obvious rejections are reported now rather than never.
    match state.mempool.admit(&bytes, next_nonce) {
        Ok(tx) => {
            if let Err(e) = crate::admission::dry_run(&state.ledger, &tx) {
                return Err(ApiError::bad_request(e.code(), e.to_string()));
            }
            Ok((
                StatusCode::ACCEPTED,
                Json(SubmittedJson {
                    tx_id: tx.id().to_hex(),
                }),
            ))
        }
        Err(AdmitError::Duplicate) => Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "duplicate",
            message: AdmitError::Duplicate.to_string(),
        }),
        Err(AdmitError::Full) => Err(ApiError::unavailable(
            "mempool_full",
            AdmitError::Full.to_string(),
        )),
        Err(e @ AdmitError::Invalid(_)) => Err(ApiError::bad_request(e.code(), e.to_string())),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct Wait {
    /// Wait up to this many milliseconds (at most 30 000) for the transaction to be committed.
    pub wait_ms: Option<u64>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TxStatusJson {
    pub tx_id: String,
    /// `committed`, `pending` (in this node's mempool) or `unknown`.
    pub status: String,
    /// The height it was committed at.
    pub height: Option<u64>,
}

/// Where a transaction is; with `wait_ms`, waits until it is committed (or the wait ends).
#[utoipa::path(get, path = "/v1/txs/{id}", params(("id" = String, Path), Wait), responses((status = 200, body = TxStatusJson), (status = 400, body = ErrorBody)))]
pub async fn tx_status(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    Query(wait): Query<Wait>,
) -> Result<Json<TxStatusJson>, ApiError> {
    let id = TxId(parse32(&id, "transaction id")?);
    let deadline = tokio::time::Instant::now()
        + Duration::from_millis(wait.wait_ms.unwrap_or(0)).min(MAX_WAIT);
    let mut heights = state.heights.clone();
    loop {
        if let Some(height) = state.ledger.tx_height(&id)? {
            return Ok(Json(TxStatusJson {
                tx_id: id.to_hex(),
                status: "committed".into(),
                height: Some(height),
            }));
        }
        // Wait until committed or the deadline, wherever the transaction was submitted (another
        // node's leader may include it).
        if tokio::time::Instant::now() >= deadline {
            let status = if state.mempool.contains(&id) {
                "pending"
            } else {
                "unknown"
            };
            return Ok(Json(TxStatusJson {
                tx_id: id.to_hex(),
                status: status.into(),
                height: None,
            }));
        }
        let _ = tokio::time::timeout_at(deadline, heights.changed()).await;
    }
}
