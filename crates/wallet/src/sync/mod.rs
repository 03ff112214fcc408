//! Verified sync of a patient's records: the newest header the light client accepts, then every
//! record this wallet lacks, each proven against that header's state root.
//!
//! Proof requests are pipelined (up to [`PIPELINE_DEPTH`] in flight) and results come back in
//! batches of [`BATCH`], in issue order: a caller that persists each batch can stop at any point
//! and resume later from what it saved, since sync starts after the records already known.

use futures::stream::{self, StreamExt, TryStreamExt};
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, RecordId};
use medledger_types::state::{MAX_VALUE_LEN, RecordEntry, StateKey, decode_u64};
use medwallet_crypto::AccountKeys;
use medwallet_crypto::envelope::{Identity, WrappedKey, open_to_vec};
use medwallet_verify::VerifiedHeader;

use crate::records::{RecordSummary, WalletError};
use crate::source::LedgerSource;

/// Proof requests in flight at once: enough to hide a round trip, few enough not to flood a node.
pub const PIPELINE_DEPTH: usize = 32;
/// Records per progress event (and per save, for a caller that persists them).
pub const BATCH: usize = 64;

/// What a sync reports as it goes, for a progress bar and for resumable saving.
#[derive(Debug)]
pub enum SyncEvent<'a> {
    /// The newest header was verified; records are proven against it.
    HeaderVerified { height: u64, total_records: u64 },
    /// The next records, verified and decrypted, in issue order.
    Records {
        batch: &'a [RecordSummary],
        done: u64,
        total: u64,
    },
}

/// Receives [`SyncEvent`]s. An error stops the sync (for example when saving a batch failed).
pub trait Progress {
    fn event(&mut self, event: SyncEvent<'_>) -> Result<(), WalletError>;
}

impl<F: FnMut(SyncEvent<'_>) -> Result<(), WalletError>> Progress for F {
    fn event(&mut self, event: SyncEvent<'_>) -> Result<(), WalletError> {
        self(event)
    }
}

fn address(keys: &AccountKeys) -> Address {
    Address(*keys.public().address().as_bytes())
}

/// Fetches and verifies every record of this patient that `known` lacks, at the newest verified
/// header. Returns the new records, in issue order.
pub async fn sync_records<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    known: &[RecordSummary],
    now_ms: u64,
    progress: &mut impl Progress,
) -> Result<Vec<RecordSummary>, WalletError> {
    let at = source.latest(now_ms).await?;
    let me = address(keys);
    let count = match source
        .value(&at, &StateKey::patient_record_count(&me))
        .await?
    {
        Some(v) => decode_u64(&v).map_err(|e| WalletError::Malformed(e.to_string()))?,
        None => 0,
    };
    progress.event(SyncEvent::HeaderVerified {
        height: at.header.height,
        total_records: count,
    })?;
    let first = known.len() as u64;
    let mut new = Vec::new();
    let mut pending = stream::iter(first..count)
        .map(|index| record_at(source, keys, &me, &at, index))
        .buffered(PIPELINE_DEPTH)
        .try_chunks(BATCH);
    while let Some(batch) = pending.try_next().await.map_err(|e| e.1)? {
        let start = new.len();
        new.extend(batch);
        progress.event(SyncEvent::Records {
            batch: &new[start..],
            done: first + new.len() as u64,
            total: count,
        })?;
    }
    Ok(new)
}

/// The `index`th record of patient `me`, proven against `at`, its metadata decrypted.
async fn record_at<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    me: &Address,
    at: &VerifiedHeader,
    index: u64,
) -> Result<RecordSummary, WalletError> {
    let id_bytes = source
        .value(at, &StateKey::patient_record(me, index))
        .await?
        .ok_or_else(|| WalletError::Malformed(format!("record index {index} missing")))?;
    let id = RecordId(
        id_bytes
            .as_slice()
            .try_into()
            .map_err(|_| WalletError::Malformed("record id length".into()))?,
    );
    let bytes = source
        .value(at, &StateKey::record(&id))
        .await?
        .ok_or_else(|| WalletError::Malformed(format!("record {id} missing")))?;
    let e = RecordEntry::decode(&bytes, MAX_VALUE_LEN)
        .map_err(|e| WalletError::Malformed(e.to_string()))?;
    if e.patient != *me {
        return Err(WalletError::Malformed(format!(
            "record {id} belongs to another patient"
        )));
    }
    let wrapped =
        WrappedKey::from_bytes(&e.wrapped_key.0).map_err(|_| WalletError::NotForMe(id.to_hex()))?;
    let key = keys
        .identity()
        .unwrap(&wrapped, &id.0)
        .map_err(|_| WalletError::NotForMe(id.to_hex()))?;
    // Metadata is the clinic's description; a record whose metadata does not open still shows,
    // under a generic title, because its entry itself is proven.
    let metadata: serde_json::Value = open_to_vec(&key, &e.metadata)
        .ok()
        .and_then(|m| serde_json::from_slice(&m).ok())
        .unwrap_or_default();
    Ok(RecordSummary {
        id: id.to_hex(),
        clinic: e.clinic.to_hex(),
        category: e.category.code().into(),
        title: metadata["title"].as_str().unwrap_or("Record").into(),
        date: metadata["date"].as_str().map(str::to_owned),
        issued_height: e.issued_height,
        verified_height: at.header.height,
        ciphertext_sha256: e.ciphertext_sha256.to_hex(),
        ciphertext_len: e.ciphertext_len,
        wrapped_key: e.wrapped_key.0.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

#[cfg(test)]
mod tests;
