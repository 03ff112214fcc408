//! The plain data the UI shows (camelCase on the wire). Only public data, plus the FHIR of the
//! one record being viewed. The UI's TypeScript types are generated from these
//! (`ui/src/ipc/generated.ts`, see [`crate::ipc_types`]); a test fails when they drift.

use medledger_types::state::GrantStatus;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A record category, by its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Labs,
    #[serde(rename = "vital-signs")]
    VitalSigns,
    Conditions,
    Medications,
    Allergies,
    Immunizations,
    Procedures,
    Reports,
    Encounter,
    Other,
}

impl Category {
    /// The view of a ledger category.
    pub fn of(category: medledger_types::category::Category) -> Self {
        use medledger_types::category::Category as C;
        match category {
            C::Labs => Self::Labs,
            C::VitalSigns => Self::VitalSigns,
            C::Conditions => Self::Conditions,
            C::Medications => Self::Medications,
            C::Allergies => Self::Allergies,
            C::Immunizations => Self::Immunizations,
            C::Procedures => Self::Procedures,
            C::Reports => Self::Reports,
            C::Encounter => Self::Encounter,
            C::Other => Self::Other,
        }
    }

    /// Its code (`labs`, `encounter`, ...).
    pub fn code(self) -> &'static str {
        use medledger_types::category::Category as C;
        match self {
            Self::Labs => C::Labs,
            Self::VitalSigns => C::VitalSigns,
            Self::Conditions => C::Conditions,
            Self::Medications => C::Medications,
            Self::Allergies => C::Allergies,
            Self::Immunizations => C::Immunizations,
            Self::Procedures => C::Procedures,
            Self::Reports => C::Reports,
            Self::Encounter => C::Encounter,
            Self::Other => C::Other,
        }
        .code()
    }

    /// From a category code (an unknown code shows as `other`).
    pub fn from_code(code: &str) -> Self {
        medledger_types::category::Category::from_code(code).map_or(Self::Other, Self::of)
    }
}

/// A grant's verified status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GrantState {
    Active,
    Revoked,
    Expired,
}

impl From<GrantStatus> for GrantState {
    fn from(status: GrantStatus) -> Self {
        match status {
            GrantStatus::Active => Self::Active,
            GrantStatus::Revoked => Self::Revoked,
            GrantStatus::Expired => Self::Expired,
        }
    }
}

/// Where a sync is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Header,
    Records,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    Doctor,
    Clinic,
    Unregistered,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WalletStatus {
    pub wallet_exists: bool,
    pub unlocked: bool,
    /// Present when unlocked.
    pub address: Option<String>,
    pub share_code: Option<String>,
    /// As verified from the ledger (`unknown` offline).
    pub role: Role,
    /// Minutes of inactivity before the wallet locks itself.
    pub auto_lock_minutes: u32,
    /// This device is recovering that account (`mdw1…`) with its guardians.
    pub recovering: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreatedWallet {
    pub address: String,
    pub share_code: String,
    /// Shown once so the user can write them down; the only secret that reaches the UI.
    pub words: Vec<String>,
    pub confirm_positions: Vec<usize>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub address: String,
    pub share_code: String,
    /// A QR code of the share code, as an SVG document.
    pub qr_svg: String,
}

/// One of the patient's share codes: each clinic gets its own (a fresh account of the wallet),
/// so no two clinics hold the same address for the patient.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShareCodeItem {
    /// The account's index in the wallet.
    pub account: u32,
    /// Who the patient made it for (kept in the wallet only; empty if found on restore).
    pub label: String,
    pub share_code: String,
    pub address: String,
    /// The share code as a QR code (SVG).
    pub qr_svg: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordItem {
    pub id: String,
    pub title: String,
    /// ISO date (YYYY-MM-DD or full timestamp) of the visit, if the clinic gave one.
    pub date: Option<String>,
    pub category: Category,
    pub clinic_address: String,
    /// The clinic's name as registered on the ledger (verified), or null if not yet known.
    pub clinic_name: Option<String>,
    pub issued_height: u64,
    /// Height of the header this record's proof was checked against; null = not verified.
    pub verified_height: Option<u64>,
    pub size_bytes: u64,
    /// Its ciphertext is on this device (opens offline).
    pub cached: bool,
    /// Its key is not wrapped to this wallet: it is listed with its clinic, and cannot be opened.
    pub unreadable: bool,
    /// The patient erased it: only that it existed is kept (here and on the ledger).
    pub erased: bool,
    /// The visit it was split from (records of one visit share it), if any.
    pub visit: Option<VisitItem>,
    /// It is a file (an imaging study), saved rather than shown; null for FHIR.
    pub file: Option<FileItem>,
}

/// A file a record carries, as its clinic describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileItem {
    /// Its MIME type (`application/dicom`).
    pub content_type: String,
    pub name: String,
    pub size_bytes: u64,
}

