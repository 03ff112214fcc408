//! Records kept and saved whatever their size: a ciphertext is downloaded into the wallet's
//! store as it arrives (checked against the ledger's hash by the source, which names a node
//! that serves other bytes), and a record is opened into a file as it is read or as it
//! arrives ([`super::opening`]). Memory stays at a few chunks, so a 1 GiB imaging study costs
//! what a lab result does. A doctor saves a shared record the same way.

use std::io::Write;
use std::sync::Arc;
use std::sync::mpsc::SyncSender;

use medledger_client::{BlobRequest, BlobSink, LedgerSource};
use medledger_types::hash::{GrantId, RecordId};
use medwallet_crypto::AccountKeys;
use medwallet_crypto::envelope::{ContentKey, Identity, WrappedKey};
use serde::Serialize;

use super::Wallet;
use super::opening::{Check, Expected, Piece, open_into, open_streamed};
use crate::clock::Clock;
use crate::error::WalletError;
use crate::records::RecordSummary;
use crate::shared::shared_access;
use crate::store::{BlobDownload, WalletStore};
use crate::wallet::KEPT_ON_SYNC_MAX;

/// How far saving a record is, in bytes of its ciphertext.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum SaveProgress {
    Downloading { done: u64, of: u64 },
    Opening { done: u64, of: u64 },
}

/// Told how far a transfer is, from any thread.
pub type SaveProgressFn = Arc<dyn Fn(SaveProgress) + Send + Sync>;

/// How often progress is told, in bytes.
pub(super) const TELL_EVERY: u64 = 4 << 20;
/// Downloaded pieces waiting for the opener (a few MiB at most).
const PIECES_IN_FLIGHT: usize = 32;

/// Where a saved record is written. It can start over: a node caught serving other bytes
/// part-way through means writing the next node's from the beginning.
pub trait SaveTarget: Write + Send + 'static {
    /// Drops everything written so far.
    fn restart(&mut self) -> std::io::Result<()>;
}

impl SaveTarget for Vec<u8> {
    fn restart(&mut self) -> std::io::Result<()> {
        self.clear();
        Ok(())
    }
}

impl SaveTarget for medwallet_files::AtomicWriter {
    fn restart(&mut self) -> std::io::Result<()> {
        medwallet_files::AtomicWriter::restart(self)
    }
}

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// Writes record `id`, decrypted, to `out`: a file record (an imaging study) as its file,
    /// any other as its FHIR. A kept ciphertext is opened as it is read, checked against the
    /// ledger's hash; otherwise it is downloaded (into the store, unless it is a file record
    /// too large to keep twice) and opened as it arrives, one pass on two threads. Returns the
    /// bytes written, and `out` to be put in place: it holds garbage unless this returns `Ok`,
    /// so give it a file that appears only then (`medwallet_files::AtomicWriter`).
    pub async fn save_record<S: LedgerSource, W: SaveTarget>(
        &self,
        source: &S,
        id: &str,
        out: W,
        progress: SaveProgressFn,
    ) -> Result<(u64, W), WalletError> {
        let record = self.record(id)?;
        let keys = self.keys.get(record.account);
        if record.unreadable {
            return Err(WalletError::NotForMe(record.id));
        }
        let key = own_key(&keys, &record)?;
        let expected = Expected {
            record: record.id.clone(),
            blob: record.blob()?,
            len: record.ciphertext_len,
        };
        if !self.is_kept(&record) {
            let request = BlobRequest::new(
                keys.signing_key(),
                expected.blob,
                record.record_id()?,
                None,
                self.now_ms(),
            );
            // A large file record is not kept twice: the saved file is the patient's copy,
            // and a second one (encrypted) would cost its size again on disk.
            let kept = match record.file.is_some() && record.ciphertext_len > KEPT_ON_SYNC_MAX {
                true => None,
                false => Some(self.store.blob_download(&record.ciphertext_sha256)?),
            };
            return stream_and_open(source, &request, key, expected, kept, out, progress).await;
        }
        let kept = self
            .store
            .blob_reader(&record.ciphertext_sha256)?
            .ok_or(WalletError::Cache("lost a ciphertext it had just kept"))?;
        // Decryption is CPU work for as long as the record is large: a thread of its own.
        let result = on_a_thread(move || {
            let told = |p| progress(p);
            open_into(&key, &expected, kept, out, Check::Hash, Some(&told))
        })
        .await;
        if let Err(WalletError::WrongCiphertext(_)) = &result {
            // The kept copy is damaged: the next attempt downloads it again.
            self.store.remove_blob(&record.ciphertext_sha256)?;
        }
        result
    }

    /// [`Wallet::save_record`] for a doctor: `record`, shared with this wallet under `grant`
    /// (checked as `open_shared` checks it), downloaded and opened into `out` as it arrives.
    /// Nothing is kept. This is how a shared file record (an imaging study) is read.
    pub async fn save_shared<S: LedgerSource, W: SaveTarget>(
        &self,
        source: &S,
        grant: GrantId,
        record: RecordId,
        out: W,
        progress: SaveProgressFn,
    ) -> Result<(u64, W), WalletError> {
        let at = self.latest(source).await?;
        let now = self.now_ms();
        let access = shared_access(source, self.keys.zero(), &at, grant, record, now).await?;
        let expected = Expected {
            record: record.to_hex(),
            blob: access.entry.ciphertext_sha256,
            len: access.entry.ciphertext_len,
        };
        let request = BlobRequest::new(&access.signer, expected.blob, record, Some(grant), now);
        stream_and_open(source, &request, access.key, expected, None, out, progress).await
    }
}

