//! Record categories: what a grant "by category" covers, and the UI's filters.

use crate::codec::{CodecError, Reader, Writer};

/// What kind of health information a record holds (chosen by the issuing clinic from the FHIR
/// resources inside).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Laboratory results (Observation category `laboratory`, lab DiagnosticReports).
    Labs,
    /// Conditions and diagnoses.
    Conditions,
    /// Medication requests and statements.
    Medications,
    /// Immunizations.
    Immunizations,
    /// Procedures.
    Procedures,
    /// Diagnostic reports and imaging.
    Reports,
    /// A whole visit (an Encounter with everything that references it).
    Encounter,
    /// Anything else (care plans, claims, administrative data).
    Other,
}

impl Category {
    /// Every category, in code order.
    pub const ALL: [Category; 8] = [
        Category::Labs,
        Category::Conditions,
        Category::Medications,
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
            Category::Conditions => "conditions",
            Category::Medications => "medications",
            Category::Immunizations => "immunizations",
            Category::Procedures => "procedures",
            Category::Reports => "reports",
            Category::Encounter => "encounter",
            Category::Other => "other",
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
        assert!(Category::read(&mut Reader::new(&[9])).is_err());
    }
}
