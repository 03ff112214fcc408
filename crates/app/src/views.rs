//! The plain data the UI shows (camelCase on the wire, mirrored in `ui/src/ipc/types.ts`).
//! Only public data, plus the FHIR of the one record being viewed.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    Doctor,
    Clinic,
    Unregistered,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletStatus {
    pub wallet_exists: bool,
    pub unlocked: bool,
    pub address: Option<String>,
    pub share_code: Option<String>,
    pub role: Role,
    pub auto_lock_minutes: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedWallet {
    pub address: String,
    pub share_code: String,
    /// Shown once so the user can write them down; the only secret that reaches the UI.
    pub words: Vec<String>,
    pub confirm_positions: Vec<usize>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub address: String,
    pub share_code: String,
    pub qr_svg: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordItem {
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub category: String,
    pub clinic_address: String,
    pub clinic_name: Option<String>,
    pub issued_height: u64,
    pub verified_height: Option<u64>,
    pub size_bytes: u64,
    pub cached: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenedRecord {
    pub record: RecordItem,
    pub fhir: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    pub date: String,
    pub value: f64,
    pub record_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabSeries {
    pub code: String,
    pub display: String,
    pub unit: Option<String>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub points: Vec<SeriesPoint>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub new_records: usize,
    pub total_records: usize,
    pub verified_height: u64,
    pub keys_shared: usize,
    pub incidents: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
    pub verified_height: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeState {
    pub url: String,
    pub height: Option<u64>,
    pub problem: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub nodes: Vec<NodeState>,
    pub verified_height: Option<u64>,
    pub last_sync_ms: Option<u64>,
    pub syncing: bool,
    pub incidents: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorInfo {
    pub address: String,
    pub name: String,
    pub licence: String,
    pub clinic_address: String,
    pub clinic_name: String,
    pub verified_height: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum GrantScope {
    Records { ids: Vec<String> },
    Category { category: String },
    All,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantRequest {
    pub doctor: String,
    pub scope: GrantScope,
    pub until: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantResult {
    pub grant_id: String,
    pub height: u64,
    pub records_shared: usize,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantItem {
    pub id: String,
    pub doctor_address: String,
    pub doctor_name: Option<String>,
    pub scope: String,
    pub expires_at_ms: Option<u64>,
    pub granted_height: u64,
    pub status: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokeResult {
    pub height: u64,
    pub notice: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessItem {
    pub record_id: String,
    pub record_title: Option<String>,
    pub doctor_address: String,
    pub doctor_name: Option<String>,
    pub grant_id: String,
    pub node: String,
    pub served_at_ms: u64,
    pub height: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedItem {
    pub patient_address: String,
    pub grant_id: String,
    pub record_id: String,
    pub category: String,
    pub title: String,
    pub date: Option<String>,
    pub status: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub nodes: Vec<String>,
    pub genesis_path: Option<String>,
    #[serde(default)]
    pub chain_id: Option<String>,
    pub auto_lock_minutes: u32,
    #[serde(default)]
    pub devnet: bool,
}
