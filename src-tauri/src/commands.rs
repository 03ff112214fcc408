//! The commands the UI invokes (typed wrappers in `ui/src/ipc/commands.ts`). Each deserializes
//! its arguments, calls one method of `medwallet_app::App` and returns the result or its
//! `{ code, message }`; the bodies are tested in medwallet-app, without a window.

use std::sync::Arc;

use medwallet_app::{
    AccessItem, App, AppError, Card, ContactInput, CreatedWallet, DeviceOffer, DoctorInfo,
    EmergencyRequestItem, EmergencyView, ErasedResult, ErasureItem, ExportResult, GrantItem,
    GrantRequest, GrantResult, GuardiansView, GuardingItem, JoinedDevice, LabSeries, LinkCreated,
    LinkItem, LinkRequest, OpenedEmergency, OpenedRecord, PatientSummary, ReceivedLink, RecordItem,
    RecoveringStatus, RevokeResult, RotatedWallet, SavedFile, SearchResults, Settings,
    ShareCodeItem, SharedItem, SyncReport, SyncStatus, WalletStatus,
};
use tauri::{AppHandle, Emitter, State};

type Wallet<'a> = State<'a, Arc<App>>;

#[tauri::command]
pub async fn wallet_status(app: Wallet<'_>) -> Result<WalletStatus, AppError> {
    Ok(app.status_verified().await)
}

// Key derivation takes a moment: async commands run off the UI thread.
#[tauri::command]
pub async fn create_wallet(app: Wallet<'_>, password: String) -> Result<CreatedWallet, AppError> {
    app.create(&password)
}

#[tauri::command]
pub fn confirm_backup(app: Wallet<'_>, answers: Vec<String>) -> Result<(), AppError> {
    app.confirm_backup(&answers)
}

#[tauri::command]
pub async fn restore_wallet(
    app: Wallet<'_>,
    words: String,
    password: String,
) -> Result<WalletStatus, AppError> {
    app.restore(&words, &password)?;
    // The role (patient or doctor) decides which screens the UI shows; as with unlocking, a
    // silent node does not hold the wallet shut (the UI asks again while the role is unknown).
    Ok(app
        .status_verified_within(tokio::time::sleep(ROLE_DEADLINE))
        .await)
}

#[tauri::command]
pub async fn unlock(app: Wallet<'_>, password: String) -> Result<WalletStatus, AppError> {
    app.unlock(&password)?;
    // The role decides the screens, but an unreachable node must not hold the wallet shut:
    // past the deadline the UI opens with the role unknown and asks again.
    Ok(app
        .status_verified_within(tokio::time::sleep(ROLE_DEADLINE))
        .await)
}

/// How long unlocking or restoring waits for the ledger to confirm the account's role.
const ROLE_DEADLINE: std::time::Duration = std::time::Duration::from_millis(1500);

#[tauri::command]
pub fn lock(app: Wallet<'_>) {
    app.lock()
}

#[tauri::command]
pub fn touch(app: Wallet<'_>) -> Result<(), AppError> {
    app.touch()
}

#[tauri::command]
pub async fn register_patient(app: Wallet<'_>) -> Result<u64, AppError> {
    app.register_patient().await
}

#[tauri::command]
pub fn my_card(app: Wallet<'_>) -> Result<Card, AppError> {
    app.card()
}

#[tauri::command]
pub fn share_codes(app: Wallet<'_>) -> Result<Vec<ShareCodeItem>, AppError> {
    app.share_codes()
}

#[tauri::command]
pub async fn new_share_code(app: Wallet<'_>, label: String) -> Result<ShareCodeItem, AppError> {
    app.new_share_code(&label).await
}

#[tauri::command]
pub async fn sync(handle: AppHandle, app: Wallet<'_>) -> Result<SyncReport, AppError> {
    app.sync(|progress| {
        // Progress is best effort: a closed window does not stop the sync.
        let _ = handle.emit("sync-progress", progress);
    })
    .await
}

#[tauri::command]
pub fn records(app: Wallet<'_>) -> Result<Vec<RecordItem>, AppError> {
    app.records()
}

#[tauri::command]
pub async fn open_record(app: Wallet<'_>, id: String) -> Result<OpenedRecord, AppError> {
    app.open_record(&id).await
}

#[tauri::command]
pub async fn patient_summary(app: Wallet<'_>) -> Result<PatientSummary, AppError> {
    app.patient_summary().await
}

/// The export goes to the user's Downloads folder (the home folder if there is none).
#[tauri::command]
pub async fn export_records(app: Wallet<'_>, handle: AppHandle) -> Result<ExportResult, AppError> {
    app.export_records(&downloads(&handle)?).await
}

