//! The device-join mailbox over HTTP (see [`crate::mailbox`]): anyone may write a slot once
//! and read it until it expires; slots are 32 random-looking bytes the two devices derive from
//! their code, and what they hold is authenticated by the devices, not by the node.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use medledger_api::ErrorBody;
use medledger_types::error_code::ErrorCode;

use super::error::{ApiError, parse32};
use super::{ApiState, now_ms};
use crate::mailbox::{MAILBOX_VALUE_MAX, MailboxError, Stored};

/// Writes a slot once (a device joining another). The same bytes again are accepted; other
/// bytes are refused while the slot lives (10 minutes).
#[utoipa::path(put, path = "/v1/mailbox/{slot}", operation_id = "put_mailbox_slot", tag = "mailbox", params(("slot" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "32 bytes, hex")), request_body(content = inline(super::MailboxValue), content_type = "application/octet-stream", description = "1 to 256 bytes"), responses((status = 201, description = "stored"), (status = 200, description = "already held, the same bytes"), (status = 400, body = ErrorBody, description = "the slot is not 64 hex digits (bad_hex), or the body is empty (bad_request)"), (status = 409, body = ErrorBody, description = "the slot holds other bytes (slot_taken)"), (status = 413, body = ErrorBody, description = "over 256 bytes (too_large)"), (status = 503, body = ErrorBody, description = "the mailbox is full (mailbox_full)")))]
pub async fn put(
    State(state): State<ApiState>,
    Path(slot): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let slot = parse32(&slot, "mailbox slot")?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            ErrorCode::BadRequest,
            format!("a mailbox value is 1 to {MAILBOX_VALUE_MAX} bytes"),
        ));
    }
    match state.mailbox.put(slot, &body, now_ms()) {
        Ok(Stored::New) => Ok(StatusCode::CREATED),
        Ok(Stored::Again) => Ok(StatusCode::OK),
        Err(MailboxError::Size) => Err(ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: ErrorCode::TooLarge,
            message: format!("a mailbox value is 1 to {MAILBOX_VALUE_MAX} bytes"),
        }),
        Err(MailboxError::Taken) => Err(ApiError {
            status: StatusCode::CONFLICT,
            code: ErrorCode::SlotTaken,
            message: MailboxError::Taken.to_string(),
        }),
        Err(MailboxError::Full) => Err(ApiError::unavailable(
            ErrorCode::MailboxFull,
            MailboxError::Full.to_string(),
        )),
    }
}

/// Reads a slot.
#[utoipa::path(get, path = "/v1/mailbox/{slot}", operation_id = "get_mailbox_slot", tag = "mailbox", params(("slot" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "32 bytes, hex")), responses((status = 200, content_type = "application/octet-stream", description = "what the slot holds"), (status = 400, body = ErrorBody, description = "the slot is not 64 hex digits (bad_hex)"), (status = 404, body = ErrorBody, description = "nothing yet, or expired (empty_slot)")))]
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
            code: ErrorCode::EmptySlot,
            message: "the slot holds nothing (yet, or any more)".into(),
        }),
    }
}
