//! FHIR R4 for Medwallet: what a clinic issues is validated as FHIR R4 (strictly: unknown fields
//! and missing required fields are errors) before anything is encrypted or submitted, and a
//! history can be split into one record per visit and category ([`split`]), so that a grant or a
//! link "by category" discloses that category and nothing else.
//!
//! ```
//! let bundle = br#"{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:p1","resource":{"resourceType":"Patient","id":"p1"}}]}"#;
//! let records = medwallet_fhir::records_from(bundle, false)?;
//! assert_eq!(records.len(), 1);
//! assert_eq!(records[0].bytes, bundle.to_vec()); // issued byte for byte
//! assert!(medwallet_fhir::validate(br#"{"resourceType":"Patient","bogus":1}"#).is_err());
//! # Ok::<(), medwallet_fhir::FhirError>(())
//! ```
#![forbid(unsafe_code)]

pub mod category;
pub mod emergency;
pub mod ips;
pub mod lab_series;
pub mod observations;
pub mod search_terms;
pub mod split;
pub use category::category_of;
pub use observations::{NumericObservation, numeric_observations};
pub use split::VisitRef;

use fhirbolt::model::r4::Resource;
use fhirbolt::serde::{DeserializationConfig, DeserializationMode};
use medledger_types::category::Category;
use serde_json::Value;
use thiserror::Error;

/// Largest document accepted (a whole patient history can be several megabytes).
pub const MAX_DOCUMENT_LEN: usize = 64 * 1024 * 1024;

/// Why a document is not acceptable FHIR R4.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FhirError {
    #[error("not valid FHIR R4: {0}")]
    Invalid(String),
    #[error("document larger than {MAX_DOCUMENT_LEN} bytes")]
    TooLarge,
    #[error("--per-encounter needs a Bundle")]
    NotABundle,
}

/// Validates a JSON document as a FHIR R4 resource, strictly.
pub fn validate(bytes: &[u8]) -> Result<Resource, FhirError> {
    if bytes.len() > MAX_DOCUMENT_LEN {
        return Err(FhirError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FhirError::Invalid("not UTF-8".into()))?;
    fhirbolt::json::from_str(
        text,
        Some(DeserializationConfig {
            mode: DeserializationMode::Strict,
        }),
    )
    .map_err(|e| FhirError::Invalid(e.to_string()))
}

/// One record to issue.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDraft {
    /// The FHIR JSON the patient will receive, byte for byte.
    pub bytes: Vec<u8>,
    pub category: Category,
    /// A short human title ("Encounter for check up").
    pub title: String,
    /// When it happened (the encounter's start), if known.
    pub date: Option<String>,
    /// Number of FHIR resources inside.
    pub resources: usize,
    /// The visit it was split from, if any.
    pub visit: Option<VisitRef>,
}

/// The records a document becomes: the document itself (category `other`), or with
/// `per_encounter` one record per visit and category, plus one per category for the resources
/// of no visit (see [`split`]).
pub fn records_from(bytes: &[u8], per_encounter: bool) -> Result<Vec<RecordDraft>, FhirError> {
    let resource = validate(bytes)?;
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| FhirError::Invalid(e.to_string()))?;
    if !per_encounter {
        let resources = match &resource {
            Resource::Bundle(b) => b.entry.len(),
            _ => 1,
        };
        // A document of one category (an allergy list, one lab panel) is filed under it.
        let mut categories = match value["entry"].as_array() {
            Some(entries) => entries
                .iter()
                .map(|e| category_of(&e["resource"]))
                .collect::<Vec<_>>(),
            None => vec![category_of(&value)],
        };
        categories.sort();
        categories.dedup();
        let category = match categories.as_slice() {
            [one] => *one,
            _ => Category::Other,
        };
        let title = value["resourceType"]
            .as_str()
            .map(|t| format!("{t} ({resources} resources)"))
            .unwrap_or_default();
        return Ok(vec![RecordDraft {
            bytes: bytes.to_vec(),
            category,
            title,
            date: None,
            resources,
            visit: None,
        }]);
    }
    if !matches!(resource, Resource::Bundle(_)) {
        return Err(FhirError::NotABundle);
    }
    Ok(split::split(&value))
}

#[cfg(test)]
mod tests;
