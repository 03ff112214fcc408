//! Records in the app: verified sync (the wallet service's), the timeline, one record opened,
//! and a lab test's values across records.

use std::collections::HashMap;

use medwallet_core::{RecordSummary, SyncEvent, accounts};
use medwallet_fhir::lab_series::SeriesBuilder;
use medwallet_fhir::numeric_observations;

use crate::error::{AppError, ErrorCode};
use crate::session::{App, lock};
use crate::views::{
    Category, FileItem, LabSeries, OpenedRecord, RecordItem, SeriesPoint, SyncPhase, SyncProgress,
    SyncReport, VisitItem,
};

impl App {
    /// Syncs (see `medwallet_core::Wallet::sync`), then learns the account's role and the
    /// clinics' names at the header the records were proven at.
    pub async fn sync(
        &self,
        mut progress: impl FnMut(SyncProgress),
    ) -> Result<SyncReport, AppError> {
        let wallet = self.wallet()?;
        let source = self.source()?;
        let known = wallet.records().len() as u64;
        lock(&self.sync).syncing = true;
        // The thread-local RNG cannot be held across an await on a multi-threaded runtime.
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
        let mut verified = None;
        let report = wallet
            .sync(
                &source,
                &mut |event: SyncEvent<'_>| {
                    progress(match event {
                        SyncEvent::HeaderVerified {
                            height,
                            total_records,
                        } => {
                            verified = Some(height);
                            SyncProgress {
                                phase: SyncPhase::Header,
                                done: known,
                                total: total_records,
                                verified_height: verified,
                            }
                        }
                        SyncEvent::Records { done, total, .. } => SyncProgress {
                            phase: SyncPhase::Records,
                            done,
                            total,
                            verified_height: verified,
                        },
                    });
                    Ok(())
                },
                &mut rng,
            )
            .await;
        self.note_incidents(&source);
        let finished = async {
            let report = report?;
            let at = &report.header;
            let (role, _) = self.account_role(&source, at, &wallet.address()).await?;
            // Long-term links take the records just verified; a failure leaves the sync done
            // (the next sync tries again).
            if role == crate::views::Role::Patient {
                let _ = wallet.renew_links(&source, &mut rng).await;
                // An emergency set follows the validators: once they changed, it is sealed
                // again to the running ones (a failure leaves the sync done; the next tries).
                if let Ok(genesis) = self.dir.genesis() {
                    let _ = wallet.refresh_emergency(&source, &genesis, &mut rng).await;
                }
            }
            let mut names = HashMap::new();
            for record in wallet.records() {
                if names.contains_key(&record.clinic) {
                    continue;
                }
                if let Ok(address) = medledger_types::hash::Address::from_hex(&record.clinic)
                    && let Some(name) = accounts::display_name(&source, at, &address).await?
                {
                    names.insert(record.clinic.clone(), name);
                }
            }
            self.with_session(|s| {
                s.role = role;
                s.names.extend(names);
            })?;
            progress(SyncProgress {
                phase: SyncPhase::Done,
                done: report.total_records as u64,
                total: report.total_records as u64,
                verified_height: Some(at.height()),
            });
            Ok::<_, AppError>(report)
        }
        .await;
        let mut sync = lock(&self.sync);
        sync.syncing = false;
        let report = finished?;
        sync.verified_height = Some(report.header.height());
        sync.last_sync_ms = Some(self.now());
        let names = self.with_session(|s| s.names.clone()).unwrap_or_default();
        let unreadable_from = report
            .unreadable
            .iter()
            .map(|r| {
                names
                    .get(&r.clinic)
                    .cloned()
                    .unwrap_or_else(|| crate::ledger_address(&r.clinic))
            })
            .collect();
        Ok(SyncReport {
            unreadable_from,
            new_records: report.new_records,
            total_records: report.total_records,
            verified_height: report.header.height(),
            keys_shared: report.keys_shared,
            incidents: sync.incidents.clone(),
        })
    }

    fn item(&self, r: &RecordSummary, names: &HashMap<String, String>, kept: bool) -> RecordItem {
        RecordItem {
            id: r.id.clone(),
            title: r.title.clone(),
            date: r.date.clone(),
            category: Category::from_code(&r.category),
            clinic_address: crate::ledger_address(&r.clinic),
            clinic_name: names.get(&r.clinic).cloned(),
            issued_height: r.issued_height,
            verified_height: Some(r.verified_height).filter(|h| *h > 0),
            size_bytes: r.ciphertext_len,
            cached: kept,
            unreadable: r.unreadable,
            erased: r.erased,
            visit: r.visit.as_ref().map(VisitItem::of),
            file: r.file.as_ref().map(FileItem::of),
        }
    }

    /// The timeline: every verified record, newest visit first.
    pub fn records(&self) -> Result<Vec<RecordItem>, AppError> {
        let wallet = self.wallet()?;
        let names = self.with_session(|s| s.names.clone())?;
        let mut items: Vec<RecordItem> = wallet
            .records()
            .iter()
            .map(|r| self.item(r, &names, wallet.is_kept(r)))
            .collect();
        items.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then(b.issued_height.cmp(&a.issued_height))
        });
        Ok(items)
    }

    pub(crate) fn summary(&self, id: &str) -> Result<RecordSummary, AppError> {
        self.wallet()?.record(id).map_err(|_| {
            AppError::new(
                ErrorCode::NotFound,
                format!("no record {id} in this wallet; sync first"),
            )
        })
    }

    /// The FHIR of a record this wallet holds: from the kept ciphertext (offline), else from a
    /// node, checked against the ledger's hash either way.
    pub(crate) async fn plaintext(&self, record: &RecordSummary) -> Result<Vec<u8>, AppError> {
        let wallet = self.wallet()?;
        if let Some(fhir) = wallet.open_offline(record)? {
            return Ok(fhir);
        }
        self.with_ledger(async |source| wallet.open_record(source, &record.id).await)
            .await
    }

    /// Opens one record: its decrypted FHIR, byte for byte what the clinic issued.
    pub async fn open_record(&self, id: &str) -> Result<OpenedRecord, AppError> {
        let record = self.summary(id)?;
        let fhir = self.plaintext(&record).await?;
        let names = self.with_session(|s| s.names.clone())?;
        let kept = self.wallet()?.is_kept(&record);
        Ok(OpenedRecord {
            record: self.item(&record, &names, kept),
            fhir: String::from_utf8(fhir)
                .map_err(|_| AppError::new(ErrorCode::Refused, "the record is not UTF-8 JSON"))?,
        })
    }

    /// For each numeric test in record `id`, its values across every record held offline.
    pub async fn lab_series(&self, id: &str) -> Result<Vec<LabSeries>, AppError> {
        let record = self.summary(id)?;
        let wanted = numeric_observations(&self.plaintext(&record).await?);
        let wallet = self.wallet()?;
        let mut series = SeriesBuilder::new(&wanted);
        for r in wallet.records().iter().filter(|r| r.file.is_none()) {
            let Some(fhir) = wallet.open_offline(r)? else {
                continue;
            };
            for v in numeric_observations(&fhir) {
                series.add(&v, &r.id);
            }
        }
        Ok(series
            .finish()
            .into_iter()
            .map(|s| LabSeries {
                code: s.code,
                display: s.display,
                unit: s.unit,
                ucum: s.ucum,
                low: s.low,
                high: s.high,
                points: s
                    .points
                    .into_iter()
                    .map(|p| SeriesPoint {
                        date: p.date,
                        value: p.value,
                        record_id: p.record_id,
                        as_recorded: p.as_recorded,
                    })
                    .collect(),
            })
            .collect())
    }
}
