//! SMART Health Links end to end against a real node: `medwallet link create`, then the link
//! opened by `medwallet link open` and by a receiver that is not Medwallet's code (Python,
//! jwcrypto + requests, `tests/interop/shl_receiver.py`), wrong passcodes counted down, every
//! opening in the patient's `link list`, a long-term link renewed by sync, and revocation. And
//! the export: every record with its proofs, checked offline by `medwallet verify-export`
//! against the genesis alone, and refused once anything in it is altered.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use medledger_devnet::{Devnet, fixture};
use serde_json::Value;

mod common;

use common::{json_of, medwallet};

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

/// A patient on a fresh one-validator devnet, registered, holding what the clinic issued of
/// `histories`, synced.
struct Patient {
    dir: tempfile::TempDir,
    devnet: Devnet,
    api: String,
    genesis: String,
    wallet: PathBuf,
    code: medwallet_crypto::ShareCode,
    runtime: tokio::runtime::Runtime,
}

impl Patient {
    fn new(histories: &[&[u8]]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let devnet = Devnet::start(dir.path(), 1);
        let api = devnet.api().to_owned();
        let genesis = devnet.genesis_path().to_str().expect("utf8").to_owned();
        let wallet = dir.path().join("patient");
        let p = json_of(medwallet(&wallet, &["init", "--json"]));
        json_of(medwallet(
            &wallet,
            &["register", "--json", "--node", &api, "--genesis", &genesis],
        ));
        let code = p["share_code"]
            .as_str()
            .expect("code")
            .parse()
            .expect("code");
        let patient = Self {
            dir,
            devnet,
            api,
            genesis,
            wallet,
            code,
            runtime: tokio::runtime::Runtime::new().expect("runtime"),
        };
        for history in histories {
            patient.issue(history);
        }
        patient.sync();
        patient
    }

    fn issue(&self, fhir: &[u8]) {
        self.runtime.block_on(self.devnet.issue(&self.code, fhir));
    }

    fn sync(&self) -> Value {
        json_of(medwallet(
            &self.wallet,
            &["sync", "--json", "--node", &self.api],
        ))
    }
}

#[test]
fn a_link_opens_for_anyone_with_its_passcode_is_logged_renewed_and_revoked() {
    let p = Patient::new(&[&fixture("allergies_and_medications.json")]);
    let (api, patient) = (p.api.clone(), p.wallet.clone());

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
    p.issue(LAB.as_bytes());
    let synced = p.sync();
    assert_eq!(synced["links_renewed"], 1);
    let after = json_of(medwallet(&patient, &["link", "open", &long_link, "--json"]));
    assert_eq!(types(&after), ["Observation"], "the lab, and not its visit");
}

/// Rewrites `name` inside the zip at `path` with `edit` applied.
fn tamper(path: &Path, name: &str, edit: impl Fn(Vec<u8>) -> Vec<u8>, to: &Path) {
    use std::io::{Read, Write};
    let mut input = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    let mut output = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    for i in 0..input.len() {
        let mut file = input.by_index(i).expect("entry");
        let entry = file.name().expect("name").into_owned();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("read");
        if entry == name {
            bytes = edit(bytes);
        }
        output
            .start_file(entry, zip::write::SimpleFileOptions::default())
            .expect("start");
        output.write_all(&bytes).expect("write");
    }
    output.finish().expect("finish");
}

#[test]
fn an_export_verifies_offline_against_the_genesis_and_nothing_altered_passes() {
    let p = Patient::new(&[&fixture("allergies_and_medications.json"), LAB.as_bytes()]);
    let (api, patient, genesis) = (p.api.clone(), p.wallet.clone(), p.genesis.as_str());
    let dir = &p.dir;
    let records = json_of(medwallet(&patient, &["records", "--json"]));
    let count = records.as_array().expect("records").len();

    let export = dir.path().join("export.zip");
    json_of(medwallet(
        &patient,
        &[
            "export",
            "--json",
            "--node",
            &api,
            "--out",
            export.to_str().expect("utf8"),
        ],
    ));
    // Anyone: no wallet of theirs, no node, only the genesis.
    let stranger = dir.path().join("nobody");
    let check = |file: &Path, genesis: &str| {
        medwallet(
            &stranger,
            &[
                "verify-export",
                file.to_str().expect("utf8"),
                "--json",
                "--genesis",
                genesis,
            ],
        )
    };
    let verified = json_of(check(&export, genesis));
    assert_eq!(verified["verified"], true);
    assert_eq!(verified["records"], count);

    // Each record's FHIR is byte for byte what the clinic issued.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&export).expect("open")).expect("zip");
    let first = records[0]["id"].as_str().expect("id");
    let mut fhir = Vec::new();
    std::io::Read::read_to_end(
        &mut zip
            .by_name(&format!("records/{first}.json"))
            .expect("record"),
        &mut fhir,
    )
    .expect("read");
    let shown = dir.path().join("shown.json");
    assert!(
        medwallet(
            &patient,
            &[
                "show",
                first,
                "--node",
                &api,
                "--out",
                shown.to_str().expect("utf8")
            ]
        )
        .status
        .success()
    );
    assert_eq!(fhir, std::fs::read(&shown).expect("shown"));

    // Altered FHIR, an altered proof, another chain's genesis: each refused, by name.
    let altered = dir.path().join("altered.zip");
    tamper(
        &export,
        &format!("records/{first}.json"),
        |mut b| {
            b.push(b' ');
            b
        },
        &altered,
    );
    assert!(
        stderr_of(check(&altered, genesis)).contains("the FHIR is not what the ciphertext holds")
    );
    let unproven = dir.path().join("unproven.zip");
    tamper(
        &export,
        "manifest.json",
        |b| {
            let mut m: Value = serde_json::from_slice(&b).expect("manifest");
            let entry = m["records"][0]["entry"].as_str().expect("entry").to_owned();
            let flipped = if entry.ends_with('0') { "1" } else { "0" };
            m["records"][0]["entry"] =
                Value::from(format!("{}{flipped}", &entry[..entry.len() - 1]));
            serde_json::to_vec(&m).expect("json")
        },
        &unproven,
    );
    assert!(stderr_of(check(&unproven, genesis)).contains("not proven at the header"));
    let other = Devnet::start(&dir.path().join("other"), 1);
    let other_genesis = other.genesis_path();
    assert!(
        stderr_of(check(&export, other_genesis.to_str().expect("utf8"))).contains("is of chain")
    );
}
