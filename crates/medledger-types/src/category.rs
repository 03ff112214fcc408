//! Record categories: what a grant or a link "by category" covers, and the UI's filters.
//!
//! A record holds one category of one visit (the issuer splits visits by category), so a
//! category selects exactly what it names. The category lives in the record's encrypted
//! metadata, never in its public ledger entry, and in a grant's sealed terms ([`crate::grant`]).

use crate::codec::{CodecError, Reader, Writer};

/// What kind of health information a record holds (chosen by the issuing clinic from the FHIR
/// resources inside).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Laboratory results (Observation category `laboratory`, lab DiagnosticReports).
    Labs,
    /// Vital signs (Observation category `vital-signs`: blood pressure, weight, heart rate…).
    VitalSigns,
    /// Conditions and diagnoses.
    Conditions,
    /// Medication requests, statements, administrations and dispenses.
    Medications,
    /// Allergies and intolerances (AllergyIntolerance).
    Allergies,
    /// Immunizations.
    Immunizations,
    /// Procedures.
    Procedures,
    /// Diagnostic reports and imaging.
    Reports,
    /// The visit itself (the Encounter resource: when, where, with whom, why).
    Encounter,
    /// Anything else (care plans, claims, administrative data).
    Other,
}

impl Category {
    /// Every category, in the order people see them.
    pub const ALL: [Category; 10] = [
        Category::Labs,
        Category::VitalSigns,
        Category::Conditions,
        Category::Medications,
        Category::Allergies,
        Category::Immunizations,
        Category::Procedures,
        Category::Reports,
        Category::Encounter,
        Category::Other,
    ];

    /// The code used on the command line and in the API.
    pub const fn code(self) -> &'static str {
        match self {
            Category::Labs => "labs",
            Category::VitalSigns => "vital-signs",
            Category::Conditions => "conditions",
            Category::Medications => "medications",
            Category::Allergies => "allergies",
            Category::Immunizations => "immunizations",
            Category::Procedures => "procedures",
            Category::Reports => "reports",
            Category::Encounter => "encounter",
            Category::Other => "other",
        }
    }

    /// The name people read.
    pub const fn label(self) -> &'static str {
        match self {
            Category::Labs => "Labs",
            Category::VitalSigns => "Vital signs",
            Category::Conditions => "Conditions",
            Category::Medications => "Medications",
            Category::Allergies => "Allergies",
            Category::Immunizations => "Immunizations",
            Category::Procedures => "Procedures",
            Category::Reports => "Reports and imaging",
            Category::Encounter => "Visits",
            Category::Other => "Other",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    const fn tag(self) -> u8 {
        match self {
            Category::Labs => 1,
            Category::Conditions => 2,
            Category::Medications => 3,
            Category::Immunizations => 4,
            Category::Procedures => 5,
            Category::Reports => 6,
            Category::Encounter => 7,
            Category::Other => 8,
            Category::Allergies => 9,
            Category::VitalSigns => 10,
        }
    }

    pub(crate) fn write(self, w: &mut Writer) {
        w.u8(self.tag());
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let tag = r.u8("category")?;
        Self::ALL
            .into_iter()
            .find(|c| c.tag() == tag)
            .ok_or(CodecError::UnknownTag {
                field: "category",
                tag,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_tags_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(c));
            let mut w = Writer::new();
            c.write(&mut w);
            assert_eq!(Category::read(&mut Reader::new(&w.finish())), Ok(c));
        }
        assert_eq!(Category::from_code("x-rays"), None);
        assert!(Category::read(&mut Reader::new(&[0])).is_err());
        assert!(Category::read(&mut Reader::new(&[11])).is_err());
    }
}
