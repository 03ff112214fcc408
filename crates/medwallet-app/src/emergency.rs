//! Emergency access on the desktop: the patient prepares the emergency set (with emergency
//! contacts), shows its code, and sees every access in red; a clinician asks for a patient's
//! set by that code and a reason, and opens it once the validators released their shares.
//! Each is the wallet core's workflow; the opened set is the one record the clinician chose to
//! view, so it crosses the IPC boundary.

use medledger_types::emergency::EmergencyRequestId;
use medwallet_core::emergency::{EmergencyContact, EmergencyRequestView, EmergencySetView};
use medwallet_core::input;

use crate::emergency_views::{
    ContactInput, EmergencyAccessItem, EmergencyRequestItem, EmergencySetItem, EmergencyView,
    OpenedEmergency,
};
use crate::error::AppError;
use crate::session::App;

fn rng() -> rand::rngs::StdRng {
    // Seeded from the thread's generator: the futures must be Send (they run on Tauri's pool).
    <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng())
}

fn set_item(set: &EmergencySetView) -> EmergencySetItem {
    EmergencySetItem {
        code: set.code.clone(),
        set_at_ms: set.set_at_ms,
        threshold: set.threshold,
        validators: set.validators,
    }
}

fn request_item(r: &EmergencyRequestView) -> EmergencyRequestItem {
    EmergencyRequestItem {
        request: r.request.to_hex(),
        patient: input::display_address(&r.patient),
        at_ms: r.at_ms,
        ends_at_ms: r.ends_at_ms,
        released: r.released,
        threshold: r.threshold,
    }
}

impl App {
    /// The patient's emergency set and every access to it.
    pub async fn emergency(&self) -> Result<EmergencyView, AppError> {
        let wallet = self.wallet()?;
        let (set, accesses) = self
            .with_ledger(async |source| {
                let set = wallet.emergency_set(source).await?;
                let accesses = wallet.emergency_accesses(source).await?;
                Ok::<_, medwallet_core::WalletError>((set, accesses))
            })
            .await?;
        Ok(EmergencyView {
            set: set.as_ref().map(set_item),
            accesses: accesses.iter().map(EmergencyAccessItem::of).collect(),
        })
    }

    /// Prepares (or refreshes) the emergency set from the records, with `contacts`.
    pub async fn set_emergency(
        &self,
        contacts: Vec<ContactInput>,
    ) -> Result<EmergencyView, AppError> {
        let wallet = self.wallet()?;
        let keys = self.dir.genesis()?.emergency_keys;
        let contacts: Vec<EmergencyContact> = contacts
            .into_iter()
            .filter(|c| !(c.name.trim().is_empty() && c.phone.trim().is_empty()))
            .map(|c| EmergencyContact {
                name: c.name,
                relationship: c.relationship,
                phone: c.phone,
            })
            .collect();
        let mut rng = rng();
        self.with_ledger(async |source| {
            wallet
                .set_emergency(source, &keys, &contacts, &mut rng)
                .await
        })
        .await?;
        self.emergency().await
    }

    /// What a clinician would read in this wallet's emergency set (its FHIR Bundle, which the
    /// patient chose to view), if it has one.
    pub async fn emergency_preview(&self) -> Result<Option<String>, AppError> {
        let wallet = self.wallet()?;
        let bundle = self
            .with_ledger(async |source| wallet.emergency_preview(source).await)
            .await?;
        Ok(bundle.map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// Removes the emergency set.
    pub async fn remove_emergency(&self) -> Result<EmergencyView, AppError> {
        let wallet = self.wallet()?;
        self.with_ledger(async |source| wallet.remove_emergency(source).await)
            .await?;
        self.emergency().await
    }

    /// As a clinician: asks for the set of the account whose code is `patient`.
    pub async fn request_emergency(
        &self,
        patient: &str,
        reason: &str,
    ) -> Result<EmergencyRequestItem, AppError> {
        let wallet = self.wallet()?;
        let patient = input::account(patient)?;
        let mut rng = rng();
        let request = self
            .with_ledger(async |source| {
                wallet
                    .request_emergency(source, &patient, reason, &mut rng)
                    .await
            })
            .await?;
        Ok(request_item(&request))
    }

    /// As a clinician: opens the set a request of this wallet's asked for (`EmergencyWaiting`
    /// while too few validators released their shares).
    pub async fn open_emergency(&self, request: &str) -> Result<OpenedEmergency, AppError> {
        let wallet = self.wallet()?;
        let id = EmergencyRequestId::from_hex(request)
            .map_err(|_| AppError::invalid("not an emergency request id"))?;
        let opened = self
            .with_ledger(async |source| wallet.open_emergency(source, &id).await)
            .await?;
        Ok(OpenedEmergency {
            request: request_item(&opened.request),
            fhir: String::from_utf8_lossy(&opened.bundle).into_owned(),
            refused: opened
                .refused_validators
                .iter()
                .map(|v| format!("node {}", v + 1))
                .collect(),
        })
    }
}
