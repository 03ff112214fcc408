//! A doctor's wallet registered by the devnet's demo clinic, the way a doctor joins: they sign
//! their consent in their own wallet (`medwallet doctor-consent`), and the clinic registers
//! them with it.

use std::path::Path;

use medledger_devnet::Devnet;
use serde_json::Value;

use super::{json_of, medwallet};

/// Creates the doctor's wallet at `wallet`, has the demo clinic register it as "Dr. Grey"
/// (licence MD-77) with the consent it signed, and returns what `init` printed.
pub fn register_doctor(
    devnet: &Devnet,
    wallet: &Path,
    genesis: &str,
    runtime: &tokio::runtime::Runtime,
) -> Value {
    let d = json_of(medwallet(wallet, &["init", "--json"]));
    let clinic = devnet.clinic.keys().public().address().to_string();
    let consent = json_of(medwallet(
        wallet,
        &[
            "doctor-consent",
            "--json",
            "--genesis",
            genesis,
            "--clinic",
            &clinic,
            "--name",
            "Dr. Grey",
            "--licence",
            "MD-77",
        ],
    ));
    let mut signature = [0u8; 64];
    hex::decode_to_slice(
        consent["consent"].as_str().expect("consent"),
        &mut signature,
    )
    .expect("hex");
    let code = d["share_code"]
        .as_str()
        .expect("code")
        .parse()
        .expect("a share code");
    runtime.block_on(devnet.register_doctor(&code, "Dr. Grey", "MD-77", signature));
    d
}
