//! Guardian recovery: a patient names guardians (other registered accounts) and a threshold
//! `k` of `n`; their phrase's entropy is split with Shamir's scheme and share `i` is sealed to
//! guardian `i`. A new device asks to recover the account, `k` guardians approve, and after the
//! patient's delay (during which the account's current key can cancel) each approving guardian
//! releases its share sealed to the device.
//!
//! | key | value | present when |
//! | --- | --- | --- |
//! | `guardians/` ‖ account | [`GuardianSet`] | the account has guardians (a rotation removes them: their shares are of the retired phrase) |
//! | `guarding/` ‖ guardian ‖ index, `…-count/` ‖ guardian | account, u64 | accounts that named this guardian, in order |
//! | `recovery/` ‖ account | [`Recovery`] | the account's latest recovery (pending, cancelled or completed) |
//!
//! Nothing here is readable care data: shares are sealed, and who guards whom is a pairwise
//! account of the guardian's (a share code it made for this), not its identity.

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::hash::{Address, PublicKey, ReceivingKey};
use crate::state::{StateKey, key};

/// Most guardians an account names.
pub const GUARDIANS_MAX: usize = 16;
/// Largest sealed share (to a guardian, or released to a device).
pub const SEALED_SHARE_MAX: usize = 1024;
/// Largest note the patient seals to itself (the label guardians know it by).
pub const SEALED_NOTE_MAX: usize = 512;
/// Longest recovery delay a patient may set (30 days).
pub const MAX_RECOVERY_DELAY_MS: u64 = 30 * 24 * 3600 * 1000;
/// The delay a wallet proposes (72 hours), unless the chain's minimum is longer.
pub const DEFAULT_RECOVERY_DELAY_MS: u64 = 72 * 3600 * 1000;

/// One guardian: its account and its share, sealed to its receiving key.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Guardian {
    pub account: Address,
    pub sealed_share: Vec<u8>,
}

/// An account's guardians.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GuardianSet {
    pub guardians: Vec<Guardian>,
    /// Approvals (and released shares) a recovery needs.
    pub threshold: u8,
    /// How long after the `threshold`-th approval a recovery takes effect.
    pub delay_ms: u64,
    /// What the patient's wallet needs to set the guardians again (their label), sealed to
    /// the patient.
    pub sealed_note: Vec<u8>,
    pub set_height: u64,
}

impl GuardianSet {
    /// Guardian `account`'s position (its share's index is this plus one).
    pub fn position(&self, account: &Address) -> Option<usize> {
        self.guardians.iter().position(|g| g.account == *account)
    }
}

/// Where a recovery stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RecoveryStatus {
    Pending,
    /// The account's key cancelled it (or rotated before it took effect), or too many
    /// guardians declined it.
    Cancelled {
        at_ms: u64,
    },
    /// The account moved to new keys after it took effect.
    Completed {
        at_ms: u64,
    },
}

/// A share a guardian released, sealed to the recovering device.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReleasedShare {
    /// The guardian's position in the set.
    pub guardian: u8,
    pub sealed: Vec<u8>,
}

/// A request to recover an account on a new device.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Recovery {
    /// The device's signing key (the request's author).
    pub device: PublicKey,
    /// What the guardians seal their shares to.
    pub device_receiving: ReceivingKey,
    pub started_height: u64,
    pub started_at_ms: u64,
    /// Positions of the guardians that approved, in order.
    pub approvals: Vec<u8>,
    /// Positions of the guardians that declined (a recovery more of them declined than could
    /// leave a threshold is cancelled: a request nobody can approve blocks no real one).
    pub declines: Vec<u8>,
    /// Set by the threshold-th approval: block time plus the delay.
    pub effective_at_ms: Option<u64>,
    pub status: RecoveryStatus,
    pub released: Vec<ReleasedShare>,
}

impl Recovery {
    /// Whether it is pending and took effect by `now_ms`.
    pub fn effective(&self, now_ms: u64) -> bool {
        self.status == RecoveryStatus::Pending
            && self.effective_at_ms.is_some_and(|at| at <= now_ms)
    }
}

impl StateKey {
    pub fn guardians(account: &Address) -> Self {
        key("guardians/", &[&account.0])
    }
    pub fn guarding(guardian: &Address, index: u64) -> Self {
        key("guarding/", &[&guardian.0, &index.to_be_bytes()])
    }
    pub fn guarding_count(guardian: &Address) -> Self {
        key("guarding-count/", &[&guardian.0])
    }
    pub fn recovery(account: &Address) -> Self {
        key("recovery/", &[&account.0])
    }
}

pub(crate) fn write_guardians(w: &mut Writer, guardians: &[Guardian]) {
    w.list(guardians, |w, g| {
        g.account.write(w);
        w.bytes(&g.sealed_share);
    });
}

