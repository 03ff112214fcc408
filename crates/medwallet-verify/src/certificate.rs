//! Finalization certificates: a quorum of the trusted validators signed this header's hash.

use ed25519_dalek::{Signature, VerifyingKey};
use medledger_types::block::{HEADER_LEN, Header};
use medledger_types::certificate::{Finalization, quorum};
use medledger_types::codec::Canonical;

use crate::anchor::TrustedSet;
use crate::invalid::Invalid;

/// A header whose finalization this client has verified (or one linked to such a header).
///
/// Only this crate makes one, in its `verify_*` functions: the fields are private, so no other
/// crate can call a header verified without verifying it.
///
/// ```compile_fail
/// # use medledger_types::block::Header;
/// fn forge(header: Header) -> medwallet_verify::VerifiedHeader {
///     medwallet_verify::VerifiedHeader { header, certificate: None }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedHeader {
    pub(crate) header: Header,
    /// The certificate, when this header was finalized directly (else it was verified through
    /// a descendant's hash chain).
    pub(crate) certificate: Option<Finalization>,
}

impl VerifiedHeader {
    pub(crate) fn linked(header: Header) -> Self {
        Self {
            header,
            certificate: None,
        }
    }

    /// The verified header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Its height.
    pub fn height(&self) -> u64 {
        self.header.height
    }

    /// The certificate that finalized it directly, if it was not verified through a
    /// descendant's hash chain.
    pub fn certificate(&self) -> Option<&Finalization> {
        self.certificate.as_ref()
    }
}

/// Below this many signatures, verifying one by one is as fast as a batch.
const BATCH_FROM: usize = 3;

/// Checks that `certificate` finalizes `header` under `validators` in `namespace`.
///
/// Checks, in order, failing closed before any cryptography: the encodings parse (bounded); the
/// certificate names this header; the header names this validator set; the signer bitmap has
/// one bit per validator; at least `quorum(n)` distinct validators signed; every signature is
/// valid (batch-verified).
pub fn verify_finalization(
    validators: &TrustedSet,
    namespace: &[u8],
    header_bytes: &[u8],
    certificate_bytes: &[u8],
) -> Result<VerifiedHeader, Invalid> {
    let header = Header::decode(header_bytes, HEADER_LEN)
        .map_err(|e| Invalid::MalformedHeader(e.to_string()))?;
    let certificate = Finalization::decode(certificate_bytes)
        .map_err(|e| Invalid::MalformedCertificate(e.to_string()))?;
    verify_parsed(validators, namespace, &header, &certificate)?;
    Ok(VerifiedHeader {
        header,
        certificate: Some(certificate),
    })
}

/// [`verify_finalization`] on parsed values.
pub fn verify_parsed(
    validators: &TrustedSet,
    namespace: &[u8],
    header: &Header,
    certificate: &Finalization,
) -> Result<(), Invalid> {
    if certificate.proposal.block != header.hash() {
        return Err(Invalid::WrongBlock);
    }
    if header.validator_set != validators.hash() {
        return Err(Invalid::UnknownValidatorSet);
    }
    let n = validators.keys().len();
    if certificate.validator_count != n {
        return Err(Invalid::WrongValidatorCount {
            got: certificate.validator_count,
            expected: n,
        });
    }
    let needed = quorum(n);
    // The decoder guarantees ascending, distinct, in-range signer indices, one signature each.
    if certificate.signers.len() < needed {
        return Err(Invalid::NotEnoughSigners {
            got: certificate.signers.len(),
            needed,
        });
    }
    let message = certificate.proposal.finalize_message(namespace);
    // The decoder bounds signer indices by the bitmap's length, which equals n here.
    let keys: Vec<VerifyingKey> = certificate
        .signers
        .iter()
        .map(|&i| validators.keys()[i])
        .collect();
    let signatures: Vec<Signature> = certificate
        .signatures
        .iter()
        .map(Signature::from_bytes)
        .collect();
    if keys.len() >= BATCH_FROM {
        let messages: Vec<&[u8]> = vec![&message; keys.len()];
        ed25519_dalek::verify_batch(&messages, &signatures, &keys)
            .map_err(|_| Invalid::BadSignature)
    } else {
        keys.iter().zip(&signatures).try_for_each(|(k, s)| {
            k.verify_strict(&message, s)
                .map_err(|_| Invalid::BadSignature)
        })
    }
}
