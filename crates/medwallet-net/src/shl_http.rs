//! SMART Health Links over HTTP(S): the transport `medwallet_shl::receive` runs over when a
//! wallet opens a link someone shared. A link may point at any server (not only this
//! consortium's nodes), so nothing here is trusted either: bodies are bounded, redirects are
//! not followed (a manifest URL answers itself), and every file is checked by its AES-GCM tag
//! under the link's key.

use std::time::Duration;

use medwallet_shl::receive::{Response, ShlTransport};

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP transport for links.
#[derive(Clone, Debug)]
pub struct HttpShl {
    http: reqwest::Client,
}

impl Default for HttpShl {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpShl {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { http }
    }

    async fn read(response: reqwest::Response, max_len: usize) -> Result<Response, String> {
        let status = response.status().as_u16();
        let mut response = response;
        if response
            .content_length()
            .is_some_and(|n| n > max_len as u64)
        {
            return Err(format!("the answer is longer than {max_len} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            if body.len() + chunk.len() > max_len {
                return Err(format!("the answer is longer than {max_len} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response { status, body })
    }
}

impl ShlTransport for HttpShl {
    async fn post_json(&self, url: &str, json: &[u8], max_len: usize) -> Result<Response, String> {
        let response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(json.to_vec())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Self::read(response, max_len).await
    }

    async fn get(&self, url: &str, max_len: usize) -> Result<Response, String> {
        let response = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        Self::read(response, max_len).await
    }
}
