//! Records in the app: verified sync (with the ciphertexts kept so records open offline),
//! the timeline, one record opened, and a lab test's values across records.

use std::collections::HashMap;

use futures::stream::{self, StreamExt};
use medledger_types::tx::TxBody;
use medwallet_core::records::{fetch_ciphertext, open_ciphertext};
use medwallet_core::{
    LedgerSource, RecordSummary, SyncEvent, WalletError, seal_cache, sync_records,
};
use medwallet_fhir::numeric_observations;

use crate::error::{AppError, ErrorCode};
use crate::ledger::parse_account;
use crate::session::{App, lock};
use crate::views::{LabSeries, OpenedRecord, RecordItem, SeriesPoint, SyncProgress, SyncReport};

/// Ciphertext downloads in flight during sync.
const DOWNLOADS_IN_FLIGHT: usize = 8;

impl App {
    /// Syncs: verifies the newest header, proves and adds new records (saved batch by batch,
    /// so an interrupted sync resumes), downloads their ciphertexts for offline use, and
    /// shares new records' keys with active category/all grants.
    pub async fn sync(
        &self,
        mut progress: impl FnMut(SyncProgress),
    ) -> Result<SyncReport, AppError> {
        let keys = self.keys()?;
        let (source, chain) = self.source()?;
        let known = self.with_session(|s| s.records.clone())?;
        lock(&self.sync).syncing = true;
        let result = async {
            let mut saved = known.clone();
            let mut verified = None;
            let new = sync_records(
                &source,
                &keys,
                &known,
                self.now(),
                &mut |event: SyncEvent<'_>| {
                    match event {
                        SyncEvent::HeaderVerified {
                            height,
                            total_records,
                        } => {
                            verified = Some(height);
                            progress(SyncProgress {
                                phase: "header",
                                done: known.len() as u64,
                                total: total_records,
                                verified_height: verified,
                            });
                        }
                        SyncEvent::Records { batch, done, total } => {
                            saved.extend_from_slice(batch);
                            let sealed = seal_cache(&keys, &saved, &mut rand::rng())?;
                            self.dir
                                .save_cache(&sealed)
                                .map_err(|e| WalletError::LocalStorage(e.to_string()))?;
                            progress(SyncProgress {
                                phase: "records",
                                done,
                                total,
                                verified_height: verified,
                            });
                        }
                    }
                    Ok(())
                },
            )
            .await;
            self.note_incidents(&source);
            let new = new?;
            let at = self.latest(&source).await?;
            // Ciphertexts, so records open offline; one failed download is retried next sync.
            let missing: Vec<RecordSummary> = saved
                .iter()
                .filter(|r| !self.dir.has_blob(&r.ciphertext_sha256))
                .cloned()
                .collect();
            let now = self.now();
            let downloads: Vec<_> = stream::iter(missing)
                .map(|r| {
                    let (source, keys) = (&source, &keys);
                    async move {
                        let ciphertext = fetch_ciphertext(source, keys, &r, now).await;
                        (r, ciphertext)
                    }
                })
                .buffer_unordered(DOWNLOADS_IN_FLIGHT)
                .collect()
                .await;
            for (record, ciphertext) in downloads {
                if let Ok(bytes) = ciphertext {
                    self.dir.save_blob(&record.ciphertext_sha256, &bytes)?;
                }
            }
            // Names and roles, verified at the same header.
            let me = parse_account(&keys.public().address().to_string())?;
            let (role, _) = self.account_role(&source, &at, &me).await?;
            let mut names = HashMap::new();
            for clinic in saved.iter().map(|r| r.clinic.clone()) {
                if names.contains_key(&clinic) {
                    continue;
                }
                if let Ok(address) = medledger_types::hash::Address::from_hex(&clinic)
                    && let (_, Some(name)) = self.account_role(&source, &at, &address).await?
                {
                    names.insert(clinic, name);
                }
            }
            // The thread-local RNG cannot be held across an await on a multi-threaded runtime.
            let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
            let bodies = medwallet_core::grants::missing_grant_keys(
                &source,
                &keys,
                &at,
                &saved,
                self.now(),
                &mut rng,
            )
            .await?;
            let mut keys_shared = 0;
            for body in bodies {
                if let TxBody::GrantKeys { keys: k, .. } = &body {
                    keys_shared += k.len();
                }
                let at = self.latest(&source).await?;
                let tx =
                    medwallet_core::grants::sign_next(&source, &keys, chain, &at, body).await?;
                source.submit(&tx).await?;
            }
            let total = saved.len();
            self.with_session(|s| {
                s.records = saved;
                s.role = role;
                s.names.extend(names);
            })?;
            progress(SyncProgress {
                phase: "done",
                done: total as u64,
                total: total as u64,
                verified_height: Some(at.header.height),
            });
            Ok::<_, AppError>(SyncReport {
                new_records: new.len(),
                total_records: total,
                verified_height: at.header.height,
                keys_shared,
                incidents: Vec::new(),
            })
        }
        .await;
        let mut sync = lock(&self.sync);
        sync.syncing = false;
        let mut report = result?;
        sync.verified_height = Some(report.verified_height);
        sync.last_sync_ms = Some(self.now());
        report.incidents = sync.incidents.clone();
        Ok(report)
    }

    fn item(&self, r: &RecordSummary, names: &HashMap<String, String>) -> RecordItem {
        RecordItem {
            id: r.id.clone(),
            title: r.title.clone(),
            date: r.date.clone(),
            category: r.category.clone(),
            clinic_address: crate::ledger::display_address(&r.clinic),
            clinic_name: names.get(&r.clinic).cloned(),
            issued_height: r.issued_height,
            verified_height: Some(r.verified_height).filter(|h| *h > 0),
            size_bytes: r.ciphertext_len,
            cached: self.dir.has_blob(&r.ciphertext_sha256),
        }
    }

    /// The timeline: every verified record, newest visit first.
    pub fn records(&self) -> Result<Vec<RecordItem>, AppError> {
        self.keys()?;
        let (records, names) = self.with_session(|s| (s.records.clone(), s.names.clone()))?;
        let mut items: Vec<RecordItem> = records.iter().map(|r| self.item(r, &names)).collect();
        items.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then(b.issued_height.cmp(&a.issued_height))
        });
        Ok(items)
    }

    fn summary(&self, id: &str) -> Result<RecordSummary, AppError> {
        self.with_session(|s| s.records.iter().find(|r| r.id == id).cloned())?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("no record {id} in this wallet; sync first"),
                )
            })
    }

    /// The FHIR of a record this wallet holds: from the local cache (offline), else from a node,
    /// checked against the ledger's hash either way.
    pub(crate) async fn plaintext(&self, record: &RecordSummary) -> Result<Vec<u8>, AppError> {
        let keys = self.keys()?;
        if let Some(ciphertext) = self.dir.load_blob(&record.ciphertext_sha256)?
            && let Ok(fhir) = open_ciphertext(&keys, record, &ciphertext)
        {
            return Ok(fhir);
        }
        let (source, _) = self.source()?;
        let ciphertext = fetch_ciphertext(&source, &keys, record, self.now()).await;
        self.note_incidents(&source);
        let ciphertext = ciphertext?;
        let fhir = open_ciphertext(&keys, record, &ciphertext)?;
        self.dir.save_blob(&record.ciphertext_sha256, &ciphertext)?;
        Ok(fhir)
    }

    /// Opens one record: its decrypted FHIR, byte for byte what the clinic issued.
    pub async fn open_record(&self, id: &str) -> Result<OpenedRecord, AppError> {
        let record = self.summary(id)?;
        let fhir = self.plaintext(&record).await?;
        let names = self.with_session(|s| s.names.clone())?;
        Ok(OpenedRecord {
            record: self.item(&record, &names),
            fhir: String::from_utf8(fhir)
                .map_err(|_| AppError::new(ErrorCode::Refused, "the record is not UTF-8 JSON"))?,
        })
    }

    /// For each numeric test in record `id`, its values across every record held offline.
    pub async fn lab_series(&self, id: &str) -> Result<Vec<LabSeries>, AppError> {
        let record = self.summary(id)?;
        let wanted = numeric_observations(&self.plaintext(&record).await?);
        let keys = self.keys()?;
        let records = self.with_session(|s| s.records.clone())?;
        let mut series: Vec<LabSeries> = Vec::new();
        for r in &records {
            let Some(ciphertext) = self.dir.load_blob(&r.ciphertext_sha256)? else {
                continue;
            };
            let Ok(fhir) = open_ciphertext(&keys, r, &ciphertext) else {
                continue;
            };
            for v in numeric_observations(&fhir) {
                if !wanted.iter().any(|w| w.code == v.code) {
                    continue;
                }
                let point = SeriesPoint {
                    date: v.date.clone(),
                    value: v.value,
                    record_id: r.id.clone(),
                };
                match series.iter_mut().find(|s| s.code == v.code) {
                    Some(s) => s.points.push(point),
                    None => series.push(LabSeries {
                        code: v.code,
                        display: v.display,
                        unit: v.unit,
                        low: v.low,
                        high: v.high,
                        points: vec![point],
                    }),
                }
            }
        }
        for s in &mut series {
            s.points.sort_by(|a, b| a.date.cmp(&b.date));
            s.points
                .dedup_by(|a, b| a.date == b.date && a.value == b.value);
        }
        Ok(series)
    }
}