impl FileItem {
    pub fn of(file: &medwallet_core::Attachment) -> Self {
        Self {
            content_type: file.content_type.clone(),
            name: file.name.clone(),
            size_bytes: file.size,
        }
    }
}

/// A record saved to a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedFile {
    pub path: String,
    pub size_bytes: u64,
}

/// How far saving a record is (the `save-progress` event), in bytes of its ciphertext.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveProgressItem {
    pub id: String,
    /// `downloading`, then `opening`.
    pub stage: SaveStage,
    pub done: u64,
    pub of: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SaveStage {
    Downloading,
    Opening,
}

/// A visit, as the records split from it name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VisitItem {
    pub id: String,
    pub title: String,
}

impl VisitItem {
    pub fn of(visit: &medwallet_core::Visit) -> Self {
        Self {
            id: visit.id.clone(),
            title: visit.title.clone(),
        }
    }
}

/// "My summary": the International Patient Summary of the verified records.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PatientSummary {
    /// The IPS document Bundle (FHIR R4 JSON), built in the wallet.
    pub bundle: String,
    /// The same summary as an HTML page to print.
    pub printable: String,
    pub sections: Vec<SummarySectionItem>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SummarySectionItem {
    /// `problems`, `allergies`, `medications`, `immunizations`, `results`, `vital-signs`,
    /// `procedures`, `past-problems`.
    pub key: String,
    pub title: String,
    /// Empty for a required section with nothing in it (the IPS then says why).
    pub entries: Vec<SummaryEntryItem>,
}

