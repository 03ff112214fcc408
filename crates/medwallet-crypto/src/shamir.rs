//! Shamir's secret sharing of a 32-byte secret over GF(256) (the `blahaj` crate): a phrase's
//! entropy among guardians, an emergency set's key among validators.
//!
//! ```text
//! share = x (1 byte, 1..=n) ‖ y (32 bytes)
//! ```
//!
//! A share carries no integrity of its own: whoever combines checks the result (against what
//! the ledger proves, or against commitments).

use blahaj::{Share, Sharks};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

/// Length of a shared secret.
pub const SECRET_LEN: usize = 32;
/// Length of one share: its x coordinate and one y byte per secret byte.
pub const SHARE_LEN: usize = 1 + SECRET_LEN;

/// Why a secret could not be split or combined.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShamirError {
    #[error("a threshold of {threshold} of {shares} shares is not possible")]
    Threshold { threshold: u8, shares: usize },
    #[error("the share is malformed: {0}")]
    Malformed(String),
    #[error("{got} distinct shares, {needed} needed")]
    TooFewShares { got: usize, needed: u8 },
}

/// One share of a 32-byte secret. Zeroized on drop; no `Debug`.
#[derive(Clone)]
pub struct SecretShare(Zeroizing<[u8; SHARE_LEN]>);

impl SecretShare {
    /// A share from its bytes (x ‖ y); x is never 0 (that point is the secret).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ShamirError> {
        let mut out = Zeroizing::new([0u8; SHARE_LEN]);
        if bytes.len() != SHARE_LEN || bytes[0] == 0 {
            return Err(ShamirError::Malformed("not a 33-byte share".into()));
        }
        out.copy_from_slice(bytes);
        Ok(Self(out))
    }

    /// The bytes, x first.
    pub fn as_bytes(&self) -> &[u8; SHARE_LEN] {
        &self.0
    }

    /// Its x coordinate (the holder's position plus one).
    pub fn index(&self) -> u8 {
        self.0[0]
    }
}

/// Splits `secret` into `shares` shares (x = 1..=shares), any `threshold` of which give it
/// back; at most `max` shares.
pub fn split<R: CryptoRng + ?Sized>(
    secret: &[u8; SECRET_LEN],
    threshold: u8,
    shares: usize,
    max: usize,
    rng: &mut R,
) -> Result<Vec<SecretShare>, ShamirError> {
    if threshold == 0 || usize::from(threshold) > shares || shares > max || shares > 255 {
        return Err(ShamirError::Threshold { threshold, shares });
    }
    // A `&mut` of a generator is a generator, and sized, as `blahaj` takes it.
    let mut rng = rng;
    Sharks(threshold)
        .dealer_rng(secret, &mut rng)
        .take(shares)
        .map(|share| SecretShare::from_bytes(&Zeroizing::new(Vec::from(&share))))
        .collect()
}

/// The secret `threshold` of `shares` (distinct, of one split) give back. With shares of
/// different splits, or a forged one, the result is some other secret: check it.
pub fn combine(
    threshold: u8,
    shares: &[SecretShare],
) -> Result<Zeroizing<[u8; SECRET_LEN]>, ShamirError> {
    let mut distinct: Vec<Share> = Vec::new();
    for share in shares {
        if !distinct.iter().any(|s| s.x.0 == share.index()) {
            let parsed = Share::try_from(share.as_bytes().as_slice())
                .map_err(|e| ShamirError::Malformed(e.into()))?;
            distinct.push(parsed);
        }
    }
    if threshold == 0 || distinct.len() < usize::from(threshold) {
        return Err(ShamirError::TooFewShares {
            got: distinct.len(),
            needed: threshold,
        });
    }
    distinct.truncate(usize::from(threshold));
    let secret = Zeroizing::new(
        Sharks(threshold)
            .recover(distinct.iter())
            .map_err(|e| ShamirError::Malformed(e.into()))?,
    );
    let out: [u8; SECRET_LEN] = secret
        .as_slice()
        .try_into()
        .map_err(|_| ShamirError::Malformed("not a 32-byte secret".into()))?;
    Ok(Zeroizing::new(out))
}
