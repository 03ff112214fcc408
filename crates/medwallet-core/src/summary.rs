//! "My summary": an International Patient Summary (HL7 IPS) built in the wallet from the
//! records it has verified, each entry naming its clinic and the height it was verified at.
//! Written once here; the app shows it, the CLI prints or saves it.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use medledger_client::LedgerSource;
use medwallet_fhir::ips::{self, SourceRecord};
use rand_core::CryptoRng;

use medledger_types::hash::Address;

use crate::accounts;
use crate::clock::Clock;
use crate::error::WalletError;
use crate::records::RecordSummary;
use crate::store::WalletStore;
use crate::wallet::Wallet;

pub use medwallet_fhir::ips::{Summary, SummaryEntry, SummarySection};

/// Every readable record, opened, with its clinic's verified name: what a summary is built of.
pub(crate) struct OpenedRecords {
    records: Vec<RecordSummary>,
    opened: Vec<Vec<u8>>,
    clinic_names: HashMap<String, String>,
}

impl OpenedRecords {
    /// The records as the FHIR documents take them.
    pub(crate) fn sources(&self) -> Vec<SourceRecord<'_>> {
        self.records
            .iter()
            .zip(&self.opened)
            .map(|(record, fhir)| SourceRecord {
                record_id: &record.id,
                clinic: self
                    .clinic_names
                    .get(&record.clinic)
                    .map_or(record.clinic.as_str(), String::as_str),
                verified_height: record.verified_height,
                fhir,
            })
            .collect()
    }
}

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// Every readable record opened (offline where the ciphertext is kept, else fetched and
    /// checked against the ledger's hash), each clinic named by its registered name, proven at
    /// the newest verified header (its address if it has none).
    pub(crate) async fn opened_records<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<OpenedRecords, WalletError> {
        let records: Vec<_> = self
            .records()
            .into_iter()
            // File records (imaging studies) are not FHIR a summary can hold.
            .filter(|r| !r.unreadable && r.file.is_none())
            .collect();
        let at = self.latest(source).await?;
        let mut clinic_names: HashMap<String, String> = HashMap::new();
        for record in &records {
            if clinic_names.contains_key(&record.clinic) {
                continue;
            }
            let address = Address::from_hex(&record.clinic)
                .map_err(|_| WalletError::Cache("holds a record with a malformed clinic"))?;
            if let Some(name) = accounts::display_name(source, &at, &address).await? {
                clinic_names.insert(record.clinic.clone(), name);
            }
        }
        let mut opened = Vec::with_capacity(records.len());
        for record in &records {
            opened.push(self.open_record(source, &record.id).await?);
        }
        Ok(OpenedRecords {
            records,
            opened,
            clinic_names,
        })
    }

    /// The wallet's clock as RFC 3339, for a document's date.
    pub(crate) fn now_rfc3339(&self) -> String {
        rfc3339(self.now_ms())
    }

    /// The patient summary of every readable record ([`Wallet::opened_records`]).
    pub async fn summary<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        rng: &mut R,
    ) -> Result<Summary, WalletError> {
        let opened = self.opened_records(source).await?;
        ips::build(&opened.sources(), &random_uuid(rng), &self.now_rfc3339())
            .map_err(|e| WalletError::NotFhir(e.to_string()))
    }
}

/// `ms` since the epoch as RFC 3339 (seconds).
pub fn rfc3339(ms: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

/// A version-4 UUID from `rng`: the summary document's identifier.
pub(crate) fn random_uuid<R: CryptoRng + ?Sized>(rng: &mut R) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
