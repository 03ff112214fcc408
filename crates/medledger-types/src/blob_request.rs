//! Signed blob requests: how a patient, a grantee, a clinic or a peer node proves who is asking
//! for (or uploading) an encrypted record.
//!
//! The request carries an HTTP header `x-medwallet-auth: <ed25519 key hex>.<unix ms>.<nonce
//! hex>.<signature hex>`, where the signature (namespace `medwallet/blob-request/v1`) covers
//! [`request_message`]. Version 2 of the message binds the chain, the node asked (its node key,
//! from `/v1/status`) and a random nonce: a request captured at one node is refused at every
//! other, and a node refuses a nonce it has seen (401 `replayed`). Nodes accept a timestamp
//! within [`MAX_SKEW_MS`] of their clock and remember nonces that long.

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::hash::{ChainId, GrantId, PublicKey, RecordId, Sha256Digest};

/// Largest clock difference a node accepts, either way.
pub const MAX_SKEW_MS: u64 = 5 * 60 * 1000;
/// The request header's name.
pub const AUTH_HEADER: &str = "x-medwallet-auth";
/// Length of a request's nonce.
pub const NONCE_LEN: usize = 16;
/// The signed message's version.
const MESSAGE_VERSION: u8 = 2;

/// Whether the request reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
}

/// Where a request is sent: the chain and the node (by its node key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub chain: ChainId,
    pub node: PublicKey,
}

/// What a request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asked<'a> {
    pub method: Method,
    pub blob: &'a Sha256Digest,
    pub record: Option<&'a RecordId>,
    pub grant: Option<&'a GrantId>,
}

/// The bytes a requester signs.
pub fn request_message(
    target: &Target,
    asked: &Asked<'_>,
    timestamp_ms: u64,
    nonce: &[u8; NONCE_LEN],
) -> Vec<u8> {
    let mut w = Writer::new();
    w.u8(MESSAGE_VERSION);
    target.chain.write(&mut w);
    target.node.write(&mut w);
    w.u8(match asked.method {
        Method::Get => 1,
        Method::Put => 2,
    });
    asked.blob.write(&mut w);
    w.option(asked.record, |w, r| r.write(w));
    w.option(asked.grant, |w, g| g.write(w));
    w.u64(timestamp_ms);
    w.fixed(nonce);
    w.finish()
}

/// A parsed `x-medwallet-auth` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Auth {
    pub key: PublicKey,
    pub timestamp_ms: u64,
    pub nonce: [u8; NONCE_LEN],
    pub signature: [u8; 64],
}

impl Auth {
    /// The header value.
    pub fn to_header(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.key.to_hex(),
            self.timestamp_ms,
            hex::encode(self.nonce),
            hex::encode(self.signature)
        )
    }

    /// Parses a header value.
    pub fn parse(value: &str) -> Result<Self, CodecError> {
        let mut parts = value.trim().split('.');
        let (Some(key), Some(ts), Some(nonce), Some(sig), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(CodecError::Invalid(
                "auth header: expected key.timestamp.nonce.signature",
            ));
        };
        let key = PublicKey::from_hex(key)?;
        let timestamp_ms = ts
            .parse()
            .map_err(|_| CodecError::Invalid("auth header timestamp"))?;
        let mut n = [0u8; NONCE_LEN];
        hex::decode_to_slice(nonce, &mut n)
            .map_err(|_| CodecError::Invalid("auth header nonce"))?;
        let mut signature = [0u8; 64];
        hex::decode_to_slice(sig, &mut signature)
            .map_err(|_| CodecError::Invalid("auth header signature"))?;
        Ok(Self {
            key,
            timestamp_ms,
            nonce: n,
            signature,
        })
    }
}

/// A request as an AccessReceipt carries it: the grantee's key, timestamp, nonce, signature.
impl Canonical for Auth {
    fn write(&self, w: &mut Writer) {
        self.key.write(w);
        w.u64(self.timestamp_ms);
        w.fixed(&self.nonce);
        w.fixed(&self.signature);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            key: PublicKey::read(r)?,
            timestamp_ms: r.u64("request timestamp")?,
            nonce: r.array("request nonce")?,
            signature: r.array("request signature")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_bind_every_field() {
        let blob = Sha256Digest([1; 32]);
        let record = RecordId([2; 32]);
        let target = Target {
            chain: ChainId([5; 32]),
            node: PublicKey([6; 32]),
        };
        let get = Asked {
            method: Method::Get,
            blob: &blob,
            record: Some(&record),
            grant: None,
        };
        let base = request_message(&target, &get, 5, &[0; NONCE_LEN]);
        let other_node = Target {
            node: PublicKey([7; 32]),
            ..target
        };
        let other_chain = Target {
            chain: ChainId([8; 32]),
            ..target
        };
        let grant = GrantId([2; 32]);
        for changed in [
            request_message(&other_node, &get, 5, &[0; NONCE_LEN]),
            request_message(&other_chain, &get, 5, &[0; NONCE_LEN]),
            request_message(&target, &get, 5, &[1; NONCE_LEN]),
            request_message(&target, &get, 6, &[0; NONCE_LEN]),
            request_message(
                &target,
                &Asked {
                    method: Method::Put,
                    ..get
                },
                5,
                &[0; NONCE_LEN],
            ),
            request_message(
                &target,
                &Asked {
                    record: None,
                    ..get
                },
                5,
                &[0; NONCE_LEN],
            ),
            request_message(
                &target,
                &Asked {
                    grant: Some(&grant),
                    ..get
                },
                5,
                &[0; NONCE_LEN],
            ),
        ] {
            assert_ne!(base, changed);
        }
    }

    #[test]
    fn headers_round_trip_and_garbage_is_refused() {
        let auth = Auth {
            key: PublicKey([7; 32]),
            timestamp_ms: 1234,
            nonce: [3; NONCE_LEN],
            signature: [9; 64],
        };
        assert_eq!(Auth::parse(&auth.to_header()), Ok(auth));
        let key = "00".repeat(32);
        let sig = "00".repeat(64);
        let nonce = "00".repeat(NONCE_LEN);
        for bad in [
            "",
            "a.b",
            &format!("{key}.1.{sig}"),
            &format!("{key}.1.{nonce}.{sig}.x"),
            &format!("{key}.x.{nonce}.{sig}"),
            &format!("{key}.1.zz.{sig}"),
            &format!("{key}.1.{nonce}.{}", "zz".repeat(64)),
        ] {
            assert!(Auth::parse(bad).is_err(), "{bad}");
        }
    }
}
