//! Verified sync of a patient's records: the newest header the light client accepts, then every
//! record this wallet lacks in any of its accounts, each proven against that header's state
//! root. The accounts' records are fetched through one pipeline, so a patient with twenty
//! relationships waits about as long as one with the same records under one account.
//!
//! Records are proven [`BATCH`] at a time: one batch of proofs for their index entries, one for
//! their record entries ([`LedgerSource::values`]), up to [`PIPELINE_DEPTH`] batches in
//! flight. Their keys are unwrapped on every core. Results come back batch by batch, in issue
//! order: a caller that persists each batch can stop at any point and resume later from what
//! it saved, since sync starts after the records already known.

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

/// Batches in flight at once: enough to hide a round trip and keep several nodes busy, few
/// enough not to flood one.
pub const PIPELINE_DEPTH: usize = 8;
/// Most records per batch of proofs, per progress event (and per save, for a caller that
/// persists them): as many as one request for proofs may name.
pub const BATCH: usize = medledger_client::source::MAX_BATCH_KEYS;
/// Fewest records per batch: below this, a request's fixed cost dominates.
const MIN_BATCH: usize = 16;

/// Records per batch for a sync of `total`: a few records go in several small batches, so that
/// they are proven by several nodes (and cores) at once; a lifetime goes in full batches.
fn batch_len(total: usize) -> usize {
    total.div_ceil(PIPELINE_DEPTH).clamp(MIN_BATCH, BATCH)
}

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
    let batches: Vec<Vec<(OwnAccount, u64)>> = wanted
        .chunks(batch_len(wanted.len()))
        .map(<[_]>::to_vec)
        .collect();
    let mut pending = stream::iter(batches)
        .map(|batch| records_at(source, &at, batch))
        .buffered(PIPELINE_DEPTH);
    while let Some(batch) = pending.try_next().await? {
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

/// The records at `wanted` (account, index), proven against `at` in two batches, their
/// metadata decrypted.
async fn records_at<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    wanted: Vec<(OwnAccount, u64)>,
) -> Result<Vec<RecordSummary>, WalletError> {
    let index_keys: Vec<StateKey> = wanted
        .iter()
        .map(|(account, index)| StateKey::patient_record(&account.address, *index))
        .collect();
    let ids: Vec<RecordId> = reads::ids(source, at, &index_keys)
        .await?
        .into_iter()
        .map(RecordId)
        .collect();
    let record_keys: Vec<StateKey> = ids.iter().map(StateKey::record).collect();
    let entries: Vec<Option<RecordEntry>> = reads::values(source, at, &record_keys).await?;
    // Erased records (by this wallet or another device of it) are kept as the fact they were.
    let erased_keys: Vec<StateKey> = ids
        .iter()
        .zip(&entries)
        .filter(|(_, entry)| entry.is_none())
        .map(|(id, _)| StateKey::erased(id))
        .collect();
    let mut erased = if erased_keys.is_empty() {
        Vec::new()
    } else {
        reads::values::<S, ErasedRecord>(source, at, &erased_keys).await?
    }
    .into_iter()
    .zip(erased_keys);
    let mut found = Vec::with_capacity(wanted.len());
    for (((account, _), id), entry) in wanted.into_iter().zip(ids).zip(entries) {
        found.push(match entry {
            Some(entry) => Found::Entry(account, id, entry),
            None => {
                let (fact, key) = erased.next().ok_or_else(|| {
                    WalletError::Ledger(reads::ReadError::MissingEntry { key: id.to_hex() })
                })?;
                let fact = fact.ok_or_else(|| {
                    WalletError::Ledger(reads::ReadError::MissingEntry {
                        key: format!("{key:?}"),
                    })
                })?;
                if fact.patient != account.address {
                    return Err(WalletError::ForeignRecord(id.to_hex()));
                }
                Found::Erased(crate::erasure::erased_summary(
                    &id,
                    &fact,
                    account.keys.index(),
                    at.height(),
                ))
            }
        });
    }
    opened_on_every_core(found, at.height()).await
}

/// A proven record: its entry, or the fact that it was erased.
enum Found {
    Entry(OwnAccount, RecordId, RecordEntry),
    Erased(RecordSummary),
}

/// The summaries of `found`, in order, their keys unwrapped on every core (an unwrap is an
/// X25519 agreement, the costliest step of a sync). The work runs on threads of its own, so
/// that while it does, this task's other batches keep fetching and verifying proofs.
async fn opened_on_every_core(
    found: Vec<Found>,
    height: u64,
) -> Result<Vec<RecordSummary>, WalletError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let share = found.len().div_ceil(cores).max(1);
    let mut rest = found.into_iter();
    let mut parts = Vec::new();
    loop {
        let part: Vec<Found> = rest.by_ref().take(share).collect();
        if part.is_empty() {
            break;
        }
        let (done, result) = futures::channel::oneshot::channel();
        std::thread::spawn(move || {
            let opened = std::panic::catch_unwind(move || {
                part.into_iter()
                    .map(|f| match f {
                        Found::Entry(account, id, entry) => summary(&account, &id, entry, height),
                        Found::Erased(summary) => Ok(summary),
                    })
                    .collect::<Result<Vec<_>, _>>()
            });
            // The receiver is gone only if the sync was dropped; nothing is left to tell.
            let _ = done.send(opened);
        });
        parts.push(result);
    }
    let mut out = Vec::new();
    for part in parts {
        match part.await {
            Ok(Ok(opened)) => out.extend(opened?),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(futures::channel::oneshot::Canceled) => {
                unreachable!("a worker sends its result before it ends")
            }
        }
    }
    Ok(out)
}

/// The summary of record `id` of `account`, from its proven entry: its key unwrapped and its
/// metadata decrypted.
fn summary(
    account: &OwnAccount,
    id: &RecordId,
    e: RecordEntry,
    height: u64,
) -> Result<RecordSummary, WalletError> {
    let OwnAccount { keys, address } = account;
    if e.patient != *address {
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
        file: metadata.as_ref().and_then(|m| m.file.clone()),
        date: metadata.and_then(|m| m.date),
        issued_height: e.issued_height,
        verified_height: height,
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
