use super::*;
use crate::{records_from, validate};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/fhir")
            .join(name),
    )
    .expect("fixture")
}

/// A history as the wallet holds it: split into records, each from a clinic at a height.
fn records(histories: &[&[u8]]) -> Vec<(String, Vec<u8>)> {
    histories
        .iter()
        .flat_map(|h| records_from(h, true).expect("split"))
        .enumerate()
        .map(|(i, r)| (format!("{i:064x}"), r.bytes))
        .collect()
}

fn sources(records: &[(String, Vec<u8>)]) -> Vec<SourceRecord<'_>> {
    records
        .iter()
        .enumerate()
        .map(|(i, (id, fhir))| SourceRecord {
            record_id: id,
            clinic: if i % 2 == 0 {
                "Riverside Clinic"
            } else {
                "St Mary"
            },
            verified_height: 100 + i as u64,
            fhir,
        })
        .collect()
}

const NOW: &str = "2026-12-03T10:00:00Z";
const ID: &str = "3f1b6c1e-2d5a-4c77-9a0e-5a1f0e2b7c11";

fn section<'a>(bundle: &'a Value, loinc: &str) -> Option<&'a Value> {
    bundle["entry"][0]["resource"]["section"]
        .as_array()?
        .iter()
        .find(|s| s["code"]["coding"][0]["code"] == loinc)
}

#[test]
fn the_summary_is_a_valid_ips_document_with_the_required_sections() {
    let held = records(&[
        &fixture("Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json"),
        &fixture("allergies_and_medications.json"),
    ]);
    let summary = build(&sources(&held), ID, NOW).expect("summary");
    let bytes = serde_json::to_vec(&summary.bundle).expect("json");
    validate(&bytes).expect("the summary is valid FHIR R4");
    let b = &summary.bundle;
    assert_eq!(b["type"], "document");
    assert_eq!(b["timestamp"], NOW);
    let composition = &b["entry"][0]["resource"];
    assert_eq!(composition["resourceType"], "Composition");
    assert_eq!(composition["type"]["coding"][0]["code"], "60591-5");
    assert_eq!(b["entry"][1]["resource"]["resourceType"], "Patient");
    for required in ["11450-4", "48765-2", "10160-0"] {
        assert!(section(b, required).is_some(), "section {required}");
    }
    // Every section entry resolves inside the bundle.
    let urls: Vec<&str> = b["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["fullUrl"].as_str())
        .collect();
    for s in composition["section"].as_array().expect("sections") {
        for e in s["entry"].as_array().into_iter().flatten() {
            assert!(urls.contains(&e["reference"].as_str().expect("ref")), "{e}");
        }
    }
    let allergies = section(b, "48765-2").expect("allergies");
    assert_eq!(allergies["entry"].as_array().map(Vec::len), Some(2));
    let narrative = allergies["text"]["div"].as_str().expect("narrative");
    assert!(narrative.contains("Penicillin") && narrative.contains("Verified at ledger height"));
    let listed = summary
        .sections
        .iter()
        .find(|s| s.key == "allergies")
        .expect("listed");
    assert!(
        listed
            .entries
            .iter()
            .all(|e| e.verified_height >= 100 && !e.clinic.is_empty())
    );
    // Results are the newest of each test, not every measurement.
    let results = section(b, "30954-2").expect("Ned has lab results");
    let codes: Vec<_> = results["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["reference"].as_str().expect("ref"))
        .collect();
    assert!(!codes.is_empty());
}

#[test]
fn a_required_section_with_nothing_in_it_says_why_and_an_optional_one_is_left_out() {
    let held = records(&[&fixture("allergies_and_medications.json")]);
    let summary = build(&sources(&held), ID, NOW).expect("summary");
    validate(&serde_json::to_vec(&summary.bundle).expect("json")).expect("valid R4");
    let problems = section(&summary.bundle, "11450-4").expect("problems is required");
    assert_eq!(problems["emptyReason"]["coding"][0]["code"], "unavailable");
    assert!(problems.get("entry").is_none());
    assert!(
        section(&summary.bundle, "11369-6").is_none(),
        "no immunizations, no section"
    );
    let meds = section(&summary.bundle, "10160-0").expect("meds");
    assert_eq!(meds["entry"].as_array().map(Vec::len), Some(1));
}

#[test]
fn every_shared_synthea_patient_gives_a_valid_summary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/fhir/synthea");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut seen = 0;
    for path in entries.map(|e| e.expect("entry").path()) {
        let history = std::fs::read(&path).expect("read");
        let held = records(&[&history]);
        let summary = build(&sources(&held), ID, NOW).expect("summary");
        validate(&serde_json::to_vec(&summary.bundle).expect("json"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(section(&summary.bundle, "11450-4").is_some());
        seen += 1;
    }
    assert!(seen >= 7, "expected the seven shared patients");
}

#[test]
fn the_same_records_give_the_same_document_and_bad_json_is_refused() {
    let held = records(&[&fixture("allergies_and_medications.json")]);
    let a = build(&sources(&held), ID, NOW).expect("a").bundle;
    let b = build(&sources(&held), ID, NOW).expect("b").bundle;
    assert_eq!(a, b);
    let bad = [SourceRecord {
        record_id: "00",
        clinic: "c",
        verified_height: 1,
        fhir: b"not json",
    }];
    assert!(build(&bad, ID, NOW).is_err());
}

#[test]
fn the_printable_page_has_every_section_and_escapes_what_records_say() {
    let mut history: Value =
        serde_json::from_slice(&fixture("allergies_and_medications.json")).expect("json");
    history["entry"][1]["resource"]["code"]["text"] = json!("<script>alert(1)</script>");
    let bytes = serde_json::to_vec(&history).expect("json");
    let held = records(&[&bytes]);
    let summary = build(&sources(&held), ID, NOW).expect("summary");
    let html = printable_html(&summary);
    assert!(html.contains("Adaeze Okafor") && html.contains("born 1984-06-12"));
    for title in ["Problems", "Allergies and intolerances", "Medications"] {
        assert!(html.contains(&format!("<h2>{title}</h2>")), "{title}");
    }
    assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
}