pub(crate) fn read_guardians(r: &mut Reader<'_>) -> Result<Vec<Guardian>, CodecError> {
    r.list("guardians", GUARDIANS_MAX, |r| {
        Ok(Guardian {
            account: Address::read(r)?,
            sealed_share: r.bytes("sealed share", SEALED_SHARE_MAX)?,
        })
    })
}

impl Canonical for GuardianSet {
    fn write(&self, w: &mut Writer) {
        write_guardians(w, &self.guardians);
        w.u8(self.threshold);
        w.u64(self.delay_ms);
        w.bytes(&self.sealed_note);
        w.u64(self.set_height);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(GuardianSet {
            guardians: read_guardians(r)?,
            threshold: r.u8("threshold")?,
            delay_ms: r.u64("delay")?,
            sealed_note: r.bytes("sealed note", SEALED_NOTE_MAX)?,
            set_height: r.u64("set height")?,
        })
    }
}

impl Canonical for RecoveryStatus {
    fn write(&self, w: &mut Writer) {
        match self {
            RecoveryStatus::Pending => w.u8(1),
            RecoveryStatus::Cancelled { at_ms } => {
                w.u8(2);
                w.u64(*at_ms);
            }
            RecoveryStatus::Completed { at_ms } => {
                w.u8(3);
                w.u64(*at_ms);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(match r.u8("recovery status")? {
            1 => RecoveryStatus::Pending,
            2 => RecoveryStatus::Cancelled {
                at_ms: r.u64("cancelled at")?,
            },
            3 => RecoveryStatus::Completed {
                at_ms: r.u64("completed at")?,
            },
            tag => {
                return Err(CodecError::UnknownTag {
                    field: "recovery status",
                    tag,
                });
            }
        })
    }
}

impl Canonical for Recovery {
    fn write(&self, w: &mut Writer) {
        self.device.write(w);
        self.device_receiving.write(w);
        w.u64(self.started_height);
        w.u64(self.started_at_ms);
        w.bytes(&self.approvals);
        w.bytes(&self.declines);
        w.option(self.effective_at_ms.as_ref(), |w, t| w.u64(*t));
        self.status.write(w);
        w.list(&self.released, |w, s| {
            w.u8(s.guardian);
            w.bytes(&s.sealed);
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Recovery {
            device: PublicKey::read(r)?,
            device_receiving: ReceivingKey::read(r)?,
            started_height: r.u64("started height")?,
            started_at_ms: r.u64("started at")?,
            approvals: r.bytes("approvals", GUARDIANS_MAX)?,
            declines: r.bytes("declines", GUARDIANS_MAX)?,
            effective_at_ms: r.option("effective at", |r| r.u64("effective at"))?,
            status: RecoveryStatus::read(r)?,
            released: r.list("released shares", GUARDIANS_MAX, |r| {
                Ok(ReleasedShare {
                    guardian: r.u8("guardian")?,
                    sealed: r.bytes("released share", SEALED_SHARE_MAX)?,
                })
            })?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_values_round_trip_and_refuse_truncation_and_overlong_lists() {
        let set = GuardianSet {
            guardians: vec![
                Guardian {
                    account: Address([1; 32]),
                    sealed_share: vec![2; 200],
                },
                Guardian {
                    account: Address([3; 32]),
                    sealed_share: vec![4; 200],
                },
            ],
            threshold: 2,
            delay_ms: 5,
            sealed_note: vec![6; 100],
            set_height: 7,
        };
        let bytes = set.encode();
        assert_eq!(GuardianSet::decode(&bytes, 1 << 16), Ok(set.clone()));
        assert!(GuardianSet::decode(&bytes[..bytes.len() - 1], 1 << 16).is_err());
        assert_eq!(set.position(&Address([3; 32])), Some(1));

        let recovery = Recovery {
            device: PublicKey([8; 32]),
            device_receiving: ReceivingKey([9; 32]),
            started_height: 10,
            started_at_ms: 11,
            approvals: vec![0, 1],
            declines: vec![2],
            effective_at_ms: Some(12),
            status: RecoveryStatus::Cancelled { at_ms: 13 },
            released: vec![ReleasedShare {
                guardian: 1,
                sealed: vec![14; 150],
            }],
        };
        let bytes = recovery.encode();
        assert_eq!(Recovery::decode(&bytes, 1 << 16), Ok(recovery.clone()));
        assert!(Recovery::decode(&[bytes.as_slice(), &[0]].concat(), 1 << 16).is_err());
        assert!(
            !recovery.effective(100),
            "a cancelled recovery never takes effect"
        );

        // More approvals than guardians can exist is refused before anything is allocated.
        let mut w = Writer::new();
        PublicKey([0; 32]).write(&mut w);
        ReceivingKey([0; 32]).write(&mut w);
        w.u64(0);
        w.u64(0);
        w.bytes(&[0; GUARDIANS_MAX + 1]);
        w.bytes(&[]);
        assert!(Recovery::decode(&w.finish(), 1 << 16).is_err());
    }
}
