//! Domain separation for every signature Medwallet makes.
//!
//! A signature is never over raw bytes: the signed message is
//! `len(namespace) as u16 big-endian || namespace || message`. The length prefix makes the
//! framing unambiguous (`"a" || "bc"` and `"ab" || "c"` differ), and a signature made for one
//! purpose (a transaction) can never be replayed as another (a blob request).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use thiserror::Error;

/// A signing domain, e.g. `medwallet/tx/v1`. Construct with [`Namespace::new`] in a `const`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Namespace(&'static str);

impl Namespace {
    /// Ledger transactions.
    pub const TX: Namespace = Namespace::new("medwallet/tx/v1");
    /// Signed requests for encrypted blobs (who asks for what, and when).
    pub const BLOB_REQUEST: Namespace = Namespace::new("medwallet/blob-request/v1");
    /// Validators' approvals of governance transactions (e.g. admitting a clinic).
    pub const GOVERNANCE: Namespace = Namespace::new("medwallet/governance/v1");
    /// A doctor's consent to be registered by a clinic (proof that they hold the key).
    pub const DOCTOR_CONSENT: Namespace = Namespace::new("medwallet/doctor-consent/v1");
    /// A new key's consent to take over an account (proof that the account's new owner holds it).
    pub const ROTATION: Namespace = Namespace::new("medwallet/rotation/v1");

    /// A namespace must be non-empty ASCII of at most 255 bytes; checked at compile time
    /// when used in a `const`.
    pub const fn new(name: &'static str) -> Self {
        let bytes = name.as_bytes();
        assert!(!bytes.is_empty() && bytes.len() <= 255, "namespace length");
        let mut i = 0;
        while i < bytes.len() {
            assert!(
                bytes[i].is_ascii_graphic(),
                "namespace must be printable ASCII"
            );
            i += 1;
        }
        Namespace(name)
    }

    /// The namespace's text.
    pub const fn as_str(&self) -> &'static str {
        self.0
    }

    /// The exact bytes that are signed for `message` in this namespace.
    pub fn signed_message(&self, message: &[u8]) -> Vec<u8> {
        let ns = self.0.as_bytes();
        let mut out = Vec::with_capacity(2 + ns.len() + message.len());
        // `new` bounds the length to 255, so the cast cannot truncate.
        out.extend_from_slice(&(ns.len() as u16).to_be_bytes());
        out.extend_from_slice(ns);
        out.extend_from_slice(message);
        out
    }
}

/// A signature did not verify (or was not even a well-formed signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("signature is not valid for this key, namespace and message")]
pub struct BadSignature;

/// Signs `message` in `namespace`.
pub fn sign(key: &SigningKey, namespace: Namespace, message: &[u8]) -> Signature {
    key.sign(&namespace.signed_message(message))
}

/// Verifies a signature made by [`sign`]. Uses strict verification (RFC 8032 §5.1.7 with
/// small-order and non-canonical encodings rejected) so one message has one valid signature
/// per key as far as the ledger is concerned.
pub fn verify(
    key: &VerifyingKey,
    namespace: Namespace,
    message: &[u8],
    signature: &Signature,
) -> Result<(), BadSignature> {
    key.verify_strict(&namespace.signed_message(message), signature)
        .map_err(|_| BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn signature_verifies_in_its_own_namespace() {
        let k = key(1);
        let sig = sign(&k, Namespace::TX, b"hello");
        assert_eq!(
            verify(&k.verifying_key(), Namespace::TX, b"hello", &sig),
            Ok(())
        );
    }

    #[test]
    fn signature_from_another_namespace_is_rejected() {
        let k = key(1);
        let sig = sign(&k, Namespace::TX, b"hello");
        assert_eq!(
            verify(&k.verifying_key(), Namespace::BLOB_REQUEST, b"hello", &sig),
            Err(BadSignature)
        );
    }

    #[test]
    fn framing_is_unambiguous() {
        const A: Namespace = Namespace::new("medwallet/a");
        const AB: Namespace = Namespace::new("medwallet/ab");
        assert_ne!(A.signed_message(b"bc"), AB.signed_message(b"c"));
    }

    #[test]
    fn tampered_message_or_wrong_key_is_rejected() {
        let k = key(1);
        let sig = sign(&k, Namespace::TX, b"hello");
        assert!(verify(&k.verifying_key(), Namespace::TX, b"hellp", &sig).is_err());
        assert!(verify(&key(2).verifying_key(), Namespace::TX, b"hello", &sig).is_err());
    }
}
