//! What a clinic says about a record: title, date, category, size, the visit it belongs to, its
//! own name. Sealed under the record's content key and padded to a size bucket ([`crate::padded`]),
//! so only holders of a wrapped key read it and its length says little; the ledger stores the
//! sealed bytes, at most `METADATA_MAX` of them. The category lives here and nowhere public.
//!
//! The plaintext is JSON with a version field (v2: the visit; v1 records, from before records
//! were split by category, are no longer read):
//!
//! ```text
//! {"v":2,"title":"Hemoglobin A1c","date":"2019-03-01","category":"labs","resources":3,"clinic":"Demo Clinic","visit":{"id":"urn:uuid:…","title":"Encounter for check up"}}
//! ```

use medledger_types::category::Category;
use medledger_types::tx::METADATA_MAX;
use medwallet_crypto::envelope::ContentKey;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::padded::{open_padded, seal_padded};

/// The metadata format this crate writes and reads.
pub const METADATA_VERSION: u32 = 2;

/// A record's description, as its clinic wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMetadata {
    #[serde(rename = "v")]
    pub version: u32,
    pub title: String,
    /// The visit's date (ISO 8601), when the clinic gave one.
    pub date: Option<String>,
    #[serde(with = "category_code")]
    pub category: Category,
    /// How many FHIR resources the record holds.
    pub resources: usize,
    /// The issuing clinic's name as it gave it (the verified name is its ledger account's).
    pub clinic: String,
    /// The visit this record is part of: every record split from one Encounter names it, so a
    /// timeline shows visits even though each category is its own record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<Visit>,
    /// The record is a file rather than FHIR (an imaging study, a scanned letter), too large
    /// to read as one: its payload is the file's bytes, described here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Attachment>,
}

/// A file a record carries, described as FHIR's `Attachment` describes one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Its MIME type (`application/dicom`).
    #[serde(rename = "contentType")]
    pub content_type: String,
    /// Its name, to save it under (`chest-ct.dcm`).
    pub name: String,
    /// Its length in bytes (the payload's, without padding).
    pub size: u64,
}

/// Longest attachment name or MIME type a clinic may give.
pub const MAX_ATTACHMENT_TEXT: usize = 200;

impl Attachment {
    /// An attachment, if its type is a MIME type and its name a plain file name (no path, no
    /// control characters), each at most [`MAX_ATTACHMENT_TEXT`] bytes.
    pub fn new(
        content_type: impl Into<String>,
        name: impl Into<String>,
        size: u64,
    ) -> Result<Self, MetadataError> {
        let (content_type, name) = (content_type.into(), name.into());
        let plain = |s: &str| {
            !s.is_empty() && s.len() <= MAX_ATTACHMENT_TEXT && !s.chars().any(char::is_control)
        };
        let mime = plain(&content_type)
            && content_type.split_once('/').is_some_and(|(kind, sub)| {
                !kind.is_empty() && !sub.is_empty() && !content_type.contains(char::is_whitespace)
            });
        if !mime {
            return Err(MetadataError::Malformed(format!(
                "{content_type:?} is not a MIME type"
            )));
        }
        if !plain(&name) || name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(MetadataError::Malformed(format!(
                "{name:?} is not a plain file name"
            )));
        }
        Ok(Self {
            content_type,
            name,
            size,
        })
    }
}

/// A visit, as the records split from it name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// The Encounter's reference in the issued FHIR (its `fullUrl`, or `Encounter/<id>`).
    pub id: String,
    /// What the visit was ("Encounter for check up").
    pub title: String,
}

/// Why metadata could not be sealed or opened.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetadataError {
    #[error("record metadata is too large ({0} bytes sealed; the ledger takes {METADATA_MAX})")]
    TooLarge(usize),
    #[error("record metadata could not be sealed")]
    Seal,
    /// Not sealed under this key, or damaged.
    #[error("record metadata does not open with this record's key")]
    Unreadable,
    #[error("record metadata is not valid: {0}")]
    Malformed(String),
    #[error(
        "record metadata version {0} is not supported (this wallet reads version {METADATA_VERSION})"
    )]
    UnknownVersion(u32),
}

impl RecordMetadata {
    /// Metadata in the current format.
    pub fn new(
        title: impl Into<String>,
        date: Option<String>,
        category: Category,
        resources: usize,
        clinic: impl Into<String>,
    ) -> Self {
        Self {
            version: METADATA_VERSION,
            title: title.into(),
            date,
            category,
            resources,
            clinic: clinic.into(),
            visit: None,
            file: None,
        }
    }

    /// The same metadata, for a record that is `file`.
    pub fn carrying(mut self, file: Attachment) -> Self {
        self.file = Some(file);
        self
    }

    /// The same metadata, naming the visit the record belongs to.
    pub fn in_visit(mut self, visit: Option<Visit>) -> Self {
        self.visit = visit;
        self
    }

    /// Seals it under the record's content key.
    pub fn seal<R: CryptoRng + ?Sized>(
        &self,
        key: &ContentKey,
        rng: &mut R,
    ) -> Result<Vec<u8>, MetadataError> {
        let json = serde_json::to_vec(self).map_err(|e| MetadataError::Malformed(e.to_string()))?;
        let sealed = seal_padded(key, rng, &json).map_err(|_| MetadataError::Seal)?;
        if sealed.len() > METADATA_MAX {
            return Err(MetadataError::TooLarge(sealed.len()));
        }
        Ok(sealed)
    }

