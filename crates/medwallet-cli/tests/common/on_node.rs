//! Running a `medwallet` command against one node and reading its JSON answer.

use std::path::Path;

use serde_json::Value;

use super::common::{json_of, medwallet};

/// `medwallet --wallet WALLET ARGS… --json --node API`, which must succeed.
pub fn run(wallet: &Path, args: &[&str], api: &str) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--json", "--node", api]);
    json_of(medwallet(wallet, &all))
}
