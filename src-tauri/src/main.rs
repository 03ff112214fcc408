//! Medwallet's desktop shell: opens the window, holds one `medwallet_app::App`, and locks it
//! when idle. Everything else lives in medwallet-app (no Tauri there).
//!
//! Environment (set by `make run` for the embedded devnet; all optional):
//! `MEDWALLET_HOME` or `--home DIR` (wallet directory; default: the OS's app data directory),
//! `MEDWALLET_NODES` (comma-separated node URLs used until Settings are saved),
//! `MEDWALLET_GENESIS` (the chain's genesis file, adopted on first start),
//! `MEDWALLET_DEVNET=1` (the nodes are a local devnet started for this session).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use medwallet_app::{App, Settings, settings, system_clock};
use medwallet_crypto::KdfParams;
use tauri::{Emitter, Manager};

/// How often the idle timer is checked.
const IDLE_CHECK: Duration = Duration::from_secs(5);

fn defaults() -> Settings {
    Settings {
        nodes: std::env::var("MEDWALLET_NODES")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        genesis_path: std::env::var("MEDWALLET_GENESIS").ok(),
        chain_id: None,
        auto_lock_minutes: settings::DEFAULT_AUTO_LOCK_MINUTES,
        devnet: std::env::var("MEDWALLET_DEVNET").is_ok_and(|v| v == "1"),
    }
}

fn open(handle: &tauri::AppHandle) -> Result<App, Box<dyn std::error::Error>> {
    // `--home DIR` (used by the WebDriver tests, one profile per session) wins over the env.
    let mut args = std::env::args_os().skip(1);
    let flag = args.position(|a| a == "--home").and_then(|_| args.next());
    let root = match flag.or_else(|| std::env::var_os("MEDWALLET_HOME")) {
        Some(dir) => PathBuf::from(dir),
        None => handle.path().app_data_dir()?.join("wallet"),
    };
    let defaults = defaults();
    if let Some(genesis) = &defaults.genesis_path
        && !root.join(settings::GENESIS_FILE).exists()
    {
        settings::adopt_genesis(&root, std::path::Path::new(genesis))?;
    }
    Ok(App::new(
        root,
        defaults,
        KdfParams::RFC9106_SECOND,
        system_clock(),
    )?)
}

/// WebKitGTK's DMA-BUF renderer keeps a GL context and its buffers in every web process; with
/// no GPU (Mesa's software GL) that alone was about 90 MB of PSS here. A records app has no
/// use for it: the older shared-memory path renders the same pages. A user who sets the
/// variable themselves keeps their choice.
fn prefer_shared_memory_rendering() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        // SAFETY: the first statement of `main`, before any other thread exists.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        };
    }
}

fn main() {
    prefer_shared_memory_rendering();
    tauri::Builder::default()
        .setup(|tauri_app| {
            let app = Arc::new(open(tauri_app.handle())?);
            tauri_app.manage(app.clone());
            let handle = tauri_app.handle().clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(IDLE_CHECK);
                    if app.check_idle() {
                        let _ = handle.emit("wallet-locked", ());
                    }
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::wallet_status,
            commands::create_wallet,
            commands::confirm_backup,
            commands::restore_wallet,
            commands::unlock,
            commands::lock,
            commands::touch,
            commands::register_patient,
            commands::my_card,
            commands::share_codes,
            commands::new_share_code,
            commands::sync,
            commands::records,
            commands::open_record,
            commands::patient_summary,
            commands::export_records,
            commands::create_link,
            commands::links,
            commands::revoke_link,
            commands::erase_record,
            commands::erasures,
            commands::rotate_keys,
            commands::offer_device_join,
            commands::device_join_status,
            commands::confirm_device_join,
            commands::cancel_device_join,
            commands::read_join_qr,
            commands::answer_device_join,
            commands::finish_device_join,
            commands::emergency,
            commands::set_emergency,
            commands::emergency_preview,
            commands::remove_emergency,
            commands::request_emergency,
            commands::open_emergency,
            commands::guardians,
            commands::set_guardians,
            commands::cancel_recovery,
            commands::guarding,
            commands::answer_recovery,
            commands::start_recovery,
            commands::recovering,
            commands::finish_recovery,
            commands::open_link,
            commands::lab_series,
            commands::sync_status,
            commands::acknowledge_equivocation,
            commands::lookup_doctor,
            commands::grant,
            commands::grants,
            commands::revoke,
            commands::access_log,
            commands::shared_with_me,
            commands::open_shared,
            commands::settings,
            commands::save_settings,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("medwallet-desktop: {e}");
            std::process::exit(1);
        });
}

#[cfg(test)]
mod tests {
    /// The names between `generate_handler![` and `]` in this file.
    fn handled() -> Vec<String> {
        let main = include_str!("main.rs");
        let start = main.find("generate_handler![").expect("the handler list") + 18;
        let end = start + main[start..].find(']').expect("its end");
        main[start..end]
            .split(',')
            .map(|c| c.trim().trim_start_matches("commands::").to_owned())
            .filter(|c| !c.is_empty())
            .collect()
    }

    #[test]
    fn every_command_the_ui_can_call_is_declared_and_allowed_to_the_window() {
        let declared = include_str!("../build.rs");
        let allowed = include_str!("../capabilities/default.json");
        let commands = handled();
        assert!(commands.len() > 20, "{commands:?}");
        for command in commands {
            assert!(
                declared.contains(&format!("\"{command}\"")),
                "{command} is not declared in build.rs"
            );
            let permission = format!("\"allow-{}\"", command.replace('_', "-"));
            assert!(
                allowed.contains(&permission),
                "{command} is not allowed in capabilities/default.json"
            );
        }
    }
}
