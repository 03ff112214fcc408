//! A doctor's consent to be registered by a clinic: the doctor signs it in their own wallet and
//! hands it to the clinic with their share code, so a clinic cannot register anyone else's key
//! as a doctor's. The ledger's rules check it (`medledger_types::tx::doctor_consent_message`).

use medledger_types::hash::{Address, ChainId, PublicKey, ReceivingKey};
use medledger_types::tx::doctor_consent_message;
use medwallet_crypto::{AccountKeys, Namespace, SigningKey};

/// The doctor's signature over their consent to `clinic` registering them on `chain`.
pub fn sign(
    doctor: &SigningKey,
    receiving: &ReceivingKey,
    chain: ChainId,
    clinic: &Address,
    display_name: &str,
    licence: &str,
) -> [u8; 64] {
    let message = doctor_consent_message(
        &chain,
        clinic,
        &PublicKey(doctor.verifying_key().to_bytes()),
        receiving,
        display_name,
        licence,
    );
    medwallet_crypto::sign(doctor, Namespace::DOCTOR_CONSENT, &message).to_bytes()
}

/// [`sign`] with a wallet's keys.
pub fn sign_as(
    doctor: &AccountKeys,
    chain: ChainId,
    clinic: &Address,
    display_name: &str,
    licence: &str,
) -> [u8; 64] {
    let receiving = ReceivingKey(doctor.public().receiving.to_bytes());
    sign(
        doctor.signing_key(),
        &receiving,
        chain,
        clinic,
        display_name,
        licence,
    )
}
