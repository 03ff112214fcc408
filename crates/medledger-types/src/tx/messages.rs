//! The messages that a party other than a transaction's author signs inside it, each in its own
//! namespace: a doctor's consent to registration, validators' approval of a clinic, and a new
//! key's consent to take over an account.

use crate::codec::Writer;
use crate::hash::{Address, ChainId, PublicKey, ReceivingKey};

/// The message a doctor signs (namespace `medwallet/doctor-consent/v1`) to agree that `clinic`
/// registers their keys under this name and licence on this chain.
pub fn doctor_consent_message(
    chain: &ChainId,
    clinic: &Address,
    doctor: &PublicKey,
    receiving: &ReceivingKey,
    display_name: &str,
    licence: &str,
) -> Vec<u8> {
    let mut w = Writer::new();
    chain.write(&mut w);
    clinic.write(&mut w);
    doctor.write(&mut w);
    receiving.write(&mut w);
    w.str(display_name);
    w.str(licence);
    w.finish()
}

/// The message validators sign to approve a clinic (namespace `medwallet/governance/v1`).
pub fn clinic_approval_message(
    chain: &ChainId,
    clinic: &PublicKey,
    receiving: &ReceivingKey,
    name: &str,
) -> Vec<u8> {
    let mut w = Writer::new();
    chain.write(&mut w);
    clinic.write(&mut w);
    receiving.write(&mut w);
    w.str(name);
    w.finish()
}

/// The message an account's new signing key signs (namespace `medwallet/rotation/v1`) to agree
/// to control `account` on this chain with `receiving` as its receiving key.
pub fn rotation_consent_message(
    chain: &ChainId,
    account: &Address,
    signing: &PublicKey,
    receiving: &ReceivingKey,
) -> Vec<u8> {
    let mut w = Writer::new();
    chain.write(&mut w);
    account.write(&mut w);
    signing.write(&mut w);
    receiving.write(&mut w);
    w.finish()
}
