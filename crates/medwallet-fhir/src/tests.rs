use std::collections::BTreeSet;

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/fhir")
            .join(name),
    )
    .expect("fixture")
}

fn ned() -> Vec<u8> {
    fixture("Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json")
}

/// Every fixture the tests split: the shared Synthea patients, plus the repo's own.
fn histories() -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        ("Ned Hintz".to_owned(), ned()),
        (
            "allergies".to_owned(),
            fixture("allergies_and_medications.json"),
        ),
    ];
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/fhir/synthea");
    if let Ok(entries) = std::fs::read_dir(&shared) {
        for path in entries.map(|e| e.expect("entry").path()) {
            out.push((
                path.display().to_string(),
                std::fs::read(&path).expect("read"),
            ));
        }
    }
    out
}

/// Each entry's identity in the source bundle (its fullUrl, else its serialized form).
fn entry_ids(bundle: &Value) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    e["fullUrl"]
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| e.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_history_splits_so_each_resource_lands_in_exactly_one_valid_record_of_its_category() {
    let mut patients = 0;
    for (name, bytes) in histories() {
        let source: Value = serde_json::from_slice(&bytes).expect("json");
        let records = records_from(&bytes, true).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut seen = Vec::new();
        for r in &records {
            validate(&r.bytes).unwrap_or_else(|e| panic!("{name}: {} is not R4: {e}", r.title));
            let bundle: Value = serde_json::from_slice(&r.bytes).expect("json");
            for entry in bundle["entry"].as_array().expect("entries") {
                assert_eq!(
                    category_of(&entry["resource"]),
                    r.category,
                    "{name}: a {} in a {} record",
                    entry["resource"]["resourceType"],
                    r.category.code()
                );
            }
            assert_eq!(r.resources, bundle["entry"].as_array().map_or(0, Vec::len));
            assert!(!r.title.is_empty(), "{name}: every record has a title");
            seen.extend(entry_ids(&bundle));
        }
        let mut expected = entry_ids(&source);
        expected.sort();
        seen.sort();
        assert_eq!(seen, expected, "{name}: each resource exactly once");
        // One record per (visit, category): no two records share both.
        let keys: BTreeSet<_> = records
            .iter()
            .map(|r| (r.visit.as_ref().map(|v| v.id.clone()), r.category))
            .collect();
        assert_eq!(keys.len(), records.len(), "{name}");
        patients += 1;
    }
    assert!(
        patients >= 9,
        "the seven shared Synthea patients and the repo's two"
    );
}

#[test]
fn a_visits_records_name_it_and_a_lab_record_holds_only_labs() {
    let records = records_from(&ned(), true).expect("split");
    let visit = records
        .iter()
        .find(|r| r.category == Category::Encounter)
        .expect("a visit");
    let id = visit
        .visit
        .as_ref()
        .expect("the visit names itself")
        .id
        .clone();
    let same_visit: Vec<_> = records
        .iter()
        .filter(|r| r.visit.as_ref().is_some_and(|v| v.id == id))
        .collect();
    assert!(same_visit.len() > 1, "a visit becomes several records");
    assert!(
        same_visit
            .iter()
            .all(|r| r.date == visit.date && visit.date.is_some())
    );
    let labs = records
        .iter()
        .find(|r| r.category == Category::Labs)
        .expect("Ned has lab results");
    let bundle: Value = serde_json::from_slice(&labs.bytes).expect("json");
    for entry in bundle["entry"].as_array().expect("entries") {
        let r = &entry["resource"];
        assert!(
            r["resourceType"] == "DiagnosticReport"
                || r["category"][0]["coding"][0]["code"] == "laboratory",
            "{r}"
        );
    }
    let categories: BTreeSet<_> = records.iter().map(|r| r.category).collect();
    for expected in [
        Category::Labs,
        Category::VitalSigns,
        Category::Immunizations,
        Category::Encounter,
        Category::Conditions,
        Category::Other,
    ] {
        assert!(categories.contains(&expected), "{}", expected.code());
    }
}

#[test]
fn allergies_are_their_own_record_with_a_title_naming_them() {
    let records = records_from(&fixture("allergies_and_medications.json"), true).expect("split");
    let allergies = records
        .iter()
        .find(|r| r.category == Category::Allergies)
        .expect("allergies");
    assert_eq!(allergies.resources, 2);
    assert_eq!(allergies.title, "Penicillin, Peanuts");
    assert!(allergies.visit.is_none());
    assert!(
        records
            .iter()
            .any(|r| r.category == Category::Medications && r.title.contains("Amlodipine"))
    );
}

#[test]
fn whole_documents_are_issued_byte_for_byte_under_their_one_category() {
    let bytes = ned();
    let records = records_from(&bytes, false).expect("whole");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].bytes, bytes);
    assert_eq!(records[0].category, Category::Other);
    let allergy = br#"{"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/1"}}"#;
    assert_eq!(
        records_from(allergy, false).expect("one")[0].category,
        Category::Allergies
    );
}

#[test]
fn invalid_fhir_is_refused_with_the_reason() {
    let unknown =
        validate(br#"{"resourceType":"Patient","bogusField":1}"#).expect_err("unknown field");
    assert!(unknown.to_string().contains("bogusField"), "{unknown}");
    let missing =
        validate(br#"{"resourceType":"Observation","status":"final"}"#).expect_err("missing code");
    assert!(missing.to_string().contains("code"), "{missing}");
    assert!(validate(b"not json").is_err());
    assert!(matches!(
        records_from(br#"{"resourceType":"Patient","id":"x"}"#, true),
        Err(FhirError::NotABundle)
    ));
}
