//! SMART Health Links end to end against a real node: `medwallet link create`, then the link
//! opened by `medwallet link open` and by a receiver that is not Medwallet's code (Python,
//! jwcrypto + requests, `tests/interop/shl_receiver.py`), wrong passcodes counted down, every
//! opening in the patient's `link list`, a long-term link renewed by sync, and revocation.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use medledger_devnet::{Devnet, fixture};
use serde_json::Value;

const PASSWORD: &str = "patient password 1";

fn medwallet(wallet: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .arg("--wallet")
        .arg(wallet)
        .args(args)
        .env("MEDWALLET_PASSWORD", PASSWORD)
        .env_remove("MEDWALLET_NODES")
        .output()
        .expect("run")
}

fn json_of(out: Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn stderr_of(out: Output) -> String {
    assert!(!out.status.success(), "expected a refusal");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The resource types in each file of an opened link.
fn types(opened: &Value) -> Vec<String> {
    let mut out: Vec<String> = opened["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["entry"].as_array().cloned().unwrap_or_default())
        .map(|e| {
            e["resource"]["resourceType"]
                .as_str()
                .expect("type")
                .to_owned()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The Python receiver, if this machine has it (`make test` provides it and requires it).
fn python() -> Option<PathBuf> {
    match std::env::var_os("MEDWALLET_INTEROP_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            eprintln!(
                "MEDWALLET_INTEROP_PYTHON is not set: the Python receiver is skipped (make test runs it)"
            );
            None
        }
    }
}

fn python_receiver(python: &Path, link: &str, extra: &[&str]) -> (bool, Value) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/shl_receiver.py");
    let out = Command::new(python)
        .arg(script)
        .arg(link)
        .args(["--recipient", "Python receiver"])
        .args(extra)
        .output()
        .expect("python runs");
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "the receiver printed no JSON: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), value)
}

const LAB: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:enc-lab","resource":{"resourceType":"Encounter","id":"enc-lab","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"type":[{"text":"Lab visit"}],"period":{"start":"2026-11-01T10:00:00Z"}}},
 {"fullUrl":"urn:uuid:obs-lab","resource":{"resourceType":"Observation","id":"obs-lab","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"text":"Hemoglobin A1c"},"encounter":{"reference":"urn:uuid:enc-lab"},"valueQuantity":{"value":6.1,"unit":"%"}}}
]}"#;

#[test]
fn a_link_opens_for_anyone_with_its_passcode_is_logged_renewed_and_revoked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start(dir.path(), 1);
    let api = devnet.api().to_owned();
    let genesis = devnet.genesis_path();
    let genesis = genesis.to_str().expect("utf8");
    let patient = dir.path().join("patient");
    let p = json_of(medwallet(&patient, &["init", "--json"]));
    json_of(medwallet(
        &patient,
        &["register", "--json", "--node", &api, "--genesis", genesis],
    ));
    let code = p["share_code"]
        .as_str()
        .expect("code")
        .parse()
        .expect("code");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(devnet.issue(&code, &fixture("allergies_and_medications.json")));
    json_of(medwallet(&patient, &["sync", "--json", "--node", &api]));

    // Allergies and medications, behind a passcode with three attempts.
    let created = json_of(medwallet(
        &patient,
        &[
            "link",
            "create",
            "--json",
            "--node",
            &api,
            "--category",
            "allergies,medications",
            "--label",
            "Allergies & meds",
            "--passcode",
            "4321",
            "--attempts",
            "3",
        ],
    ));
    let link = created["link"].as_str().expect("link").to_owned();
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(link.starts_with("shlink:/"));
    assert!(
        created["viewer_url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{api}/viewer#shlink:/")))
    );

    let open = |extra: &[&str]| {
        let mut args = vec!["link", "open", &link, "--json", "--as", "St Mary ED"];
        args.extend_from_slice(extra);
        medwallet(&patient, &args)
    };
    assert!(stderr_of(open(&[])).contains("needs a passcode"));
    assert!(stderr_of(open(&["--passcode", "0000"])).contains("2 attempts left"));
    let opened = json_of(open(&["--passcode", "4321"]));
    assert_eq!(opened["label"], "Allergies & meds");
    assert_eq!(
        types(&opened),
        ["AllergyIntolerance", "MedicationStatement"],
        "allergies and medications alone"
    );

    // A receiver that is not Medwallet's code, per the spec, with files by location.
    if let Some(python) = python() {
        let (ok, wrong) = python_receiver(&python, &link, &["--passcode", "9999"]);
        assert!(!ok);
        assert_eq!(wrong["error"], "passcode");
        assert_eq!(wrong["remainingAttempts"], 1);
        let (ok, theirs) = python_receiver(
            &python,
            &link,
            &["--passcode", "4321", "--embedded-length-max", "0"],
        );
        assert!(ok, "{theirs}");
        assert_eq!(
            theirs["files"], opened["files"],
            "the same FHIR, byte for byte"
        );
    }

    // Every attempt is in the patient's log, by name, from the ledger.
    let list = json_of(medwallet(
        &patient,
        &["link", "list", "--json", "--node", &api],
    ));
    let view = list
        .as_array()
        .expect("list")
        .iter()
        .find(|l| l["id"] == id.as_str())
        .expect("listed");
    assert_eq!(view["status"], "active");
    assert_eq!(view["label"], "Allergies & meds");
    assert_eq!(view["link"], link.as_str());
    let log: Vec<(String, String)> = view["accesses"]
        .as_array()
        .expect("accesses")
        .iter()
        .map(|a| {
            (
                a["outcome"].as_str().expect("outcome").to_owned(),
                a["recipient"].as_str().expect("recipient").to_owned(),
            )
        })
        .collect();
    let mut expected = vec![
        ("wrong-passcode".to_owned(), "St Mary ED".to_owned()),
        ("opened".to_owned(), "St Mary ED".to_owned()),
    ];
    if python().is_some() {
        expected.push(("wrong-passcode".into(), "Python receiver".into()));
        expected.push(("opened".into(), "Python receiver".into()));
    }
    assert_eq!(log, expected);

    // Revoked: no node serves it, to either receiver.
    json_of(medwallet(
        &patient,
        &["link", "revoke", &id, "--json", "--node", &api],
    ));
    assert!(stderr_of(open(&["--passcode", "4321"])).contains("no longer valid"));
    if let Some(python) = python() {
        let (ok, gone) = python_receiver(&python, &link, &["--passcode", "4321"]);
        assert!(!ok);
        assert_eq!(gone["error"], "not-active");
    }

    // A long-term labs link made before any lab: a later lab joins it at the next sync.
    let long = json_of(medwallet(
        &patient,
        &[
            "link",
            "create",
            "--json",
            "--node",
            &api,
            "--category",
            "labs",
            "--long-term",
        ],
    ));
    let long_link = long["link"].as_str().expect("link").to_owned();
    let before = json_of(medwallet(&patient, &["link", "open", &long_link, "--json"]));
    assert_eq!(types(&before), Vec::<String>::new());
    runtime.block_on(devnet.issue(&code, LAB.as_bytes()));
    let synced = json_of(medwallet(&patient, &["sync", "--json", "--node", &api]));
    assert_eq!(synced["links_renewed"], 1);
    let after = json_of(medwallet(&patient, &["link", "open", &long_link, "--json"]));
    assert_eq!(types(&after), ["Observation"], "the lab, and not its visit");
}
