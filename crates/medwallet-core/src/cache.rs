//! The local cache: verified record summaries, so the wallet opens and lists records offline,
//! each marked with the height it was verified at, and the wallet's accounts (which
//! relationship each is for). Sealed (STREAM, authenticated) under a key
//! derived from the wallet's signing secret, and bound to the chain the records were verified
//! on: only the unlocked wallet can write a cache it will accept, so whoever can write the
//! wallet folder cannot plant records shown as verified.
//!
//! ```text
//! "MDWCACHE" (8) || version 2 (1) || chain id (32) || sealed JSON { "chain", "records", "relationships" }
//! ```
//!
//! Version 1 was sealed to the wallet's public receiving key, which anyone can do; it is no
//! longer opened (the records are verified again by the next sync).

use medledger_types::hash::ChainId;
use medwallet_crypto::AccountKeys;
use medwallet_crypto::envelope::{open_to_vec, seal_to_vec};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::error::WalletError;
use crate::records::RecordSummary;
use crate::relationships::Relationship;

const MAGIC: &[u8; 8] = b"MDWCACHE";
const VERSION: u8 = 2;
const HEADER_LEN: usize = 8 + 1 + 32;
const KEY_PURPOSE: &[u8] = b"medwallet/cache/v2";

/// What the cache holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cached {
    pub records: Vec<RecordSummary>,
    /// The wallet's registered accounts (a cache from before pairwise accounts has none: the
    /// next sync finds them on the ledger).
    #[serde(default)]
    pub relationships: Vec<Relationship>,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    chain: String,
    #[serde(flatten)]
    cached: Cached,
}

/// Seals the cache of what was verified on `chain`.
pub fn seal_cache<R: CryptoRng + ?Sized>(
    keys: &AccountKeys,
    chain: ChainId,
    cached: &Cached,
    rng: &mut R,
) -> Result<Vec<u8>, WalletError> {
    let payload = Payload {
        chain: chain.to_hex(),
        cached: cached.clone(),
    };
    let json = serde_json::to_vec(&payload).map_err(|_| WalletError::Cache("cannot be written"))?;
    let key = keys.local_key(KEY_PURPOSE);
    let sealed =
        seal_to_vec(&key, rng, &json).map_err(|_| WalletError::Cache("cannot be sealed"))?;
    let mut out = Vec::with_capacity(HEADER_LEN + sealed.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(chain.as_bytes());
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens the cache: the chain its records were verified on, and what it holds. Anything this
/// wallet did not seal (another wallet's, a planted or damaged file, version 1) is an error,
/// never a panic.
pub fn open_cache(keys: &AccountKeys, bytes: &[u8]) -> Result<(ChainId, Cached), WalletError> {
    if bytes.len() < 9 || &bytes[..8] != MAGIC {
        return Err(WalletError::Cache("is not a wallet cache"));
    }
    if bytes[8] == 1 {
        return Err(WalletError::Cache(
            "is an unauthenticated version-1 cache (anyone could have written it)",
        ));
    }
    if bytes[8] != VERSION || bytes.len() < HEADER_LEN {
        return Err(WalletError::Cache("is not a version-2 wallet cache"));
    }
    let key = keys.local_key(KEY_PURPOSE);
    let json = open_to_vec(&key, &bytes[HEADER_LEN..]).map_err(|_| {
        WalletError::Cache("was not written by this wallet (another wallet's, altered or damaged)")
    })?;
    let payload: Payload =
        serde_json::from_slice(&json).map_err(|_| WalletError::Cache("is damaged"))?;
    let chain = ChainId::from_hex(&payload.chain).map_err(|_| WalletError::Cache("is damaged"))?;
    if chain.as_bytes()[..] != bytes[9..HEADER_LEN] {
        return Err(WalletError::Cache("names two different chains"));
    }
    Ok((chain, payload.cached))
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
            visit: None,
            account: 0,
            erased: false,
            file: None,
        }
    }

    #[test]
    fn the_cache_round_trips_only_for_its_wallet_and_damage_is_an_error() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mine = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[1; 32]));
        let other = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[2; 32]));
        let chain = ChainId([7; 32]);
        let cached = Cached {
            records: vec![summary()],
            relationships: vec![Relationship {
                account: 2,
                label: "St Mary's".into(),
                address: Some([9; 32]),
            }],
        };
        let sealed = seal_cache(&mine, chain, &cached, &mut rng).expect("seal");
        assert_eq!(open_cache(&mine, &sealed).expect("open"), (chain, cached));
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

#[cfg(test)]
mod planted {
    use medwallet_crypto::RecoveryPhrase;
    use medwallet_crypto::envelope::{ContentKey, Recipient, WRAPPED_KEY_LEN};
    use rand::SeedableRng;

    use super::*;

    fn planted_record() -> RecordSummary {
        RecordSummary {
            id: "ab".repeat(32),
            clinic: "cd".repeat(32),
            category: "labs".into(),
            title: "Planted result".into(),
            date: None,
            issued_height: 1,
            verified_height: 1,
            ciphertext_sha256: "ef".repeat(32),
            ciphertext_len: 1,
            wrapped_key: "01".repeat(81),
            unreadable: false,
            visit: None,
            account: 0,
            erased: false,
            file: None,
        }
    }

    #[test]
    fn a_cache_written_with_only_public_keys_is_refused() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let victim = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[1; 32]));
        // What version 1 let anyone do: seal records to the wallet's public receiving key.
        let key = ContentKey::generate(&mut rng);
        let wrapped = victim
            .identity()
            .to_recipient()
            .wrap(&key, b"medwallet/cache/v1", &mut rng)
            .expect("wrap");
        let json = serde_json::to_vec(&vec![planted_record()]).expect("json");
        let mut v1 = b"MDWCACHE\x01".to_vec();
        v1.extend_from_slice(wrapped.as_bytes());
        v1.extend_from_slice(&seal_to_vec(&key, &mut rng, &json).expect("seal"));
        assert!(v1.len() > 9 + WRAPPED_KEY_LEN);
        let err = open_cache(&victim, &v1).expect_err("planted");
        assert!(err.to_string().contains("unauthenticated"), "{err}");
        // A version-2 cache sealed under any key but the wallet's own.
        let other = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[2; 32]));
        let planted = Cached {
            records: vec![planted_record()],
            relationships: Vec::new(),
        };
        let forged = seal_cache(&other, ChainId([7; 32]), &planted, &mut rng).expect("seal");
        let err = open_cache(&victim, &forged).expect_err("forged");
        assert!(
            err.to_string().contains("not written by this wallet"),
            "{err}"
        );
        // The chain in the clear header cannot be swapped.
        let mut sealed = seal_cache(&victim, ChainId([7; 32]), &planted, &mut rng).expect("seal");
        sealed[9] ^= 1;
        assert!(open_cache(&victim, &sealed).is_err());
    }
}
