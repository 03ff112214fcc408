//! A grant's terms: what the patient chose to share, in words only the grantee and the patient
//! read. The ledger sees a grant's [`Scope`](crate::tx::Scope) (the listed record ids, whose keys
//! it must admit, or "open": records issued later may be added) and nothing more: whether an
//! open grant covers one category or everything, the label the patient gave themselves, and the
//! handle that lets a doctor's wallet show a patient's several accounts as one patient are
//! sealed, each to one party, as [`SealedTerms`].
//!
//! Terms are padded to [`TERMS_LEN`] before sealing, so their length says nothing about the
//! label or the category.

use crate::category::Category;
use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::hash::{Address, GrantId};

/// Longest label a patient gives themselves in a grant, in bytes.
pub const LABEL_MAX: usize = 80;
/// Length every encoded [`GrantTerms`] is padded to before sealing.
pub const TERMS_LEN: usize = 192;
/// Largest one sealed copy of the terms (a wrapped key, the STREAM header, one chunk).
pub const MAX_SEALED_TERMS_LEN: usize = 1024;
/// Length of a patient's handle towards one grantee.
pub const HANDLE_LEN: usize = 16;
/// Length of a share's id (the grants one request made, across the patient's accounts).
pub const SHARE_ID_LEN: usize = 16;
/// Largest sealed notice (a patient's secret for one doctor, sealed to the doctor).
pub const MAX_NOTICE_LEN: usize = 1024;

/// What a notice to `doctor` is sealed under.
pub fn notice_context(doctor: &Address) -> Vec<u8> {
    [b"medwallet/doctor-notice/v1\0".as_slice(), &doctor.0].concat()
}

/// What a grant covers, as the patient chose it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Coverage {
    /// The records the grant's public scope lists, and no others.
    Listed,
    /// Every record of a category, including ones issued later.
    Category(Category),
    /// Every record, including ones issued later.
    All,
}

/// A grant's sealed terms.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GrantTerms {
    pub coverage: Coverage,
    /// How the patient wants the grantee to know them ("Ana Ruiz, born 1984"); may be empty.
    pub label: String,
    /// The same for every grant this patient makes to this grantee, from any of their accounts.
    pub handle: [u8; HANDLE_LEN],
    /// The same for the grants of one share (one request, several accounts).
    pub share: [u8; SHARE_ID_LEN],
    /// The doctor the grant is for: its grantee is a key only the doctor and the patient can
    /// link to them.
    pub doctor: Address,
}

/// The terms sealed once to the grantee and once to the patient's own account (so a restored
/// wallet reads its grants from the ledger alone).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SealedTerms {
    pub to_grantee: Vec<u8>,
    pub to_patient: Vec<u8>,
}

/// What a grant's terms are sealed under: bound to the grant's id, so no copy can be moved to
/// another grant.
pub fn terms_context(grant: &GrantId) -> Vec<u8> {
    [b"medwallet/grant-terms/v1\0".as_slice(), &grant.0].concat()
}

impl GrantTerms {
    /// The padded encoding that is sealed ([`TERMS_LEN`] bytes).
    pub fn to_padded(&self) -> Result<Vec<u8>, CodecError> {
        if self.label.len() > LABEL_MAX {
            return Err(CodecError::Invalid("label longer than 80 bytes"));
        }
        let mut bytes = self.encode();
        if bytes.len() > TERMS_LEN {
            return Err(CodecError::Invalid("grant terms too long"));
        }
        bytes.resize(TERMS_LEN, 0);
        Ok(bytes)
    }

    /// Reads padded terms (the padding must be zeros).
    pub fn from_padded(bytes: &[u8]) -> Result<Self, CodecError> {
        if bytes.len() != TERMS_LEN {
            return Err(CodecError::Invalid("grant terms length"));
        }
        let mut r = Reader::new(bytes);
        let terms = Self::read(&mut r)?;
        let rest = r.take(r.remaining(), "padding")?;
        if rest.iter().any(|&b| b != 0) {
            return Err(CodecError::Invalid("grant terms padding"));
        }
        Ok(terms)
    }
}

impl Canonical for GrantTerms {
    fn write(&self, w: &mut Writer) {
        w.u8(1); // terms version
        match self.coverage {
            Coverage::Listed => w.u8(1),
            Coverage::Category(c) => {
                w.u8(2);
                c.write(w);
            }
            Coverage::All => w.u8(3),
        }
        w.str(&self.label);
        w.fixed(&self.handle);
        w.fixed(&self.share);
        self.doctor.write(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        match r.u8("terms version")? {
            1 => {}
            tag => {
                return Err(CodecError::UnknownTag {
                    field: "terms version",
                    tag,
                });
            }
        }
        let coverage = match r.u8("coverage")? {
            1 => Coverage::Listed,
            2 => Coverage::Category(Category::read(r)?),
            3 => Coverage::All,
            tag => {
                return Err(CodecError::UnknownTag {
                    field: "coverage",
                    tag,
                });
            }
        };
        Ok(GrantTerms {
            coverage,
            label: r.string("label", LABEL_MAX)?,
            handle: r.array("handle")?,
            share: r.array("share")?,
            doctor: Address::read(r)?,
        })
    }
}

impl Canonical for SealedTerms {
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.to_grantee);
        w.bytes(&self.to_patient);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(SealedTerms {
            to_grantee: r.bytes("terms sealed to the grantee", MAX_SEALED_TERMS_LEN)?,
            to_patient: r.bytes("terms sealed to the patient", MAX_SEALED_TERMS_LEN)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(label: &str) -> GrantTerms {
        GrantTerms {
            coverage: Coverage::Category(Category::Allergies),
            label: label.into(),
            handle: [7; HANDLE_LEN],
            share: [9; SHARE_ID_LEN],
            doctor: Address([3; 32]),
        }
    }

    #[test]
    fn terms_pad_to_one_length_whatever_the_label() {
        let short = terms("").to_padded().expect("pads");
        let long = terms(&"x".repeat(LABEL_MAX)).to_padded().expect("pads");
        assert_eq!(short.len(), TERMS_LEN);
        assert_eq!(long.len(), TERMS_LEN);
        assert_eq!(GrantTerms::from_padded(&long), Ok(terms(&"x".repeat(80))));
        for coverage in [Coverage::Listed, Coverage::All] {
            let t = GrantTerms {
                coverage,
                ..terms("Ana")
            };
            assert_eq!(
                GrantTerms::from_padded(&t.to_padded().expect("pads")),
                Ok(t)
            );
        }
    }

    #[test]
    fn malformed_terms_are_refused() {
        assert!(terms(&"x".repeat(LABEL_MAX + 1)).to_padded().is_err());
        let mut padded = terms("Ana").to_padded().expect("pads");
        *padded.last_mut().expect("padded") = 1;
        assert!(GrantTerms::from_padded(&padded).is_err());
        assert!(GrantTerms::from_padded(&padded[..TERMS_LEN - 1]).is_err());
        let mut unknown = terms("Ana").to_padded().expect("pads");
        unknown[1] = 9;
        assert!(GrantTerms::from_padded(&unknown).is_err());
    }
}
