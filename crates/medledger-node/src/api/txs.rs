//! Submitting transactions and waiting for their inclusion.

use medledger_api::{
    BatchItemJson, BatchJson, BatchResultJson, ErrorBody, SubmitJson, SubmittedJson, TxStatusJson,
};
use medledger_types::error_code::ErrorCode;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use medledger_types::hash::TxId;
use medledger_types::tx::MAX_TX_LEN;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiState;
use super::error::{ApiError, parse32};
use crate::mempool::AdmitError;

/// Longest wait a client may ask for.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// Submits a signed transaction. Rejections name their reason in `code` (e.g. `bad_signature`,
/// `wrong_nonce`, `wrong_chain`, `malformed`, `duplicate`, `mempool_full`); checks that need
/// the state at inclusion (an unknown patient, an unregistered clinic) are reported by the
/// status endpoint as `rejected` when the transaction cannot be included.
#[utoipa::path(post, path = "/v1/txs", operation_id = "submit_tx", tag = "transactions", request_body = SubmitJson, responses((status = 202, body = SubmittedJson), (status = 400, body = ErrorBody, description = "refused: the code says why (a rule code, bad_hex, too_large, bad_request)"), (status = 409, body = ErrorBody, description = "already pending (duplicate)"), (status = 413, body = ErrorBody, description = "the body is over the endpoint's limit (too_large)"), (status = 415, body = ErrorBody, description = "the body is not JSON (unsupported_media_type)"), (status = 422, body = ErrorBody, description = "JSON of the wrong shape (unprocessable)"), (status = 503, body = ErrorBody, description = "the mempool is full or the node is stopping (mempool_full, shutting_down)")))]
pub async fn submit(
    State(state): State<ApiState>,
    Json(body): Json<SubmitJson>,
) -> Result<(StatusCode, Json<SubmittedJson>), ApiError> {
    if body.tx.len() > 2 * MAX_TX_LEN {
        return Err(ApiError::bad_request(
            ErrorCode::TooLarge,
            format!("transactions are at most {MAX_TX_LEN} bytes"),
        ));
    }
    let bytes = hex::decode(&body.tx)
        .map_err(|_| ApiError::bad_request(ErrorCode::BadHex, "tx must be hex"))?;
    let id = state.blocking(move |state| admit(state, &bytes)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SubmittedJson { tx_id: id.to_hex() }),
    ))
}

/// Checks a transaction (signature, nonce, and a dry run on the current state, so obvious
/// rejections are reported now rather than never) and queues it if it passed every check.
fn admit(state: &ApiState, bytes: &[u8]) -> Result<TxId, ApiError> {
    let next_nonce =
        |author: &medledger_types::hash::Address| state.ledger.next_nonce(author).unwrap_or(0);
    let tx = state
        .mempool
        .check(bytes, next_nonce)
        .map_err(admit_error)?;
    crate::admission::dry_run(&state.ledger, &tx, super::now_ms())
        .map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    let id = tx.id();
    state.mempool.insert(tx).map_err(admit_error)?;
    Ok(id)
}

fn admit_error(e: AdmitError) -> ApiError {
    match e {
        AdmitError::Duplicate => ApiError {
            status: StatusCode::CONFLICT,
            code: ErrorCode::Duplicate,
            message: AdmitError::Duplicate.to_string(),
        },
        AdmitError::Full => {
            ApiError::unavailable(ErrorCode::MempoolFull, AdmitError::Full.to_string())
        }
        AdmitError::Closed => {
            ApiError::unavailable(ErrorCode::ShuttingDown, AdmitError::Closed.to_string())
        }
        e @ AdmitError::Invalid(_) => ApiError::bad_request(e.code(), e.to_string()),
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Wait {
    /// Wait up to this many milliseconds (at most 30 000) for the transaction to be committed.
    #[param(maximum = 30000)]
    pub wait_ms: Option<u64>,
}

/// Where a transaction is; with `wait_ms`, waits until it is committed (or the wait ends).
#[utoipa::path(get, path = "/v1/txs/{id}", operation_id = "get_tx_status", tag = "transactions", params(("id" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "transaction id, hex"), Wait), responses((status = 200, body = TxStatusJson), (status = 400, body = ErrorBody, description = "the id is not 64 hex digits (bad_hex), or an unknown parameter")))]
pub async fn tx_status(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    Query(wait): Query<Wait>,
) -> Result<Json<TxStatusJson>, ApiError> {
    let id = TxId(parse32(&id, "transaction id")?);
    let wait_ms = wait.wait_ms.unwrap_or(0);
    if Duration::from_millis(wait_ms) > MAX_WAIT {
        return Err(ApiError::bad_request(
            ErrorCode::BadRequest,
            format!("wait_ms is at most {}", MAX_WAIT.as_millis()),
        ));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_millis(wait_ms);
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

/// Most transactions in one batch.
pub const MAX_BATCH: usize = 2000;

/// Submits many signed transactions at once (a clinic issuing a patient's history, a load
/// generator). Each is checked as `POST /v1/txs` checks one; one's rejection does not affect
/// the others.
#[utoipa::path(post, path = "/v1/txs/batch", operation_id = "submit_tx_batch", tag = "transactions", request_body = BatchJson, responses((status = 200, body = BatchResultJson, description = "one status per transaction: `accepted` or its refusal code"), (status = 400, body = ErrorBody, description = "more than 2000 transactions (too_large), or malformed JSON"), (status = 413, body = ErrorBody, description = "the body is over the endpoint's limit (too_large)"), (status = 415, body = ErrorBody, description = "the body is not JSON (unsupported_media_type)"), (status = 422, body = ErrorBody, description = "JSON of the wrong shape (unprocessable)")))]
pub async fn submit_batch(
    State(state): State<ApiState>,
    Json(body): Json<BatchJson>,
) -> Result<Json<BatchResultJson>, ApiError> {
    if body.txs.len() > MAX_BATCH {
        return Err(ApiError::bad_request(
            ErrorCode::TooLarge,
            format!("at most {MAX_BATCH} transactions per batch"),
        ));
    }
    state
        .blocking(move |state| Ok(Json(admit_batch(state, &body.txs))))
        .await
}

/// Each transaction of a batch checked and queued as [`admit`] does one, with its own status.
fn admit_batch(state: &ApiState, txs: &[String]) -> BatchResultJson {
    let mut results = Vec::with_capacity(txs.len());
    for hex_tx in txs {
        let item = match hex::decode(hex_tx) {
            Err(_) => BatchItemJson {
                tx_id: None,
                status: "bad_hex".into(),
            },
            Ok(bytes) => {
                let next_nonce = |author: &medledger_types::hash::Address| {
                    state.ledger.next_nonce(author).unwrap_or(0)
                };
                match state.mempool.check(&bytes, next_nonce) {
                    Ok(tx) => {
                        let id = Some(tx.id().to_hex());
                        match crate::admission::dry_run(&state.ledger, &tx, super::now_ms())
                            .map_err(AdmitError::from)
                            .and_then(|()| state.mempool.insert(tx))
                        {
                            Ok(()) => BatchItemJson {
                                tx_id: id,
                                status: "accepted".into(),
                            },
                            Err(e) => BatchItemJson {
                                tx_id: id,
                                status: e.code().as_str().into(),
                            },
                        }
                    }
                    Err(e) => BatchItemJson {
                        tx_id: None,
                        status: e.code().as_str().into(),
                    },
                }
            }
        };
        results.push(item);
    }
    BatchResultJson { results }
}
