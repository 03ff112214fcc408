//! The local cache: verified record summaries, so the wallet opens and lists records offline,
//! each marked with the height it was verified at. Sealed to the wallet's own receiving key
//! with the record envelope (nothing new to audit): only the unlocked wallet reads it.
//!
//! ```text
//! "MDWCACHE" (8) || version 1 (1) || wrapped content key (81) || sealed JSON payload
//! ```

use medwallet_crypto::AccountKeys;
use medwallet_crypto::envelope::{
    ContentKey, Identity, Recipient, WRAPPED_KEY_LEN, WrappedKey, open_to_vec, seal_to_vec,
};
use rand_core::CryptoRng;

use crate::error::WalletError;
use crate::records::RecordSummary;

const MAGIC: &[u8; 8] = b"MDWCACHE";
const CONTEXT: &[u8] = b"medwallet/cache/v1";

/// Seals the cache.
pub fn seal_cache<R: CryptoRng + ?Sized>(
    keys: &AccountKeys,
    records: &[RecordSummary],
    rng: &mut R,
) -> Result<Vec<u8>, WalletError> {
    let json = serde_json::to_vec(records).map_err(|_| WalletError::Cache("cannot be written"))?;
    let key = ContentKey::generate(rng);
    let wrapped = keys
        .identity()
        .to_recipient()
        .wrap(&key, CONTEXT, rng)
        .map_err(|_| WalletError::Cache("cannot be sealed"))?;
    let sealed =
        seal_to_vec(&key, rng, &json).map_err(|_| WalletError::Cache("cannot be sealed"))?;
    let mut out = Vec::with_capacity(9 + WRAPPED_KEY_LEN + sealed.len());
    out.extend_from_slice(MAGIC);
    out.push(1);
    out.extend_from_slice(wrapped.as_bytes());
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens the cache. A damaged or foreign cache is an error (the caller resyncs), never a panic.
pub fn open_cache(keys: &AccountKeys, bytes: &[u8]) -> Result<Vec<RecordSummary>, WalletError> {
    if bytes.len() < 9 + WRAPPED_KEY_LEN || &bytes[..8] != MAGIC || bytes[8] != 1 {
        return Err(WalletError::Cache("is not a version-1 wallet cache"));
    }
    let wrapped = WrappedKey::from_bytes(&bytes[9..9 + WRAPPED_KEY_LEN])
        .map_err(|_| WalletError::Cache("is damaged"))?;
    let key = keys
        .identity()
        .unwrap(&wrapped, CONTEXT)
        .map_err(|_| WalletError::Cache("belongs to another wallet or is damaged"))?;
    let json = open_to_vec(&key, &bytes[9 + WRAPPED_KEY_LEN..])
        .map_err(|_| WalletError::Cache("is damaged"))?;
    serde_json::from_slice(&json).map_err(|_| WalletError::Cache("is damaged"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use medwallet_crypto::RecoveryPhrase;
    use rand::SeedableRng;

    fn summary() -> RecordSummary {
        RecordSummary {
            id: "ab".repeat(32),
            clinic: "cd".repeat(32),
            category: "labs".into(),
            title: "Lipid panel".into(),
            date: Some("2020-01-01".into()),
            issued_height: 3,
            verified_height: 9,
            ciphertext_sha256: "ef".repeat(32),
            ciphertext_len: 100,
            wrapped_key: "01".repeat(81),
            unreadable: false,
        }
    }

    #[test]
    fn the_cache_round_trips_only_for_its_wallet_and_damage_is_an_error() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mine = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[1; 32]));
        let other = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[2; 32]));
        let sealed = seal_cache(&mine, &[summary()], &mut rng).expect("seal");
        assert_eq!(open_cache(&mine, &sealed).expect("open"), vec![summary()]);
        assert!(
            open_cache(&other, &sealed).is_err(),
            "another wallet cannot read it"
        );
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(open_cache(&mine, &damaged).is_err());
        assert!(open_cache(&mine, b"MDWCACHE").is_err());
        assert!(
            !String::from_utf8_lossy(&sealed).contains("Lipid"),
            "no plaintext on disk"
        );
    }
}