/// One entry of a summary section, with where it came from.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SummaryEntryItem {
    /// The entry's `fullUrl` in the bundle.
    pub full_url: String,
    pub record_id: String,
    /// The issuing clinic's verified name (its address if it has none).
    pub clinic: String,
    pub verified_height: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenedRecord {
    pub record: RecordItem,
    /// The decrypted FHIR R4 JSON, exactly as the clinic issued it.
    pub fhir: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    pub date: String,
    /// In the series' unit.
    pub value: f64,
    pub record_id: String,
    /// The value and unit as the record has them, when converted into the series' unit.
    pub as_recorded: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LabSeries {
    pub code: String,
    pub display: String,
    pub unit: Option<String>,
    /// The unit's UCUM code, when the records code it in UCUM. A test with values in units
    /// that do not convert (mg/dL and mmol/L) has one series per unit.
    pub ucum: Option<String>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub points: Vec<SeriesPoint>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub new_records: usize,
    pub total_records: usize,
    pub verified_height: u64,
    pub keys_shared: usize,
    /// Records whose key is not wrapped to this wallet (kept, never opened), by clinic name or
    /// address.
    pub unreadable_from: Vec<String>,
    pub incidents: Vec<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u64,
    pub total: u64,
    pub verified_height: Option<u64>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NodeState {
    pub url: String,
    /// Newest height this node served that verified; null if unreachable or lying.
    pub height: Option<u64>,
    /// What is wrong with it, for people, if anything.
    pub problem: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub nodes: Vec<NodeState>,
    pub verified_height: Option<u64>,
    /// Milliseconds since the epoch of the last completed sync.
    pub last_sync_ms: Option<u64>,
    pub syncing: bool,
    /// Nodes caught lying or equivocating, named (the red banner).
    pub incidents: Vec<String>,
    /// Proven equivocation not acknowledged yet: what happened and what to do. While it is
    /// set, no new ledger data is shown (every ledger operation fails with `equivocation`).
    pub equivocation: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DoctorInfo {
    pub address: String,
    pub name: String,
    pub licence: String,
    pub clinic_address: String,
    pub clinic_name: String,
    pub verified_height: u64,
}

#[derive(Clone, Debug, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum GrantScope {
    Records { ids: Vec<String> },
    Category { category: Category },
    All,
}

#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GrantRequest {
    /// The doctor's share code (mdwshare1...) or address (mdw1...).
    pub doctor: String,
    pub scope: GrantScope,
    /// RFC 3339 expiry, or null for none.
    pub until: Option<String>,
    /// How the doctor is to know the patient (sealed to the doctor); empty for none.
    #[serde(default)]
    pub label: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GrantResult {
    pub grant_id: String,
    pub height: u64,
    pub records_shared: usize,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GrantItem {
    pub id: String,
    pub doctor_address: String,
    pub doctor_name: Option<String>,
    pub scope: String,
    pub expires_at_ms: Option<u64>,
    pub granted_height: u64,
    pub status: GrantState,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevokeResult {
    pub height: u64,
    pub notice: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccessItem {
    pub record_id: String,
    pub record_title: Option<String>,
    pub doctor_address: String,
    pub doctor_name: Option<String>,
    pub grant_id: String,
    /// The account of the node that served the fetch and signed the receipt.
    pub node: String,
    pub served_at_ms: u64,
    /// Height of the receipt on the ledger (verified by proof).
    pub height: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SharedItem {
    /// The patient's account that made the grant (one of theirs: a patient has one per clinic).
    pub patient_address: String,
    /// The same for all of one patient's grants to this doctor: group by it.
    pub patient_handle: String,
    /// How the patient asked to be known (may be empty).
    pub patient_label: String,
    pub grant_id: String,
    pub record_id: String,
    pub category: Category,
    pub title: String,
    pub date: Option<String>,
    pub status: GrantState,
    /// It is a file (an imaging study), saved rather than shown; null for FHIR.
    pub file: Option<FileItem>,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS)]
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

/// What a link shares.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LinkSelection {
    Records { ids: Vec<String> },
    Categories { categories: Vec<Category> },
    All,
    Summary,
}

/// A link the patient asks for.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkRequest {
    pub selection: LinkSelection,
    pub label: Option<String>,
    /// RFC 3339; 7 days from now when blank.
    pub expires: Option<String>,
    /// Typed by the patient, handed to the receiver separately.
    pub passcode: Option<String>,
    pub long_term: bool,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkCreated {
    pub id: String,
    /// `shlink:/…`, for apps that read SMART Health Links.
    pub link: String,
    /// The link as a QR code (SVG).
    pub qr_svg: String,
    /// The viewer page with the link in its fragment, for a browser.
    pub viewer_url: String,
    pub height: u64,
    pub files: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    Active,
    Revoked,
    Expired,
    Exhausted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum LinkAccessOutcome {
    Opened,
    WrongPasscode,
}

/// One opening of a link (or a wrong passcode), from the ledger.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkAccessItem {
    pub outcome: LinkAccessOutcome,
    /// The name the receiver gave.
    pub recipient: Option<String>,
    /// "node 2" (its place in the validator set), or its address.
    pub node: String,
    pub at_ms: u64,
    pub height: u64,
}

/// One of the patient's links, verified.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkItem {
    pub id: String,
    pub label: Option<String>,
    pub link: Option<String>,
    pub viewer_url: Option<String>,
    /// What it shares, in words.
    pub shared: String,
    pub status: LinkState,
    pub expires_at_ms: u64,
    pub passcode: bool,
    pub attempts_left: u32,
    pub long_term: bool,
    pub created_height: u64,
    pub accesses: Vec<LinkAccessItem>,
}

/// A link someone shared, opened: the FHIR of each file (what the person chose to view).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedLink {
    pub label: Option<String>,
    pub files: Vec<String>,
}

/// An export written (see `medwallet_core::export`).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub path: String,
    pub bytes: u64,
    pub records: usize,
}

/// Records whose tests, conditions, medications (…) match a search.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Records whose content is not on this device (not kept offline, or not readable by this
    /// wallet): searched by title only.
    pub titles_only: u32,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub record: RecordItem,
    /// What matched: `title`, or the kind of a name in the record (`test`, `condition`,
    /// `medication`, `allergy`, `procedure`, `vaccine`, `report`, `visit`), with the name.
    pub matches: Vec<SearchMatch>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchMatch {
    pub kind: String,
    pub text: String,
}
