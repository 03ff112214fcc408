//! The manifest protocol's messages (SMART Health Links STU1 "Manifest Request" and "Manifest
//! File"): what a receiving application POSTs to the link's URL, and what it gets back.
//! Unknown properties are ignored both ways, as the spec asks.

use serde::{Deserialize, Serialize};

use crate::ShlError;

/// Bounds on what a server reads from a request.
pub const MAX_RECIPIENT_LEN: usize = 200;
pub const MAX_PASSCODE_LEN: usize = 200;

/// The content type of a FHIR file.
pub const FHIR_JSON: &str = "application/fhir+json";

/// `POST <url>` with `content-type: application/json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestRequest {
    /// Who is asking, in words ("St Mary ED"): shown to the patient in their access log.
    pub recipient: String,
    /// Required when the link has the `P` flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passcode: Option<String>,
    /// The longest `embedded` file the receiver accepts.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub embedded_length_max: Option<u64>,
}

/// A JSON integer, also when a receiver writes it with a zero fraction (`5000.0`: JSON has one
/// number type, and JSON Schema's `integer` admits it); not a fraction, a negative number or
/// one past `u64`.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(n) = number.as_u64() {
        return Ok(Some(n));
    }
    match number.as_f64() {
        // Whole and in range: the cast is exact up to f64's precision, which is the receiver's.
        Some(f) if f.fract() == 0.0 && (0.0..u64::MAX as f64).contains(&f) => Ok(Some(f as u64)),
        _ => Err(serde::de::Error::custom(format!(
            "embeddedLengthMax must be a whole number of bytes, not {number}"
        ))),
    }
}

impl ManifestRequest {
    /// Checks the request's bounds (a server calls this before anything else).
    pub fn check(&self) -> Result<(), ShlError> {
        let recipient = self.recipient.trim();
        if recipient.is_empty() || recipient.chars().count() > MAX_RECIPIENT_LEN {
            return Err(ShlError::NotALink(format!(
                "recipient must be 1 to {MAX_RECIPIENT_LEN} characters"
            )));
        }
        if self
            .passcode
            .as_ref()
            .is_some_and(|p| p.chars().count() > MAX_PASSCODE_LEN)
        {
            return Err(ShlError::NotALink(format!(
                "passcode is longer than {MAX_PASSCODE_LEN} characters"
            )));
        }
        Ok(())
    }
}

/// The manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `finalized`, or `can-change` for a long-term link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub files: Vec<ManifestFile>,
}

/// One file of a manifest: a short-lived `location`, or the JWE `embedded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFile {
    pub content_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fhir_version: Option<String>,
}

/// The body of a `401` for a wrong passcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasscodeRefused {
    pub remaining_attempts: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_manifest_reads_and_unknown_properties_are_ignored() {
        let manifest: Manifest = serde_json::from_str(
            r#"{"files":[{"contentType":"application/smart-health-card","location":"https://bucket.cloud.example.org/file1?sas=MFXK6jL3oL3SI_lRfi_-cEfzIs5oHs6rRWmrsCAFzvk"},
               {"contentType":"application/smart-health-card","embedded":"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..8zH0NmUXGwMOqEya.xdGRpgyvE9vNoKzHlr4itKKW2vo"},
               {"contentType":"application/fhir+json","location":"https://bucket.cloud.example.org/file2?sas=T34xzj1XtqTYb2lzcgj59XCY4I6vLN3AwrTUIT9GuSc","lastUpdated":"2025-03-09T15:29:46Z","status":"finalized","fhirVersion":"4.0.1"}],
               "list":{"resourceType":"List"}}"#,
        )
        .expect("the spec's manifest");
        assert_eq!(manifest.files.len(), 3);
        assert_eq!(manifest.files[2].fhir_version.as_deref(), Some("4.0.1"));
        assert!(manifest.files[1].embedded.is_some() && manifest.files[1].location.is_none());
    }

    #[test]
    fn embedded_length_max_is_a_whole_number_however_it_is_written() {
        let read = |json: &str| serde_json::from_str::<ManifestRequest>(json);
        let length = |json: &str| read(json).expect(json).embedded_length_max;
        assert_eq!(
            length(r#"{"recipient":"ED","embeddedLengthMax":5000}"#),
            Some(5000)
        );
        assert_eq!(
            length(r#"{"recipient":"ED","embeddedLengthMax":5000.0}"#),
            Some(5000)
        );
        assert_eq!(
            length(r#"{"recipient":"ED","embeddedLengthMax":null}"#),
            None
        );
        assert_eq!(length(r#"{"recipient":"ED"}"#), None);
        for bad in ["5000.5", "-1", "1e30", "\"5000\""] {
            let json = format!(r#"{{"recipient":"ED","embeddedLengthMax":{bad}}}"#);
            assert!(read(&json).is_err(), "{json}");
        }
    }

    #[test]
    fn requests_are_bounded_and_read_in_the_spec_form() {
        let request: ManifestRequest = serde_json::from_str(
            r#"{"recipient":"St Mary ED","passcode":"1234","embeddedLengthMax":5000,"x":1}"#,
        )
        .expect("request");
        assert_eq!(request.embedded_length_max, Some(5000));
        request.check().expect("fine");
        let long = ManifestRequest {
            recipient: "x".repeat(MAX_RECIPIENT_LEN + 1),
            passcode: None,
            embedded_length_max: None,
        };
        assert!(long.check().is_err());
        let blank = ManifestRequest {
            recipient: "  ".into(),
            ..long
        };
        assert!(blank.check().is_err());
        assert_eq!(
            serde_json::to_string(&PasscodeRefused {
                remaining_attempts: 4
            })
            .expect("json"),
            r#"{"remainingAttempts":4}"#
        );
    }
}
