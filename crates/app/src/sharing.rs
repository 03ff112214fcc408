//! Consent in the app: look a doctor up (verified), grant, list, revoke honestly, read the
//! access log; and for doctors, what patients shared with them.

use medledger_types::hash::{Address, GrantId};
use medledger_types::tx::TxBody;
use medwallet_core::LedgerSource;
use medwallet_core::grants::{
    access_log, covered, doctor, my_grants, rewrap, scope, shared_with_me, sign_next,
};
use medwallet_net::source::NetworkSource;
use medwallet_verify::VerifiedHeader;

use crate::error::{AppError, ErrorCode};
use crate::ledger::{display_address, parse_account};
use crate::session::App;
use crate::views::{
    AccessItem, DoctorInfo, GrantItem, GrantRequest, GrantResult, GrantScope, OpenedRecord,
    RecordItem, RevokeResult, SharedItem,
};

/// What stops and what does not when a grant is revoked (the CLI says the same).
pub const REVOCATION_NOTICE: &str = "Revoking stops future access: nodes refuse the doctor's requests and no new records are shared. Copies the doctor already downloaded cannot be taken back.";

impl App {
    async fn doctor_info(
        &self,
        source: &NetworkSource,
        at: &VerifiedHeader,
        address: &Address,
    ) -> Result<DoctorInfo, AppError> {
        let doc = doctor(source, at, address)
            .await
            .map_err(|e| AppError::new(ErrorCode::NotFound, e.to_string()))?;
        let clinic = Address::from_hex(&doc.clinic)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let (_, clinic_name) = self.account_role(source, at, &clinic).await?;
        Ok(DoctorInfo {
            address: display_address(&doc.address),
            name: doc.name,
            licence: doc.licence,
            clinic_address: display_address(&doc.clinic),
            clinic_name: clinic_name.unwrap_or_else(|| "unknown clinic".into()),
            verified_height: at.header.height,
        })
    }

    /// A doctor as the ledger proves them, from a share code or an address.
    pub async fn lookup_doctor(&self, doctor: &str) -> Result<DoctorInfo, AppError> {
        self.keys()?;
        let address = parse_account(doctor)?;
        let (source, _) = self.source()?;
        let at = self.latest(&source).await?;
        self.doctor_info(&source, &at, &address).await
    }