/// Where saved records go: the user's Downloads folder (the home folder if there is none).
fn downloads(handle: &AppHandle) -> Result<std::path::PathBuf, AppError> {
    use tauri::Manager;
    handle
        .path()
        .download_dir()
        .or_else(|_| handle.path().home_dir())
        .map_err(|e| AppError::new(medwallet_app::ErrorCode::Storage, e.to_string()))
}

/// A file record (an imaging study) is saved to Downloads, with `save-progress` events as it
/// downloads and opens.
#[tauri::command]
pub async fn save_record_file(
    app: Wallet<'_>,
    handle: AppHandle,
    id: String,
) -> Result<SavedFile, AppError> {
    let dir = downloads(&handle)?;
    app.save_record_file(&id, &dir, move |progress| {
        // Progress is best effort: a closed window does not stop the save.
        let _ = handle.emit("save-progress", progress);
    })
    .await
}

/// Doctor mode: a shared file record saved to Downloads, with `save-progress` events.
#[tauri::command]
pub async fn save_shared_file(
    app: Wallet<'_>,
    handle: AppHandle,
    grant_id: String,
    record_id: String,
    name: String,
) -> Result<SavedFile, AppError> {
    let dir = downloads(&handle)?;
    app.save_shared_file(&grant_id, &record_id, &name, &dir, move |progress| {
        let _ = handle.emit("save-progress", progress);
    })
    .await
}

#[tauri::command]
pub async fn create_link(app: Wallet<'_>, request: LinkRequest) -> Result<LinkCreated, AppError> {
    app.create_link(request).await
}

#[tauri::command]
pub async fn links(app: Wallet<'_>) -> Result<Vec<LinkItem>, AppError> {
    app.links().await
}

#[tauri::command]
pub async fn revoke_link(app: Wallet<'_>, id: String) -> Result<RevokeResult, AppError> {
    app.revoke_link(&id).await
}

#[tauri::command]
pub async fn erase_record(app: Wallet<'_>, id: String) -> Result<ErasedResult, AppError> {
    app.erase_record(&id).await
}

#[tauri::command]
pub async fn erasures(app: Wallet<'_>) -> Result<Vec<ErasureItem>, AppError> {
    app.erasures().await
}

/// The password is the user's confirmation; the new words come back once, to write down.
#[tauri::command]
pub async fn rotate_keys(app: Wallet<'_>, password: String) -> Result<RotatedWallet, AppError> {
    app.rotate_keys(&password).await
}

#[tauri::command]
pub async fn emergency(app: Wallet<'_>) -> Result<EmergencyView, AppError> {
    app.emergency().await
}

#[tauri::command]
pub async fn set_emergency(
    app: Wallet<'_>,
    contacts: Vec<ContactInput>,
) -> Result<EmergencyView, AppError> {
    app.set_emergency(contacts).await
}

/// The set's FHIR is the record the patient chose to view.
#[tauri::command]
pub async fn emergency_preview(app: Wallet<'_>) -> Result<Option<String>, AppError> {
    app.emergency_preview().await
}

#[tauri::command]
pub async fn remove_emergency(app: Wallet<'_>) -> Result<EmergencyView, AppError> {
    app.remove_emergency().await
}

#[tauri::command]
pub async fn request_emergency(
    app: Wallet<'_>,
    patient: String,
    reason: String,
) -> Result<EmergencyRequestItem, AppError> {
    app.request_emergency(&patient, &reason).await
}

/// The opened set is the record the clinician chose to view.
#[tauri::command]
pub async fn open_emergency(app: Wallet<'_>, request: String) -> Result<OpenedEmergency, AppError> {
    app.open_emergency(&request).await
}

#[tauri::command]
pub async fn guardians(app: Wallet<'_>) -> Result<GuardiansView, AppError> {
    app.guardians().await
}

/// The password unlocks the phrase the guardians' shares are split from.
#[tauri::command]
pub async fn set_guardians(
    app: Wallet<'_>,
    password: String,
    codes: Vec<String>,
    threshold: u8,
    delay_ms: u64,
    label: String,
) -> Result<GuardiansView, AppError> {
    app.set_guardians(&password, &codes, threshold, delay_ms, &label)
        .await
}

#[tauri::command]
pub async fn cancel_recovery(app: Wallet<'_>) -> Result<GuardiansView, AppError> {
    app.cancel_recovery().await
}

#[tauri::command]
pub async fn guarding(app: Wallet<'_>) -> Result<Vec<GuardingItem>, AppError> {
    app.guarding().await
}

#[tauri::command]
pub async fn answer_recovery(
    app: Wallet<'_>,
    patient: String,
    device_code: String,
    approve: bool,
) -> Result<Vec<GuardingItem>, AppError> {
    app.answer_recovery(&patient, &device_code, approve).await
}

