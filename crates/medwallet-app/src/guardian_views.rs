//! What the guardian-recovery screens show: the patient's guardians and any recovery of the
//! wallet, the shares this wallet holds as a guardian, and a recovering device's progress.

use medwallet_core::input::display_address;
use medwallet_core::recovery::{GuardianDuty, RecoveryView};
use serde::Serialize;
use ts_rs::TS;

use crate::emergency_views::EmergencyAccessItem;

/// A recovery, as the ledger proves it.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryItem {
    /// The account being recovered (`mdw1…`).
    pub account: String,
    /// What the patient reads out to the guardians from the new device.
    pub device_code: String,
    /// `waiting_for_approvals`, `waiting_for_delay`, `waiting_for_shares`, `ready`,
    /// `cancelled` or `completed`.
    pub stage: String,
    pub approvals: usize,
    pub declines: usize,
    pub threshold: u8,
    pub guardians: usize,
    pub started_at_ms: u64,
    pub effective_at_ms: Option<u64>,
    pub released: usize,
}

impl RecoveryItem {
    pub(crate) fn of(r: &RecoveryView, now_ms: u64) -> Self {
        Self {
            account: display_address(&r.account),
            device_code: r.device_code.clone(),
            stage: r.stage(now_ms).into(),
            approvals: r.approvals,
            declines: r.declines,
            threshold: r.threshold,
            guardians: r.guardians,
            started_at_ms: r.started_at_ms,
            effective_at_ms: r.effective_at_ms,
            released: r.released,
        }
    }
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuardianItem {
    pub address: String,
    /// A clinic's or doctor's registered name; none for a person.
    pub name: Option<String>,
}

/// The patient's guardians (none yet: an empty list) and the chain's delays.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuardiansView {
    pub guardians: Vec<GuardianItem>,
    pub threshold: u8,
    pub delay_ms: u64,
    pub label: Option<String>,
    /// The latest recovery of this wallet (pending ones need the patient's attention).
    pub recovery: Option<RecoveryItem>,
    /// The shortest delay this chain allows (its genesis says).
    pub min_delay_ms: u64,
    /// What the wallet proposes: 72 hours, or the chain's least if longer.
    pub default_delay_ms: u64,
}

/// A recovery share this wallet holds.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuardingItem {
    /// The patient's account (`mdw1…`).
    pub patient: String,
    /// How the patient asked to be known.
    pub label: String,
    pub threshold: u8,
    pub guardians: usize,
    pub approved: bool,
    pub declined: bool,
    pub released: bool,
    /// A pending recovery this guardian has not answered.
    pub asks_approval: bool,
    pub recovery: Option<RecoveryItem>,
    /// Every emergency access to the patient's set, newest first (shown in red).
    pub emergency_accesses: Vec<EmergencyAccessItem>,
}

impl GuardingItem {
    pub(crate) fn of(d: &GuardianDuty, now_ms: u64) -> Self {
        Self {
            patient: display_address(&d.patient),
            label: d.label.clone(),
            threshold: d.threshold,
            guardians: d.guardians,
            approved: d.approved,
            declined: d.declined,
            released: d.released,
            asks_approval: d.asks_approval(),
            recovery: d.recovery.as_ref().map(|r| RecoveryItem::of(r, now_ms)),
            emergency_accesses: d
                .emergency_accesses
                .iter()
                .map(EmergencyAccessItem::of)
                .collect(),
        }
    }
}

/// A device recovering a wallet.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecoveringStatus {
    pub account: String,
    /// This device's code, to read out to the guardians.
    pub device_code: String,
    /// The recovery as the ledger proves it (none until the request is final).
    pub recovery: Option<RecoveryItem>,
}
