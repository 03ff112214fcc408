//! SMART Health Link endpoints: the manifest request (`POST /shl/{token}`), the direct file
//! (`GET /shl/{token}?recipient=…`, for a single-file link without passcode: the `U` flag) and
//! the short-lived file locations a manifest hands out, and the viewer page (`GET /viewer`).
//! Thin: `crate::links` decides.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use medledger_types::error_code::ErrorCode;
use medledger_types::hash::{LinkId, Sha256Digest};
use medwallet_shl::manifest::{ManifestRequest, PasscodeRefused};
use serde::Deserialize;

use super::error::{ApiError, parse32};
use super::{ApiState, now_ms};
use crate::links::{Refusal, active_link, answer, link_of_token};
use medledger_api::ErrorBody;

const JOSE: &str = "application/jose";

/// The SMART Health Link viewer (built from `ui/src/viewer` into one file; see
/// `ui/vite.viewer.config.ts`): served by every node at `/viewer`, the link in its fragment.
const VIEWER: &str = include_str!("../../assets/viewer.html");

/// The viewer page. Its CSP lets it run its own inline code and reach any link's server,
/// nothing else; no referrer leaves it.
#[utoipa::path(get, path = "/viewer", operation_id = "get_link_viewer", tag = "shl", responses((status = 200, content_type = "text/html", description = "the SMART Health Link viewer; the link goes in the URL's fragment (#shlink:/…), which is never sent")))]
pub async fn viewer() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src *; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
            ),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        VIEWER,
    )
        .into_response()
}

fn refused(r: Refusal) -> Response {
    match r {
        Refusal::NotActive => ApiError::not_found(
            "this SMART Health Link is not active (revoked, expired, out of attempts, or unknown)",
        )
        .into_response(),
        Refusal::Passcode { remaining_attempts } => (
            StatusCode::UNAUTHORIZED,
            Json(PasscodeRefused { remaining_attempts }),
        )
            .into_response(),
        Refusal::BadRequest(m) => ApiError::bad_request(ErrorCode::BadRequest, m).into_response(),
        Refusal::Unrecorded(m) => {
            ApiError::unavailable(ErrorCode::LinkUnrecorded, m).into_response()
        }
    }
}

/// This node's public URL, as the receiver reached it.
fn base(state: &ApiState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{}://{host}", state.links.scheme)
}

/// A SMART Health Links manifest request, as the OpenAPI document describes it (the
/// request itself is `medwallet_shl::manifest::ManifestRequest`, which checks these bounds).
#[derive(utoipa::ToSchema)]
#[schema(as = ManifestRequest)]
#[allow(dead_code)]
struct ManifestRequestDoc {
    /// Who is asking, in words ("St Mary ED"), shown to the patient: 1 to 200 characters, not
    /// only spaces.
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    recipient: String,
    /// The link's passcode, when it has the `P` flag (at most 200 characters).
    #[schema(max_length = 200)]
    passcode: Option<String>,
    /// The longest file the receiver takes embedded in the manifest; longer ones come by location.
    #[schema(rename = "embeddedLengthMax")]
    embedded_length_max: Option<u64>,
}

/// The manifest of a link's files.
#[utoipa::path(post, path = "/shl/{token}", operation_id = "post_link_manifest", tag = "shl",
    params(("token" = String, Path, pattern = "^[A-Za-z0-9_-]{43}$", description = "the link's 32-byte token, base64url (43 characters)")),
    request_body(content = ManifestRequestDoc, content_type = "application/json", description = "a SMART Health Links manifest request"),
    responses(
        (status = 200, content_type = "application/json", description = "the manifest: {status, files: [{contentType, embedded | location}]}"),
        (status = 400, body = ErrorBody, description = "malformed request"),
        (status = 401, content_type = "application/json", description = "wrong or missing passcode: {remainingAttempts}"),
        (status = 404, body = ErrorBody, description = "revoked, expired, out of attempts or unknown"),
        (status = 413, body = ErrorBody, description = "the body is over the endpoint's limit (too_large)"),
        (status = 415, body = ErrorBody, description = "the body is not JSON (unsupported_media_type)"),
        (status = 422, body = ErrorBody, description = "JSON of the wrong shape (unprocessable)"),
        (status = 503, body = ErrorBody, description = "the answer could not be recorded on the ledger in time (link_unrecorded)")))]
