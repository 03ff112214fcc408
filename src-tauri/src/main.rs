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

/// The wallet folder named by `--home DIR` (used by the WebDriver tests, one profile per
/// session) or, failing that, `MEDWALLET_HOME`; `None` for the OS's app data directory.
fn home_override() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    let flag = args.position(|a| a == "--home").and_then(|_| args.next());
    flag.or_else(|| std::env::var_os("MEDWALLET_HOME"))
        .map(PathBuf::from)
}

/// The name the single-instance plugin claims on the session bus: the app's identifier for
/// the default wallet, and one name per other wallet folder, so two folders run side by side
/// but one folder never runs twice. The folder's path is hashed (`DefaultHasher`'s fixed keys:
/// the same binary gives the same name in every process) into a name element D-Bus accepts.
fn instance_id(identifier: &str, home: Option<&std::path::Path>) -> String {
    use std::hash::{Hash, Hasher};
    match home {
        None => identifier.to_owned(),
        Some(dir) => {
            let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
            let mut hasher = std::hash::DefaultHasher::new();
            dir.hash(&mut hasher);
            format!("{identifier}.wallet_{:016x}", hasher.finish())
        }
    }
}

/// A second start of the same wallet brings the running window forward instead.
fn focus_running(handle: &tauri::AppHandle) {
    if let Some(window) = handle.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn open(handle: &tauri::AppHandle) -> Result<App, Box<dyn std::error::Error>> {
    let root = match home_override() {
        Some(dir) => dir,
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
    let context = tauri::generate_context!();
    let instance = instance_id(&context.config().identifier, home_override().as_deref());
    tauri::Builder::default()
        // First, so a second instance exits before anything else starts.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance)
                .callback(|handle, _args, _cwd| focus_running(handle))
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .setup(|tauri_app| {
            let app = Arc::new(open(tauri_app.handle())?);
            tauri_app.manage(app.clone());
            // New records arrive without pressing Sync: the window reloads its list and has the
            // desktop say how many and from whom (in the person's language, from the catalogue).
            let following = app.clone();
            let announce = tauri_app.handle().clone();
            tauri::async_runtime::spawn(async move {
                following
                    .follow_ledger(|news| {
                        let _ = announce.emit("records-arrived", &news);
                    })
                    .await;
            });
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
            commands::save_record_file,
            commands::save_shared_file,
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
            commands::search_records,
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
        .run(context)
        .unwrap_or_else(|e| {
            eprintln!("medwallet-desktop: {e}");
            std::process::exit(1);
        });
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::instance_id;

    #[test]
    fn one_instance_name_per_wallet_folder_and_each_is_a_valid_bus_name() {
        let dir = tempfile_dir();
        let a = dir.join("a");
        let b = dir.join("b");
        std::fs::create_dir_all(&a).expect("a");
        std::fs::create_dir_all(&b).expect("b");
        let id = "org.medwallet.desktop";
        assert_eq!(instance_id(id, None), id);
        // The same folder, however it is written, is one instance; another folder is another.
        assert_eq!(
            instance_id(id, Some(&a)),
            instance_id(id, Some(&a.join("..").join("a")))
        );
        assert_ne!(instance_id(id, Some(&a)), instance_id(id, Some(&b)));
        assert_ne!(instance_id(id, Some(&a)), instance_id(id, None));
        // D-Bus: elements of [A-Za-z0-9_], none starting with a digit, at most 255 bytes.
        let name = instance_id(id, Some(Path::new("/no/such/folder")));
        assert!(name.len() <= 255);
        for element in name.split('.') {
            assert!(!element.is_empty() && !element.starts_with(|c: char| c.is_ascii_digit()));
            assert!(
                element
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            );
        }
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("medwallet-instance-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

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
