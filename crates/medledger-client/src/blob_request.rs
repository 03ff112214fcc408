//! The one place a blob request is signed: a download of one record's ciphertext (by its
//! patient, a grantee under a grant, or a peer node) or a clinic's upload. The header format and
//! the signed bytes are defined in `medledger_types::blob_request`; the signature carries the
//! namespace `medwallet/blob-request/v1`.

use medledger_types::blob_request::{Auth, Method, request_message};
use medledger_types::hash::{GrantId, PublicKey, RecordId, Sha256Digest};
use medwallet_crypto::{Namespace, SigningKey};

/// A signed request for one record's ciphertext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRequest {
    /// The ciphertext's SHA-256, as the proven record entry names it.
    pub blob: Sha256Digest,
    pub record: RecordId,
    /// The grant a grantee fetches under (`None` for the patient or a peer node).
    pub grant: Option<GrantId>,
    /// The `x-medwallet-auth` header value.
    pub auth: String,
}

impl BlobRequest {
    /// Signs a download of `record`'s ciphertext `blob` at `now_ms`.
    pub fn sign(
        key: &SigningKey,
        blob: Sha256Digest,
        record: RecordId,
        grant: Option<GrantId>,
        now_ms: u64,
    ) -> Self {
        let message = request_message(Method::Get, &blob, Some(&record), grant.as_ref(), now_ms);
        Self {
            blob,
            record,
            grant,
            auth: header(key, &message, now_ms),
        }
    }
}

/// The header of a clinic's upload of ciphertext `blob` at `now_ms`.
pub fn upload_auth(key: &SigningKey, blob: &Sha256Digest, now_ms: u64) -> String {
    header(
        key,
        &request_message(Method::Put, blob, None, None, now_ms),
        now_ms,
    )
}

fn header(key: &SigningKey, message: &[u8], now_ms: u64) -> String {
    Auth {
        key: PublicKey(key.verifying_key().to_bytes()),
        timestamp_ms: now_ms,
        signature: medwallet_crypto::sign(key, Namespace::BLOB_REQUEST, message).to_bytes(),
    }
    .to_header()
}

#[cfg(test)]
mod tests {
    use medwallet_crypto::{Signature, VerifyingKey};

    use super::*;

    fn verifies(auth: &str, message: &[u8]) -> bool {
        let Ok(auth) = Auth::parse(auth) else {
            return false;
        };
        let Ok(key) = VerifyingKey::from_bytes(&auth.key.0) else {
            return false;
        };
        medwallet_crypto::verify(
            &key,
            Namespace::BLOB_REQUEST,
            message,
            &Signature::from_bytes(&auth.signature),
        )
        .is_ok()
    }

    #[test]
    fn requests_verify_for_exactly_what_they_ask() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let (blob, record, grant) = (Sha256Digest([1; 32]), RecordId([2; 32]), GrantId([4; 32]));
        let get = BlobRequest::sign(&key, blob, record, Some(grant), 77);
        assert!(verifies(
            &get.auth,
            &request_message(Method::Get, &blob, Some(&record), Some(&grant), 77)
        ));
        assert!(
            !verifies(
                &get.auth,
                &request_message(Method::Get, &blob, Some(&record), None, 77)
            ),
            "the grant is part of what is signed"
        );
        let put = upload_auth(&key, &blob, 78);
        assert!(verifies(
            &put,
            &request_message(Method::Put, &blob, None, None, 78)
        ));
        assert!(!verifies(
            &put,
            &request_message(Method::Get, &blob, None, None, 78)
        ));
    }
}