/// Adding a device: the code it shows crosses to the UI (the person must see it; it works once,
/// for ten minutes); the phrase never does.
#[tauri::command]
pub async fn offer_device_join(app: Wallet<'_>) -> Result<DeviceOffer, AppError> {
    app.offer_device_join().await
}

#[tauri::command]
pub async fn device_join_status(app: Wallet<'_>) -> Result<DeviceOffer, AppError> {
    app.device_join_status().await
}

#[tauri::command]
pub async fn confirm_device_join(
    app: Wallet<'_>,
    password: String,
    check_code: String,
) -> Result<(), AppError> {
    app.confirm_device_join(&password, &check_code).await
}

#[tauri::command]
pub fn cancel_device_join(app: Wallet<'_>) {
    app.cancel_device_join();
}

/// A camera frame or a chosen picture, as greyscale pixels; only the code's text comes back.
#[tauri::command]
pub async fn read_join_qr(
    app: Wallet<'_>,
    width: u32,
    height: u32,
    luma: Vec<u8>,
) -> Result<String, AppError> {
    app.read_join_qr(width, height, &luma)
}

#[tauri::command]
pub async fn answer_device_join(app: Wallet<'_>, code: String) -> Result<JoinedDevice, AppError> {
    app.answer_device_join(&code).await
}

#[tauri::command]
pub async fn finish_device_join(
    app: Wallet<'_>,
    password: String,
) -> Result<JoinedDevice, AppError> {
    app.finish_device_join(&password).await
}

#[tauri::command]
pub async fn start_recovery(
    app: Wallet<'_>,
    account: String,
    password: String,
) -> Result<RecoveringStatus, AppError> {
    app.start_recovery(&account, &password).await
}

#[tauri::command]
pub async fn recovering(app: Wallet<'_>) -> Result<RecoveringStatus, AppError> {
    app.recovering().await
}

/// The new words come back once, to write down.
#[tauri::command]
pub async fn finish_recovery(app: Wallet<'_>, password: String) -> Result<RotatedWallet, AppError> {
    app.finish_recovery(&password).await
}

#[tauri::command]
pub async fn open_link(
    app: Wallet<'_>,
    link: String,
    recipient: String,
    passcode: Option<String>,
) -> Result<ReceivedLink, AppError> {
    app.open_link(&link, &recipient, passcode).await
}

#[tauri::command]
pub async fn lab_series(app: Wallet<'_>, id: String) -> Result<Vec<LabSeries>, AppError> {
    app.lab_series(&id).await
}

#[tauri::command]
pub async fn search_records(app: Wallet<'_>, query: String) -> Result<SearchResults, AppError> {
    app.search_records(&query)
}

#[tauri::command]
pub async fn sync_status(app: Wallet<'_>) -> Result<SyncStatus, AppError> {
    Ok(app.sync_status().await)
}

#[tauri::command]
pub fn acknowledge_equivocation(app: Wallet<'_>) -> Result<bool, AppError> {
    app.acknowledge_equivocation()
}

#[tauri::command]
pub async fn lookup_doctor(app: Wallet<'_>, doctor: String) -> Result<DoctorInfo, AppError> {
    app.lookup_doctor(&doctor).await
}

#[tauri::command]
pub async fn grant(app: Wallet<'_>, request: GrantRequest) -> Result<GrantResult, AppError> {
    app.grant(request).await
}

#[tauri::command]
pub async fn grants(app: Wallet<'_>) -> Result<Vec<GrantItem>, AppError> {
    app.grants().await
}

#[tauri::command]
pub async fn revoke(app: Wallet<'_>, grant_id: String) -> Result<RevokeResult, AppError> {
    app.revoke(&grant_id).await
}

#[tauri::command]
pub async fn access_log(app: Wallet<'_>) -> Result<Vec<AccessItem>, AppError> {
    app.access_log().await
}

#[tauri::command]
pub async fn shared_with_me(app: Wallet<'_>) -> Result<Vec<SharedItem>, AppError> {
    app.shared_with_me().await
}

#[tauri::command]
pub async fn open_shared(
    app: Wallet<'_>,
    grant_id: String,
    record_id: String,
) -> Result<OpenedRecord, AppError> {
    app.open_shared(&grant_id, &record_id).await
}

#[tauri::command]
pub fn settings(app: Wallet<'_>) -> Settings {
    app.settings()
}

#[tauri::command]
pub fn save_settings(
    app: Wallet<'_>,
    nodes: Vec<String>,
    auto_lock_minutes: u32,
) -> Result<Settings, AppError> {
    app.save_settings(nodes, auto_lock_minutes)
}
