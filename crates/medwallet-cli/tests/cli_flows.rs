//! The `medwallet` binary's key and envelope flows, run as a user would run them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const PASSWORD: &str = "patient password 1";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/fhir/synthea")
        .join(name)
}

fn medwallet(wallet: &Path, password: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .arg("--wallet")
        .arg(wallet)
        .args(args)
        .env("MEDWALLET_PASSWORD", password)
        .output()
        .expect("run medwallet")
}

fn ok_json(out: Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn err_text(out: Output) -> String {
    assert!(
        !out.status.success(),
        "expected failure, got: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn init_shows_keys_once_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wallet = dir.path().join("w");
    let init = ok_json(medwallet(
        &wallet,
        PASSWORD,
        &["init", "--json", "--label", "Alice"],
    ));
    let words = init["mnemonic"].as_str().expect("mnemonic");
    assert_eq!(words.split(' ').count(), 24);
    let address = init["address"].as_str().expect("address");
    assert!(address.starts_with("mdw1"));
    assert!(
        init["share_code"]
            .as_str()
            .expect("code")
            .starts_with("mdwshare1")
    );

    let shown = ok_json(medwallet(&wallet, "", &["address", "--json"]));
    assert_eq!(shown["address"], address);
    assert_eq!(shown["label"], "Alice");
    assert!(
        shown.get("mnemonic").is_none(),
        "the words are shown only at init"
    );

    let before = std::fs::read(wallet.join("keystore.mdw")).expect("keystore");
    assert!(err_text(medwallet(&wallet, PASSWORD, &["init"])).contains("already exists"));
    assert_eq!(
        std::fs::read(wallet.join("keystore.mdw")).expect("keystore"),
        before
    );
}

#[test]
fn restore_from_words_gives_the_same_account_and_bad_words_are_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let init = ok_json(medwallet(
        &dir.path().join("a"),
        PASSWORD,
        &["init", "--json"],
    ));
    let words = dir.path().join("words.txt");
    std::fs::write(&words, init["mnemonic"].as_str().expect("words")).expect("write");
    let restored = ok_json(medwallet(
        &dir.path().join("b"),
        "another password",
        &[
            "restore",
            "--json",
            "--mnemonic-file",
            words.to_str().expect("utf8"),
        ],
    ));
    assert_eq!(restored["address"], init["address"]);
    assert_eq!(restored["share_code"], init["share_code"]);

    std::fs::write(&words, "abandon abandon abandon").expect("write");
    let err = err_text(medwallet(
        &dir.path().join("c"),
        PASSWORD,
        &["restore", "--mnemonic-file", words.to_str().expect("utf8")],
    ));
    assert!(err.contains("24 words"), "{err}");
    assert!(!dir.path().join("c").join("keystore.mdw").exists());
}

#[test]
fn completions_are_written_for_each_shell_and_name_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_medwallet"))
            .args(["completions", shell])
            .output()
            .expect("run");
        assert!(out.status.success());
        let script = String::from_utf8(out.stdout).expect("utf8");
        for command in ["sync", "emergency", "device", "set-guardians"] {
            assert!(script.contains(command), "{shell}: {command} missing");
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .args(["completions", "cmd.exe"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn missing_password_short_password_and_missing_wallet_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wallet = dir.path().join("w");
    let out = Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .args(["--wallet", wallet.to_str().expect("utf8"), "init"])
        .env_remove("MEDWALLET_PASSWORD")
        .output()
        .expect("run");
    assert!(err_text(out).contains("no password"));
    assert!(err_text(medwallet(&wallet, "short", &["init"])).contains("too short"));
    assert!(err_text(medwallet(&wallet, PASSWORD, &["address"])).contains("no wallet"));
}

#[test]
fn a_wallet_open_elsewhere_is_refused_with_a_clear_error_and_works_once_free() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wallet = dir.path().join("w");
    ok_json(medwallet(&wallet, PASSWORD, &["init", "--json"]));
    // The desktop app holds the writer's lock while this wallet is unlocked in it.
    let app = medwallet_store::WalletDir::new(&wallet)
        .lock()
        .expect("the app's lock");
    let refused = err_text(medwallet(&wallet, PASSWORD, &["records"]));
    assert!(refused.contains("open in another Medwallet"), "{refused}");
    drop(app);
    ok_json(medwallet(&wallet, PASSWORD, &["records", "--json"]));
}

#[test]
fn password_change_and_wrong_password_and_damaged_keystore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wallet = dir.path().join("w");
    let init = ok_json(medwallet(&wallet, PASSWORD, &["init", "--json"]));
    let code = init["share_code"].as_str().expect("code").to_owned();

    // Something to unlock with: a record sealed to this wallet.
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, b"hello").expect("write");
    let env_file = dir.path().join("rec.mdwrec");
    let sealed = ok_json(medwallet(
        &wallet,
        "",
        &[
            "envelope",
            "seal",
            "--json",
            "--to",
            &code,
            "--record-id",
            "r1",
            "--in",
            plain.to_str().expect("utf8"),
            "--out",
            env_file.to_str().expect("utf8"),
        ],
    ));
    let wrapped = sealed["wrapped_keys"][0]["wrapped_key"]
        .as_str()
        .expect("key")
        .to_owned();
    let open = |password: &str, out: &str| {
        medwallet(
            &wallet,
            password,
            &[
                "envelope",
                "open",
                "--json",
                "--wrapped-key",
                &wrapped,
                "--record-id",
                "r1",
                "--in",
                env_file.to_str().expect("utf8"),
                "--out",
                dir.path().join(out).to_str().expect("utf8"),
            ],
        )
    };
    assert!(err_text(open("wrong password!", "o1")).contains("wrong password"));

    let new_pw = dir.path().join("new.txt");
    std::fs::write(&new_pw, "a brand new password\n").expect("write");
    ok_json(medwallet(
        &wallet,
        PASSWORD,
        &[
            "passwd",
            "--json",
            "--new-password-file",
            new_pw.to_str().expect("utf8"),
        ],
    ));
    assert!(err_text(open(PASSWORD, "o2")).contains("wrong password"));
    ok_json(open("a brand new password", "o3"));
    assert_eq!(
        std::fs::read(dir.path().join("o3")).expect("read"),
        b"hello"
    );

    let path = wallet.join("keystore.mdw");
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[30] ^= 0xff;
    std::fs::write(&path, &bytes).expect("write");
    assert!(err_text(open("a brand new password", "o4")).contains("damaged"));
    assert_eq!(
        std::fs::read(&path).expect("read"),
        bytes,
        "a damaged keystore is left as it was"
    );
}

