//! The one place a blob request is signed: a download of one record's ciphertext (by its
//! patient, a grantee under a grant, or a peer node) or a clinic's upload. The header format and
//! the signed bytes are defined in `medledger_types::blob_request`; the signature carries the
//! namespace `medwallet/blob-request/v1` and binds the chain, the node asked and a nonce, so a
//! request is signed for each node it is sent to ([`BlobRequest::auth_for`]).

use medledger_types::blob_request::{Asked, Auth, Method, NONCE_LEN, Target, request_message};
use medledger_types::hash::{GrantId, PublicKey, RecordId, Sha256Digest};
use medwallet_crypto::{Namespace, SigningKey};

/// A request for one record's ciphertext: what is asked and the key that asks, which signs it
/// for each node it goes to.
#[derive(Clone, Copy)]
pub struct BlobRequest<'k> {
    /// The ciphertext's SHA-256, as the proven record entry names it.
    pub blob: Sha256Digest,
    pub record: RecordId,
    /// The grant a grantee fetches under (`None` for the patient or a peer node).
    pub grant: Option<GrantId>,
    pub now_ms: u64,
    key: &'k SigningKey,
}

impl std::fmt::Debug for BlobRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("BlobRequest")
            .field("blob", &self.blob)
            .field("record", &self.record)
            .field("grant", &self.grant)
            .field("requester", &self.requester())
            .finish()
    }
}

impl<'k> BlobRequest<'k> {
    /// A download of `record`'s ciphertext `blob` at `now_ms`, asked by `key`.
    pub fn new(
        key: &'k SigningKey,
        blob: Sha256Digest,
        record: RecordId,
        grant: Option<GrantId>,
        now_ms: u64,
    ) -> Self {
        Self {
            blob,
            record,
            grant,
            now_ms,
            key,
        }
    }

    /// Who asks.
    pub fn requester(&self) -> PublicKey {
        PublicKey(self.key.verifying_key().to_bytes())
    }

    /// The `x-medwallet-auth` header for sending this request to `target` with `nonce` (fresh
    /// randomness for every request).
    pub fn auth_for(&self, target: &Target, nonce: [u8; NONCE_LEN]) -> String {
        self.signed_for(target, nonce).to_header()
    }

    /// The signed request for `target` (what a node's AccessReceipt carries).
    pub fn signed_for(&self, target: &Target, nonce: [u8; NONCE_LEN]) -> Auth {
        let asked = Asked {
            method: Method::Get,
            blob: &self.blob,
            record: Some(&self.record),
            grant: self.grant.as_ref(),
        };
        signed(self.key, target, &asked, self.now_ms, nonce)
    }
}

/// The header of a clinic's upload of ciphertext `blob` to `target` at `now_ms`.
pub fn upload_auth(
    key: &SigningKey,
    target: &Target,
    blob: &Sha256Digest,
    now_ms: u64,
    nonce: [u8; NONCE_LEN],
) -> String {
    let asked = Asked {
        method: Method::Put,
        blob,
        record: None,
        grant: None,
    };
    signed(key, target, &asked, now_ms, nonce).to_header()
}

fn signed(
    key: &SigningKey,
    target: &Target,
    asked: &Asked<'_>,
    now_ms: u64,
    nonce: [u8; NONCE_LEN],
) -> Auth {
    let message = request_message(target, asked, now_ms, &nonce);
    Auth {
        key: PublicKey(key.verifying_key().to_bytes()),
        timestamp_ms: now_ms,
        nonce,
        signature: medwallet_crypto::sign(key, Namespace::BLOB_REQUEST, &message).to_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use medledger_types::hash::ChainId;
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
    fn requests_verify_for_exactly_what_they_ask_where_they_are_sent() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let (blob, record, grant) = (Sha256Digest([1; 32]), RecordId([2; 32]), GrantId([4; 32]));
        let target = Target {
            chain: ChainId([5; 32]),
            node: PublicKey([6; 32]),
        };
        let get = BlobRequest::new(&key, blob, record, Some(grant), 77);
        let auth = get.auth_for(&target, [9; NONCE_LEN]);
        let asked = Asked {
            method: Method::Get,
            blob: &blob,
            record: Some(&record),
            grant: Some(&grant),
        };
        assert!(verifies(
            &auth,
            &request_message(&target, &asked, 77, &[9; NONCE_LEN])
        ));
        assert!(
            !verifies(
                &auth,
                &request_message(
                    &target,
                    &Asked {
                        grant: None,
                        ..asked
                    },
                    77,
                    &[9; NONCE_LEN]
                )
            ),
            "the grant is part of what is signed"
        );
        let elsewhere = Target {
            node: PublicKey([7; 32]),
            ..target
        };
        assert!(
            !verifies(
                &auth,
                &request_message(&elsewhere, &asked, 77, &[9; NONCE_LEN])
            ),
            "so is the node it was sent to"
        );
        let put = upload_auth(&key, &target, &blob, 78, [1; NONCE_LEN]);
        let upload = Asked {
            method: Method::Put,
            blob: &blob,
            record: None,
            grant: None,
        };
        assert!(verifies(
            &put,
            &request_message(&target, &upload, 78, &[1; NONCE_LEN])
        ));
        assert!(!format!("{get:?}").contains("key:"), "no key in Debug");
    }
}
