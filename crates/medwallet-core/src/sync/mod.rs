//! Verified sync of a patient's records: the newest header the light client accepts, then every
//! record this wallet lacks in any of its accounts, each proven against that header's state
//! root. The accounts' records are fetched through one pipeline, so a patient with twenty
//! relationships waits about as long as one with the same records under one account.
//!
//! Proof requests are pipelined (up to [`PIPELINE_DEPTH`] in flight) and results come back in
//! batches of [`BATCH`], in issue order: a caller that persists each batch can stop at any point
//! and resume later from what it saved, since sync starts after the records already known.

use futures::stream::{self, StreamExt, TryStreamExt};
use medledger_client::{LedgerSource, RecordMetadata, reads};
use medledger_types::category::Category;
use medledger_types::erasure::ErasedRecord;
use medledger_types::hash::RecordId;
use medledger_types::state::{RecordEntry, StateKey};

use medwallet_crypto::envelope::Identity;
use medwallet_verify::VerifiedHeader;

use crate::error::WalletError;
use crate::records::RecordSummary;
use crate::relationships::OwnAccount;

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

/// How many records `account` has at `at`.
async fn count_of<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    account: OwnAccount,
) -> Result<(OwnAccount, u64), WalletError> {
    let count = reads::count(
        source,
        at,
        &StateKey::patient_record_count(&account.address),
    )
    .await?;
    Ok((account, count))
}

/// Fetches and verifies every record of this patient's `accounts` that `known` lacks, at the
/// verified header `at` (the newest, as the caller had it verified). Returns that header and
/// the new records, account by account, each account's in issue order.
pub async fn sync_records<S: LedgerSource>(
    source: &S,
    accounts: &[OwnAccount],
    known: &[RecordSummary],
    at: VerifiedHeader,
    progress: &mut impl Progress,
) -> Result<(VerifiedHeader, Vec<RecordSummary>), WalletError> {
    let counts: Vec<(OwnAccount, u64)> = stream::iter(accounts.iter().cloned())
        .map(|account| count_of(source, &at, account))
        .buffered(PIPELINE_DEPTH)
        .try_collect()
        .await?;
    let total: u64 = counts.iter().map(|c| c.1).sum();
    progress.event(SyncEvent::HeaderVerified {
        height: at.height(),
        total_records: total,
    })?;
    // Each account's records are an append-only list: the wallet has a prefix of each.
    let mut wanted = Vec::new();
    let mut first = 0u64;
    for (account, count) in &counts {
        let have = known
            .iter()
            .filter(|r| r.account == account.index())
            .count() as u64;
        first += have.min(*count);
        wanted.extend((have..*count).map(|index| (account.clone(), index)));
    }
    let mut new = Vec::new();
    let mut pending = stream::iter(wanted)
        .map(|(account, index)| record_at(source, account, &at, index))
        .buffered(PIPELINE_DEPTH)
        .try_chunks(BATCH);
    while let Some(batch) = pending.try_next().await.map_err(|e| e.1)? {
        let start = new.len();
        new.extend(batch);
        progress.event(SyncEvent::Records {
            batch: &new[start..],
            done: first + new.len() as u64,
            total,
        })?;
    }
    drop(pending);
    Ok((at, new))
}

/// The `index`th record of account `keys`, proven against `at`, its metadata decrypted.
async fn record_at<S: LedgerSource>(
    source: &S,
    account: OwnAccount,
    at: &VerifiedHeader,
    index: u64,
) -> Result<RecordSummary, WalletError> {
    let OwnAccount { keys, address } = account;
    let me = &address;
    let id = RecordId(reads::id(source, at, &StateKey::patient_record(me, index)).await?);
    let Some(e): Option<RecordEntry> = reads::value(source, at, &StateKey::record(&id)).await?
    else {
        // Erased (by this wallet or another device of it): kept as the fact it was.
        let erased: ErasedRecord = reads::required(source, at, &StateKey::erased(&id)).await?;
        if erased.patient != *me {
            return Err(WalletError::ForeignRecord(id.to_hex()));
        }
        return Ok(crate::erasure::erased_summary(
            &id,
            &erased,
            keys.index(),
            at.height(),
        ));
    };
    if e.patient != *me {
        return Err(WalletError::ForeignRecord(id.to_hex()));
    }
    // A key not wrapped to this wallet (a clinic's mistake, or a hostile issuer) must not stop
    // every later sync: the record is kept, named by its proven clinic, and never opened.
    let metadata = match keys.identity().unwrap(&e.wrapped_key, &id.0) {
        // Metadata is the clinic's description; a record whose metadata does not open still
        // shows, under a generic title, because its entry itself is proven.
        Ok(key) => Some(RecordMetadata::open(&key, &e.metadata).ok()),
        Err(_) => None,
    };
    let unreadable = metadata.is_none();
    let metadata = metadata.flatten();
    let title = match (&metadata, unreadable) {
        (Some(m), _) => m.title.clone(),
        (None, true) => "Record this wallet cannot open".to_owned(),
        (None, false) => "Record".to_owned(),
    };
    Ok(RecordSummary {
        id: id.to_hex(),
        clinic: e.clinic.to_hex(),
        // The category is only in the sealed metadata (the ledger never sees it).
        category: metadata
            .as_ref()
            .map_or(Category::Other, |m| m.category)
            .code()
            .into(),
        title,
        visit: metadata.as_ref().and_then(|m| m.visit.clone()),
        date: metadata.and_then(|m| m.date),
        issued_height: e.issued_height,
        verified_height: at.height(),
        ciphertext_sha256: e.ciphertext_sha256.to_hex(),
        ciphertext_len: e.ciphertext_len,
        wrapped_key: hex::encode(e.wrapped_key.0),
        unreadable,
        account: keys.index(),
        erased: false,
    })
}

#[cfg(test)]
mod tests;
