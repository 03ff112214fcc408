//! Checking an export with nothing but the chain's genesis: the header's certificate by the
//! genesis validators, each record's entry by its proof at that header, each ciphertext by the
//! proven hash and length, and each record's FHIR by opening that ciphertext with the key beside
//! it. Pure: bytes in, a verdict out. Every length read from the zip is bounded.

use std::io::{Cursor, Read};

use medledger_client::padded::open_padded;
use medledger_types::codec::Canonical;
use medledger_types::genesis::Genesis;
use medledger_types::hash::{Address, RecordId};
use medledger_types::state::{MAX_VALUE_LEN, RecordEntry, StateKey};
use medwallet_crypto::envelope::ContentKey;
use medwallet_verify::proof::verify_value;
use medwallet_verify::{Invalid, LightClient, TrustAnchor};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{FORMAT, Manifest};

/// Largest export read (compressed).
pub const MAX_EXPORT_LEN: usize = 4 << 30;
/// Largest single file read out of it (a record's FHIR or ciphertext).
pub const MAX_FILE_LEN: u64 = 1 << 30;
/// Most records one export may hold.
pub const MAX_RECORDS: usize = 1_000_000;

/// Why an export does not check. The record named is the first that failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error("not a Medwallet export: {0}")]
    NotAnExport(String),
    #[error("the export is of chain {found}, not the one this genesis starts")]
    OtherChain { found: String },
    #[error("the header's certificate does not verify against this genesis: {0}")]
    Certificate(Invalid),
    #[error("record {record}: its ledger entry is not proven at the header: {reason}")]
    Unproven { record: String, reason: String },
    #[error("record {0}: the ledger names an account that is not the patient's")]
    OtherPatient(String),
    #[error("record {0}: the ciphertext is not the one the ledger names")]
    WrongCiphertext(String),
    #[error("record {0}: the FHIR is not what the ciphertext holds")]
    WrongFhir(String),
}

/// What a checked export holds.
#[derive(Debug, PartialEq, Eq)]
pub struct VerifiedExport {
    /// The patient's accounts, as the export lists them.
    pub accounts: Vec<Address>,
    pub height: u64,
    pub records: usize,
}

fn bad(m: impl Into<String>) -> ExportError {
    ExportError::NotAnExport(m.into())
}

fn read(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, ExportError> {
    let file = zip
        .by_name(name)
        .map_err(|_| bad(format!("{name} is missing")))?;
    if file.size() > MAX_FILE_LEN {
        return Err(bad(format!("{name} is larger than {MAX_FILE_LEN} bytes")));
    }
    let mut out = Vec::new();
    // The declared size can lie: the read stops at the bound whatever it says.
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut out)
        .map_err(|e| bad(format!("{name}: {e}")))?;
    if out.len() as u64 > MAX_FILE_LEN {
        return Err(bad(format!("{name} is larger than {MAX_FILE_LEN} bytes")));
    }
    Ok(out)
}

fn hex_field(text: &str, what: &str) -> Result<Vec<u8>, ExportError> {
    hex::decode(text).map_err(|_| bad(format!("{what} is not hex")))
}

/// Checks `export` (the zip's bytes) against `genesis`.
pub fn verify(export: &[u8], genesis: &Genesis) -> Result<VerifiedExport, ExportError> {
    if export.len() > MAX_EXPORT_LEN {
        return Err(bad("larger than any export this reads"));
    }
    let mut zip =
        zip::ZipArchive::new(Cursor::new(export)).map_err(|e| bad(format!("not a zip: {e}")))?;
    let manifest: Manifest = serde_json::from_slice(&read(&mut zip, "manifest.json")?)
        .map_err(|e| bad(format!("manifest.json: {e}")))?;
    if manifest.format != FORMAT {
        return Err(bad(format!("format {:?}, not {FORMAT}", manifest.format)));
    }
    if manifest.records.len() > MAX_RECORDS {
        return Err(bad("too many records"));
    }
    if manifest.chain != genesis.chain_id().to_hex() {
        return Err(ExportError::OtherChain {
            found: manifest.chain,
        });
    }
    let anchor = TrustAnchor::from_genesis(genesis).map_err(ExportError::Certificate)?;
    let at = LightClient::new(anchor)
        .verify(
            &hex_field(&manifest.header, "the header")?,
            &hex_field(&manifest.certificate, "the certificate")?,
        )
        .map_err(ExportError::Certificate)?;
    let accounts = manifest
        .accounts
        .iter()
        .map(|a| Address::from_hex(a).map_err(|_| bad("an account is not an address")))
        .collect::<Result<Vec<_>, _>>()?;
    for r in &manifest.records {
        let id =
            RecordId::from_hex(&r.id).map_err(|_| bad(format!("{:?} is not a record id", r.id)))?;
        let entry_bytes = hex_field(&r.entry, "an entry")?;
        verify_value(
            &at,
            &StateKey::record(&id),
            Some(&entry_bytes),
            &hex_field(&r.proof, "a proof")?,
        )
        .map_err(|e| ExportError::Unproven {
            record: r.id.clone(),
            reason: e.to_string(),
        })?;
        let entry = RecordEntry::decode(&entry_bytes, MAX_VALUE_LEN).map_err(|e| {
            ExportError::Unproven {
                record: r.id.clone(),
                reason: e.to_string(),
            }
        })?;
        if !accounts.contains(&entry.patient) {
            return Err(ExportError::OtherPatient(r.id.clone()));
        }
        let ciphertext = read(&mut zip, &r.ciphertext)?;
        if ciphertext.len() as u64 != entry.ciphertext_len
            || <[u8; 32]>::from(Sha256::digest(&ciphertext)) != entry.ciphertext_sha256.0
        {
            return Err(ExportError::WrongCiphertext(r.id.clone()));
        }
        let key: [u8; 32] = hex_field(&r.content_key, "a content key")?
            .try_into()
            .map_err(|_| bad("a content key is not 32 bytes"))?;
        let plaintext = open_padded(&ContentKey::from_export(&key), &ciphertext)
            .map_err(|_| ExportError::WrongFhir(r.id.clone()))?;
        if plaintext != read(&mut zip, &r.fhir)? {
            return Err(ExportError::WrongFhir(r.id.clone()));
        }
    }
    Ok(VerifiedExport {
        accounts,
        height: at.height(),
        records: manifest.records.len(),
    })
}
