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
use crate::store::WalletStore;
use crate::wallet::Wallet;

pub use medwallet_fhir::ips::{Summary, SummaryEntry, SummarySection};

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// The patient summary of every readable record (opened offline where the ciphertext is
    /// kept, else fetched and checked against the ledger's hash). Each clinic is named by its
    /// registered name, proven at the newest verified header (its address if it has none).
    pub async fn summary<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        rng: &mut R,
    ) -> Result<Summary, WalletError> {
        let records: Vec<_> = self
            .records()
            .into_iter()
            .filter(|r| !r.unreadable)
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
        let sources: Vec<SourceRecord<'_>> = records
            .iter()
            .zip(&opened)
            .map(|(record, fhir)| SourceRecord {
                record_id: &record.id,
                clinic: clinic_names
                    .get(&record.clinic)
                    .map_or(record.clinic.as_str(), String::as_str),
                verified_height: record.verified_height,
                fhir,
            })
            .collect();
        let now =
            humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(self.now_ms()))
                .to_string();
        ips::build(&sources, &random_uuid(rng), &now)
            .map_err(|e| WalletError::NotFhir(e.to_string()))
    }
}

/// A version-4 UUID from `rng`: the summary document's identifier.
fn random_uuid<R: CryptoRng + ?Sized>(rng: &mut R) -> String {
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
