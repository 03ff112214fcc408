//! Numeric observations (lab values, vital signs) pulled out of a record, for charting a test's
//! values over time. Reads the JSON directly: the record was validated when it was issued, and a
//! chart only needs the code, the quantity, the reference range and the date.

use serde_json::Value;

/// One measured value.
#[derive(Clone, Debug, PartialEq)]
pub struct NumericObservation {
    /// `system|code` of the first coding (LOINC for Synthea), or the text when uncoded.
    pub code: String,
    pub display: String,
    pub value: f64,
    /// The unit as written for people (`unit`), else its code.
    pub unit: Option<String>,
    /// The UCUM code, when the quantity is coded in UCUM (`system` `http://unitsofmeasure.org`).
    pub ucum: Option<String>,
    /// The reference range, in the value's unit (a bound in another UCUM unit is converted;
    /// one that cannot be is left out).
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// `effectiveDateTime` (or the start of `effectivePeriod`), as written.
    pub date: String,
}

/// Every numeric value in `fhir` (a Bundle or one resource): each Observation's
/// `valueQuantity`, and each component's (blood pressure's systolic and diastolic). Malformed
/// JSON gives no values.
pub fn numeric_observations(fhir: &[u8]) -> Vec<NumericObservation> {
    let mut out = Vec::new();
    for_each_resource(fhir, |r| observation(r, &mut out));
    out
}

/// Calls `each` on every resource of `fhir`: a Bundle's entries, or the one resource.
/// Malformed JSON has none.
pub(crate) fn for_each_resource(fhir: &[u8], mut each: impl FnMut(&Value)) {
    let Ok(root) = serde_json::from_slice::<Value>(fhir) else {
        return;
    };
    match root["resourceType"].as_str() {
        Some("Bundle") => {
            for entry in root["entry"].as_array().into_iter().flatten() {
                each(&entry["resource"]);
            }
        }
        _ => each(&root),
    }
}

fn observation(resource: &Value, out: &mut Vec<NumericObservation>) {
    if resource["resourceType"] != "Observation" {
        return;
    }
    let date = resource["effectiveDateTime"]
        .as_str()
        .or_else(|| resource["effectivePeriod"]["start"].as_str())
        .or_else(|| resource["issued"].as_str());
    let Some(date) = date else { return };
    let range = &resource["referenceRange"][0];
    if let Some(v) = measured(resource, date, range) {
        out.push(v);
    }
    for component in resource["component"].as_array().into_iter().flatten() {
        if let Some(v) = measured(component, date, &component["referenceRange"][0]) {
            out.push(v);
        }
    }
}

fn measured(item: &Value, date: &str, range: &Value) -> Option<NumericObservation> {
    let quantity = &item["valueQuantity"];
    let value = quantity["value"].as_f64()?;
    let coding = &item["code"]["coding"][0];
    let code = match (coding["system"].as_str(), coding["code"].as_str()) {
        (Some(system), Some(code)) => format!("{system}|{code}"),
        (None, Some(code)) => code.to_owned(),
        _ => item["code"]["text"].as_str()?.to_owned(),
    };
    let display = item["code"]["text"]
        .as_str()
        .or_else(|| coding["display"].as_str())
        .unwrap_or(&code)
        .to_owned();
    let ucum = ucum_code(quantity);
    let bound = |b: &Value| -> Option<f64> {
        let v = b["value"].as_f64()?;
        match (ucum_code(b), &ucum) {
            (Some(from), Some(to)) if from != *to => octofhir_ucum::convert(v, &from, to).ok(),
            _ => Some(v),
        }
    };
    Some(NumericObservation {
        code,
        display,
        value,
        unit: quantity["unit"]
            .as_str()
            .or_else(|| quantity["code"].as_str())
            .map(str::to_owned),
        low: bound(&range["low"]),
        high: bound(&range["high"]),
        ucum,
        date: date.to_owned(),
    })
}

/// The system of UCUM codes.
const UCUM: &str = "http://unitsofmeasure.org";

/// A quantity's UCUM code, if it is coded in UCUM.
fn ucum_code(quantity: &Value) -> Option<String> {
    (quantity["system"].as_str() == Some(UCUM))
        .then(|| quantity["code"].as_str().map(str::to_owned))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_components_are_read_with_ranges_and_dates() {
        let bundle = serde_json::json!({
            "resourceType": "Bundle",
            "entry": [
                { "resource": {
                    "resourceType": "Observation",
                    "code": { "coding": [{ "system": "http://loinc.org", "code": "2339-0", "display": "Glucose" }], "text": "Glucose" },
                    "effectiveDateTime": "2020-01-02T10:00:00Z",
                    "valueQuantity": { "value": 94.5, "unit": "mg/dL" },
                    "referenceRange": [{ "low": { "value": 70 }, "high": { "value": 99 } }]
                }},
                { "resource": {
                    "resourceType": "Observation",
                    "code": { "coding": [{ "system": "http://loinc.org", "code": "85354-9" }], "text": "Blood pressure" },
                    "effectivePeriod": { "start": "2020-01-02" },
                    "component": [
                        { "code": { "coding": [{ "system": "http://loinc.org", "code": "8480-6", "display": "Systolic" }] }, "valueQuantity": { "value": 120, "code": "mm[Hg]" } },
                        { "code": { "coding": [{ "system": "http://loinc.org", "code": "8462-4", "display": "Diastolic" }] }, "valueQuantity": { "value": 80, "code": "mm[Hg]" } }
                    ]
                }},
                { "resource": { "resourceType": "Observation", "code": { "text": "Smoking" }, "effectiveDateTime": "2020", "valueCodeableConcept": { "text": "Never" } } },
                { "resource": { "resourceType": "Condition", "code": { "text": "Flu" } } }
            ]
        });
        let values = numeric_observations(bundle.to_string().as_bytes());
        assert_eq!(values.len(), 3, "{values:?}");
        assert_eq!(values[0].code, "http://loinc.org|2339-0");
        assert_eq!(values[0].display, "Glucose");
        assert_eq!((values[0].low, values[0].high), (Some(70.0), Some(99.0)));
        assert_eq!(values[0].unit.as_deref(), Some("mg/dL"));
        assert_eq!(values[1].display, "Systolic");
        assert_eq!(values[1].unit.as_deref(), Some("mm[Hg]"));
        assert_eq!(values[2].value, 80.0);
        assert_eq!(values[2].date, "2020-01-02");
    }

    #[test]
    fn malformed_or_dateless_input_gives_nothing() {
        assert!(numeric_observations(b"{not json").is_empty());
        let undated = serde_json::json!({ "resourceType": "Observation", "code": { "text": "x" }, "valueQuantity": { "value": 1 } });
        assert!(numeric_observations(undated.to_string().as_bytes()).is_empty());
    }

    #[test]
    fn a_synthea_history_has_charts_worth_of_values() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/fhir/Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json");
        let values = numeric_observations(&std::fs::read(path).expect("fixture"));
        assert!(
            values.len() >= 30,
            "only {} numeric observations",
            values.len()
        );
        let mut codes: Vec<&str> = values.iter().map(|v| v.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert!(
            codes
                .iter()
                .any(|c| values.iter().filter(|v| v.code == *c).count() >= 3),
            "some test is measured at several visits"
        );
    }
}
