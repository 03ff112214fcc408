//! Declares the app's commands so capabilities can allow each one explicitly.

const COMMANDS: &[&str] = &[
    "wallet_status",
    "create_wallet",
    "confirm_backup",
    "restore_wallet",
    "unlock",
    "lock",
    "touch",
    "register_patient",
    "my_card",
    "share_codes",
    "new_share_code",
    "sync",
    "records",
    "open_record",
    "patient_summary",
    "export_records",
    "create_link",
    "links",
    "revoke_link",
    "open_link",
    "erase_record",
    "erasures",
    "rotate_keys",
    "guardians",
    "set_guardians",
    "cancel_recovery",
    "guarding",
    "answer_recovery",
    "start_recovery",
    "recovering",
    "finish_recovery",
    "lab_series",
    "sync_status",
    "acknowledge_equivocation",
    "lookup_doctor",
    "grant",
    "grants",
    "revoke",
    "access_log",
    "shared_with_me",
    "open_shared",
    "settings",
    "save_settings",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri build step failed: {e}"));
}
