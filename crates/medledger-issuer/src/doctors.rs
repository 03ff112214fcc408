//! A clinic registers the doctors who work with it (patients then see them, verified, before
//! granting them anything).

use medledger_client::LedgerSource;
use medledger_client::transaction::sign_next;
use medledger_types::hash::{PublicKey, ReceivingKey};
use medledger_types::tx::TxBody;
use medwallet_crypto::{AccountKeys, ShareCode};

use crate::IssueError;

/// Registers the doctor whose share code is `doctor`, with the consent they signed in their
/// wallet (`medwallet doctor-consent`); returns the height it was proven at.
pub async fn register_doctor<S: LedgerSource>(
    source: &S,
    clinic: &AccountKeys,
    doctor: &ShareCode,
    name: &str,
    licence: &str,
    consent: [u8; 64],
    now_ms: u64,
) -> Result<u64, IssueError> {
    let at = source.latest(now_ms).await?;
    let keys = doctor.public_keys();
    let body = TxBody::RegisterDoctor {
        doctor: PublicKey(keys.signing.to_bytes()),
        receiving: ReceivingKey(keys.receiving.to_bytes()),
        display_name: name.into(),
        licence: licence.into(),
        consent,
    };
    let tx = sign_next(source, clinic.signing_key(), &at, body).await?;
    Ok(source.submit(&tx).await?)
}
