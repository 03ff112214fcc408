//! "My summary" from the wallet's verified records.

use super::*;

#[test]
fn the_summary_holds_the_verified_allergies_and_medications_and_names_their_clinic() {
    let mut w = world();
    w.issue_history("allergies_and_medications.json");
    let summary = block_on(w.patient.summary(&w.ledger, &mut w.rng)).expect("summary");
    medwallet_fhir::validate(&serde_json::to_vec(&summary.bundle).expect("json"))
        .expect("valid FHIR R4");
    let allergies = summary
        .sections
        .iter()
        .find(|s| s.key == "allergies")
        .expect("allergies");
    assert_eq!(allergies.entries.len(), 2);
    let heights: Vec<u64> = w
        .patient
        .records()
        .iter()
        .map(|r| r.verified_height)
        .collect();
    for entry in &allergies.entries {
        assert_eq!(entry.clinic, "Memory Clinic", "its verified name");
        assert!(heights.contains(&entry.verified_height) && entry.verified_height > 0);
        assert!(
            w.patient.record(&entry.record_id).is_ok(),
            "it names a verified record"
        );
    }
    let problems = summary
        .sections
        .iter()
        .find(|s| s.key == "problems")
        .expect("problems is required even when empty");
    assert!(problems.entries.is_empty());
    assert_eq!(
        summary.bundle["identifier"]["value"]
            .as_str()
            .map(|v| v.starts_with("urn:uuid:")),
        Some(true)
    );
}

#[test]
fn a_wallet_with_no_records_gets_a_summary_that_says_each_required_section_is_empty() {
    let w = world();
    let summary =
        block_on(w.patient.summary(&w.ledger, &mut StdRng::seed_from_u64(1))).expect("summary");
    let keys: Vec<_> = summary.sections.iter().map(|s| s.key).collect();
    assert_eq!(keys, ["problems", "allergies", "medications"]);
    assert!(summary.sections.iter().all(|s| s.entries.is_empty()));
}