    /// Opens sealed metadata with the record's content key.
    pub fn open(key: &ContentKey, sealed: &[u8]) -> Result<Self, MetadataError> {
        let json = open_padded(key, sealed).map_err(|_| MetadataError::Unreadable)?;
        #[derive(Deserialize)]
        struct Version {
            v: u32,
        }
        let version: Version =
            serde_json::from_slice(&json).map_err(|e| MetadataError::Malformed(e.to_string()))?;
        if version.v != METADATA_VERSION {
            return Err(MetadataError::UnknownVersion(version.v));
        }
        serde_json::from_slice(&json).map_err(|e| MetadataError::Malformed(e.to_string()))
    }
}

/// A category as its code (`labs`, `encounter`, ...).
mod category_code {
    use medledger_types::category::Category;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(category: &Category, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(category.code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Category, D::Error> {
        let code = String::deserialize(d)?;
        Category::from_code(&code)
            .ok_or_else(|| D::Error::custom(format!("unknown category {code:?}")))
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    fn sample() -> RecordMetadata {
        RecordMetadata::new(
            "Lipid panel",
            Some("2020-01-01".into()),
            Category::Labs,
            4,
            "Demo Clinic",
        )
    }

    #[test]
    fn an_attachment_is_pinned_and_refuses_paths_and_non_mime_types() {
        let file = Attachment::new("application/dicom", "chest-ct.dcm", 1 << 30).expect("valid");
        let json = serde_json::to_string(&sample().carrying(file)).expect("json");
        assert!(
            json.ends_with(
                r#""clinic":"Demo Clinic","file":{"contentType":"application/dicom","name":"chest-ct.dcm","size":1073741824}}"#
            ),
            "{json}"
        );
        for (mime, name) in [
            ("dicom", "a.dcm"),
            ("application/", "a.dcm"),
            ("application/dicom x", "a.dcm"),
            ("application/dicom", "../a.dcm"),
            ("application/dicom", "a\\b"),
            ("application/dicom", ".."),
            ("application/dicom", ""),
            ("application/dicom", "a\nb"),
        ] {
            assert!(Attachment::new(mime, name, 1).is_err(), "{mime} {name}");
        }
    }

    #[test]
    fn metadata_round_trips_under_its_key_only() {
        let mut rng = StdRng::seed_from_u64(1);
        let key = ContentKey::generate(&mut rng);
        let sealed = sample().seal(&key, &mut rng).expect("seal");
        assert_eq!(RecordMetadata::open(&key, &sealed), Ok(sample()));
        let other = ContentKey::generate(&mut rng);
        assert_eq!(
            RecordMetadata::open(&other, &sealed),
            Err(MetadataError::Unreadable)
        );
        assert!(!String::from_utf8_lossy(&sealed).contains("Lipid"));
        assert!(medledger_types::size_bucket::is_bucket(sealed.len() as u64));
    }

    #[test]
    fn the_wire_form_is_pinned_and_other_versions_are_refused() {
        let json = serde_json::to_string(&sample()).expect("json");
        assert_eq!(
            json,
            r#"{"v":2,"title":"Lipid panel","date":"2020-01-01","category":"labs","resources":4,"clinic":"Demo Clinic"}"#
        );
        let in_visit = sample().in_visit(Some(Visit {
            id: "urn:uuid:1".into(),
            title: "Check up".into(),
        }));
        assert_eq!(
            serde_json::to_string(&in_visit).expect("json"),
            r#"{"v":2,"title":"Lipid panel","date":"2020-01-01","category":"labs","resources":4,"clinic":"Demo Clinic","visit":{"id":"urn:uuid:1","title":"Check up"}}"#
        );
        let mut rng = StdRng::seed_from_u64(2);
        let key = ContentKey::generate(&mut rng);
        let future = json.replace(r#""v":2"#, r#""v":3"#);
        let sealed = seal_padded(&key, &mut rng, future.as_bytes()).expect("seal");
        assert_eq!(
            RecordMetadata::open(&key, &sealed),
            Err(MetadataError::UnknownVersion(3))
        );
        let sealed = seal_padded(&key, &mut rng, br#"{"title":"no version"}"#).expect("seal");
        assert!(matches!(
            RecordMetadata::open(&key, &sealed),
            Err(MetadataError::Malformed(_))
        ));
        let bad = json.replace("labs", "astrology");
        let sealed = seal_padded(&key, &mut rng, bad.as_bytes()).expect("seal");
        assert!(matches!(
            RecordMetadata::open(&key, &sealed),
            Err(MetadataError::Malformed(_))
        ));
    }

    #[test]
    fn oversized_metadata_is_refused_before_it_reaches_the_ledger() {
        let mut rng = StdRng::seed_from_u64(3);
        let key = ContentKey::generate(&mut rng);
        let mut big = sample();
        big.title = "x".repeat(METADATA_MAX);
        assert!(matches!(
            big.seal(&key, &mut rng),
            Err(MetadataError::TooLarge(_))
        ));
    }
}
