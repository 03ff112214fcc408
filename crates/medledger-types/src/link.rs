//! SMART Health Links on the ledger: what every node needs to enforce the same limits for a
//! link (its patient, expiry, passcode verifier, wrong-passcode attempts left, files, whether it
//! is revoked) and the access log of its openings. Never the link's key, URL token or label:
//! those live only in the link itself (and, sealed to the patient, in `sealed`).
//!
//! | key | value | present when |
//! | --- | --- | --- |
//! | `link/` ‖ link id | [`LinkEntry`] | the patient created the link |
//! | `links-by-patient/` ‖ patient ‖ index, `…-count/` ‖ patient | link id, u64 | |
//! | `link-accesses/` ‖ link id ‖ index, `…-count/` ‖ link id | [`LinkAccessEntry`], u64 | a node answered a manifest request |

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::hash::{Address, LinkId, Sha256Digest};
use crate::state::StateKey;

/// Most files one link may list.
pub const MAX_LINK_FILES: usize = 64;
/// Most wrong passcodes a link may allow.
pub const MAX_ATTEMPTS: u32 = 100;
/// Longest life a link may have (a long-term link is renewed by making a new one).
pub const MAX_LINK_LIFETIME_MS: u64 = 5 * 365 * 24 * 3600 * 1000;
/// Largest sealed description (label, selection, key: sealed to the patient).
pub const MAX_SEALED_LEN: usize = 4096;
/// Largest sealed recipient name in an access entry.
pub const MAX_RECIPIENT_SEALED_LEN: usize = 1024;

/// The Argon2id parameters every passcode verifier uses (OWASP's second recommended set:
/// 19 MiB, 2 passes, 1 lane), fixed so every node checks a passcode the same way.
pub const PASSCODE_MEMORY_KIB: u32 = 19 * 1024;
pub const PASSCODE_ITERATIONS: u32 = 2;
pub const PASSCODE_LANES: u32 = 1;

/// What a recipient's name in a [`LinkAccessEntry`] is sealed under (bound to the link, so a
/// node cannot move one from link to link).
pub fn recipient_context(link: &LinkId) -> Vec<u8> {
    [b"medledger/link-recipient/v1\0".as_slice(), &link.0].concat()
}

/// What a link's description in [`LinkEntry::sealed`] is sealed under.
pub fn description_context(link: &LinkId) -> Vec<u8> {
    [b"medwallet/link-description/v1\0".as_slice(), &link.0].concat()
}

/// A salted slow hash of a link's passcode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PasscodeVerifier {
    pub salt: [u8; 16],
    pub hash: [u8; 32],
}

/// One file of a link: a JWE blob in the nodes' blob stores.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LinkFile {
    pub sha256: Sha256Digest,
    pub len: u64,
}

/// A link as the ledger holds it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LinkEntry {
    pub patient: Address,
    pub expires_at_ms: u64,
    pub passcode: Option<PasscodeVerifier>,
    /// Wrong passcodes still allowed (0 for a link without a passcode).
    pub attempts_left: u32,
    /// `L`: the patient's wallet may replace the files as new records arrive.
    pub long_term: bool,
    pub files: Vec<LinkFile>,
    /// The link's description sealed to the patient (opaque to the ledger).
    pub sealed: Vec<u8>,
    pub created_height: u64,
    pub created_at_ms: u64,
    pub revoked_at_ms: Option<u64>,
}

/// Where a link stands at a moment: the one rule the ledger, the nodes and the wallets apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkStatus {
    Active,
    Revoked,
    Expired,
    /// Out of wrong-passcode attempts: disabled for good.
    Exhausted,
}

impl LinkStatus {
    pub fn of(entry: &LinkEntry, now_ms: u64) -> Self {
        if entry.revoked_at_ms.is_some_and(|t| t <= now_ms) {
            Self::Revoked
        } else if now_ms >= entry.expires_at_ms {
            Self::Expired
        } else if entry.passcode.is_some() && entry.attempts_left == 0 {
            Self::Exhausted
        } else {
            Self::Active
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Exhausted => "exhausted",
        }
    }
}

/// How a node answered a manifest request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkOutcome {
    /// The manifest was served.
    Opened,
    /// A wrong passcode: one attempt used.
    WrongPasscode,
}

/// One manifest request a node answered, in the patient's access log.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LinkAccessEntry {
    pub outcome: LinkOutcome,
    /// Who asked, as the receiver said it, sealed to the patient by the node.
    pub recipient_sealed: Vec<u8>,
    /// The node that answered.
    pub node: Address,
    pub at_ms: u64,
    pub height: u64,
}

impl StateKey {
    pub fn link(id: &LinkId) -> Self {
        Self([b"link/".as_slice(), &id.0].concat())
    }
    pub fn link_by_patient(patient: &Address, index: u64) -> Self {
        Self(
            [
                b"links-by-patient/".as_slice(),
                &patient.0,
                &index.to_be_bytes(),
            ]
            .concat(),
        )
    }
    pub fn link_by_patient_count(patient: &Address) -> Self {
        Self([b"links-by-patient-count/".as_slice(), &patient.0].concat())
    }
    pub fn link_access(link: &LinkId, index: u64) -> Self {
        Self([b"link-accesses/".as_slice(), &link.0, &index.to_be_bytes()].concat())
    }
    pub fn link_access_count(link: &LinkId) -> Self {
        Self([b"link-accesses-count/".as_slice(), &link.0].concat())
    }
}

