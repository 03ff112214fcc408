//! Which category a FHIR R4 resource belongs to: by resource type, and for Observations and
//! DiagnosticReports by their own `category` codings (HL7 `observation-category`, v2 table 0074
//! diagnostic service sections). Everything a category grant or link selects follows from this.

use medledger_types::category::Category;
use serde_json::Value;

/// The category of one resource.
pub fn category_of(resource: &Value) -> Category {
    match resource["resourceType"].as_str().unwrap_or_default() {
        "Observation" => observation_category(resource),
        "DiagnosticReport" => {
            if has_code(resource, &["LAB", "laboratory", "HM", "CH", "MB", "SP"]) {
                Category::Labs
            } else {
                Category::Reports
            }
        }
        "Condition" => Category::Conditions,
        "MedicationRequest"
        | "MedicationStatement"
        | "MedicationAdministration"
        | "MedicationDispense"
        | "Medication" => Category::Medications,
        "AllergyIntolerance" => Category::Allergies,
        "Immunization" | "ImmunizationRecommendation" => Category::Immunizations,
        "Procedure" => Category::Procedures,
        "ImagingStudy" | "DocumentReference" | "Media" => Category::Reports,
        "Encounter" => Category::Encounter,
        _ => Category::Other,
    }
}

fn observation_category(resource: &Value) -> Category {
    if has_code(resource, &["laboratory"]) {
        Category::Labs
    } else if has_code(resource, &["vital-signs", "vital-sign"]) {
        Category::VitalSigns
    } else if has_code(resource, &["imaging", "procedure"]) {
        Category::Reports
    } else {
        // survey, social-history, exam, therapy, activity, or none given.
        Category::Other
    }
}

/// Whether any `category[].coding[].code` of the resource is one of `codes`.
fn has_code(resource: &Value, codes: &[&str]) -> bool {
    resource["category"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["coding"].as_array().into_iter().flatten())
        .any(|coding| coding["code"].as_str().is_some_and(|c| codes.contains(&c)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn observation(code: &str) -> Value {
        json!({"resourceType": "Observation", "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": code}]}]})
    }

    #[test]
    fn observations_go_by_their_own_category() {
        assert_eq!(category_of(&observation("laboratory")), Category::Labs);
        assert_eq!(
            category_of(&observation("vital-signs")),
            Category::VitalSigns
        );
        assert_eq!(category_of(&observation("imaging")), Category::Reports);
        assert_eq!(category_of(&observation("survey")), Category::Other);
        assert_eq!(
            category_of(&json!({"resourceType": "Observation"})),
            Category::Other
        );
    }

    #[test]
    fn other_resources_go_by_their_type() {
        let of = |t: &str| category_of(&json!({ "resourceType": t }));
        assert_eq!(of("AllergyIntolerance"), Category::Allergies);
        assert_eq!(of("MedicationRequest"), Category::Medications);
        assert_eq!(of("Condition"), Category::Conditions);
        assert_eq!(of("Immunization"), Category::Immunizations);
        assert_eq!(of("Procedure"), Category::Procedures);
        assert_eq!(of("ImagingStudy"), Category::Reports);
        assert_eq!(of("DiagnosticReport"), Category::Reports);
        assert_eq!(of("Encounter"), Category::Encounter);
        assert_eq!(of("Claim"), Category::Other);
        assert_eq!(of("CarePlan"), Category::Other);
        let lab_report = json!({"resourceType": "DiagnosticReport", "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"}]}]});
        assert_eq!(category_of(&lab_report), Category::Labs);
    }
}
