//! Consent in the app: look a doctor up (verified), grant, list, revoke honestly, read the
//! access log; and for doctors, what patients shared with them. Each is one call of the wallet
//! service; this module only turns its results into views, with verified names.

use medledger_types::hash::{Address, GrantId, RecordId};
use medwallet_core::consent::{describe, scope};
use medwallet_core::input::{self, display_address};
use medwallet_core::{REVOCATION_NOTICE, accounts};
use medwallet_net::NetworkSource;
use medwallet_verify::VerifiedHeader;

use crate::error::{AppError, ErrorCode};
use crate::session::App;
use crate::views::{
    AccessItem, Category, DoctorInfo, FileItem, GrantItem, GrantRequest, GrantResult, GrantScope,
    OpenedRecord, RecordItem, RevokeResult, SharedItem, VisitItem,
};

impl App {
    async fn doctor_info(
        &self,
        source: &NetworkSource,
        at: &VerifiedHeader,
        doctor: accounts::Doctor,
    ) -> Result<DoctorInfo, AppError> {
        let clinic_name = accounts::display_name(source, at, &doctor.clinic).await?;
        Ok(DoctorInfo {
            address: display_address(&doctor.address),
            name: doctor.name,
            licence: doctor.licence,
            clinic_address: display_address(&doctor.clinic),
            clinic_name: clinic_name.unwrap_or_else(|| "unknown clinic".into()),
            verified_height: at.height(),
        })
    }

    /// A doctor as the ledger proves them, from a share code or an address.
    pub async fn lookup_doctor(&self, doctor: &str) -> Result<DoctorInfo, AppError> {
        let wallet = self.wallet()?;
        let address = input::account(doctor)?;
        self.with_ledger(async |source| {
            let (at, doctor) = wallet.doctor(source, &address).await?;
            self.doctor_info(source, &at, doctor).await
        })
        .await
    }

    /// Grants a doctor access; the keys of the records covered now are re-wrapped to them.
    pub async fn grant(&self, request: GrantRequest) -> Result<GrantResult, AppError> {
        let wallet = self.wallet()?;
        let grantee = input::account(&request.doctor)?;
        let scope = match &request.scope {
            GrantScope::Records { ids } => scope(Some(ids), None, false),
            GrantScope::Category { category } => scope(None, Some(category.code()), false),
            GrantScope::All => scope(None, None, true),
        }?;
        let expires_at_ms = input::expiry(request.until.as_deref(), self.now())?;
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
        let granted = self
            .with_ledger(async |source| {
                let request = medwallet_core::GrantRequest {
                    grantee,
                    scope,
                    expires_at_ms,
                    label: request.label.clone(),
                };
                wallet.grant(source, request, &mut rng).await
            })
            .await?;
        let names = [(grantee.to_hex(), granted.doctor.name.clone())];
        self.with_session(|s| s.names.extend(names))?;
        Ok(GrantResult {
            grant_id: granted.grant.to_hex(),
            height: granted.height,
            records_shared: granted.records_shared,
        })
    }

    /// The grants this patient made, with their verified status.
    pub async fn grants(&self) -> Result<Vec<GrantItem>, AppError> {
        let wallet = self.wallet()?;
        self.with_ledger(async |source| {
            let (at, grants) = wallet.grants(source).await?;
            let mut out = Vec::new();
            for g in grants {
                out.push(GrantItem {
                    id: g.id.to_hex(),
                    doctor_address: display_address(&g.doctor()),
                    doctor_name: self.name_of(source, &at, &g.doctor()).await,
                    scope: describe(g.scope().as_ref()),
                    expires_at_ms: g.entry.expires_at_ms,
                    granted_height: g.entry.granted_height,
                    status: g.status.into(),
                });
            }
            Ok::<_, AppError>(out)
        })
        .await
    }

    /// A verified name, remembered for the session.
    async fn name_of(
        &self,
        source: &NetworkSource,
        at: &VerifiedHeader,
        address: &Address,
    ) -> Option<String> {
        let key = address.to_hex();
        if let Ok(Some(name)) = self.with_session(|s| s.names.get(&key).cloned()) {
            return Some(name);
        }
        let name = accounts::display_name(source, at, address).await.ok()??;
        let _ = self.with_session(|s| s.names.insert(key, name.clone()));
        Some(name)
    }

