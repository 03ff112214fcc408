//! Signed blob requests: how a patient, a grantee, a clinic or a peer node proves who is asking
//! for (or uploading) an encrypted record.
//!
//! The request carries an HTTP header `x-medwallet-auth: <ed25519 key hex>.<unix ms>.<signature
//! hex>`, where the signature (namespace `medwallet/blob-request/v1`) covers
//! [`request_message`]. Nodes accept a timestamp within [`MAX_SKEW_MS`] of their clock.

use crate::codec::{CodecError, Writer};
use crate::hash::{GrantId, PublicKey, RecordId, Sha256Digest};

/// Largest clock difference a node accepts, either way.
pub const MAX_SKEW_MS: u64 = 5 * 60 * 1000;
/// The request header's name.
pub const AUTH_HEADER: &str = "x-medwallet-auth";

/// Whether the request reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
}

/// The bytes a requester signs.
pub fn request_message(
    method: Method,
    blob: &Sha256Digest,
    record: Option<&RecordId>,
    grant: Option<&GrantId>,
    timestamp_ms: u64,
) -> Vec<u8> {
    let mut w = Writer::new();
    w.u8(match method {
        Method::Get => 1,
        Method::Put => 2,
    });
    blob.write(&mut w);
    w.option(record, |w, r| r.write(w));
    w.option(grant, |w, g| g.write(w));
    w.u64(timestamp_ms);
    w.finish()
}

/// A parsed `x-medwallet-auth` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Auth {
    pub key: PublicKey,
    pub timestamp_ms: u64,
    pub signature: [u8; 64],
}

impl Auth {
    /// The header value.
    pub fn to_header(&self) -> String {
        format!(
            "{}.{}.{}",
            self.key.to_hex(),
            self.timestamp_ms,
            hex::encode(self.signature)
        )
    }

    /// Parses a header value.
    pub fn parse(value: &str) -> Result<Self, CodecError> {
        let mut parts = value.trim().split('.');
        let (Some(key), Some(ts), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CodecError::Invalid(
                "auth header: expected key.timestamp.signature",
            ));
        };
        let key = PublicKey::from_hex(key)?;
        let timestamp_ms = ts
            .parse()
            .map_err(|_| CodecError::Invalid("auth header timestamp"))?;
        let mut signature = [0u8; 64];
        hex::decode_to_slice(sig, &mut signature)
            .map_err(|_| CodecError::Invalid("auth header signature"))?;
        Ok(Self {
            key,
            timestamp_ms,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_bind_every_field() {
        let blob = Sha256Digest([1; 32]);
        let base = request_message(Method::Get, &blob, Some(&RecordId([2; 32])), None, 5);
        assert_ne!(
            base,
            request_message(Method::Put, &blob, Some(&RecordId([2; 32])), None, 5)
        );
        assert_ne!(
            base,
            request_message(Method::Get, &blob, Some(&RecordId([3; 32])), None, 5)
        );
        assert_ne!(
            base,
            request_message(
                Method::Get,
                &blob,
                Some(&RecordId([2; 32])),
                Some(&GrantId([2; 32])),
                5
            )
        );
        assert_ne!(
            base,
            request_message(Method::Get, &blob, Some(&RecordId([2; 32])), None, 6)
        );
    }

    #[test]
    fn headers_round_trip_and_garbage_is_refused() {
        let auth = Auth {
            key: PublicKey([7; 32]),
            timestamp_ms: 1234,
            signature: [9; 64],
        };
        assert_eq!(Auth::parse(&auth.to_header()), Ok(auth));
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            &format!("{}.x.{}", "00".repeat(32), "00".repeat(64)),
            &format!("{}.1.{}", "00".repeat(32), "zz".repeat(64)),
        ] {
            assert!(Auth::parse(bad).is_err(), "{bad}");
        }
    }
}
