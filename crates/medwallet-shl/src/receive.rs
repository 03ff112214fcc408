//! Receiving a SMART Health Link (STU1 "Receiving a SHLink"): the manifest request, then each
//! file, embedded or fetched from its `location`, decrypted with the link's key. How bytes move
//! is a [`ShlTransport`] the caller supplies (HTTP in `medwallet-net`, a fake in tests), so the
//! protocol is written once here, without I/O.

use thiserror::Error;

use crate::jwe::{self, MAX_FILE_LEN, Opened};
use crate::manifest::{Manifest, ManifestRequest, PasscodeRefused};
use crate::{ShlError, ShlPayload};

/// Most files a manifest may list for this receiver.
pub const MAX_MANIFEST_FILES: usize = 256;
/// Largest manifest this receiver reads.
pub const MAX_MANIFEST_LEN: usize = 4 * MAX_FILE_LEN;

/// What came back over the wire.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// How a receiver reaches a link's server. Implementations bound the body they read to
/// `max_len` and follow no redirects to other schemes.
#[allow(async_fn_in_trait)]
pub trait ShlTransport {
    /// `POST url` with `content-type: application/json`.
    async fn post_json(&self, url: &str, json: &[u8], max_len: usize) -> Result<Response, String>;
    /// `GET url`.
    async fn get(&self, url: &str, max_len: usize) -> Result<Response, String>;
}

/// Why a link could not be opened. A UI branches on the variant.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiveError {
    #[error(transparent)]
    Link(#[from] ShlError),
    /// The link has the `P` flag and no passcode was given.
    #[error("this link needs a passcode")]
    PasscodeNeeded,
    #[error("wrong passcode: {remaining_attempts} attempts left")]
    WrongPasscode { remaining_attempts: u32 },
    /// 404: revoked, expired, out of attempts or unknown.
    #[error("this link is no longer valid (revoked, expired or out of attempts)")]
    NotActive,
    #[error("the link's server answered {status}: {message}")]
    Server { status: u16, message: String },
    #[error("the link's server could not be reached: {0}")]
    Unreachable(String),
}

/// What a link held.
#[derive(Debug)]
pub struct Received {
    pub label: Option<String>,
    /// `finalized`, or `can-change` for a long-term link.
    pub status: Option<String>,
    pub files: Vec<Opened>,
}

fn server(status: u16, body: &[u8]) -> ReceiveError {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
    ReceiveError::Server {
        status,
        message: text,
    }
}

/// Opens `link` as `recipient` (the name the patient sees in their access log).
pub async fn receive(
    transport: &impl ShlTransport,
    link: &ShlPayload,
    recipient: &str,
    passcode: Option<&str>,
) -> Result<Received, ReceiveError> {
    link.check()?;
    if link.flags.passcode && passcode.is_none() {
        return Err(ReceiveError::PasscodeNeeded);
    }
    if link.flags.direct {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("recipient", recipient)
            .finish();
        let sep = if link.url.contains('?') { '&' } else { '?' };
        let compact = fetch(transport, &format!("{}{sep}{query}", link.url)).await?;
        return Ok(Received {
            label: link.label.clone(),
            status: None,
            files: vec![jwe::decrypt(&link.key, &compact)?],
        });
    }
    let request = ManifestRequest {
        recipient: recipient.to_owned(),
        passcode: passcode.map(str::to_owned),
        embedded_length_max: Some(MAX_FILE_LEN as u64),
    };
    request.check()?;
    let json = serde_json::to_vec(&request)
        .map_err(|e| ShlError::NotALink(format!("manifest request: {e}")))?;
    let r = transport
        .post_json(&link.url, &json, MAX_MANIFEST_LEN)
        .await
        .map_err(ReceiveError::Unreachable)?;
    let manifest: Manifest = match r.status {
        200 => serde_json::from_slice(&r.body)
            .map_err(|e| server(200, format!("not a manifest: {e}").as_bytes()))?,
        401 => {
            let refused: PasscodeRefused =
                serde_json::from_slice(&r.body).map_err(|_| server(401, &r.body))?;
            return Err(if passcode.is_some() {
                ReceiveError::WrongPasscode {
                    remaining_attempts: refused.remaining_attempts,
                }
            } else {
                ReceiveError::PasscodeNeeded
            });
        }
        404 => return Err(ReceiveError::NotActive),
        s => return Err(server(s, &r.body)),
    };
    if manifest.files.len() > MAX_MANIFEST_FILES {
        return Err(server(200, b"the manifest lists too many files"));
    }
    let mut files = Vec::with_capacity(manifest.files.len());
    for file in &manifest.files {
        let compact = match (&file.embedded, &file.location) {
            (Some(embedded), _) => embedded.clone(),
            (None, Some(location)) => fetch(transport, location).await?,
            (None, None) => {
                return Err(server(
                    200,
                    b"a manifest file has neither embedded nor location",
                ));
            }
        };
        files.push(jwe::decrypt(&link.key, &compact)?);
    }
    Ok(Received {
        label: link.label.clone(),
        status: manifest.status,
        files,
    })
}

/// One file by GET: a JWE, or why not.
async fn fetch(transport: &impl ShlTransport, url: &str) -> Result<String, ReceiveError> {
    let r = transport
        .get(url, MAX_FILE_LEN)
        .await
        .map_err(ReceiveError::Unreachable)?;
    match r.status {
        200 => Ok(String::from_utf8(r.body)
            .map_err(|_| ShlError::NotAFile("a file is not text".into()))?),
        404 => Err(ReceiveError::NotActive),
        s => Err(server(s, &r.body)),
    }
}

#[cfg(test)]
mod tests;