pub async fn manifest(
    State(state): State<ApiState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Json(request): Json<ManifestRequest>,
) -> Response {
    let base = base(&state, &headers);
    match answer(&state, &token, &request, &base, now_ms()).await {
        Ok(manifest) => Json(manifest).into_response(),
        Err(r) => refused(r),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    recipient: String,
}

/// A single-file link's file, fetched directly (`U` flag).
#[utoipa::path(get, path = "/shl/{token}", operation_id = "get_link_file_directly", tag = "shl",
    params(("token" = String, Path, pattern = "^[A-Za-z0-9_-]{43}$", description = "the link's 32-byte token, base64url (43 characters)"), ("recipient" = String, Query, min_length = 1, max_length = 200, pattern = "\\S", description = "who is asking, as the patient will see it (1 to 200 characters, not only spaces)")),
    responses(
        (status = 200, content_type = "application/jose", description = "the one file, a compact JWE"),
        (status = 400, body = ErrorBody, description = "not a single file without passcode (not_direct)"),
        (status = 404, body = ErrorBody, description = "revoked, expired or unknown"),
        (status = 503, body = ErrorBody)))]
pub async fn direct(
    State(state): State<ApiState>,
    Path(token): Path<String>,
    Query(q): Query<Recipient>,
    headers: HeaderMap,
) -> Response {
    let request = ManifestRequest {
        recipient: q.recipient,
        passcode: None,
        embedded_length_max: None,
    };
    let Some(link) = link_of_token(&token) else {
        return refused(Refusal::NotActive);
    };
    match active_link(&state.ledger, &link) {
        Ok(entry) if entry.passcode.is_none() && entry.files.len() == 1 => {}
        Ok(_) => {
            return ApiError::bad_request(
                ErrorCode::NotDirect,
                "this link is not a single file without passcode: POST for its manifest",
            )
            .into_response();
        }
        Err(r) => return refused(r),
    }
    let base = base(&state, &headers);
    match answer(&state, &token, &request, &base, now_ms()).await {
        Ok(manifest) => match manifest.files.into_iter().next().and_then(|f| f.embedded) {
            Some(jwe) => ([(header::CONTENT_TYPE, JOSE)], jwe).into_response(),
            None => refused(Refusal::NotActive),
        },
        Err(r) => refused(r),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signed {
    #[serde(deserialize_with = "super::int64::required")]
    exp: u64,
    sig: String,
}

/// A file location from a manifest: valid for minutes, on this node, while the link is active.
#[utoipa::path(get, path = "/shl/files/{link}/{hash}", operation_id = "get_link_file", tag = "shl",
    params(("link" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "the link's id, hex"), ("hash" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "the file's SHA-256, hex"),
        ("exp" = u64, Query, minimum = 0, description = "expiry, ms since the epoch"), ("sig" = String, Query, pattern = "^[0-9a-fA-F]{128}$", description = "this node's signature of the location, hex")),
    responses(
        (status = 200, content_type = "application/jose", description = "the file, a compact JWE"),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "expired location, inactive link or not its file"),
        (status = 503, body = ErrorBody, description = "this node does not hold the file yet (blob_missing)")))]
pub async fn file(
    State(state): State<ApiState>,
    Path((link, hash)): Path<(String, String)>,
    Query(q): Query<Signed>,
) -> Result<Response, ApiError> {
    let link = LinkId(parse32(&link, "link id")?);
    let hash = Sha256Digest(parse32(&hash, "file hash")?);
    if !state
        .links
        .check_location(&link, &hash, q.exp, &q.sig, now_ms())
    {
        return Err(ApiError::not_found(
            "this file location is expired or was not issued by this node; request the manifest again",
        ));
    }
    let entry = active_link(&state.ledger, &link)
        .map_err(|_| ApiError::not_found("this SMART Health Link is not active"))?;
    if !entry.files.iter().any(|f| f.sha256 == hash) {
        return Err(ApiError::not_found(
            "this file is not part of the link (any more)",
        ));
    }
    let bytes = tokio::fs::read(state.blobs.path(&hash))
        .await
        .map_err(|_| {
            ApiError::unavailable(
                ErrorCode::BlobMissing,
                "this node does not hold the file yet; try another node",
            )
        })?;
    Ok(([(header::CONTENT_TYPE, JOSE)], bytes).into_response())
}
