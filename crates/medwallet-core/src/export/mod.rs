//! "Export everything": the patient's records exactly as their clinics issued them, with what
//! lets anyone check them again offline against the chain's genesis alone: a finalized header
//! and its certificate, each record's ledger entry with its state proof at that header, its
//! ciphertext and its content key (the plaintext travels beside it, so the key reveals nothing
//! more). A zip, readable by people too:
//!
//! | file | what |
//! | --- | --- |
//! | `README.txt` | what this is and how to check it (`medwallet verify-export`) |
//! | `manifest.json` | format, chain, the patient's accounts, header, certificate, and per record: its entry, proof, key and files |
//! | `records/<id>.json` | each record's FHIR, byte for byte as issued |
//! | `bundle.json` | every record's resources in one FHIR `collection` Bundle |
//! | `summary.json`, `summary.html` | the patient summary (IPS), and a page to print |
//! | `ciphertexts/<sha256>.bin` | each record's ciphertext, as the nodes hold it |
//! | `emergency-access.json` | every break-glass access to the patient's emergency set, as FHIR `Consent` (purpose `BTG`) and `AuditEvent` (when there was one) |
//!
//! [`verify`] checks such a file; it is pure (bytes and a genesis in, a verdict out).

mod verify;

use std::io::{Cursor, Write};
use std::time::{Duration, UNIX_EPOCH};

use medledger_client::{LedgerSource, ProofSource};
use medledger_types::codec::Canonical;
use medledger_types::state::StateKey;
use medwallet_crypto::envelope::{Identity, WrappedKey};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use verify::{ExportError, VerifiedExport, verify};

use crate::clock::Clock;
use crate::error::WalletError;
use crate::store::WalletStore;
use crate::wallet::Wallet;

/// The format this module writes and [`verify`] reads.
pub const FORMAT: &str = "medwallet-export/2";

#[derive(Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub format: String,
    pub chain: String,
    /// The patient's accounts (one per relationship) the records were issued to.
    pub accounts: Vec<String>,
    pub exported_at: String,
    /// The header (hex of its canonical bytes) everything is proven at, and its certificate.
    pub header: String,
    pub certificate: String,
    pub records: Vec<ManifestRecord>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct ManifestRecord {
    pub id: String,
    pub title: String,
    pub category: String,
    pub date: Option<String>,
    /// The ledger entry (hex of its canonical bytes) and its state proof (hex).
    pub entry: String,
    pub proof: String,
    /// The content key (hex): the ciphertext opens to `fhir` with it.
    pub content_key: String,
    pub fhir: String,
    pub ciphertext: String,
}

const README: &str = "\
Medwallet export: your medical records, and the proof that the ledger holds them.

records/      each record's FHIR R4 JSON, byte for byte as your clinic issued it
bundle.json   all of them in one FHIR Bundle
summary.html  your patient summary, to print (summary.json: the same as an IPS Bundle)
emergency-access.json  every emergency (break-glass) access, as FHIR Consent and AuditEvent

To check this file on any computer, with the chain's genesis file and nothing else:
  medwallet verify-export THIS.zip --genesis genesis.json
It checks the ledger's certificate on the header, every record's proof against it, every
ciphertext against its proven hash, and that each ciphertext opens to the FHIR beside it.

This file holds your health records in the clear, and the keys of their ciphertexts. Keep it
as you would the records themselves.
";

