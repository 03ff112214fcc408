//! Joining a device with `medwallet device` on a real devnet: the unlocked wallet shows a code,
//! the new device answers it and shows a check code, the person types that on the unlocked
//! device, and the new device holds the same wallet (same address, the same record after a
//! sync). A check code typed wrong sends nothing.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};

use medledger_devnet::{Devnet, fixture};

mod common;
#[path = "common/on_node.rs"]
mod on_node;

use common::{PASSWORD, json_of};
use on_node::{registered_patient, run};

const NEW_PASSWORD: &str = "new device password";

fn spawn(wallet: &Path, password: &str, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .arg("--wallet")
        .arg(wallet)
        .args(args)
        .env("MEDWALLET_PASSWORD", password)
        .env_remove("MEDWALLET_NODES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Reads a child's stderr up to the line starting with `prefix`; returns the rest of that line.
fn line_after(reader: &mut impl BufRead, prefix: &str) -> String {
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).expect("read");
        assert!(n > 0, "ended before {prefix:?}: {seen}");
        if let Some(rest) = line.strip_prefix(prefix) {
            return rest.trim().to_owned();
        }
        seen.push_str(&line);
    }
}

/// A process and its stderr, read as far as a test needed (kept open: the process still
/// writes to it).
type Running = (Child, BufReader<ChildStderr>);

/// The unlocked wallet `old` offers a device code and the new device `new` answers it (with
/// `extra` arguments to `device join`): both processes with their stderr, and the check code
/// the new device shows.
fn offer_and_answer(
    old: &Path,
    new: &Path,
    api: &str,
    genesis: &str,
    extra: &[&str],
) -> (Running, Running, String) {
    let mut adding = spawn(old, PASSWORD, &["device", "add", "--json", "--node", api]);
    let mut adding_err = BufReader::new(adding.stderr.take().expect("stderr"));
    let join_code = line_after(&mut adding_err, "Code: ");
    let mut args = vec!["device", "join", join_code.as_str()];
    args.extend(extra);
    args.extend(["--genesis", genesis, "--node", api]);
    let mut joining = spawn(new, NEW_PASSWORD, &args);
    let mut joining_err = BufReader::new(joining.stderr.take().expect("stderr"));
    let check = line_after(&mut joining_err, "Check code: ");
    ((adding, adding_err), (joining, joining_err), check)
}

#[test]
fn a_new_device_joins_by_the_code_and_a_wrong_check_code_sends_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start(dir.path(), 1);
    let api = devnet.api().to_owned();
    let genesis = devnet.genesis_path();
    let genesis = genesis.to_str().expect("utf8");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    let old = dir.path().join("old");
    let (init, code) = registered_patient(&old, genesis, &api);
    runtime.block_on(devnet.issue(&code, &fixture("allergies_and_medications.json")));
    let before = run(&old, &["sync"], &api);
    assert!(before["new"].as_u64().expect("count") > 0);

    // A check code typed wrong: the unlocked wallet sends nothing, the new device gets nothing.
    let wrong = dir.path().join("wrong");
    let ((mut adding, mut adding_err), (joining, _joining_err), check) =
        offer_and_answer(&old, &wrong, &api, genesis, &["--wait", "5"]);
    let typo = if check == "000 000" {
        "000 001"
    } else {
        "000 000"
    };
    writeln!(adding.stdin.take().expect("stdin"), "{typo}").expect("type");
    let refused = adding.wait_with_output().expect("wait");
    assert!(!refused.status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut adding_err, &mut rest).expect("stderr");
    assert!(rest.contains("not the check code"), "{rest}");
    let timed_out = joining.wait_with_output().expect("wait");
    assert!(!timed_out.status.success(), "nothing arrived");
    assert!(
        !medwallet_store::WalletDir::new(&wrong)
            .keystore_path()
            .exists(),
        "no wallet was written"
    );

    // The real thing: the new device's check code typed on the unlocked one.
    let new = dir.path().join("new");
    let ((mut adding, _adding_err), (joining, _joining_err), check) =
        offer_and_answer(&old, &new, &api, genesis, &["--json"]);
    writeln!(adding.stdin.take().expect("stdin"), "{check}").expect("type");
    let sent = json_of(adding.wait_with_output().expect("wait"));
    assert_eq!(sent["sent"], true);
    let joined = json_of(joining.wait_with_output().expect("wait"));
    assert_eq!(joined["address"], init["address"], "the same wallet");

    // The new device opens under its own password and syncs the same records.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .arg("--wallet")
        .arg(&new)
        .args(["sync", "--json", "--node", &api])
        .env("MEDWALLET_PASSWORD", NEW_PASSWORD)
        .env_remove("MEDWALLET_NODES")
        .output()
        .expect("run");
    let synced = json_of(out);
    assert_eq!(synced["new"], before["new"]);
}
