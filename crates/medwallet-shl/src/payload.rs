//! The SMART Health Link payload: minified JSON, base64url (no padding), prefixed `shlink:/`,
//! optionally behind a viewer URL ending in `#`. Receivers ignore properties and flags they do
//! not know; a version above 1 is refused rather than guessed at.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::ShlError;

/// The scheme prefix.
pub const SCHEME: &str = "shlink:/";
/// The spec's bound on the manifest URL.
pub const MAX_URL_LEN: usize = 128;
/// The spec's bound on the label.
pub const MAX_LABEL_LEN: usize = 80;
/// A bound on what this decoder reads (a QR code holds far less).
pub const MAX_LINK_LEN: usize = 4096;

/// A manifest URL's token as its path carries it: 32 random bytes (256 bits, as the spec asks
/// at least) in 43 characters of base64url.
pub fn encode_token(token: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(token)
}

/// The token a manifest URL's last path segment carries (`None` unless 32 bytes of base64url).
pub fn decode_token(text: &str) -> Option<[u8; 32]> {
    URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()
}

/// The link's 32-byte file key. It lives only in the link (and the sharer's wallet).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct LinkKey([u8; 32]);

impl LinkKey {
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        Self(key)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as the payload carries it: 43 characters of base64url.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn decode(text: &str) -> Result<Self, ShlError> {
        let bad = || ShlError::NotALink("the key is not 32 bytes of base64url".into());
        if text.len() != 43 {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        Ok(Self(bytes.try_into().map_err(|_| bad())?))
    }
}

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(…)")
    }
}

/// The flags this wallet understands (others are ignored, as the spec asks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// `L`: long-term; the manifest's content may change over time.
    pub long_term: bool,
    /// `P`: a passcode is needed.
    pub passcode: bool,
    /// `U`: the URL is the one file, fetched by GET (never with `P`).
    pub direct: bool,
}

impl Flags {
    fn encode(self) -> Option<String> {
        let s: String = [
            (self.long_term, 'L'),
            (self.passcode, 'P'),
            (self.direct, 'U'),
        ]
        .into_iter()
        .filter_map(|(on, c)| on.then_some(c))
        .collect();
        (!s.is_empty()).then_some(s)
    }

    fn decode(text: &str) -> Self {
        Self {
            long_term: text.contains('L'),
            passcode: text.contains('P'),
            direct: text.contains('U'),
        }
    }
}

/// A SMART Health Link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShlPayload {
    /// The manifest URL (or, with `U`, the file's).
    pub url: String,
    pub key: LinkKey,
    /// Expiry hint, seconds since the epoch.
    pub exp: Option<u64>,
    pub flags: Flags,
    pub label: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    url: String,
    key: String,
    /// A number: integer seconds here, though senders may write a fraction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exp: Option<serde_json::Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<u64>,
    #[serde(flatten)]
    _unknown: Map<String, Value>,
}

impl ShlPayload {
    pub fn new(url: impl Into<String>, key: LinkKey) -> Self {
        Self {
            url: url.into(),
            key,
            exp: None,
            flags: Flags::default(),
            label: None,
        }
    }

    /// Checks what the spec bounds: URL length, label length, `U` without `P`.
    pub fn check(&self) -> Result<(), ShlError> {
        if self.url.is_empty() || self.url.len() > MAX_URL_LEN {
            return Err(ShlError::NotALink(format!(
                "the URL must be 1 to {MAX_URL_LEN} characters"
            )));
        }
        if self
            .label
            .as_ref()
            .is_some_and(|l| l.chars().count() > MAX_LABEL_LEN)
        {
            return Err(ShlError::NotALink(format!(
                "the label is longer than {MAX_LABEL_LEN} characters"
            )));
        }
        if self.flags.direct && self.flags.passcode {
            return Err(ShlError::NotALink("U cannot be combined with P".into()));
        }
        Ok(())
    }

    /// The `shlink:/…` form.
    pub fn encode(&self) -> String {
        let wire = Wire {
            url: self.url.clone(),
            key: self.key.encode(),
            exp: self.exp.map(serde_json::Number::from),
            flag: self.flags.encode(),
            label: self.label.clone(),
            v: None,
            _unknown: Map::new(),
        };
        // A struct of strings and numbers always serializes.
        let json = serde_json::to_vec(&wire).unwrap_or_default();
        format!("{SCHEME}{}", URL_SAFE_NO_PAD.encode(json))
    }

    /// The form a browser opens: `viewer` (ending in `#`, added if missing) then the link.
    pub fn viewer_url(&self, viewer: &str) -> String {
        let hash = if viewer.ends_with('#') { "" } else { "#" };
        format!("{viewer}{hash}{}", self.encode())
    }

    /// Reads a link, bare or behind a viewer URL.
    pub fn decode(text: &str) -> Result<Self, ShlError> {
        let text = text.trim();
        if text.len() > MAX_LINK_LEN {
            return Err(ShlError::NotALink("too long".into()));
        }
        let start = text
            .find(SCHEME)
            .ok_or_else(|| ShlError::NotALink("no shlink:/ in it".into()))?;
        let encoded = &text[start + SCHEME.len()..];
        let json = URL_SAFE_NO_PAD
            .decode(encoded.trim_end_matches('='))
            .map_err(|_| ShlError::NotALink("the payload is not base64url".into()))?;
        let wire: Wire = serde_json::from_slice(&json)
            .map_err(|e| ShlError::NotALink(format!("the payload is not valid: {e}")))?;
        if let Some(v) = wire.v.filter(|v| *v != 1) {
            return Err(ShlError::UnsupportedVersion(v));
        }
        let payload = Self {
            url: wire.url,
            key: LinkKey::decode(&wire.key)?,
            exp: wire.exp.as_ref().and_then(|n| {
                n.as_u64().or_else(|| {
                    n.as_f64()
                        .filter(|f| f.is_finite() && *f >= 0.0)
                        .map(|f| f as u64)
                })
            }),
            flags: wire.flag.as_deref().map(Flags::decode).unwrap_or_default(),
            label: wire.label,
        };
        payload.check()?;
        Ok(payload)
    }
}

#[cfg(test)]
mod tests;
