use thiserror::Error;

/// Why an envelope could not be sealed or opened.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The bytes do not start with the envelope magic.
    #[error("not a Medwallet record envelope")]
    NotAnEnvelope,
    /// A newer format than this build understands.
    #[error("unsupported envelope version {0}; update Medwallet")]
    UnsupportedVersion(u8),
    /// The public framing is malformed (before any secret is involved).
    #[error("malformed envelope: {0}")]
    Malformed(&'static str),
    /// Authentication failed: wrong key, tampering, truncation or reordering. Deliberately one
    /// variant so that the error never tells an attacker which check failed.
    #[error("decryption failed: the record is damaged or not meant for this key")]
    Decrypt,
    /// The recipient's public key cannot be encrypted to (e.g. a low-order point).
    #[error("the recipient's key is invalid")]
    InvalidRecipient,
    /// A record larger than the format's 2^32 - 1 chunks (256 TiB).
    #[error("record too large for the envelope format")]
    TooLarge,
    /// Reading the input or writing the output failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}
