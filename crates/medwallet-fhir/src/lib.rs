//! FHIR R4 for Medwallet: what a clinic issues is validated as FHIR R4 (strictly: unknown fields
//! and missing required fields are errors) before anything is encrypted or submitted, and a
//! Synthea-style history can be split into one record per visit.
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

pub mod observations;
pub use observations::{NumericObservation, numeric_observations};

use fhirbolt::model::r4::Resource;
use fhirbolt::serde::{DeserializationConfig, DeserializationMode};
use medledger_types::category::Category;
use serde_json::{Value, json};
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
}

/// The records a document becomes: the document itself, or with `per_encounter` one record per
/// Encounter (the Encounter and every resource that references it) plus one for the rest.
pub fn records_from(bytes: &[u8], per_encounter: bool) -> Result<Vec<RecordDraft>, FhirError> {
    let resource = validate(bytes)?;
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| FhirError::Invalid(e.to_string()))?;
    if !per_encounter {
        let resources = match &resource {
            Resource::Bundle(b) => b.entry.len(),
            _ => 1,
        };
        let title = value["resourceType"]
            .as_str()
            .map(|t| format!("{t} ({resources} resources)"))
            .unwrap_or_default();
        return Ok(vec![RecordDraft {
            bytes: bytes.to_vec(),
            category: Category::Other,
            title,
            date: None,
            resources,
        }]);
    }
    if !matches!(resource, Resource::Bundle(_)) {
        return Err(FhirError::NotABundle);
    }
    Ok(split(&value))
}

fn references(value: &Value, target: &str) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| {
            (k == "reference" && v.as_str() == Some(target)) || references(v, target)
        }),
        Value::Array(items) => items.iter().any(|v| references(v, target)),
        _ => false,
    }
}

fn collection(entries: Vec<Value>) -> Value {
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })
}

fn encounter_title(resource: &Value) -> String {
    resource["type"][0]["text"]
        .as_str()
        .or_else(|| resource["type"][0]["coding"][0]["display"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| "Visit".into())
}

fn split(bundle: &Value) -> Vec<RecordDraft> {
    let entries: Vec<Value> = bundle["entry"].as_array().cloned().unwrap_or_default();
    let mut taken = vec![false; entries.len()];
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        if entry["resource"]["resourceType"] != "Encounter" {
            continue;
        }
        let url = entry["fullUrl"].as_str().unwrap_or_default().to_owned();
        let id = entry["resource"]["id"]
            .as_str()
            .map(|id| format!("Encounter/{id}"));
        let mut group = vec![entry.clone()];
        taken[i] = true;
        for (j, other) in entries.iter().enumerate() {
            let refers = (!url.is_empty() && references(&other["resource"], &url))
                || id
                    .as_deref()
                    .is_some_and(|id| references(&other["resource"], id));
            if !taken[j] && j != i && refers {
                group.push(other.clone());
                taken[j] = true;
            }
        }
        let resources = group.len();
        let bytes = serde_json::to_vec(&collection(group)).unwrap_or_default();
        out.push(RecordDraft {
            bytes,
            category: Category::Encounter,
            title: encounter_title(&entry["resource"]),
            date: entry["resource"]["period"]["start"]
                .as_str()
                .map(str::to_owned),
            resources,
        });
    }
    let rest: Vec<Value> = entries
        .iter()
        .zip(&taken)
        .filter(|(_, t)| !**t)
        .map(|(e, _)| e.clone())
        .collect();
    if !rest.is_empty() {
        let resources = rest.len();
        out.push(RecordDraft {
            bytes: serde_json::to_vec(&collection(rest)).unwrap_or_default(),
            category: Category::Other,
            title: "Patient summary".into(),
            date: None,
            resources,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/fhir/Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json"
        ))
        .expect("fixture")
    }

    #[test]
    fn a_synthea_history_splits_into_valid_visits_that_cover_every_resource() {
        let bytes = fixture();
        let total = serde_json::from_slice::<Value>(&bytes).expect("json")["entry"]
            .as_array()
            .expect("entries")
            .len();
        let records = records_from(&bytes, true).expect("split");
        let encounters = records
            .iter()
            .filter(|r| r.category == Category::Encounter)
            .count();
        assert!(encounters > 1, "one record per visit");
        assert_eq!(
            records.iter().map(|r| r.resources).sum::<usize>(),
            total,
            "every resource lands in exactly one record"
        );
        for r in &records {
            validate(&r.bytes).expect("every split record is valid FHIR R4");
        }
        let visit = records
            .iter()
            .find(|r| r.category == Category::Encounter)
            .expect("a visit");
        assert!(visit.date.is_some() && !visit.title.is_empty());
    }

    #[test]
    fn every_shared_synthea_patient_splits_into_valid_records() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/fhir/synthea");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let mut seen = 0;
        for path in entries.map(|e| e.expect("entry").path()) {
            let bytes = std::fs::read(&path).expect("read");
            let total = serde_json::from_slice::<Value>(&bytes).expect("json")["entry"]
                .as_array()
                .map_or(0, Vec::len);
            let records =
                records_from(&bytes, true).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                records.iter().map(|r| r.resources).sum::<usize>(),
                total,
                "{}",
                path.display()
            );
            for r in &records {
                validate(&r.bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            seen += 1;
        }
        assert!(seen == 0 || seen >= 7, "expected the seven shared patients");
    }

    #[test]
    fn whole_documents_are_issued_byte_for_byte() {
        let bytes = fixture();
        let records = records_from(&bytes, false).expect("whole");
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].bytes, bytes);
    }

    #[test]
    fn invalid_fhir_is_refused_with_the_reason() {
        let unknown =
            validate(br#"{"resourceType":"Patient","bogusField":1}"#).expect_err("unknown field");
        assert!(unknown.to_string().contains("bogusField"), "{unknown}");
        let missing = validate(br#"{"resourceType":"Observation","status":"final"}"#)
            .expect_err("missing code");
        assert!(missing.to_string().contains("code"), "{missing}");
        assert!(validate(b"not json").is_err());
        assert!(matches!(
            records_from(br#"{"resourceType":"Patient","id":"x"}"#, true),
            Err(FhirError::NotABundle)
        ));
    }
}
