//! A link's description as the ledger keeps it for its patient, sealed to the patient's own
//! receiving key (`medwallet_crypto::envelope::seal_to`, bound to the link's id): the link
//! itself (manifest URL with its token, key, flags, label) and what it shares. Only the
//! patient's wallet opens it, so a wallet restored from the recovery phrase lists, shows and
//! renews its links without any local file; nobody else learns the label, the selection, the
//! token or the key.

use medledger_types::hash::LinkId;
use medledger_types::link::{MAX_SEALED_LEN, description_context};
use medwallet_crypto::AccountKeys;
use medwallet_crypto::envelope::{open_sealed, seal_to};
use medwallet_shl::ShlPayload;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::WalletError;

/// What a link shares, as its patient sees it in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Shared {
    /// These records (how many: the ids themselves are in the files).
    Records { count: usize },
    /// Every record of these categories (later ones too when long-term).
    Categories { categories: Vec<String> },
    /// Every record.
    All,
    /// The patient summary (IPS).
    Summary,
}

impl Shared {
    /// What the link shares, in words ("Allergies, Medications", "3 records").
    pub fn describe(&self) -> String {
        use medledger_types::category::Category;
        match self {
            Shared::Records { count: 1 } => "1 record".into(),
            Shared::Records { count } => format!("{count} records"),
            Shared::Categories { categories } => categories
                .iter()
                .map(|c| Category::from_code(c).map_or(c.as_str(), |c| c.label()))
                .collect::<Vec<_>>()
                .join(", "),
            Shared::All => "All records".into(),
            Shared::Summary => "Patient summary".into(),
        }
    }
}

/// The sealed description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    pub link: ShlPayload,
    pub shared: Shared,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    v: u8,
    /// The `shlink:/…` payload (URL, key, flags, label, expiry hint).
    link: String,
    shared: Shared,
}

/// Seals `description` of `link` to the wallet's own receiving key.
pub fn seal<R: CryptoRng + ?Sized>(
    keys: &AccountKeys,
    link: &LinkId,
    description: &Description,
    rng: &mut R,
) -> Result<Vec<u8>, WalletError> {
    let wire = Wire {
        v: 1,
        link: description.link.encode(),
        shared: description.shared.clone(),
    };
    let json = Zeroizing::new(
        serde_json::to_vec(&wire)
            .map_err(|e| WalletError::InvalidInput(format!("link description: {e}")))?,
    );
    let sealed = seal_to(
        &keys.identity().to_recipient(),
        &description_context(link),
        &json,
        rng,
    )
    .map_err(|e| WalletError::InvalidInput(format!("link description: {e}")))?;
    if sealed.len() > MAX_SEALED_LEN {
        return Err(WalletError::InvalidInput(
            "the link's description is too long (shorten the label)".into(),
        ));
    }
    Ok(sealed)
}

/// Opens a description this wallet sealed (`None` if it does not open: another device's key
/// after a rotation, or a description some other program wrote).
pub fn open(keys: &AccountKeys, link: &LinkId, sealed: &[u8]) -> Option<Description> {
    let json =
        Zeroizing::new(open_sealed(&keys.identity(), &description_context(link), sealed).ok()?);
    let wire: Wire = serde_json::from_slice(&json).ok()?;
    if wire.v != 1 {
        return None;
    }
    let link_payload = ShlPayload::decode(&wire.link).ok()?;
    Some(Description {
        link: link_payload,
        shared: wire.shared,
    })
}
