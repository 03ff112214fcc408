//! Why a clinic operation failed. Nothing is submitted when the input is not valid FHIR or the
//! patient is not registered.

use medledger_client::metadata::MetadataError;
use medledger_client::{ReadError, SourceError};
use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IssueError {
    #[error(transparent)]
    Fhir(#[from] medwallet_fhir::FhirError),
    #[error(
        "patient {0} is not registered on the ledger as a patient; they must register (`medwallet register`) first"
    )]
    NotRegistered(String),
    #[error(transparent)]
    Ledger(#[from] ReadError),
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    #[error("the record could not be sealed: {0}")]
    Seal(String),
    /// The file to issue could not be read, or is larger than the ledger takes.
    #[error("{0}")]
    File(String),
}

impl From<SourceError> for IssueError {
    fn from(e: SourceError) -> Self {
        IssueError::Ledger(ReadError::Source(e))
    }
}
