//! What the emergency-access screens show: the patient's set and the red entries, a
//! clinician's request and the set it opened.

use medwallet_core::emergency::EmergencyAccessView;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An emergency contact as the patient types it.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactInput {
    pub name: String,
    pub relationship: String,
    pub phone: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EmergencySetItem {
    /// The code for the emergency card (`mdw1…`).
    pub code: String,
    pub set_at_ms: u64,
    pub threshold: u8,
    pub validators: usize,
}

/// One access to the patient's emergency set (shown in red).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EmergencyAccessItem {
    pub request: String,
    pub clinician: String,
    pub licence: String,
    pub clinic: String,
    /// `None`: the reason does not open with this wallet's keys.
    pub reason: Option<String>,
    pub at_ms: u64,
    pub ends_at_ms: u64,
    pub released: usize,
    pub threshold: u8,
    /// Enough validators released their shares for the clinician to open the set.
    pub opened: bool,
}

impl EmergencyAccessItem {
    pub(crate) fn of(a: &EmergencyAccessView) -> Self {
        Self {
            request: a.request.to_hex(),
            clinician: a.clinician_name.clone(),
            licence: a.licence.clone(),
            clinic: a.clinic_name.clone(),
            reason: a.reason.clone(),
            at_ms: a.at_ms,
            ends_at_ms: a.ends_at_ms,
            released: a.released,
            threshold: a.threshold,
            opened: a.opened(),
        }
    }
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EmergencyView {
    pub set: Option<EmergencySetItem>,
    pub accesses: Vec<EmergencyAccessItem>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EmergencyRequestItem {
    pub request: String,
    pub patient: String,
    pub at_ms: u64,
    pub ends_at_ms: u64,
    pub released: usize,
    pub threshold: u8,
}

/// The set a clinician opened: its FHIR Bundle, and validators whose share was refused.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenedEmergency {
    pub request: EmergencyRequestItem,
    pub fhir: String,
    pub refused: Vec<String>,
}
