//! Encrypted record payloads: upload by registered clinics, download by the patient, a current
//! grantee (served only once its AccessReceipt is admitted) or a peer node. Requests are signed; see
//! `medledger_types::blob_request`.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use medledger_api::ErrorBody;
use medledger_types::blob_request::{AUTH_HEADER, Auth};
use medledger_types::error_code::ErrorCode;
use medledger_types::hash::{GrantId, RecordId, Sha256Digest};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, parse32};
use super::{ApiState, now_ms};
use crate::access::{Access, Denied, check_get, check_put};
use crate::blobs::BlobError;

fn auth(headers: &HeaderMap) -> Option<Auth> {
    headers
        .get(AUTH_HEADER)?
        .to_str()
        .ok()
        .and_then(|v| Auth::parse(v).ok())
}

fn denied(d: Denied) -> ApiError {
    ApiError {
        status: StatusCode::from_u16(d.status()).unwrap_or(StatusCode::FORBIDDEN),
        code: d.code(),
        message: d.to_string(),
    }
}

/// How much of a blob's file is read and sent at a time.
const SERVE_PIECE: usize = 256 << 10;

/// Uploads a blob (registered clinics only). The body must hash to `{hash}`.
#[utoipa::path(put, path = "/v1/blobs/{hash}", operation_id = "put_blob", tag = "blobs", security(("signed_request" = [])), params(("hash" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "SHA-256 of the body, hex")), request_body(content = inline(super::SealedBytes), content_type = "application/octet-stream"), responses((status = 201, description = "stored"), (status = 200, description = "already stored"), (status = 400, body = ErrorBody, description = "a malformed hash, a body that does not hash to it (hash_mismatch), or an upload cut short (interrupted)"), (status = 401, body = ErrorBody, description = "no valid signed request (no_auth, bad_signature, stale_request, replayed)"), (status = 403, body = ErrorBody, description = "the signer may not upload (not_an_uploader)"), (status = 413, body = ErrorBody, description = "over the blob limit of the node (too_large)"), (status = 503, body = ErrorBody, description = "the node could not store it (storage), or is busy (busy)")))]
pub async fn put(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let hash = Sha256Digest(parse32(&hash, "blob hash")?);
    check_put(
        &state.ledger,
        &state.gate(),
        auth(&headers).as_ref(),
        &hash,
        now_ms(),
    )
    .map_err(denied)?;
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > state.blobs.max_bytes()
    {
        return Err(ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: ErrorCode::TooLarge,
            message: format!("blobs are at most {} bytes", state.blobs.max_bytes()),
        });
    }
    match state.blobs.put(&hash, body.into_data_stream()).await {
        Ok(true) => Ok(StatusCode::CREATED),
        Ok(false) => Ok(StatusCode::OK),
        Err(BlobError::TooLarge(max)) => Err(ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: ErrorCode::TooLarge,
            message: format!("blobs are at most {max} bytes"),
        }),
        Err(BlobError::HashMismatch) => Err(ApiError::bad_request(
            ErrorCode::HashMismatch,
            BlobError::HashMismatch.to_string(),
        )),
        Err(BlobError::Interrupted(e)) => Err(ApiError::bad_request(ErrorCode::Interrupted, e)),
        Err(BlobError::Empty) => Err(ApiError::bad_request(
            ErrorCode::BadRequest,
            BlobError::Empty.to_string(),
        )),
        Err(BlobError::Io(e)) => {
            tracing::error!(error = %e, "blob store write failed");
            Err(ApiError::unavailable(
                ErrorCode::Storage,
                "the node could not store the blob",
            ))
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BlobQuery {
    /// The record the blob belongs to (hex).
    #[param(pattern = "^[0-9a-fA-F]{64}$")]
    pub record: String,
    /// The grant that allows a grantee to fetch it (hex).
    #[param(pattern = "^[0-9a-fA-F]{64}$")]
    pub grant: Option<String>,
}

/// Downloads a blob: for the record's patient, a grantee with a grant covering it that is
/// active at the newest finalized block's time (served only once the node's AccessReceipt,
/// carrying the grantee's signed request, is admitted), or a peer node replicating it.
#[utoipa::path(get, path = "/v1/blobs/{hash}", operation_id = "get_blob", tag = "blobs", security(("signed_request" = [])), params(("hash" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "SHA-256 of the blob, hex"), BlobQuery), responses((status = 200, content_type = "application/octet-stream", description = "the ciphertext"), (status = 400, body = ErrorBody, description = "a malformed hash, record or grant id (bad_hex), or an unknown parameter"), (status = 401, body = ErrorBody, description = "no valid signed request (no_auth, bad_signature, stale_request, replayed)"), (status = 403, body = ErrorBody, description = "no grant covers the record for the signer, or it ended (no_grant, grant_revoked, grant_expired, wrong_blob, …)"), (status = 404, body = ErrorBody, description = "no such record (unknown_record)"), (status = 410, body = ErrorBody, description = "the patient erased the record (erased)"), (status = 503, body = ErrorBody, description = "this node does not hold it yet (blob_missing), is busy, or could not record the access receipt (receipt_unrecorded)")))]
pub async fn get(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
    Query(q): Query<BlobQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let hash = Sha256Digest(parse32(&hash, "blob hash")?);
    let record = RecordId(parse32(&q.record, "record id")?);
    let grant = q
        .grant
        .as_deref()
        .map(|g| parse32(g, "grant id").map(GrantId))
        .transpose()?;
    let now = now_ms();
    let access = check_get(
        &state.ledger,
        &state.gate(),
        &state.peers,
        auth(&headers).as_ref(),
        &hash,
        &record,
        grant.as_ref(),
        now,
    )
    .map_err(denied)?;
    let file = match tokio::fs::File::open(state.blobs.path(&hash)).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::unavailable(
                ErrorCode::BlobMissing,
                "this node does not hold the blob yet; try another node",
            ));
        }
        Err(e) => {
            tracing::error!(error = %e, "blob store read failed");
            return Err(ApiError::unavailable(
                ErrorCode::Storage,
                "the node could not read the blob",
            ));
        }
    };
    if let Access::Grantee { grant, request } = access {
        // Served only once its receipt is admitted; a receipt refused is a fetch refused.
        state
            .receipts
            .issue(&state.ledger, &state.mempool, grant, record, request, now)
            .await
            .map_err(|refused| {
                let (status, code) = refused.status_code();
                ApiError {
                    status: StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN),
                    code,
                    message: refused.to_string(),
                }
            })?;
    }
    // Large pieces: each read of a file is a trip to tokio's blocking pool, and at the default
    // 4 KiB a 1 GiB study took a quarter of a million of them.
    let stream = tokio_util::io::ReaderStream::with_capacity(file, SERVE_PIECE);
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        Body::from_stream(stream),
    )
        .into_response())
}
