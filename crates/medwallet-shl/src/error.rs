//! Why a link or a file is refused. Decryption failures are deliberately coarse.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShlError {
    /// Not a `shlink:/` link, or its payload is not what the spec defines.
    #[error("not a SMART Health Link: {0}")]
    NotALink(String),
    /// A link of a newer protocol version than this wallet reads.
    #[error("this SMART Health Link uses protocol version {0}; this wallet reads version 1")]
    UnsupportedVersion(u64),
    /// Not a compact JWE this profile allows (`dir`, `A256GCM`, optional `zip: DEF`).
    #[error("not a SMART Health Link file: {0}")]
    NotAFile(String),
    /// Wrong key, or the file was altered.
    #[error("the file does not open with this link's key (wrong link, or the file was altered)")]
    Decrypt,
    /// A file or its inflated contents exceed the bound.
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
}
