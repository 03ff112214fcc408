//! Guardian recovery as the wallet shows it: a patient's guardians and any pending recovery of
//! their wallet, what a guardian holds and is asked, and the device code both sides compare.
//! The workflows are on [`crate::Wallet`] (`wallet/recovery.rs`, `wallet/guardian.rs`).

use medledger_types::hash::{Address, PublicKey, tagged_hash};
use medledger_types::recovery::{Recovery, RecoveryStatus};

/// What a guardian is told to check before approving: the device's code, read out by the
/// patient from the new device. 80 bits of its key's hash, so nobody can make a key whose code
/// matches another's.
pub fn device_code(device: &PublicKey) -> String {
    let digest = tagged_hash("medwallet/recovery-device-code/v1", &[&device.0]);
    let hex = hex::encode(&digest[..10]);
    hex.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether `typed` is `device`'s code (case, spaces and dashes aside).
pub fn is_device_code(device: &PublicKey, typed: &str) -> bool {
    let clean = |s: &str| {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect::<String>()
    };
    // A code is public (it names a key), so a plain comparison is fine.
    clean(&device_code(device)) == clean(typed)
}

/// A recovery as the ledger proves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveryView {
    pub account: Address,
    pub device: PublicKey,
    /// [`device_code`] of the device.
    pub device_code: String,
    pub started_at_ms: u64,
    pub approvals: usize,
    pub declines: usize,
    pub threshold: u8,
    pub guardians: usize,
    /// When it takes effect, once the threshold approved.
    pub effective_at_ms: Option<u64>,
    pub status: RecoveryStatus,
    pub released: usize,
}

impl RecoveryView {
    pub(crate) fn of(
        account: Address,
        recovery: &Recovery,
        threshold: u8,
        guardians: usize,
    ) -> Self {
        Self {
            account,
            device: recovery.device,
            device_code: device_code(&recovery.device),
            started_at_ms: recovery.started_at_ms,
            approvals: recovery.approvals.len(),
            declines: recovery.declines.len(),
            threshold,
            guardians,
            effective_at_ms: recovery.effective_at_ms,
            status: recovery.status,
            released: recovery.released.len(),
        }
    }

    /// Pending (not cancelled or completed).
    pub fn is_pending(&self) -> bool {
        self.status == RecoveryStatus::Pending
    }

    /// A stable code for the UI: `waiting_for_approvals`, `waiting_for_delay`,
    /// `waiting_for_shares`, `ready`, `cancelled`, `completed`.
    pub fn stage(&self, now_ms: u64) -> &'static str {
        match (self.status, self.effective_at_ms) {
            (RecoveryStatus::Cancelled { .. }, _) => "cancelled",
            (RecoveryStatus::Completed { .. }, _) => "completed",
            (RecoveryStatus::Pending, None) => "waiting_for_approvals",
            (RecoveryStatus::Pending, Some(at)) if at > now_ms => "waiting_for_delay",
            (RecoveryStatus::Pending, Some(_)) if self.released < usize::from(self.threshold) => {
                "waiting_for_shares"
            }
            (RecoveryStatus::Pending, Some(_)) => "ready",
        }
    }
}

/// One of a patient's guardians.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardianView {
    pub account: Address,
    /// A clinic's or a doctor's registered name; `None` for a person's account.
    pub name: Option<String>,
}

/// A patient's guardians, as the ledger proves them, with any recovery of the wallet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guardians {
    pub guardians: Vec<GuardianView>,
    pub threshold: u8,
    pub delay_ms: u64,
    /// How the patient asked its guardians to know it (from the note sealed to itself).
    pub label: Option<String>,
    /// The latest recovery of the account, pending or not.
    pub recovery: Option<RecoveryView>,
}

/// A share this wallet holds for a patient, and what the patient's recovery asks of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardianDuty {
    /// The patient's account.
    pub patient: Address,
    /// How the patient asked to be known ("Ana, your sister").
    pub label: String,
    /// Which of this wallet's accounts the share is sealed to.
    pub account: u32,
    pub position: u8,
    pub threshold: u8,
    pub guardians: usize,
    /// The patient's latest recovery.
    pub recovery: Option<RecoveryView>,
    /// This guardian approved, declined, released (for that recovery).
    pub approved: bool,
    pub declined: bool,
    pub released: bool,
    /// Every emergency access to the patient's emergency set, newest first (red entries).
    pub emergency_accesses: Vec<crate::emergency::EmergencyAccessView>,
}

impl GuardianDuty {
    /// A pending recovery this guardian has not answered.
    pub fn asks_approval(&self) -> bool {
        self.recovery
            .as_ref()
            .is_some_and(|r| r.is_pending() && r.effective_at_ms.is_none())
            && !self.approved
            && !self.declined
    }
}

/// What the patient's wallet keeps sealed to itself with its guardians.
pub(crate) const NOTE_CONTEXT: &[u8] = b"medwallet/guardian-note/v1";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_code_is_its_keys_and_is_compared_loosely_but_completely() {
        let device = PublicKey([7; 32]);
        let code = device_code(&device);
        assert_eq!(code.len(), 24, "{code}");
        assert_eq!(code.split('-').count(), 5);
        assert!(is_device_code(&device, &code));
        assert!(is_device_code(
            &device,
            &code.to_uppercase().replace('-', " ")
        ));
        assert!(!is_device_code(&device, &code[..19]));
        assert!(!is_device_code(&PublicKey([8; 32]), &code));
    }
}