fn zip_err(e: impl std::fmt::Display) -> WalletError {
    WalletError::InvalidInput(format!("the export could not be written: {e}"))
}

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// Builds the export zip of every readable record, proven at the newest header.
    pub async fn export<S: LedgerSource + ProofSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        rng: &mut R,
    ) -> Result<Vec<u8>, WalletError> {
        let at = self.latest(source).await?;
        let certificate = at.certificate().ok_or(WalletError::InvalidInput(
            "the newest header has no certificate".into(),
        ))?;
        let summary = self.summary(source, rng).await?;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let put = |zip: &mut zip::ZipWriter<Cursor<Vec<u8>>>, name: &str, bytes: &[u8]| {
            zip.start_file(name, options).map_err(zip_err)?;
            zip.write_all(bytes).map_err(zip_err)
        };
        let mut records = Vec::new();
        let mut entries = Vec::new();
        // File records (imaging studies) are saved on their own: the export is built in memory.
        for record in self
            .records()
            .into_iter()
            .filter(|r| !r.unreadable && r.file.is_none())
        {
            let id = record.record_id()?;
            let key = StateKey::record(&id);
            let (value, proof) = source.proven(&at, &key).await?;
            let entry_bytes = value.ok_or_else(|| WalletError::UnknownRecord(record.id.clone()))?;
            let entry = medledger_types::state::RecordEntry::decode(
                &entry_bytes,
                medledger_types::state::MAX_VALUE_LEN,
            )
            .map_err(|e| medledger_client::ReadError::Malformed {
                key: record.id.clone(),
                reason: e.to_string(),
            })?;
            if self.account_index(&entry.patient) != Some(record.account) {
                return Err(WalletError::ForeignRecord(record.id.clone()));
            }
            let fhir = self.open_record(source, &record.id).await?;
            let ciphertext = self
                .kept_ciphertext(&record)?
                .ok_or_else(|| WalletError::WrongCiphertext(record.id.clone()))?;
            let content_key = self
                .account_keys(record.account)
                .identity()
                .unwrap(&WrappedKey(entry.wrapped_key.0), &id.0)
                .map_err(|_| WalletError::NotForMe(record.id.clone()))?;
            let fhir_path = format!("records/{}.json", record.id);
            let ciphertext_path = format!("ciphertexts/{}.bin", record.ciphertext_sha256);
            put(&mut zip, &fhir_path, &fhir)?;
            put(&mut zip, &ciphertext_path, &ciphertext)?;
            if let Ok(fhir) = serde_json::from_slice::<Value>(&fhir) {
                entries.extend(crate::links::entries_of(fhir));
            }
            records.push(ManifestRecord {
                id: record.id.clone(),
                title: record.title.clone(),
                category: record.category.clone(),
                date: record.date.clone(),
                entry: hex::encode(&entry_bytes),
                proof: hex::encode(&proof),
                content_key: hex::encode(*content_key.to_export()),
                fhir: fhir_path,
                ciphertext: ciphertext_path,
            });
        }
        let exported_at =
            humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(self.now_ms()))
                .to_string();
        let manifest = Manifest {
            format: FORMAT.into(),
            chain: source.chain().to_hex(),
            accounts: self
                .accounts()
                .iter()
                .map(|(_, address)| address.to_hex())
                .collect(),
            exported_at,
            header: hex::encode(at.header().encode()),
            certificate: hex::encode(certificate.encode()),
            records,
        };
        let json = |v: &Value| serde_json::to_vec_pretty(v).map_err(zip_err);
        put(&mut zip, "README.txt", README.as_bytes())?;
        put(
            &mut zip,
            "manifest.json",
            &serde_json::to_vec_pretty(&manifest).map_err(zip_err)?,
        )?;
        put(
            &mut zip,
            "bundle.json",
            &json(&json!({"resourceType": "Bundle", "type": "collection", "entry": entries}))?,
        )?;
        put(&mut zip, "summary.json", &json(&summary.bundle)?)?;
        let accesses = self.emergency_accesses(source).await?;
        if !accesses.is_empty() {
            put(
                &mut zip,
                "emergency-access.json",
                &json(&crate::emergency::access_bundle(&accesses))?,
            )?;
        }
        put(
            &mut zip,
            "summary.html",
            medwallet_fhir::ips::printable_html(&summary).as_bytes(),
        )?;
        Ok(zip.finish().map_err(zip_err)?.into_inner())
    }
}
