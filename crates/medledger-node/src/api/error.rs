use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use medledger_api::ErrorBody;
use medledger_state::StoreError;
use medledger_types::error_code::ErrorCode;

/// An API error: an HTTP status and a JSON body `{ code, message }`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: ErrorCode::NotFound,
            message: message.into(),
        }
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: ErrorCode::Internal,
            message: message.into(),
        }
    }
    pub fn unavailable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code,
            message: message.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(h) => {
                ApiError::not_found(format!("height {h} is not available"))
            }
            other => {
                tracing::error!(error = %other, "storage error while serving a request");
                Self {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: ErrorCode::Internal,
                    message: "the node could not read its store".into(),
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                code: self.code.as_str().into(),
                message: self.message,
            }),
        )
            .into_response()
    }
}

/// Parses 32 bytes of hex from a path or query.
pub fn parse32(s: &str, what: &'static str) -> Result<[u8; 32], ApiError> {
    let bytes = hex::decode(s).map_err(|_| {
        ApiError::bad_request(ErrorCode::BadHex, format!("{what} must be 64 hex digits"))
    })?;
    bytes.try_into().map_err(|_| {
        ApiError::bad_request(ErrorCode::BadHex, format!("{what} must be 64 hex digits"))
    })
}

/// What axum's extractors and router write as plain text (a body that is not the JSON asked
/// for, a path segment of the wrong type, a method the path does not take) gets the API's
/// `{ code, message }` too, so every error a client sees has one shape. Responses that are
/// already JSON pass untouched.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Rejection texts are a line or two; anything longer is cut.
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let code = match status {
        StatusCode::BAD_REQUEST => ErrorCode::BadRequest,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::Unprocessable,
        _ if status.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    };
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.remove(axum::http::header::CONTENT_TYPE);
    let json = Json(ErrorBody {
        code: code.as_str().into(),
        message,
    })
    .into_response();
    let (json_parts, json_body) = json.into_parts();
    parts.headers.extend(json_parts.headers);
    Response::from_parts(parts, json_body)
}
