//! Emergency access with `medwallet` on a real 4-validator devnet: the patient prepares an
//! emergency set (allergies, medications, an emergency contact); a registered doctor asks for
//! it by the code on the patient's card and opens it once a quorum of the validators (3 of 4)
//! released their shares; another patient (the patient's sister) is refused; the patient sees
//! the access with the doctor's name, clinic and reason, and exports it as FHIR Consent (BTG)
//! and AuditEvent; the sister, the patient's guardian, sees the same red entry.

use medledger_devnet::{Devnet, fixture};

mod common;
#[path = "common/doctor.rs"]
mod doctor;
#[path = "common/on_node.rs"]
mod on_node;

use common::{json_of, medwallet};
use doctor::register_doctor;
use on_node::{registered_patient, run};

#[test]
fn a_doctor_opens_the_emergency_set_from_a_quorum_and_the_patient_sees_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start(dir.path(), 4);
    let api = devnet.api().to_owned();
    let genesis = devnet.genesis_path();
    let genesis = genesis.to_str().expect("utf8");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    let patient = dir.path().join("patient");
    let (init, code) = registered_patient(&patient, genesis, &api);
    runtime.block_on(devnet.issue(&code, &fixture("allergies_and_medications.json")));
    let set = run(
        &patient,
        &[
            "emergency",
            "set",
            "--contact",
            "Ana Hintz;sister;+1 555 0100",
        ],
        &api,
    );
    assert_eq!(
        (set["threshold"].as_u64(), set["validators"].as_u64()),
        (Some(3), Some(4))
    );
    let card = set["code"].as_str().expect("code").to_owned();
    assert_ne!(
        card,
        init["address"].as_str().expect("address"),
        "an account of its own, not the one the clinic issues to"
    );

    // Another patient is no clinician: refused before anything is signed.
    let sister = dir.path().join("sister");
    json_of(medwallet(&sister, &["init", "--json"]));
    run(&sister, &["register", "--genesis", genesis], &api);
    let refused = medwallet(
        &sister,
        &[
            "emergency",
            "request",
            "--patient",
            &card,
            "--reason",
            "curious",
            "--node",
            &api,
        ],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not a registered doctor"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // She is the patient's guardian (named after the set: the watch key is the phrase's).
    let made = run(&sister, &["share-code", "--for", "Ned"], &api);
    let sister_code = made["share_code"].as_str().expect("code").to_owned();
    run(
        &patient,
        &[
            "set-guardians",
            "--threshold",
            "1",
            "--delay",
            "3s",
            "--name",
            "Ned, your brother",
            &sister_code,
        ],
        &api,
    );

    let doctor = dir.path().join("doctor");
    register_doctor(&devnet, &doctor, genesis, &runtime);
    let request = run(
        &doctor,
        &[
            "emergency",
            "request",
            "--genesis",
            genesis,
            "--patient",
            &card,
            "--reason",
            "unconscious after a fall, ED",
        ],
        &api,
    );
    let id = request["request"].as_str().expect("id").to_owned();
    let out = dir.path().join("emergency.json");
    let opened = run(
        &doctor,
        &[
            "emergency",
            "open",
            &id,
            "--wait",
            "90",
            "--out",
            out.to_str().expect("utf8"),
        ],
        &api,
    );
    assert!(opened["request"]["released"].as_u64().expect("released") >= 3);
    let bundle = std::fs::read_to_string(&out).expect("written");
    assert!(bundle.contains("AllergyIntolerance") && bundle.contains("Ana Hintz"));
    assert!(bundle.contains("Emergency summary"));

    // The patient's red entry, and the same as FHIR.
    let fhir = dir.path().join("accesses.json");
    let log = run(
        &patient,
        &["emergency", "log", "--fhir", fhir.to_str().expect("utf8")],
        &api,
    );
    let entry = &log[0];
    assert_eq!(entry["clinician"], "Dr. Grey");
    assert_eq!(entry["clinic"], medledger_devnet::CLINIC_NAME);
    assert_eq!(entry["reason"], "unconscious after a fall, ED");
    assert_eq!(entry["opened"], true);
    let exported = std::fs::read(&fhir).expect("exported");
    medwallet_fhir::validate(&exported).expect("valid FHIR R4");
    let text = String::from_utf8(exported).expect("utf8");
    assert!(text.contains("\"BTG\"") && text.contains("AuditEvent"));

    // The guardian's wallet shows the same entry, reason and all.
    let held = run(&sister, &["guarding"], &api);
    let watched = &held[0]["emergency_accesses"][0];
    assert_eq!(held[0]["label"], "Ned, your brother");
    assert_eq!(watched["request"], id.as_str());
    assert_eq!(watched["clinician"], "Dr. Grey");
    assert_eq!(watched["reason"], "unconscious after a fall, ED");
}