    /// Grants a doctor access; the keys of the records covered now are re-wrapped to them.
    pub async fn grant(&self, request: GrantRequest) -> Result<GrantResult, AppError> {
        let keys = self.keys()?;
        let grantee = parse_account(&request.doctor)?;
        let scope = match &request.scope {
            GrantScope::Records { ids } if ids.is_empty() => {
                return Err(AppError::invalid("choose at least one record to share"));
            }
            GrantScope::Records { ids } => scope(Some(ids), None, false),
            GrantScope::Category { category } => scope(None, Some(category), false),
            GrantScope::All => scope(None, None, true),
        }
        .map_err(|e| AppError::invalid(e.to_string()))?;
        let expires_at_ms = match request.until.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => {
                let at = humantime::parse_rfc3339_weak(t).map_err(|_| {
                    AppError::invalid("the expiry must be a date and time (RFC 3339)")
                })?;
                let ms = at
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as u64)
                    .unwrap_or(0);
                if ms <= self.now() {
                    return Err(AppError::invalid("the expiry is in the past"));
                }
                Some(ms)
            }
        };
        let records = self.with_session(|s| s.records.clone())?;
        let (source, chain) = self.source()?;
        let at = self.latest(&source).await?;
        let doc = self.doctor_info(&source, &at, &grantee).await?;
        let receiving = doctor(&source, &at, &grantee).await?.receiving;
        let included = covered(&scope, &records);
        let wrapped = rewrap(&keys, &included, &receiving, &mut rand::rng())?;
        let body = TxBody::Grant {
            grantee,
            scope,
            expires_at_ms,
            keys: wrapped,
        };
        let tx = sign_next(&source, &keys, chain, &at, body).await?;
        let id = GrantId::derive(&tx.tx.author_address(), tx.tx.nonce);
        let height = source.submit(&tx).await;
        self.note_incidents(&source);
        let height = height?;
        let names = [(hex::encode(grantee.0), doc.name)];
        self.with_session(|s| s.names.extend(names))?;
        Ok(GrantResult {
            grant_id: id.to_hex(),
            height,
            records_shared: included.len(),
        })
    }

    /// The grants this patient made, with their verified status.
    pub async fn grants(&self) -> Result<Vec<GrantItem>, AppError> {
        let keys = self.keys()?;
        let (source, _) = self.source()?;
        let at = self.latest(&source).await?;
        let list = my_grants(&source, &keys, &at, self.now()).await?;
        let mut out = Vec::new();
        for g in list {
            let name = self.name_of(&source, &at, &g.grantee).await;
            out.push(GrantItem {
                doctor_address: display_address(&g.grantee),
                doctor_name: name,
                id: g.id,
                scope: g.scope,
                expires_at_ms: g.expires_at_ms,
                granted_height: g.granted_height,
                status: g.status,
            });
        }
        Ok(out)
    }

    async fn name_of(
        &self,
        source: &NetworkSource,
        at: &VerifiedHeader,
        hex_address: &str,
    ) -> Option<String> {
        if let Ok(Some(name)) = self.with_session(|s| s.names.get(hex_address).cloned()) {
            return Some(name);
        }
        let address = Address::from_hex(hex_address).ok()?;
        let (_, name) = self.account_role(source, at, &address).await.ok()?;
        let name = name?;
        let _ = self.with_session(|s| s.names.insert(hex_address.to_owned(), name.clone()));
        Some(name)
    }

    /// Revokes a grant: future access stops; what was downloaded cannot be taken back.
    pub async fn revoke(&self, grant_id: &str) -> Result<RevokeResult, AppError> {
        let keys = self.keys()?;
        let grant = GrantId::from_hex(grant_id)
            .map_err(|e| AppError::invalid(format!("invalid grant id: {e}")))?;
        let (source, chain) = self.source()?;
        let at = self.latest(&source).await?;
        let tx = sign_next(&source, &keys, chain, &at, TxBody::Revoke { grant }).await?;
        let height = source.submit(&tx).await;
        self.note_incidents(&source);
        Ok(RevokeResult {
            height: height.map_err(|e| AppError::new(ErrorCode::Refused, e.to_string()))?,
            notice: REVOCATION_NOTICE,
        })
    }

    /// Who fetched which of my records, from verified AccessReceipts.
    pub async fn access_log(&self) -> Result<Vec<AccessItem>, AppError> {
        let keys = self.keys()?;
        let (source, _) = self.source()?;
        let at = self.latest(&source).await?;
        let log = access_log(&source, &keys, &at).await?;
        let titles = self.with_session(|s| {
            s.records
                .iter()
                .map(|r| (r.id.clone(), r.title.clone()))
                .collect::<std::collections::HashMap<_, _>>()
        })?;
        let mut out = Vec::new();
        for e in log {
            let name = self.name_of(&source, &at, &e.grantee).await;
            out.push(AccessItem {
                record_title: titles.get(&e.record).cloned(),
                record_id: e.record,
                doctor_address: display_address(&e.grantee),
                doctor_name: name,
                grant_id: e.grant,
                node: e.node,
                served_at_ms: e.served_at_ms,
                height: e.height,
            });
        }
        out.sort_by_key(|e| std::cmp::Reverse(e.served_at_ms));
        Ok(out)
    }

    /// Doctor mode: records patients shared with this wallet, with each grant's status.
    pub async fn shared_with_me(&self) -> Result<Vec<SharedItem>, AppError> {
        let keys = self.keys()?;
        let (source, _) = self.source()?;
        let at = self.latest(&source).await?;
        let list = shared_with_me(&source, &keys, &at, self.now()).await?;
        Ok(list
            .into_iter()
            .map(|r| SharedItem {
                patient_address: display_address(&r.patient),
                grant_id: r.grant,
                record_id: r.record,
                category: r.category,
                title: r.title,
                date: r.date,
                status: r.status,
            })
            .collect())
    }

    /// Doctor mode: opens a shared record while its grant is active.
    pub async fn open_shared(&self, record_id: &str) -> Result<OpenedRecord, AppError> {
        let keys = self.keys()?;
        let (source, _) = self.source()?;
        let at = self.latest(&source).await?;
        let shared = shared_with_me(&source, &keys, &at, self.now()).await?;
        let record = shared
            .iter()
            .find(|r| r.record == record_id)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("record {record_id} was not shared with you"),
                )
            })?;
        if record.status != "active" {
            return Err(AppError::new(
                ErrorCode::Refused,
                format!(
                    "access to this record was {} by the patient: nothing more can be fetched (copies downloaded earlier remain with whoever downloaded them)",
                    record.status
                ),
            ));
        }
        let grant = GrantId::from_hex(&record.grant)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let fhir = medwallet_core::records::fetch_and_open(
            &source,
            &keys,
            &record.record,
            &record.ciphertext_sha256,
            Some(&grant),
            &record.wrapped_key,
            self.now(),
        )
        .await;
        self.note_incidents(&source);
        let fhir = fhir.map_err(|e| AppError::new(ErrorCode::Refused, e.to_string()))?;
        Ok(OpenedRecord {
            record: RecordItem {
                id: record.record.clone(),
                title: record.title.clone(),
                date: record.date.clone(),
                category: record.category.clone(),
                clinic_address: String::new(),
                clinic_name: None,
                issued_height: 0,
                verified_height: Some(at.header.height),
                size_bytes: fhir.len() as u64,
                cached: false,
            },
            fhir: String::from_utf8(fhir)
                .map_err(|_| AppError::new(ErrorCode::Refused, "the record is not UTF-8 JSON"))?,
        })
    }
}
