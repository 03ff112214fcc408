//! Emergency access (break-glass) as the wallet shows it: the patient's emergency set, its
//! code for an emergency card, and every access to it (the red entries); the clinician's
//! request and what opening it gave. The workflows are on [`crate::Wallet`]
//! (`wallet/emergency.rs`).

use medledger_types::emergency::{EmergencyRequest, EmergencyRequestId};
use medledger_types::hash::Address;
use medwallet_crypto::Bech32Address;

pub use medwallet_fhir::emergency::EmergencyContact;

/// The patient's emergency set, as the ledger proves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencySetView {
    /// The wallet's account that holds it (used for nothing else).
    pub account: u32,
    /// What a clinician types or scans: the account's address (`mdw1…`).
    pub code: String,
    pub set_at_ms: u64,
    /// Validator shares a clinician needs, of `validators`.
    pub threshold: u8,
    pub validators: usize,
    pub ciphertext_len: u64,
}

/// One access to the patient's emergency set: a red entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyAccessView {
    pub request: EmergencyRequestId,
    pub clinician: Address,
    pub clinician_name: String,
    pub licence: String,
    pub clinic: Address,
    pub clinic_name: String,
    /// The clinician's reason, opened by the patient's key (`None`: it does not open).
    pub reason: Option<String>,
    pub at_ms: u64,
    pub ends_at_ms: u64,
    /// Validators that released their share to the clinician, of the `threshold` needed.
    pub released: usize,
    pub threshold: u8,
}

impl EmergencyAccessView {
    /// Whether the clinician can have opened the set: enough shares went out.
    pub fn opened(&self) -> bool {
        self.released >= usize::from(self.threshold)
    }
}

/// What a clinician's request stands at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyRequestView {
    pub request: EmergencyRequestId,
    pub patient: Address,
    pub at_ms: u64,
    pub ends_at_ms: u64,
    pub released: usize,
    pub threshold: u8,
}

impl EmergencyRequestView {
    pub(crate) fn of(id: EmergencyRequestId, request: &EmergencyRequest) -> Self {
        Self {
            request: id,
            patient: request.patient,
            at_ms: request.at_ms,
            ends_at_ms: request.ends_at_ms(),
            released: request.released.len(),
            threshold: request.threshold,
        }
    }
}

/// The set a clinician opened: the FHIR Bundle (an IPS document) and which validators
/// released a share that did not match the patient's commitment.
#[derive(Clone, Debug)]
pub struct OpenedEmergencySet {
    pub request: EmergencyRequestView,
    pub bundle: Vec<u8>,
    /// Validator positions whose released share was refused.
    pub refused_validators: Vec<u8>,
}

/// The code of an emergency account (its `mdw1…` address).
pub fn code_of(account: &Address) -> String {
    Bech32Address::from(*account).to_string()
}

/// Every access as FHIR R4: a `collection` Bundle of a `Consent` (purpose `BTG`, the 24 hours
/// as its period) and an `AuditEvent` each (what `medwallet emergency log --fhir` and the
/// export write).
pub fn access_bundle(accesses: &[EmergencyAccessView]) -> serde_json::Value {
    let texts: Vec<(String, String, String)> = accesses
        .iter()
        .map(|a| {
            (
                a.request.to_hex(),
                crate::summary::rfc3339(a.at_ms),
                crate::summary::rfc3339(a.ends_at_ms),
            )
        })
        .collect();
    let records: Vec<medwallet_fhir::emergency::AccessRecord<'_>> = accesses
        .iter()
        .zip(&texts)
        .map(
            |(a, (id, start, end))| medwallet_fhir::emergency::AccessRecord {
                request_id: id,
                clinician: &a.clinician_name,
                licence: &a.licence,
                clinic: &a.clinic_name,
                reason: a.reason.as_deref().unwrap_or(UNOPENED_REASON),
                start,
                end,
            },
        )
        .collect();
    medwallet_fhir::emergency::access_bundle(&records)
}

/// What stands for a reason that does not open with the wallet's keys.
pub const UNOPENED_REASON: &str = "(the reason does not open with this wallet's keys)";
