//! Typed reads of the ledger's state over any [`LedgerSource`]: every value proven at one
//! verified header and decoded with the codec's bounds.

use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, GrantId};
use medledger_types::state::{
    Account, GrantEntry, GrantStatus, MAX_VALUE_LEN, StateKey, decode_u64,
};
use medwallet_verify::VerifiedHeader;
use thiserror::Error;

use crate::source::{LedgerSource, SourceError};

/// Why a typed read failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A proven value does not decode: the ledger itself holds something it should not.
    #[error("the ledger holds a malformed value under {key}: {reason}")]
    Malformed { key: String, reason: String },
    /// A list or another value points to an entry the state does not hold.
    #[error("the ledger lacks entry {key}")]
    MissingEntry { key: String },
}

fn key_text(key: &StateKey) -> String {
    // Keys are an ASCII prefix followed by ids.
    let split = key.0.iter().position(|b| *b == b'/').map_or(0, |i| i + 1);
    format!(
        "{}{}",
        String::from_utf8_lossy(&key.0[..split]),
        hex::encode(&key.0[split..])
    )
}

/// `bytes` (proven under `key`) decoded as a `T`.
fn decoded<T: Canonical>(key: &StateKey, bytes: Option<Vec<u8>>) -> Result<Option<T>, ReadError> {
    bytes
        .map(|bytes| {
            T::decode(&bytes, MAX_VALUE_LEN).map_err(|e| ReadError::Malformed {
                key: key_text(key),
                reason: e.to_string(),
            })
        })
        .transpose()
}

/// `bytes` (proven under `key`) as a 32-byte id.
fn decoded_id(key: &StateKey, bytes: Option<Vec<u8>>) -> Result<Option<[u8; 32]>, ReadError> {
    bytes
        .map(|bytes| {
            bytes.try_into().map_err(|_| ReadError::Malformed {
                key: key_text(key),
                reason: "not a 32-byte id".into(),
            })
        })
        .transpose()
}

/// A value of type `T` (or its proven absence).
pub async fn value<S: LedgerSource, T: Canonical>(
    source: &S,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<Option<T>, ReadError> {
    decoded(key, source.value(at, key).await?)
}

/// Many values of type `T` (or their proven absence), in the order of `keys`, proven in
/// batches ([`LedgerSource::values`]).
pub async fn values<S: LedgerSource, T: Canonical>(
    source: &S,
    at: &VerifiedHeader,
    keys: &[StateKey],
) -> Result<Vec<Option<T>>, ReadError> {
    let proven = source.values(at, keys).await?;
    keys.iter()
        .zip(proven)
        .map(|(key, bytes)| decoded(key, bytes))
        .collect()
}

/// The 32-byte ids under `keys`, in their order, each of which must be present (the entries
/// of a list), proven in batches.
pub async fn ids<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    keys: &[StateKey],
) -> Result<Vec<[u8; 32]>, ReadError> {
    let proven = source.values(at, keys).await?;
    keys.iter()
        .zip(proven)
        .map(|(key, bytes)| {
            decoded_id(key, bytes)?.ok_or_else(|| ReadError::MissingEntry { key: key_text(key) })
        })
        .collect()
}

/// A value of type `T` that must exist (an entry a list or another value points to).
pub async fn required<S: LedgerSource, T: Canonical>(
    source: &S,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<T, ReadError> {
    value(source, at, key)
        .await?
        .ok_or_else(|| ReadError::MissingEntry { key: key_text(key) })
}

/// A counter (absent means 0).
pub async fn count<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<u64, ReadError> {
    match source.value(at, key).await? {
        None => Ok(0),
        Some(bytes) => decode_u64(&bytes).map_err(|e| ReadError::Malformed {
            key: key_text(key),
            reason: e.to_string(),
        }),
    }
}

/// A 32-byte id stored under `key`, which must be present.
pub async fn id<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<[u8; 32], ReadError> {
    optional_id(source, at, key)
        .await?
        .ok_or_else(|| ReadError::MissingEntry { key: key_text(key) })
}

/// A 32-byte id stored under `key` (`None`: proven absent).
pub async fn optional_id<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<Option<[u8; 32]>, ReadError> {
    decoded_id(key, source.value(at, key).await?)
}

/// The account's next nonce (its committed transaction count).
pub async fn nonce<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    account: &Address,
) -> Result<u64, ReadError> {
    count(source, at, &StateKey::nonce(account)).await
}

/// The account a key (by its address) was rotated into (`None`: none; the key is its own).
pub async fn key_owner<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    key: &Address,
) -> Result<Option<Address>, ReadError> {
    Ok(optional_id(source, at, &StateKey::key_owner(key))
        .await?
        .map(Address))
}

/// A registered account (`None`: not registered).
pub async fn account<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    address: &Address,
) -> Result<Option<Account>, ReadError> {
    value(source, at, &StateKey::account(address)).await
}

/// A grant and its status at `now_ms` (`None`: no such grant).
pub async fn grant<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    id: &GrantId,
    now_ms: u64,
) -> Result<Option<(GrantEntry, GrantStatus)>, ReadError> {
    let Some(entry) = value::<S, GrantEntry>(source, at, &StateKey::grant(id)).await? else {
        return Ok(None);
    };
    let revoked = source.value(at, &StateKey::revocation(id)).await?.is_some();
    let status = GrantStatus::of(&entry, revoked, now_ms);
    Ok(Some((entry, status)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_as_prefix_and_hex() {
        let key = StateKey::nonce(&Address([0xab; 32]));
        let text = key_text(&key);
        assert!(text.ends_with(&"ab".repeat(32)), "{text}");
        assert!(text.contains('/'), "{text}");
    }
}
