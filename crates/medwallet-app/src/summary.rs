//! "My summary" in the app: the wallet service's patient summary (IPS), as a view; and the
//! export of everything, with its proofs.

use medwallet_fhir::ips::printable_html;

use crate::error::AppError;
use crate::session::App;
use crate::views::{ExportResult, PatientSummary, SummaryEntryItem, SummarySectionItem};

impl App {
    /// The patient summary of the verified records (see `medwallet_core::Wallet::summary`).
    pub async fn patient_summary(&self) -> Result<PatientSummary, AppError> {
        let wallet = self.wallet()?;
        // A sendable generator (the thread's own cannot cross the await).
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
        let summary = self
            .with_ledger(async |source| wallet.summary(source, &mut rng).await)
            .await?;
        Ok(PatientSummary {
            bundle: summary.bundle.to_string(),
            printable: printable_html(&summary),
            sections: summary
                .sections
                .iter()
                .map(|s| SummarySectionItem {
                    key: s.key.to_owned(),
                    title: s.title.to_owned(),
                    entries: s
                        .entries
                        .iter()
                        .map(|e| SummaryEntryItem {
                            full_url: e.full_url.clone(),
                            record_id: e.record_id.clone(),
                            clinic: e.clinic.clone(),
                            verified_height: e.verified_height,
                        })
                        .collect(),
                })
                .collect(),
        })
    }
}

impl App {
    /// Exports every record with its proofs (see `medwallet_core::export`) into `dir` (the
    /// shell passes the user's Downloads folder), as a new file named by the date.
    pub async fn export_records(&self, dir: &std::path::Path) -> Result<ExportResult, AppError> {
        let wallet = self.wallet()?;
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
        let zip = self
            .with_ledger(async |source| wallet.export(source, &mut rng).await)
            .await?;
        let day = humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + std::time::Duration::from_millis(self.now()),
        )
        .to_string();
        std::fs::create_dir_all(dir).map_err(|e| {
            AppError::new(
                crate::error::ErrorCode::Storage,
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
        let stem = format!("medwallet-export-{}", &day[..10]);
        let path = (0..100)
            .map(|n| match n {
                0 => dir.join(format!("{stem}.zip")),
                n => dir.join(format!("{stem}-{n}.zip")),
            })
            .find(|p| !p.exists())
            .ok_or_else(|| AppError::invalid("too many exports of today in that folder"))?;
        medwallet_files::write_new_atomically(&path, &zip).map_err(|e| {
            AppError::new(
                crate::error::ErrorCode::Storage,
                format!("cannot write {}: {e}", path.display()),
            )
        })?;
        Ok(ExportResult {
            path: path.display().to_string(),
            bytes: zip.len() as u64,
            records: wallet.records().iter().filter(|r| !r.unreadable).count(),
        })
    }
}
