//! Where the wallet looks for the ledger: node URLs (checked before they are saved) and the
//! auto-lock time, saved atomically as `settings.json` beside the keystore. The trust anchor
//! (the chain's genesis) is the wallet directory's (`medwallet-store`).

use std::path::Path;

use crate::error::{AppError, ErrorCode};
use crate::views::Settings;

/// The trust anchor's copy inside the wallet (the CLI uses the same file).
pub use medwallet_store::GENESIS_FILE;

const SETTINGS_FILE: &str = "settings.json";
const MAX_FILE: usize = 4 * 1024 * 1024;
/// Default idle time before the wallet locks itself.
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 5;

fn storage(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Storage, e.to_string())
}

/// The saved settings, or `defaults` on first start.
pub fn load(dir: &Path, defaults: Settings) -> Result<Settings, AppError> {
    let path = dir.join(SETTINGS_FILE);
    if !path.exists() {
        return Ok(defaults);
    }
    let bytes = medwallet_files::read_bounded(&path, MAX_FILE).map_err(storage)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| AppError::new(ErrorCode::Storage, format!("settings.json is damaged: {e}")))
}

/// Adopts the genesis file at `source` as the trust anchor of the wallet in `dir` (checked
/// first; nothing changes when it is not a valid genesis).
pub fn adopt_genesis(dir: &Path, source: &Path) -> Result<(), AppError> {
    medwallet_store::WalletDir::new(dir)
        .adopt_genesis(source, medwallet_store::ChainSwitch::Refuse)?;
    Ok(())
}

/// Checks and saves settings.
pub fn save(dir: &Path, settings: &Settings) -> Result<(), AppError> {
    for node in &settings.nodes {
        check_node_url(node)?;
    }
    if settings.auto_lock_minutes == 0 || settings.auto_lock_minutes > 24 * 60 {
        return Err(AppError::invalid(
            "auto-lock must be between 1 minute and 24 hours",
        ));
    }
    std::fs::create_dir_all(dir).map_err(storage)?;
    let json = serde_json::to_vec_pretty(settings).map_err(storage)?;
    medwallet_files::write_atomically(&dir.join(SETTINGS_FILE), &json).map_err(storage)
}

/// A node's base URL: http(s) with a host, nothing after the path. Two URLs run together
/// ("http://a:1http://b:2", a lost line break) fail here rather than at the next sync.
fn check_node_url(node: &str) -> Result<(), AppError> {
    let refuse = |why: &str| AppError::invalid(format!("node {node:?} is not a node URL: {why}"));
    let url = url::Url::parse(node).map_err(|e| refuse(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse("use http:// or https://"));
    }
    if url.host().is_none() {
        return Err(refuse("no host"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(refuse("give only scheme, host, port and path"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(nodes: &[&str], minutes: u32) -> Settings {
        Settings {
            nodes: nodes.iter().map(|s| s.to_string()).collect(),
            genesis_path: None,
            chain_id: None,
            auto_lock_minutes: minutes,
            devnet: false,
        }
    }

    #[test]
    fn saved_settings_load_back_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let defaults = settings(&[], 5);
        assert!(
            load(dir.path(), defaults.clone())
                .expect("defaults")
                .nodes
                .is_empty()
        );
        save(dir.path(), &settings(&["http://127.0.0.1:1"], 7)).expect("save");
        let loaded = load(dir.path(), defaults.clone()).expect("load");
        assert_eq!(loaded.nodes, vec!["http://127.0.0.1:1"]);
        assert_eq!(loaded.auto_lock_minutes, 7);
        let bad = save(dir.path(), &settings(&["ftp://x"], 7)).expect_err("not http");
        assert_eq!(bad.code, ErrorCode::InvalidInput);
        for bad in [
            "http://127.0.0.1:26633http://127.0.0.1:26635",
            "http://",
            "127.0.0.1:26601",
            "http://node.example?x=1",
            "http://user@node.example",
        ] {
            let err = save(dir.path(), &settings(&[bad], 7)).expect_err(bad);
            assert_eq!(err.code, ErrorCode::InvalidInput, "{bad}");
            assert!(err.message.contains(bad), "{}", err.message);
        }
        save(
            dir.path(),
            &settings(&["https://node.example/ledger", "http://[::1]:26601"], 7),
        )
        .expect("URLs with a path and IPv6 hosts are fine");
        assert_eq!(
            save(dir.path(), &settings(&[], 0)).expect_err("0").code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            load(dir.path(), defaults.clone())
                .expect("kept")
                .auto_lock_minutes,
            7
        );
        std::fs::write(dir.path().join(SETTINGS_FILE), b"{").expect("damage");
        assert_eq!(
            load(dir.path(), defaults).expect_err("damaged").code,
            ErrorCode::Storage
        );
    }
}
