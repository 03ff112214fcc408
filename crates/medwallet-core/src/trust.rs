//! What a wallet carries from one ledger operation to the next so that no node can take back
//! what it verified: the **trust floor** (the newest header it verified, with its certificate,
//! verified again whenever it is used) and the **equivocation alarm** (proven conflicting
//! finalized blocks; no new ledger data is shown until the user acknowledges it).
//!
//! Kept beside the cache as `trust.json` (atomic writes). The floor is self-authenticating (its
//! certificate is checked against the trust anchor each time); whoever can write the wallet
//! folder can at most lower it or clear the alarm, not plant a view.

use medledger_client::Incident;
use medledger_types::codec::Canonical;
use medwallet_verify::VerifiedHeader;
use serde::{Deserialize, Serialize};

/// The persisted form, versioned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustState {
    /// Format version (1).
    pub v: u8,
    pub floor: Option<Floor>,
    pub alarm: Option<Alarm>,
}

/// The newest directly certified header this wallet verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floor {
    pub height: u64,
    /// The header's canonical encoding, hex.
    pub header: String,
    /// Its finalization certificate, hex.
    pub certificate: String,
}

/// Proven equivocation: two finalized blocks at one height, each verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alarm {
    pub height: u64,
    pub first: String,
    pub second: String,
    /// The user read what it means and chose to go on.
    pub acknowledged: bool,
}

/// What a user must be told when equivocation is proven (shown with the two nodes named).
pub const EQUIVOCATION_ADVICE: &str = "Validators signed two different blocks at the same height: more than a third of the ledger's validators are faulty, so what the ledger shows may not be final. Records already verified stay as they are. Tell the clinics that run the ledger, and acknowledge this to go on using it.";

impl Default for TrustState {
    fn default() -> Self {
        Self::new()
    }
}

impl TrustState {
    /// Reads the persisted form; an unreadable file starts over (the floor and alarm are
    /// rebuilt by the next verified header), never fails the wallet.
    pub fn parse(bytes: &[u8]) -> Self {
        serde_json::from_slice::<TrustState>(bytes)
            .ok()
            .filter(|t| t.v == 1)
            .unwrap_or_default()
    }

    pub fn new() -> Self {
        Self {
            v: 1,
            floor: None,
            alarm: None,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Plain data: serialization cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// The floor's header and certificate, decoded (an undecodable floor is dropped).
    pub fn floor_bytes(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        let floor = self.floor.as_ref()?;
        Some((
            hex::decode(&floor.header).ok()?,
            hex::decode(&floor.certificate).ok()?,
        ))
    }

    /// The alarm the user has not acknowledged yet.
    pub fn pending_alarm(&self) -> Option<&Alarm> {
        self.alarm.as_ref().filter(|a| !a.acknowledged)
    }

    /// Raises the floor to `at` if it is newer and carries its own certificate. Returns
    /// whether anything changed.
    pub fn raise_floor(&mut self, at: &VerifiedHeader) -> bool {
        let Some(certificate) = at.certificate() else {
            return false;
        };
        if self.floor.as_ref().is_some_and(|f| f.height >= at.height()) {
            return false;
        }
        self.floor = Some(Floor {
            height: at.height(),
            header: hex::encode(at.header().encode()),
            certificate: hex::encode(certificate.encode()),
        });
        true
    }

    /// Raises the alarm for the first proven equivocation among `incidents` that is not the
    /// one already acknowledged. Returns it.
    pub fn raise_alarm(&mut self, incidents: &[Incident]) -> Option<Alarm> {
        for incident in incidents {
            if let Incident::Equivocation {
                height,
                first,
                second,
            } = incident
            {
                let alarm = Alarm {
                    height: *height,
                    first: first.clone(),
                    second: second.clone(),
                    acknowledged: false,
                };
                let known = self.alarm.as_ref().is_some_and(|a| {
                    a.height == alarm.height && a.first == alarm.first && a.second == alarm.second
                });
                if !known {
                    self.alarm = Some(alarm.clone());
                    return Some(alarm);
                }
            }
        }
        None
    }

    /// The user acknowledged the alarm. Returns whether there was one to acknowledge.
    pub fn acknowledge(&mut self) -> bool {
        match &mut self.alarm {
            Some(a) if !a.acknowledged => {
                a.acknowledged = true;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(height: u64) -> Incident {
        Incident::Equivocation {
            height,
            first: "http://a".into(),
            second: "http://b".into(),
        }
    }

    #[test]
    fn an_alarm_stays_until_acknowledged_and_only_new_evidence_raises_it_again() {
        let mut t = TrustState::new();
        assert_eq!(t.raise_alarm(&[]), None);
        assert!(t.raise_alarm(&[split(9)]).is_some());
        assert!(t.pending_alarm().is_some());
        assert!(
            t.raise_alarm(&[split(9)]).is_none(),
            "the same evidence again"
        );
        assert!(t.acknowledge());
        assert!(!t.acknowledge());
        assert_eq!(t.pending_alarm(), None);
        assert!(t.raise_alarm(&[split(9)]).is_none(), "acknowledged already");
        assert!(t.raise_alarm(&[split(12)]).is_some(), "new evidence");
        let back = TrustState::parse(&t.to_bytes());
        assert_eq!(back, t, "persisted as it is");
        assert_eq!(TrustState::parse(b"not json"), TrustState::new());
    }
}
