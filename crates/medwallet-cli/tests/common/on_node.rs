//! Running a `medwallet` command against one node and reading its JSON answer; a patient
//! wallet made and registered that way.

use std::path::Path;

use serde_json::Value;

use super::common::{json_of, medwallet};

/// `medwallet --wallet WALLET ARGS… --json --node API`, which must succeed.
pub fn run(wallet: &Path, args: &[&str], api: &str) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--json", "--node", api]);
    json_of(medwallet(wallet, &all))
}

/// A new wallet in `wallet`, registered as a patient on the chain of `genesis`: its `init`
/// answer and its share code (for the clinic to issue to).
pub fn registered_patient(
    wallet: &Path,
    genesis: &str,
    api: &str,
) -> (Value, medwallet_crypto::ShareCode) {
    let init = json_of(medwallet(wallet, &["init", "--json"]));
    run(wallet, &["register", "--genesis", genesis], api);
    let code = init["share_code"]
        .as_str()
        .expect("code")
        .parse()
        .expect("code");
    (init, code)
}
