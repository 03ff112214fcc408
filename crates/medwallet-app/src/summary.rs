//! "My summary" in the app: the wallet service's patient summary (IPS), as a view.

use medwallet_fhir::ips::printable_html;

use crate::error::AppError;
use crate::session::App;
use crate::views::{PatientSummary, SummaryEntryItem, SummarySectionItem};

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
