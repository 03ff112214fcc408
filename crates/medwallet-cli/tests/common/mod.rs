//! What the ledger-facing CLI tests share: running `medwallet` on a wallet with the test
//! password, and reading its answer.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

pub const PASSWORD: &str = "patient password 1";

/// `medwallet --wallet WALLET ARGS…`, with the password from the environment and no nodes but
/// those passed.
pub fn medwallet(wallet: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .arg("--wallet")
        .arg(wallet)
        .args(args)
        .env("MEDWALLET_PASSWORD", PASSWORD)
        .env_remove("MEDWALLET_NODES")
        .output()
        .expect("run")
}

/// The JSON of a command that must succeed.
pub fn json_of(out: Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}
