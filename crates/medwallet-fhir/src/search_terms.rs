//! What a person searches their records for: the names of tests, conditions, medications,
//! allergies, procedures, vaccines and visits in a record, as the record writes them
//! (`code.text`, else each coding's `display`). Reads the JSON directly, like [`crate::observations`]:
//! the record was validated when it was issued.

use serde_json::Value;

/// What kind of thing a term names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TermKind {
    Test,
    Condition,
    Medication,
    Allergy,
    Procedure,
    Vaccine,
    Report,
    Visit,
}

impl TermKind {
    /// A word for people ("test", "condition", …).
    pub fn label(self) -> &'static str {
        match self {
            TermKind::Test => "test",
            TermKind::Condition => "condition",
            TermKind::Medication => "medication",
            TermKind::Allergy => "allergy",
            TermKind::Procedure => "procedure",
            TermKind::Vaccine => "vaccine",
            TermKind::Report => "report",
            TermKind::Visit => "visit",
        }
    }
}

/// One name in a record.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Term {
    pub kind: TermKind,
    pub text: String,
}

/// The names in `fhir` (a Bundle or one resource), each once. Malformed JSON gives none.
pub fn search_terms(fhir: &[u8]) -> Vec<Term> {
    let mut out = Vec::new();
    crate::observations::for_each_resource(fhir, |r| terms_of(r, &mut out));
    out.sort();
    out.dedup();
    out
}

fn terms_of(resource: &Value, out: &mut Vec<Term>) {
    let (kind, concept) = match resource["resourceType"].as_str() {
        Some("Observation") => (TermKind::Test, &resource["code"]),
        Some("Condition") => (TermKind::Condition, &resource["code"]),
        Some("MedicationRequest" | "MedicationStatement" | "MedicationAdministration") => {
            (TermKind::Medication, &resource["medicationCodeableConcept"])
        }
        Some("Medication") => (TermKind::Medication, &resource["code"]),
        Some("AllergyIntolerance") => (TermKind::Allergy, &resource["code"]),
        Some("Procedure") => (TermKind::Procedure, &resource["code"]),
        Some("Immunization") => (TermKind::Vaccine, &resource["vaccineCode"]),
        Some("DiagnosticReport") => (TermKind::Report, &resource["code"]),
        Some("Encounter") => (TermKind::Visit, &resource["type"][0]),
        _ => return,
    };
    names(concept, kind, out);
    // Blood pressure's systolic and diastolic, a panel's parts.
    for component in resource["component"].as_array().into_iter().flatten() {
        names(&component["code"], kind, out);
    }
}

/// A CodeableConcept's text, else its codings' displays.
fn names(concept: &Value, kind: TermKind, out: &mut Vec<Term>) {
    let mut push = |text: &str| {
        let text = text.trim();
        if !text.is_empty() {
            out.push(Term {
                kind,
                text: text.to_owned(),
            });
        }
    };
    match concept["text"].as_str() {
        Some(text) => push(text),
        None => {
            for coding in concept["coding"].as_array().into_iter().flatten() {
                if let Some(display) = coding["display"].as_str() {
                    push(display);
                }
            }
        }
    }
}

/// Whether `text` contains `query`, ignoring case (Unicode lowercase) and surrounding spaces.
pub fn matches(text: &str, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    !query.is_empty() && text.to_lowercase().contains(&query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_conditions_medications_and_visits_are_named_once_each() {
        let bundle = serde_json::json!({
            "resourceType": "Bundle",
            "entry": [
                { "resource": { "resourceType": "Encounter", "type": [{ "text": "General examination" }] } },
                { "resource": { "resourceType": "Observation", "code": { "coding": [{ "display": "Hemoglobin A1c" }] } } },
                { "resource": { "resourceType": "Observation", "code": { "text": "Blood pressure" },
                    "component": [{ "code": { "coding": [{ "display": "Systolic blood pressure" }] } }] } },
                { "resource": { "resourceType": "Condition", "code": { "text": "Prediabetes" } } },
                { "resource": { "resourceType": "Condition", "code": { "text": "Prediabetes" } } },
                { "resource": { "resourceType": "MedicationRequest", "medicationCodeableConcept": { "text": "Metformin 500 MG" } } },
                { "resource": { "resourceType": "Immunization", "vaccineCode": { "text": "Influenza, seasonal" } } },
                { "resource": { "resourceType": "Patient", "name": [{ "text": "Not a term" }] } }
            ]
        });
        let terms = search_terms(bundle.to_string().as_bytes());
        let text = |k: TermKind| -> Vec<&str> {
            terms
                .iter()
                .filter(|t| t.kind == k)
                .map(|t| t.text.as_str())
                .collect()
        };
        assert_eq!(text(TermKind::Condition), ["Prediabetes"]);
        assert_eq!(text(TermKind::Medication), ["Metformin 500 MG"]);
        assert_eq!(
            text(TermKind::Test),
            [
                "Blood pressure",
                "Hemoglobin A1c",
                "Systolic blood pressure"
            ]
        );
        assert_eq!(text(TermKind::Vaccine), ["Influenza, seasonal"]);
        assert_eq!(text(TermKind::Visit), ["General examination"]);
        assert!(!terms.iter().any(|t| t.text == "Not a term"));
        assert!(search_terms(b"{not json").is_empty());
    }

    #[test]
    fn matching_ignores_case_and_needs_a_query() {
        assert!(matches("Hemoglobin A1c", "a1C"));
        assert!(matches("Ödem", "öd"));
        assert!(!matches("Hemoglobin", "  "));
        assert!(!matches("Hemoglobin", "glucose"));
    }
}
