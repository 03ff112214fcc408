use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use medledger_api::ErrorBody;
use medledger_state::StoreError;

/// An API error: an HTTP status and a JSON body `{ code, message }`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
        }
    }
    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
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
                    code: "internal",
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
                code: self.code.into(),
                message: self.message,
            }),
        )
            .into_response()
    }
}

/// Parses 32 bytes of hex from a path or query.
pub fn parse32(s: &str, what: &'static str) -> Result<[u8; 32], ApiError> {
    let bytes = hex::decode(s)
        .map_err(|_| ApiError::bad_request("bad_hex", format!("{what} must be 64 hex digits")))?;
    bytes
        .try_into()
        .map_err(|_| ApiError::bad_request("bad_hex", format!("{what} must be 64 hex digits")))
}
