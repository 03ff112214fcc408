//! The patient summary: an International Patient Summary document Bundle (HL7 IPS IG, FHIR R4)
//! assembled in the wallet from records it has verified. Pure: the records (already opened),
//! the time and the document's id are passed in.
//!
//! The Composition has the IPS sections: problems, allergies and medications (required: when
//! empty they carry `emptyReason` "unavailable"), then immunizations, results, vital signs,
//! procedures and past problems when there is something to put in them. Each section's
//! narrative names, for every entry, the clinic that issued it and the ledger height at which
//! the wallet verified it; [`Summary::sections`] says the same for the app and the CLI.

use std::collections::BTreeMap;

use medledger_types::category::Category;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::FhirError;

const LOINC: &str = "http://loinc.org";
const EMPTY_REASON: &str = "http://terminology.hl7.org/CodeSystem/list-empty-reason";

/// One verified record, opened, as the summary takes it.
#[derive(Clone, Copy, Debug)]
pub struct SourceRecord<'a> {
    /// The record's id on the ledger (hex).
    pub record_id: &'a str,
    /// Who issued it, in words (the clinic's verified name, else its address).
    pub clinic: &'a str,
    /// The height of the header its proof was checked against.
    pub verified_height: u64,
    /// The FHIR R4 JSON, as issued.
    pub fhir: &'a [u8],
}

/// Where a summary entry came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryEntry {
    /// The entry's `fullUrl` in the summary Bundle.
    pub full_url: String,
    pub record_id: String,
    pub clinic: String,
    pub verified_height: u64,
}

/// One section of the summary, as the app lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummarySection {
    /// `problems`, `allergies`, `medications`, `immunizations`, `results`, `vital-signs`,
    /// `procedures` or `past-problems`.
    pub key: &'static str,
    pub title: &'static str,
    pub loinc: &'static str,
    pub entries: Vec<SummaryEntry>,
}

/// The summary: the IPS Bundle, and its sections with each entry's provenance.
#[derive(Clone, Debug)]
pub struct Summary {
    pub bundle: Value,
    pub sections: Vec<SummarySection>,
}

struct SectionSpec {
    key: &'static str,
    title: &'static str,
    loinc: &'static str,
    display: &'static str,
    required: bool,
}

const SECTIONS: [SectionSpec; 9] = [
    SectionSpec {
        key: "problems",
        title: "Problems",
        loinc: "11450-4",
        display: "Problem list - Reported",
        required: true,
    },
    SectionSpec {
        key: "allergies",
        title: "Allergies and intolerances",
        loinc: "48765-2",
        display: "Allergies and adverse reactions Document",
        required: true,
    },
    SectionSpec {
        key: "medications",
        title: "Medications",
        loinc: "10160-0",
        display: "History of Medication use Narrative",
        required: true,
    },
    SectionSpec {
        key: "immunizations",
        title: "Immunizations",
        loinc: "11369-6",
        display: "History of Immunization Narrative",
        required: false,
    },
    SectionSpec {
        key: "results",
        title: "Results",
        loinc: "30954-2",
        display: "Relevant diagnostic tests/laboratory data Narrative",
        required: false,
    },
    SectionSpec {
        key: "vital-signs",
        title: "Vital signs",
        loinc: "8716-3",
        display: "Vital signs",
        required: false,
    },
    SectionSpec {
        key: "procedures",
        title: "Procedures",
        loinc: "47519-4",
        display: "History of Procedures Document",
        required: false,
    },
    SectionSpec {
        key: "past-problems",
        title: "Past problems",
        loinc: "11348-0",
        display: "History of Past illness Narrative",
        required: false,
    },
    SectionSpec {
        key: "advance-directives",
        title: "Advance directives",
        loinc: "42348-3",
        display: "Advance directives",
        required: false,
    },
];

/// What a document built from the records is: its title and which sections it takes.
pub(crate) struct DocumentKind<'a> {
    pub title: &'a str,
    /// Section keys (of the IPS's), in the order they appear in the IPS.
    pub sections: &'a [&'a str],
    /// Contacts added to the Patient resource (`Patient.contact`, FHIR R4).
    pub contacts: &'a [Value],
}

/// A resource found in the records, with where it came from.
struct Found<'a> {
    full_url: String,
    resource: Value,
    source: &'a SourceRecord<'a>,
}