    /// Revokes a grant: future access stops; what was downloaded cannot be taken back.
    pub async fn revoke(&self, grant_id: &str) -> Result<RevokeResult, AppError> {
        let wallet = self.wallet()?;
        let grant = GrantId::from_hex(grant_id)
            .map_err(|_| AppError::invalid(format!("{grant_id:?} is not a grant id")))?;
        let height = self
            .with_ledger(async |source| wallet.revoke(source, grant).await)
            .await?;
        Ok(RevokeResult {
            height,
            notice: REVOCATION_NOTICE.into(),
        })
    }

    /// Who fetched which of my records, from verified AccessReceipts.
    pub async fn access_log(&self) -> Result<Vec<AccessItem>, AppError> {
        let wallet = self.wallet()?;
        let titles: std::collections::HashMap<String, String> = wallet
            .records()
            .into_iter()
            .map(|r| (r.id, r.title))
            .collect();
        let mut out = self
            .with_ledger(async |source| {
                let (at, log) = wallet.access_log(source).await?;
                let mut out = Vec::new();
                for access in log {
                    let e = access.receipt;
                    out.push(AccessItem {
                        record_title: titles.get(&e.record.to_hex()).cloned(),
                        record_id: e.record.to_hex(),
                        doctor_address: display_address(&access.doctor),
                        doctor_name: self.name_of(source, &at, &access.doctor).await,
                        grant_id: e.grant.to_hex(),
                        node: e.node.to_hex(),
                        served_at_ms: e.served_at_ms,
                        height: e.height,
                    });
                }
                Ok::<_, AppError>(out)
            })
            .await?;
        out.sort_by_key(|e| std::cmp::Reverse(e.served_at_ms));
        Ok(out)
    }

    /// Doctor mode: records patients shared with this wallet, with each grant's status.
    pub async fn shared_with_me(&self) -> Result<Vec<SharedItem>, AppError> {
        let wallet = self.wallet()?;
        let (_, shared) = self
            .with_ledger(async |source| wallet.shared_with_me(source).await)
            .await?;
        Ok(shared
            .into_iter()
            .map(|r| SharedItem {
                patient_address: display_address(&r.patient),
                patient_handle: r.patient_handle,
                patient_label: r.patient_label,
                grant_id: r.grant.to_hex(),
                record_id: r.record.to_hex(),
                category: Category::from_code(&r.category),
                title: r.title,
                date: r.date,
                status: r.status.into(),
                file: r.file.as_ref().map(FileItem::of),
            })
            .collect())
    }

    /// Doctor mode: opens a record shared under `grant_id` while that grant is active.
    pub async fn open_shared(
        &self,
        grant_id: &str,
        record_id: &str,
    ) -> Result<OpenedRecord, AppError> {
        let wallet = self.wallet()?;
        let grant = GrantId::from_hex(grant_id)
            .map_err(|_| AppError::invalid(format!("{grant_id:?} is not a grant id")))?;
        let record = RecordId::from_hex(record_id)
            .map_err(|_| AppError::invalid(format!("{record_id:?} is not a record id")))?;
        let opened = self
            .with_ledger(async |source| wallet.open_shared(source, grant, record).await)
            .await?;
        let size_bytes = opened.fhir.len() as u64;
        Ok(OpenedRecord {
            record: RecordItem {
                id: record_id.to_owned(),
                title: opened
                    .metadata
                    .as_ref()
                    .map_or_else(|| "Record".to_owned(), |m| m.title.clone()),
                date: opened.metadata.as_ref().and_then(|m| m.date.clone()),
                category: Category::of(
                    opened
                        .metadata
                        .as_ref()
                        .map_or(medledger_types::category::Category::Other, |m| m.category),
                ),
                clinic_address: display_address(&opened.entry.clinic),
                // Verified, as the patient's own view shows it.
                clinic_name: opened.clinic_name.clone(),
                issued_height: opened.entry.issued_height,
                verified_height: Some(opened.verified_height),
                size_bytes,
                cached: false,
                unreadable: false,
                erased: false,
                file: None,
                visit: opened
                    .metadata
                    .as_ref()
                    .and_then(|m| m.visit.as_ref())
                    .map(VisitItem::of),
            },
            fhir: String::from_utf8(opened.fhir)
                .map_err(|_| AppError::new(ErrorCode::Refused, "the record is not UTF-8 JSON"))?,
        })
    }
}
