//! Emergency access in FHIR R4: the emergency set a patient prepares (an IPS document with the
//! problems, allergies, medications and advance directives sections, and the patient's
//! emergency contacts on the Patient resource), and each break-glass access as a `Consent`
//! (provision purpose `BTG`, for the 24 hours it lasted) and an `AuditEvent`. Pure: records,
//! contacts, times and ids are passed in.

use serde_json::{Value, json};

use crate::FhirError;
use crate::ips::{self, DocumentKind, SourceRecord, Summary};

const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
/// The IPS sections an emergency department needs first.
const SECTIONS: [&str; 4] = ["problems", "allergies", "medications", "advance-directives"];
/// Longest contact field, in characters.
pub const CONTACT_FIELD_MAX: usize = 80;
/// Most emergency contacts.
pub const CONTACTS_MAX: usize = 5;

/// Someone to call.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmergencyContact {
    pub name: String,
    /// In the patient's words ("sister").
    pub relationship: String,
    pub phone: String,
}

impl EmergencyContact {
    fn check(&self) -> Result<(), FhirError> {
        for (what, value) in [
            ("name", &self.name),
            ("relationship", &self.relationship),
            ("phone", &self.phone),
        ] {
            if value.trim().is_empty() || value.chars().count() > CONTACT_FIELD_MAX {
                return Err(FhirError::Invalid(format!(
                    "an emergency contact's {what} is 1 to {CONTACT_FIELD_MAX} characters"
                )));
            }
        }
        Ok(())
    }

    /// As `Patient.contact`: relationship "C" (emergency contact, HL7 v2 table 0131) and the
    /// patient's own word for it.
    fn to_fhir(&self) -> Value {
        json!({
            "relationship": [{
                "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/v2-0131",
                    "code": "C",
                    "display": "Emergency Contact",
                }],
                "text": self.relationship.trim(),
            }],
            "name": { "text": self.name.trim() },
            "telecom": [{ "system": "phone", "value": self.phone.trim() }],
        })
    }
}

/// The emergency set of `records` at `now` (RFC 3339); `document_id` is a fresh UUID.
pub fn build(
    records: &[SourceRecord<'_>],
    contacts: &[EmergencyContact],
    document_id: &str,
    now: &str,
) -> Result<Summary, FhirError> {
    if contacts.len() > CONTACTS_MAX {
        return Err(FhirError::Invalid(format!(
            "at most {CONTACTS_MAX} emergency contacts"
        )));
    }
    for contact in contacts {
        contact.check()?;
    }
    let contacts: Vec<Value> = contacts.iter().map(EmergencyContact::to_fhir).collect();
    ips::build_document(
        records,
        &DocumentKind {
            title: "Emergency summary",
            sections: &SECTIONS,
            contacts: &contacts,
        },
        document_id,
        now,
    )
}

/// One break-glass access, as the patient's wallet proved it.
#[derive(Clone, Debug)]
pub struct AccessRecord<'a> {
    /// The request's id (hex): the resources' ids derive from it.
    pub request_id: &'a str,
    pub clinician: &'a str,
    pub licence: &'a str,
    pub clinic: &'a str,
    pub reason: &'a str,
    /// When it was asked and when access ended (RFC 3339).
    pub start: &'a str,
    pub end: &'a str,
}

fn btg() -> Value {
    json!({ "system": ACT_REASON, "code": "BTG", "display": "break the glass" })
}

fn clinician(access: &AccessRecord<'_>) -> Value {
    json!({
        "display": format!("{} ({})", access.clinician, access.clinic),
        "identifier": { "value": access.licence },
    })
}

/// The access as a FHIR R4 `Consent`: a permit for the clinician, purpose `BTG`, for the
/// 24 hours it lasted.
pub fn consent(access: &AccessRecord<'_>) -> Value {
    json!({
        "resourceType": "Consent",
        "id": format!("btg-{}", &access.request_id[..access.request_id.len().min(16)]),
        "status": "active",
        "scope": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
            "code": "patient-privacy",
        }]},
        "category": [{ "coding": [{ "system": "http://loinc.org", "code": "59284-0", "display": "Consent Document" }]}],
        "dateTime": access.start,
        "policyRule": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "OPTIN",
        }], "text": "The patient prepared an emergency set for break-glass access" },
        "provision": {
            "type": "permit",
            "period": { "start": access.start, "end": access.end },
            "actor": [{
                "role": { "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                    "code": "IRCP",
                    "display": "information recipient",
                }]},
                "reference": clinician(access),
            }],
            "purpose": [btg()],
        },
    })
}

