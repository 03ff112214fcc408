//! The device-join mailbox over HTTP (see [`crate::mailbox`]): anyone may write a slot once
//! and read it until it expires; slots are 32 random-looking bytes the two devices derive from
//! their code, and what they hold is authenticated by the devices, not by the node.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use medledger_api::ErrorBody;

use super::error::{ApiError, parse32};
use super::{ApiState, now_ms};
use crate::mailbox::{MAILBOX_VALUE_MAX, MailboxError, Stored};

/// Writes a slot once (a device joining another). The same bytes again are accepted; other
/// bytes are refused while the slot lives (10 minutes).
#[utoipa::path(put, path = "/v1/mailbox/{slot}", params(("slot" = String, Path, description = "32 bytes, hex")), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 201, description = "stored"), (status = 200, description = "already held, the same bytes"), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody, description = "the slot holds other bytes"), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody, description = "the mailbox is full")))]
pub async fn put(
    State(state): State<ApiState>,
    Path(slot): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let slot = parse32(&slot, "mailbox slot")?;
    match state.mailbox.put(slot, &body, now_ms()) {
        Ok(Stored::New) => Ok(StatusCode::CREATED),
        Ok(Stored::Again) => Ok(StatusCode::OK),
        Err(MailboxError::Size) => Err(ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "too_large",
            message: format!("a mailbox value is 1 to {MAILBOX_VALUE_MAX} bytes"),
        }),
        Err(MailboxError::Taken) => Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "slot_taken",
            message: MailboxError::Taken.to_string(),
        }),
        Err(MailboxError::Full) => Err(ApiError::unavailable(
            "mailbox_full",
            MailboxError::Full.to_string(),
        )),
    }
}

/// Reads a slot.
#[utoipa::path(get, path = "/v1/mailbox/{slot}", params(("slot" = String, Path, description = "32 bytes, hex")), responses((status = 200, content_type = "application/octet-stream", description = "what the slot holds"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody, description = "nothing yet, or expired")))]
pub async fn get(
    State(state): State<ApiState>,
    Path(slot): Path<String>,
) -> Result<Response, ApiError> {
    let slot = parse32(&slot, "mailbox slot")?;
    match state.mailbox.get(&slot, now_ms()) {
        Some(bytes) => {
            Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
        }
        None => Err(ApiError {
            status: StatusCode::NOT_FOUND,
            code: "empty_slot",
            message: "the slot holds nothing (yet, or any more)".into(),
        }),
    }
}