impl Canonical for PasscodeVerifier {
    fn write(&self, w: &mut Writer) {
        w.fixed(&self.salt);
        w.fixed(&self.hash);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            salt: r.array("passcode salt")?,
            hash: r.array("passcode hash")?,
        })
    }
}

impl Canonical for LinkFile {
    fn write(&self, w: &mut Writer) {
        self.sha256.write(w);
        w.u64(self.len);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            sha256: Sha256Digest::read(r)?,
            len: r.u64("file length")?,
        })
    }
}

impl Canonical for LinkOutcome {
    fn write(&self, w: &mut Writer) {
        w.u8(match self {
            Self::Opened => 1,
            Self::WrongPasscode => 2,
        });
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        match r.u8("link outcome")? {
            1 => Ok(Self::Opened),
            2 => Ok(Self::WrongPasscode),
            tag => Err(CodecError::UnknownTag {
                field: "link outcome",
                tag,
            }),
        }
    }
}

/// Writes a file list (shared by the entry and the transactions).
pub(crate) fn write_files(w: &mut Writer, files: &[LinkFile]) {
    w.list(files, |w, f| f.write(w));
}

pub(crate) fn read_files(r: &mut Reader<'_>) -> Result<Vec<LinkFile>, CodecError> {
    r.list("link files", MAX_LINK_FILES, LinkFile::read)
}

impl Canonical for LinkEntry {
    fn write(&self, w: &mut Writer) {
        self.patient.write(w);
        w.u64(self.expires_at_ms);
        w.option(self.passcode.as_ref(), |w, p| p.write(w));
        w.u32(self.attempts_left);
        w.bool(self.long_term);
        write_files(w, &self.files);
        w.bytes(&self.sealed);
        w.u64(self.created_height);
        w.u64(self.created_at_ms);
        w.option(self.revoked_at_ms.as_ref(), |w, t| w.u64(*t));
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            patient: Address::read(r)?,
            expires_at_ms: r.u64("expiry")?,
            passcode: r.option("passcode", PasscodeVerifier::read)?,
            attempts_left: r.u32("attempts left")?,
            long_term: r.bool("long-term")?,
            files: read_files(r)?,
            sealed: r.bytes("sealed description", MAX_SEALED_LEN)?,
            created_height: r.u64("height")?,
            created_at_ms: r.u64("created at")?,
            revoked_at_ms: r.option("revoked at", |r| r.u64("revoked at"))?,
        })
    }
}

impl Canonical for LinkAccessEntry {
    fn write(&self, w: &mut Writer) {
        self.outcome.write(w);
        w.bytes(&self.recipient_sealed);
        self.node.write(w);
        w.u64(self.at_ms);
        w.u64(self.height);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            outcome: LinkOutcome::read(r)?,
            recipient_sealed: r.bytes("sealed recipient", MAX_RECIPIENT_SEALED_LEN)?,
            node: Address::read(r)?,
            at_ms: r.u64("at")?,
            height: r.u64("height")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MAX_VALUE_LEN;

    fn entry() -> LinkEntry {
        LinkEntry {
            patient: Address([1; 32]),
            expires_at_ms: 100,
            passcode: Some(PasscodeVerifier {
                salt: [2; 16],
                hash: [3; 32],
            }),
            attempts_left: 2,
            long_term: true,
            files: vec![LinkFile {
                sha256: Sha256Digest([4; 32]),
                len: 5,
            }],
            sealed: vec![6; 10],
            created_height: 7,
            created_at_ms: 8,
            revoked_at_ms: None,
        }
    }

    #[test]
    fn entries_round_trip() {
        assert_eq!(
            LinkEntry::decode(&entry().encode(), MAX_VALUE_LEN),
            Ok(entry())
        );
        let access = LinkAccessEntry {
            outcome: LinkOutcome::WrongPasscode,
            recipient_sealed: vec![1, 2],
            node: Address([9; 32]),
            at_ms: 3,
            height: 4,
        };
        assert_eq!(
            LinkAccessEntry::decode(&access.encode(), MAX_VALUE_LEN),
            Ok(access)
        );
    }

    #[test]
    fn a_link_is_active_until_revoked_expired_or_out_of_attempts() {
        let e = entry();
        assert_eq!(LinkStatus::of(&e, 50), LinkStatus::Active);
        assert_eq!(LinkStatus::of(&e, 100), LinkStatus::Expired);
        let revoked = LinkEntry {
            revoked_at_ms: Some(40),
            ..e.clone()
        };
        assert_eq!(LinkStatus::of(&revoked, 39), LinkStatus::Active);
        assert_eq!(LinkStatus::of(&revoked, 40), LinkStatus::Revoked);
        let spent = LinkEntry {
            attempts_left: 0,
            ..e.clone()
        };
        assert_eq!(LinkStatus::of(&spent, 50), LinkStatus::Exhausted);
        let open = LinkEntry {
            passcode: None,
            attempts_left: 0,
            ..e
        };
        assert_eq!(LinkStatus::of(&open, 50), LinkStatus::Active);
    }
}
