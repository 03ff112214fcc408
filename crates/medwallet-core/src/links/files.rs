//! What a link's files hold: for records, one FHIR `collection` Bundle per category with every
//! resource of the chosen records, exactly as their clinics issued them (a receiver renders a
//! category as one list); for the summary, the IPS document Bundle. Each file is then a JWE
//! under the link's key with a synthetic IV, so rebuilding the same selection gives the same
//! bytes and a long-term link is renewed only when its content changed; its ciphertext is
//! padded to the size bucket a record's would be, so its length on the ledger says little.

use medledger_types::category::Category;
use medledger_types::hash::Sha256Digest;
use medledger_types::link::{LinkFile, MAX_LINK_FILES};
use medledger_types::size_bucket::bucket;
use medwallet_shl::manifest::FHIR_JSON;
use medwallet_shl::{LinkKey, jwe};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::WalletError;
use crate::records::RecordSummary;

/// The title of the one empty file of a long-term link waiting for its first record.
pub const EMPTY: &str = "No records yet";

/// One file's FHIR before encryption.
pub struct Plain {
    /// What it holds, for the patient ("Labs (12 records)").
    pub title: String,
    pub fhir: Vec<u8>,
}

/// One file ready to upload.
pub struct Sealed {
    pub file: LinkFile,
    pub jwe: String,
}

/// The per-category Bundles of `records` (each paired with its FHIR as issued); an empty
/// selection gives one empty Bundle (a long-term link waiting for its first record).
pub fn bundles(records: &[(&RecordSummary, Vec<u8>)]) -> Result<Vec<Plain>, WalletError> {
    let mut out = Vec::new();
    let order = Category::ALL.iter().map(|c| c.code().to_owned()).chain(
        records
            .iter()
            .map(|(r, _)| r.category.clone())
            .filter(|c| Category::from_code(c).is_none()),
    );
    let mut seen = Vec::new();
    for category in order {
        if seen.contains(&category) {
            continue;
        }
        seen.push(category.clone());
        let chosen: Vec<_> = records
            .iter()
            .filter(|(r, _)| r.category == category)
            .collect();
        if chosen.is_empty() {
            continue;
        }
        let mut entries = Vec::new();
        for (record, fhir) in &chosen {
            let bundle: Value = serde_json::from_slice(fhir)
                .map_err(|e| WalletError::NotFhir(format!("record {}: {e}", record.id)))?;
            entries.extend(entries_of(bundle));
        }
        let title = Category::from_code(&category).map_or(category.clone(), |c| c.label().into());
        out.push(Plain {
            title: match chosen.len() {
                1 => format!("{title} (1 record)"),
                n => format!("{title} ({n} records)"),
            },
            fhir: to_json(&json!({
                "resourceType": "Bundle",
                "type": "collection",
                "entry": entries,
            }))?,
        });
    }
    if out.is_empty() {
        out.push(Plain {
            title: EMPTY.into(),
            fhir: to_json(&json!({"resourceType": "Bundle", "type": "collection", "entry": []}))?,
        });
    }
    if out.len() > MAX_LINK_FILES {
        return Err(WalletError::InvalidInput(format!(
            "a link holds at most {MAX_LINK_FILES} files"
        )));
    }
    Ok(out)
}

/// A record's FHIR as Bundle entries: a Bundle's own, or the one resource it is.
pub(crate) fn entries_of(fhir: Value) -> Vec<Value> {
    if fhir["resourceType"] == "Bundle" {
        fhir["entry"].as_array().cloned().unwrap_or_default()
    } else {
        vec![json!({ "resource": fhir })]
    }
}

fn to_json(value: &Value) -> Result<Vec<u8>, WalletError> {
    serde_json::to_vec(value).map_err(|e| WalletError::NotFhir(e.to_string()))
}

/// Encrypts each file under the link's key (deflated; synthetic IV).
pub fn seal(key: &LinkKey, plain: &[Plain]) -> Result<Vec<Sealed>, WalletError> {
    plain
        .iter()
        .map(|p| {
            // The file's length on the ledger is its size bucket, as a record's is.
            let jwe = jwe::encrypt_padded(key, FHIR_JSON, &p.fhir, |n| {
                usize::try_from(bucket(n as u64)).unwrap_or(n)
            })?;
            Ok(Sealed {
                file: LinkFile {
                    sha256: Sha256Digest(Sha256::digest(jwe.as_bytes()).into()),
                    len: jwe.len() as u64,
                },
                jwe,
            })
        })
        .collect()
}
