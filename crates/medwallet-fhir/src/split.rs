//! Splitting a history into records a category really selects: every visit (an Encounter and
//! the resources that reference it) becomes one record per category it holds, and the resources
//! of no visit one record per category. Every resource lands in exactly one record; the records
//! of one visit name it ([`VisitRef`]), so a timeline can still show visits.

use std::collections::{BTreeMap, HashMap};

use medledger_types::category::Category;
use serde_json::{Value, json};

use crate::RecordDraft;
use crate::category::category_of;

/// The visit a record was split from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitRef {
    /// The Encounter's reference as the bundle gives it (`fullUrl`, else `Encounter/<id>`).
    pub id: String,
    pub title: String,
}

/// How many names a record's title lists before "and N more".
const TITLE_NAMES: usize = 2;

/// Splits the entries of a validated Bundle.
pub(crate) fn split(bundle: &Value) -> Vec<RecordDraft> {
    let entries: &[Value] = bundle["entry"].as_array().map_or(&[], Vec::as_slice);
    // Each Encounter, and the references that name it.
    let mut visits = Vec::new();
    let mut by_reference: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        let resource = &entry["resource"];
        if resource["resourceType"] != "Encounter" {
            continue;
        }
        let index = visits.len();
        let full_url = entry["fullUrl"].as_str().filter(|u| !u.is_empty());
        let local = resource["id"].as_str().map(|id| format!("Encounter/{id}"));
        for reference in full_url.map(str::to_owned).into_iter().chain(local.clone()) {
            by_reference.entry(reference).or_insert(index);
        }
        let id = full_url
            .map(str::to_owned)
            .or(local)
            .unwrap_or_else(|| format!("#{index}"));
        visits.push((
            VisitRef {
                id,
                title: encounter_title(resource),
            },
            visit_date(resource),
        ));
    }
    // (visit, category) → entries, in bundle order within each group.
    let mut groups: BTreeMap<(usize, Category), Vec<Value>> = BTreeMap::new();
    let mut encounter_seen = 0;
    for entry in entries {
        let resource = &entry["resource"];
        let visit = if resource["resourceType"] == "Encounter" {
            encounter_seen += 1;
            Some(encounter_seen - 1)
        } else {
            first_visit_referenced(resource, &by_reference)
        };
        // Records of no visit sort after every visit.
        let slot = visit.unwrap_or(usize::MAX);
        groups
            .entry((slot, category_of(resource)))
            .or_default()
            .push(entry.clone());
    }
    groups
        .into_iter()
        .map(|((slot, category), group)| {
            let visit = visits.get(slot);
            RecordDraft {
                title: title(category, &group, visit.map(|(v, _)| v)),
                date: visit.and_then(|(_, date)| date.clone()),
                resources: group.len(),
                category,
                visit: visit.map(|(v, _)| v.clone()),
                bytes: serde_json::to_vec(&json!({
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": group,
                }))
                .unwrap_or_default(),
            }
        })
        .collect()
}

/// The first visit any `reference` inside `value` names.
fn first_visit_referenced(value: &Value, visits: &HashMap<String, usize>) -> Option<usize> {
    match value {
        Value::Object(map) => map.iter().find_map(|(k, v)| match (k.as_str(), v) {
            ("reference", Value::String(r)) => visits.get(r).copied(),
            _ => first_visit_referenced(v, visits),
        }),
        Value::Array(items) => items.iter().find_map(|v| first_visit_referenced(v, visits)),
        _ => None,
    }
}

fn encounter_title(resource: &Value) -> String {
    concept_text(&resource["type"][0]).unwrap_or_else(|| "Visit".into())
}

fn visit_date(resource: &Value) -> Option<String> {
    resource["period"]["start"].as_str().map(str::to_owned)
}

fn concept_text(concept: &Value) -> Option<String> {
    concept["text"]
        .as_str()
        .or_else(|| concept["coding"][0]["display"].as_str())
        .filter(|t| !t.trim().is_empty())
        .map(str::to_owned)
}

/// What one resource is called in a title ("Hemoglobin A1c", "Amoxicillin 250 MG").
fn resource_name(resource: &Value) -> String {
    let kind = resource["resourceType"].as_str().unwrap_or("Resource");
    let concept = match kind {
        "MedicationRequest"
        | "MedicationStatement"
        | "MedicationAdministration"
        | "MedicationDispense" => &resource["medicationCodeableConcept"],
        "Immunization" => &resource["vaccineCode"],
        "CarePlan" | "CareTeam" => &resource["category"][0],
        "Claim" | "ExplanationOfBenefit" => &resource["type"],
        "ImagingStudy" => &resource["procedureCode"][0],
        _ => &resource["code"],
    };
    concept_text(concept).unwrap_or_else(|| match kind {
        "Patient" => "Patient details".into(),
        "ExplanationOfBenefit" => "Explanation of benefit".into(),
        "ImagingStudy" => "Imaging study".into(),
        other => other.to_owned(),
    })
}

/// A record's title: the visit for the visit record, else the names of what it holds.
fn title(category: Category, group: &[Value], visit: Option<&VisitRef>) -> String {
    if category == Category::Encounter
        && let Some(visit) = visit
    {
        return visit.title.clone();
    }
    let mut names: Vec<String> = Vec::new();
    for entry in group {
        let name = resource_name(&entry["resource"]);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.len() {
        0 => category.code().into(),
        n if n <= TITLE_NAMES => names.join(", "),
        n => format!(
            "{} and {} more",
            names[..TITLE_NAMES].join(", "),
            n - TITLE_NAMES
        ),
    }
}