/// Builds the summary of `records` at `now` (RFC 3339); `document_id` is a fresh UUID.
pub fn build(
    records: &[SourceRecord<'_>],
    document_id: &str,
    now: &str,
) -> Result<Summary, FhirError> {
    let every: Vec<&str> = SECTIONS.iter().map(|s| s.key).collect();
    build_document(
        records,
        &DocumentKind {
            title: "International Patient Summary",
            sections: &every,
            contacts: &[],
        },
        document_id,
        now,
    )
}

/// Builds an IPS document of `kind` from `records`.
pub(crate) fn build_document(
    records: &[SourceRecord<'_>],
    kind: &DocumentKind<'_>,
    document_id: &str,
    now: &str,
) -> Result<Summary, FhirError> {
    let found = collect(records)?;
    let mut sections = Vec::new();
    let mut section_json = Vec::new();
    let mut included: BTreeMap<String, &Value> = BTreeMap::new();
    for spec in SECTIONS.iter().filter(|s| kind.sections.contains(&s.key)) {
        let picked = pick(spec.key, &found);
        if picked.is_empty() && !spec.required {
            continue;
        }
        for f in &picked {
            included.insert(f.full_url.clone(), &f.resource);
        }
        section_json.push(section(spec, &picked));
        sections.push(SummarySection {
            key: spec.key,
            title: spec.title,
            loinc: spec.loinc,
            entries: picked
                .iter()
                .map(|f| SummaryEntry {
                    full_url: f.full_url.clone(),
                    record_id: f.source.record_id.to_owned(),
                    clinic: f.source.clinic.to_owned(),
                    verified_height: f.source.verified_height,
                })
                .collect(),
        });
    }
    let mut patient = found
        .iter()
        .find(|f| f.resource["resourceType"] == "Patient")
        .map(|f| (f.full_url.clone(), f.resource.clone()))
        .unwrap_or_else(|| {
            (
                format!("urn:uuid:{}", derived_uuid(document_id, 1)),
                json!({ "resourceType": "Patient", "id": derived_uuid(document_id, 1) }),
            )
        });
    if !kind.contacts.is_empty() {
        patient.1["contact"] = Value::Array(kind.contacts.to_vec());
    }
    let composition_url = format!("urn:uuid:{}", derived_uuid(document_id, 0));
    let composition = json!({
        "resourceType": "Composition",
        "id": derived_uuid(document_id, 0),
        "meta": { "profile": ["http://hl7.org/fhir/uv/ips/StructureDefinition/Composition-uv-ips"] },
        "status": "final",
        "type": { "coding": [{ "system": LOINC, "code": "60591-5", "display": "Patient summary Document" }] },
        "subject": { "reference": patient.0 },
        "date": now,
        "author": [{ "reference": patient.0 }],
        "title": kind.title,
        "section": section_json,
    });
    let mut entries = vec![
        json!({ "fullUrl": composition_url, "resource": composition }),
        json!({ "fullUrl": patient.0, "resource": patient.1 }),
    ];
    entries.extend(
        included
            .into_iter()
            .filter(|(url, _)| *url != patient.0)
            .map(|(url, resource)| json!({ "fullUrl": url, "resource": resource })),
    );
    let bundle = json!({
        "resourceType": "Bundle",
        "id": document_id,
        "meta": { "profile": ["http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips"] },
        "identifier": { "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{document_id}") },
        "type": "document",
        "timestamp": now,
        "entry": entries,
    });
    Ok(Summary { bundle, sections })
}

/// Every resource in the records, once each (by `fullUrl`, else type and id), in record order.
fn collect<'a>(records: &'a [SourceRecord<'a>]) -> Result<Vec<Found<'a>>, FhirError> {
    let mut out: Vec<Found<'a>> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for source in records {
        let value: Value = serde_json::from_slice(source.fhir)
            .map_err(|e| FhirError::Invalid(format!("record {}: {e}", source.record_id)))?;
        let entries: Vec<(Option<String>, Value)> = match value["entry"].as_array() {
            Some(entries) if value["resourceType"] == "Bundle" => entries
                .iter()
                .map(|e| {
                    (
                        e["fullUrl"].as_str().map(str::to_owned),
                        e["resource"].clone(),
                    )
                })
                .collect(),
            _ => vec![(None, value)],
        };
        for (index, (full_url, resource)) in entries.into_iter().enumerate() {
            if !resource.is_object() {
                continue;
            }
            let full_url = full_url.unwrap_or_else(|| {
                format!("urn:uuid:{}", derived_uuid(source.record_id, index + 2))
            });
            let identity = match (resource["resourceType"].as_str(), resource["id"].as_str()) {
                (Some(t), Some(id)) => format!("{t}/{id}"),
                _ => full_url.clone(),
            };
            if seen.insert(identity) {
                out.push(Found {
                    full_url,
                    resource,
                    source,
                });
            }
        }
    }
    Ok(out)
}

fn entered_in_error(resource: &Value, status: &str) -> bool {
    resource[status]["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["code"] == "entered-in-error")
}

/// The resources a section holds.
fn pick<'a, 'b>(key: &str, found: &'b [Found<'a>]) -> Vec<&'b Found<'a>> {
    let of_type = |types: &[&str]| {
        found
            .iter()
            .filter(|f| {
                types.contains(&f.resource["resourceType"].as_str().unwrap_or_default())
                    && !entered_in_error(&f.resource, "verificationStatus")
                    && f.resource["status"] != "entered-in-error"
            })
            .collect::<Vec<_>>()
    };
    let clinical = |f: &Found<'_>| {
        f.resource["clinicalStatus"]["coding"][0]["code"]
            .as_str()
            .map(str::to_owned)
    };
    let current = |f: &&Found<'_>| {
        matches!(
            clinical(f).as_deref(),
            None | Some("active" | "recurrence" | "relapse")
        )
    };
    let category = |f: &&Found<'_>, c: Category| crate::category_of(&f.resource) == c;
    match key {
        "problems" => of_type(&["Condition"])
            .into_iter()
            .filter(current)
            .collect(),
        "past-problems" => of_type(&["Condition"])
            .into_iter()
            .filter(|f| !current(f))
            .collect(),
        "allergies" => of_type(&["AllergyIntolerance"]),
        "medications" => of_type(&["MedicationStatement", "MedicationRequest"])
            .into_iter()
            .filter(|f| {
                matches!(
                    f.resource["status"].as_str(),
                    Some("active" | "on-hold" | "intended")
                )
            })
            .collect(),
        "immunizations" => of_type(&["Immunization"]),
        "results" => latest_per_code(
            of_type(&["Observation"])
                .into_iter()
                .filter(|f| category(f, Category::Labs))
                .collect(),
        ),
        "vital-signs" => latest_per_code(
            of_type(&["Observation"])
                .into_iter()
                .filter(|f| category(f, Category::VitalSigns))
                .collect(),
        ),
        "procedures" => latest_per_code(of_type(&["Procedure"])),
        "advance-directives" => of_type(&["Consent", "DocumentReference"])
            .into_iter()
            .filter(|f| advance_directive(&f.resource))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a Consent or DocumentReference is an advance directive: a Consent whose scope is
/// `adr` (FHIR R4 consent-scope) or a document typed LOINC 42348-3.
fn advance_directive(resource: &Value) -> bool {
    let codes = |v: &Value| -> Vec<String> {
        v["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["code"].as_str().map(str::to_owned))
            .collect()
    };
    match resource["resourceType"].as_str() {
        Some("Consent") => codes(&resource["scope"]).iter().any(|c| c == "adr"),
        Some("DocumentReference") => codes(&resource["type"]).iter().any(|c| c == "42348-3"),
        _ => false,
    }
}

/// When a resource happened (ISO 8601 strings compare in time order).
fn when(resource: &Value) -> Option<&str> {
    [
        &resource["effectiveDateTime"],
        &resource["effectivePeriod"]["start"],
        &resource["performedDateTime"],
        &resource["performedPeriod"]["start"],
        &resource["occurrenceDateTime"],
        &resource["onsetDateTime"],
        &resource["authoredOn"],
        &resource["recordedDate"],
        &resource["issued"],
    ]
    .into_iter()
    .find_map(Value::as_str)
}

/// The newest resource for each code (a summary shows the latest HbA1c, not all twelve).
fn latest_per_code<'a, 'b>(found: Vec<&'b Found<'a>>) -> Vec<&'b Found<'a>> {
    let mut latest: BTreeMap<String, &'b Found<'a>> = BTreeMap::new();
    for f in found {
        let coding = &f.resource["code"]["coding"][0];
        let key = format!(
            "{}|{}",
            coding["system"].as_str().unwrap_or_default(),
            coding["code"].as_str().unwrap_or(&f.full_url)
        );
        match latest.get(&key) {
            Some(kept) if when(&kept.resource) >= when(&f.resource) => {}
            _ => {
                latest.insert(key, f);
            }
        }
    }
    let mut out: Vec<_> = latest.into_values().collect();
    out.sort_by(|a, b| when(&b.resource).cmp(&when(&a.resource)));
    out
}

/// What a resource is, in words, for the narrative.
fn name_of(resource: &Value) -> String {
    let concept = match resource["resourceType"].as_str().unwrap_or_default() {
        "MedicationRequest" | "MedicationStatement" => &resource["medicationCodeableConcept"],
        "Immunization" => &resource["vaccineCode"],
        _ => &resource["code"],
    };
    let text = concept["text"]
        .as_str()
        .or_else(|| concept["coding"][0]["display"].as_str())
        .unwrap_or("(unnamed)");
    match (
        &resource["valueQuantity"]["value"],
        resource["valueQuantity"]["unit"].as_str(),
    ) {
        (Value::Number(v), unit) => format!("{text}: {v} {}", unit.unwrap_or_default()),
        _ => text.to_owned(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn section(spec: &SectionSpec, picked: &[&Found<'_>]) -> Value {
    let code =
        json!({ "coding": [{ "system": LOINC, "code": spec.loinc, "display": spec.display }] });
    if picked.is_empty() {
        return json!({
            "title": spec.title,
            "code": code,
            "text": {
                "status": "generated",
                "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">No information available in this wallet's verified records.</div>",
            },
            "emptyReason": { "coding": [{ "system": EMPTY_REASON, "code": "unavailable", "display": "Unavailable" }] },
        });
    }
    let rows: String = picked
        .iter()
        .map(|f| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&name_of(&f.resource)),
                escape(when(&f.resource).unwrap_or("")),
                escape(f.source.clinic),
                f.source.verified_height
            )
        })
        .collect();
    json!({
        "title": spec.title,
        "code": code,
        "text": {
            "status": "generated",
            "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\"><table><thead><tr><th>Item</th><th>Date</th><th>Issued by</th><th>Verified at ledger height</th></tr></thead><tbody>{rows}</tbody></table></div>"),
        },
        "entry": picked.iter().map(|f| json!({ "reference": f.full_url })).collect::<Vec<_>>(),
    })
}

/// The summary as one HTML page to print: each section's narrative under its title.
pub fn printable_html(summary: &Summary) -> String {
    let composition = &summary.bundle["entry"][0]["resource"];
    let patient = &summary.bundle["entry"][1]["resource"];
    let name = patient["name"][0]["text"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            let n = &patient["name"][0];
            let given: Vec<&str> = n["given"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            n["family"]
                .as_str()
                .map(|family| format!("{} {family}", given.join(" ")).trim().to_owned())
        })
        .unwrap_or_else(|| "Patient".into());
    let mut html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Patient summary: {name}</title>\
         <style>body{{font:14px/1.4 system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse;width:100%}}\
         td,th{{border:1px solid #ccc;padding:4px 6px;text-align:left}}h2{{margin-top:1.5rem}}</style></head><body>\
         <h1>International Patient Summary</h1><p>{name}{birth} · generated {date} from records verified on the ledger</p>",
        name = escape(&name),
        birth = patient["birthDate"]
            .as_str()
            .map(|b| format!(", born {}", escape(b)))
            .unwrap_or_default(),
        date = escape(composition["date"].as_str().unwrap_or_default()),
    );
    for section in composition["section"].as_array().into_iter().flatten() {
        html.push_str(&format!(
            "<section><h2>{}</h2>{}</section>",
            escape(section["title"].as_str().unwrap_or_default()),
            // The narrative is ours (built above from escaped text).
            section["text"]["div"].as_str().unwrap_or_default()
        ));
    }
    html.push_str("</body></html>\n");
    html
}

/// A name-based UUID (RFC 9562 layout, version 8) for item `n` under `seed`: stable, so one
/// input gives one document, and distinct for distinct (seed, n).
fn derived_uuid(seed: &str, n: usize) -> String {
    let digest = Sha256::new()
        .chain_update(b"medwallet/ips-uuid/v1\0")
        .chain_update(seed.as_bytes())
        .chain_update((n as u64).to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests;