#[test]
fn a_synthea_record_sealed_to_a_patient_and_granted_to_a_doctor_opens_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let patient = dir.path().join("patient");
    let doctor = dir.path().join("doctor");
    let p = ok_json(medwallet(&patient, PASSWORD, &["init", "--json"]));
    let d = ok_json(medwallet(&doctor, "doctor password", &["init", "--json"]));
    let bundle = fixture("Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json");
    let env_file = dir.path().join("ned.mdwrec");
    let sealed = ok_json(medwallet(
        &patient,
        "",
        &[
            "envelope",
            "seal",
            "--json",
            "--to",
            p["share_code"].as_str().expect("code"),
            "--record-id",
            "rec-ned",
            "--in",
            bundle.to_str().expect("utf8"),
            "--out",
            env_file.to_str().expect("utf8"),
        ],
    ));
    let for_patient = sealed["wrapped_keys"][0]["wrapped_key"]
        .as_str()
        .expect("key")
        .to_owned();
    assert_eq!(sealed["wrapped_keys"][0]["address"], p["address"]);

    let granted = ok_json(medwallet(
        &patient,
        PASSWORD,
        &[
            "envelope",
            "wrap",
            "--json",
            "--wrapped-key",
            &for_patient,
            "--record-id",
            "rec-ned",
            "--to",
            d["share_code"].as_str().expect("code"),
        ],
    ));
    let for_doctor = granted["wrapped_key"].as_str().expect("key").to_owned();

    let opened = dir.path().join("opened.json");
    ok_json(medwallet(
        &doctor,
        "doctor password",
        &[
            "envelope",
            "open",
            "--json",
            "--wrapped-key",
            &for_doctor,
            "--record-id",
            "rec-ned",
            "--in",
            env_file.to_str().expect("utf8"),
            "--out",
            opened.to_str().expect("utf8"),
        ],
    ));
    assert_eq!(
        std::fs::read(&opened).expect("read"),
        std::fs::read(&bundle).expect("read")
    );

    // The doctor's key does not open another record id, and a tampered envelope never yields output.
    let nothing = dir.path().join("nothing.json");
    let err = err_text(medwallet(
        &doctor,
        "doctor password",
        &[
            "envelope",
            "open",
            "--wrapped-key",
            &for_doctor,
            "--record-id",
            "rec-other",
            "--in",
            env_file.to_str().expect("utf8"),
            "--out",
            nothing.to_str().expect("utf8"),
        ],
    ));
    assert!(err.contains("decryption failed"), "{err}");
    let mut bytes = std::fs::read(&env_file).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&env_file, &bytes).expect("write");
    let err = err_text(medwallet(
        &doctor,
        "doctor password",
        &[
            "envelope",
            "open",
            "--wrapped-key",
            &for_doctor,
            "--record-id",
            "rec-ned",
            "--in",
            env_file.to_str().expect("utf8"),
            "--out",
            nothing.to_str().expect("utf8"),
        ],
    ));
    assert!(err.contains("decryption failed"), "{err}");
    assert!(
        !nothing.exists(),
        "no plaintext is written unless the whole record authenticates"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary plaintext is removed on failure"
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wallet = dir.path().join("w");
    ok_json(medwallet(&wallet, PASSWORD, &["init", "--json"]));
    // `medwallet address | head -0`: the pipe is closed before anything is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .arg("--wallet")
        .arg(&wallet)
        .arg("address")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "no panic on a closed pipe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `medwallet ARGS` under a pseudo-terminal (util-linux `script`), typing `lines` one by one.
fn at_a_terminal(wallet: &std::path::Path, args: &str, lines: &[&str]) -> std::process::Output {
    use std::io::Write;
    let command = format!(
        "{} --wallet {} {args}",
        env!("CARGO_BIN_EXE_medwallet"),
        wallet.display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("MEDWALLET_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux)");
    let mut stdin = child.stdin.take().expect("stdin");
    for line in lines {
        std::thread::sleep(std::time::Duration::from_millis(700));
        writeln!(stdin, "{line}").expect("type");
    }
    std::thread::sleep(std::time::Duration::from_millis(700));
    drop(stdin);
    child.wait_with_output().expect("wait")
}

#[test]
fn at_a_terminal_the_password_is_asked_twice_for_a_new_wallet_without_echo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let typo = dir.path().join("typo");
    let out = at_a_terminal(
        &typo,
        "init",
        &["terminal password 1", "terminal password 2"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("The same password again"), "{text}");
    assert!(text.contains("the two passwords differ"), "{text}");
    assert!(
        !text.contains("terminal password"),
        "the password is not echoed: {text}"
    );
    assert!(!typo.join("keystore.mdw").exists(), "nothing written");

    let wallet = dir.path().join("w");
    let out = at_a_terminal(
        &wallet,
        "init",
        &["terminal password 1", "terminal password 1"],
    );
    assert!(
        wallet.join("keystore.mdw").exists(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The wallet opens with that password (given another way now).
    let renamed = dir.path().join("new-password");
    std::fs::write(&renamed, "terminal password 3\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .args([
            "--wallet",
            wallet.to_str().expect("utf8"),
            "passwd",
            "--new-password-file",
        ])
        .arg(&renamed)
        .env("MEDWALLET_PASSWORD", "terminal password 1")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