/// The content key of one of this wallet's own records.
fn own_key(keys: &AccountKeys, record: &RecordSummary) -> Result<ContentKey, WalletError> {
    let not_mine = || WalletError::NotForMe(record.id.clone());
    let wrapped = hex::decode(&record.wrapped_key).map_err(|_| not_mine())?;
    let wrapped = WrappedKey::from_bytes(&wrapped).map_err(|_| not_mine())?;
    keys.identity()
        .unwrap(&wrapped, &record.record_id()?.0)
        .map_err(|_| not_mine())
}

/// Downloads what `request` names (into `kept`, if given) while a thread opens it into `out`.
async fn stream_and_open<S: LedgerSource, W: SaveTarget>(
    source: &S,
    request: &BlobRequest<'_>,
    key: ContentKey,
    expected: Expected,
    kept: Option<Box<dyn BlobDownload>>,
    out: W,
    progress: SaveProgressFn,
) -> Result<(u64, W), WalletError> {
    let (to_opener, pieces) = std::sync::mpsc::sync_channel(PIECES_IN_FLIGHT);
    let len = expected.len;
    let opened = on_a_thread(move || open_streamed(&key, &expected, pieces, out));
    let mut sink = Downloading {
        kept,
        opener: Some(to_opener),
        sent_any: false,
        done: 0,
        told: 0,
        of: len,
        progress: Some(progress),
    };
    let downloaded = source.blob_to(request, len, &mut sink).await;
    let Downloading { kept, opener, .. } = sink;
    // The end of the pieces: the opener finishes with what it has.
    drop(opener);
    let opened = opened.await;
    downloaded?;
    if let Some(kept) = kept {
        kept.keep()?;
    }
    opened
}

/// Starts `work` on a thread of its own now; the future waits for it without blocking the
/// caller's runtime.
fn on_a_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, WalletError> + Send + 'static,
) -> impl std::future::Future<Output = Result<T, WalletError>> {
    let (done, result) = futures::channel::oneshot::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    async move {
        result
            .await
            .map_err(|_| WalletError::Cache("stopped while opening a record"))?
    }
}

/// Downloads `record`'s ciphertext into `store`, kept once the source has checked it.
pub(crate) async fn keep_ciphertext<S: LedgerSource, St: WalletStore>(
    source: &S,
    store: &St,
    keys: &AccountKeys,
    record: &RecordSummary,
    now_ms: u64,
    progress: Option<SaveProgressFn>,
) -> Result<(), WalletError> {
    let request = BlobRequest::new(
        keys.signing_key(),
        record.blob()?,
        record.record_id()?,
        None,
        now_ms,
    );
    let mut sink = Downloading {
        kept: Some(store.blob_download(&record.ciphertext_sha256)?),
        opener: None,
        sent_any: false,
        done: 0,
        told: 0,
        of: record.ciphertext_len,
        progress,
    };
    source
        .blob_to(&request, record.ciphertext_len, &mut sink)
        .await?;
    if let Some(kept) = sink.kept {
        kept.keep()?;
    }
    Ok(())
}

/// A download into the store, each piece also handed to the opener, if there is one.
struct Downloading {
    /// Where it is kept, unless it is too large a file to keep twice.
    kept: Option<Box<dyn BlobDownload>>,
    opener: Option<SyncSender<Piece>>,
    /// The opener has had pieces of this attempt (a restart must tell it).
    sent_any: bool,
    done: u64,
    told: u64,
    of: u64,
    progress: Option<SaveProgressFn>,
}

impl BlobSink for Downloading {
    fn restart(&mut self) -> std::io::Result<()> {
        self.done = 0;
        self.told = 0;
        if let Some(opener) = &self.opener
            && std::mem::take(&mut self.sent_any)
        {
            opener.send(Piece::Restart).map_err(|_| opener_gone())?;
        }
        match &mut self.kept {
            Some(kept) => kept.restart(),
            None => Ok(()),
        }
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(kept) = &mut self.kept {
            kept.write(bytes)?;
        }
        if let Some(opener) = &self.opener {
            // Bounded: a download that outruns decryption waits for it.
            opener
                .send(Piece::Bytes(bytes.to_vec()))
                .map_err(|_| opener_gone())?;
            self.sent_any = true;
        }
        self.done += bytes.len() as u64;
        if let Some(progress) = &self.progress
            && (self.done - self.told >= TELL_EVERY || self.done == self.of)
        {
            self.told = self.done;
            progress(SaveProgress::Downloading {
                done: self.done,
                of: self.of,
            });
        }
        Ok(())
    }
}

fn opener_gone() -> std::io::Error {
    std::io::Error::other("the record's decryption stopped")
}
