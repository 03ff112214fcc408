use thiserror::Error;

/// Why untrusted data was rejected. Every variant is evidence that the node that served the
/// data is faulty or lying (honest nodes never serve data that fails these checks).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Invalid {
    #[error("malformed header: {0}")]
    MalformedHeader(String),
    #[error("malformed certificate: {0}")]
    MalformedCertificate(String),
    #[error("the certificate finalizes another block")]
    WrongBlock,
    #[error("the header names a validator set the client does not trust")]
    UnknownValidatorSet,
    #[error("the certificate's signer bitmap covers {got} validators, the set has {expected}")]
    WrongValidatorCount { got: usize, expected: usize },
    #[error("only {got} of the {needed} signatures a certificate needs")]
    NotEnoughSigners { got: usize, needed: usize },
    #[error("a signature in the certificate is invalid")]
    BadSignature,
    #[error("header {height} does not link to its child")]
    BrokenChain { height: u64 },
    #[error("the state proof does not match the verified state root")]
    BadProof,
    #[error("malformed state proof: {0}")]
    MalformedProof(String),
    #[error("the new validator set does not match the hash the header commits to")]
    WrongValidatorChange,
    #[error("the header is older than the one already trusted")]
    Regression,
    #[error("the ciphertext does not match the hash and length the ledger proves")]
    WrongCiphertext,
    #[error(
        "the certificate was signed in epoch {got}, but height {height} is in epoch {expected}"
    )]
    WrongEpoch {
        height: u64,
        got: u64,
        expected: u64,
    },
    #[error("header {height} is not the last of its epoch, so it names no new validator set")]
    NotABoundary { height: u64 },
}