/// The access as a FHIR R4 `AuditEvent`: who read the emergency set, for what reason, when.
pub fn audit_event(access: &AccessRecord<'_>) -> Value {
    json!({
        "resourceType": "AuditEvent",
        "id": format!("btg-audit-{}", &access.request_id[..access.request_id.len().min(16)]),
        "type": {
            "system": "http://dicom.nema.org/resources/ontology/DCM",
            "code": "110110",
            "display": "Patient Record",
        },
        "action": "R",
        "period": { "start": access.start, "end": access.end },
        "recorded": access.start,
        "outcome": "0",
        "purposeOfEvent": [{ "coding": [btg()], "text": access.reason }],
        "agent": [{
            "who": clinician(access),
            "requestor": true,
            "purposeOfUse": [{ "coding": [btg()] }],
        }],
        "source": { "observer": { "display": "Medwallet ledger (emergency request, proven by the patient's wallet)" } },
        "entity": [{
            "what": { "identifier": { "value": access.request_id } },
            "description": "Emergency set",
        }],
    })
}

/// A `collection` Bundle of every access's Consent and AuditEvent.
pub fn access_bundle(accesses: &[AccessRecord<'_>]) -> Value {
    let entries: Vec<Value> = accesses
        .iter()
        .flat_map(|a| [consent(a), audit_event(a)])
        .map(|resource| {
            json!({
                "fullUrl": format!("urn:medwallet:{}/{}", resource["resourceType"].as_str().unwrap_or_default(), resource["id"].as_str().unwrap_or_default()),
                "resource": resource,
            })
        })
        .collect();
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
      {"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","id":"p","name":[{"family":"Hintz","given":["Ned"]}]}},
      {"fullUrl":"urn:uuid:a","resource":{"resourceType":"AllergyIntolerance","id":"a","patient":{"reference":"urn:uuid:p"},"code":{"text":"Peanut"}}},
      {"fullUrl":"urn:uuid:i","resource":{"resourceType":"Immunization","id":"i","status":"completed","patient":{"reference":"urn:uuid:p"},"vaccineCode":{"text":"Flu"},"occurrenceDateTime":"2020-01-01"}},
      {"fullUrl":"urn:uuid:d","resource":{"resourceType":"Consent","id":"d","status":"active","scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"adr"}]},"category":[{"text":"Living will"}],"policyRule":{"text":"DNR"}}}
    ]}"#;

    fn contact() -> EmergencyContact {
        EmergencyContact {
            name: "Ana Hintz".into(),
            relationship: "sister".into(),
            phone: "+1 555 0100".into(),
        }
    }

    #[test]
    fn the_set_holds_the_emergency_sections_and_the_contacts_and_is_fhir_r4() {
        let records = [SourceRecord {
            record_id: "r1",
            clinic: "Demo Clinic",
            verified_height: 3,
            fhir: RECORD.as_bytes(),
        }];
        let set = build(&records, &[contact()], "d0c", "2026-12-07T10:00:00Z").expect("set");
        let keys: Vec<&str> = set.sections.iter().map(|s| s.key).collect();
        assert_eq!(
            keys,
            ["problems", "allergies", "medications", "advance-directives"]
        );
        let text = set.bundle.to_string();
        assert!(text.contains("Peanut") && text.contains("Ana Hintz") && text.contains("DNR"));
        assert!(
            !text.contains("Flu"),
            "immunizations are not in an emergency set"
        );
        assert_eq!(
            set.bundle["entry"][0]["resource"]["title"],
            "Emergency summary"
        );
        crate::validate(text.as_bytes()).expect("valid FHIR R4");

        let too_long = EmergencyContact {
            phone: "9".repeat(CONTACT_FIELD_MAX + 1),
            ..contact()
        };
        assert!(build(&records, &[too_long], "d0c", "2026-12-07T10:00:00Z").is_err());
        assert!(build(&records, &vec![contact(); CONTACTS_MAX + 1], "d0c", "now").is_err());
    }

    #[test]
    fn an_access_is_a_btg_consent_and_an_audit_event_in_fhir_r4() {
        let access = AccessRecord {
            request_id: "00112233445566778899aabbccddeeff",
            clinician: "Dr. Meredith Grey",
            licence: "MD-1",
            clinic: "Demo Clinic",
            reason: "unconscious after a fall",
            start: "2026-12-07T10:00:00Z",
            end: "2026-12-08T10:00:00Z",
        };
        let bundle = access_bundle(&[access]);
        let text = bundle.to_string();
        crate::validate(text.as_bytes()).expect("valid FHIR R4");
        assert_eq!(
            bundle["entry"][0]["resource"]["provision"]["purpose"][0]["code"],
            "BTG"
        );
        assert_eq!(bundle["entry"][1]["resource"]["resourceType"], "AuditEvent");
        assert!(text.contains("unconscious after a fall") && text.contains("Dr. Meredith Grey"));
    }
}
