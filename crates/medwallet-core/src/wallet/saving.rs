//! Records kept and saved whatever their size: a ciphertext is downloaded into the wallet's
//! store as it arrives (checked against the ledger's hash by the source, which names a node
//! that serves other bytes), and a record is opened from the store into a file as it is read.
//! Memory stays at a few chunks, so a 1 GiB imaging study costs what a lab result does.

use std::io::{Read, Write};
use std::sync::Arc;

use medledger_client::padded::open_padded_stream;
use medledger_client::{BlobRequest, BlobSink, LedgerSource};
use medwallet_crypto::AccountKeys;
use medwallet_crypto::envelope::{EnvelopeError, Identity, WrappedKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Wallet;
use crate::clock::Clock;
use crate::error::WalletError;
use crate::records::RecordSummary;
use crate::store::{BlobDownload, StoreFailure, WalletStore};

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
const TELL_EVERY: u64 = 4 << 20;

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// Writes record `id`, decrypted, to `out`: a file record (an imaging study) as its file,
    /// any other as its FHIR. Its ciphertext comes from the store, else from a node into the
    /// store first; it is checked against the ledger's hash as it is read. Returns the bytes
    /// written, and `out` to be put in place: it holds garbage unless this returns `Ok`, so
    /// give it a file that appears only then (`medwallet_files::AtomicWriter`).
    pub async fn save_record<S: LedgerSource, W: Write + Send + 'static>(
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
        if !self.is_kept(&record) {
            keep_ciphertext(
                source,
                &self.store,
                &keys,
                &record,
                self.now_ms(),
                Some(progress.clone()),
            )
            .await?;
        }
        let kept = self
            .store
            .blob_reader(&record.ciphertext_sha256)?
            .ok_or(WalletError::Cache("lost a ciphertext it had just kept"))?;
        // Decryption is CPU work for as long as the record is large: a thread of its own.
        let (done, opened) = futures::channel::oneshot::channel();
        let sha = record.ciphertext_sha256.clone();
        std::thread::spawn(move || {
            let _ = done.send(open_into(&keys, &record, kept, out, &*progress));
        });
        let result = opened
            .await
            .map_err(|_| WalletError::Cache("stopped while opening a record"))?;
        if let Err(WalletError::WrongCiphertext(_)) = &result {
            // The kept copy is damaged: the next attempt downloads it again.
            self.store.remove_blob(&sha)?;
        }
        result
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
        inner: store.blob_download(&record.ciphertext_sha256)?,
        done: 0,
        told: 0,
        of: record.ciphertext_len,
        progress,
    };
    source
        .blob_to(&request, record.ciphertext_len, &mut sink)
        .await?;
    sink.inner.keep()?;
    Ok(())
}

struct Downloading {
    inner: Box<dyn BlobDownload>,
    done: u64,
    told: u64,
    of: u64,
    progress: Option<SaveProgressFn>,
}

impl BlobSink for Downloading {
    fn restart(&mut self) -> std::io::Result<()> {
        self.done = 0;
        self.told = 0;
        self.inner.restart()
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.inner.write(bytes)?;
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

/// Opens `ciphertext` (the kept copy of `record`'s) into `out`, checking its length and hash
/// against the ledger's as it is read.
fn open_into<W: Write>(
    keys: &AccountKeys,
    record: &RecordSummary,
    ciphertext: Box<dyn Read + Send>,
    mut out: W,
    progress: &(dyn Fn(SaveProgress) + Send + Sync),
) -> Result<(u64, W), WalletError> {
    let id = record.record_id()?;
    let blob = record.blob()?;
    let not_mine = || WalletError::NotForMe(record.id.clone());
    let wrapped = hex::decode(&record.wrapped_key).map_err(|_| not_mine())?;
    let wrapped = WrappedKey::from_bytes(&wrapped).map_err(|_| not_mine())?;
    let key = keys
        .identity()
        .unwrap(&wrapped, &id.0)
        .map_err(|_| not_mine())?;
    let mut reading = Checked {
        inner: ciphertext,
        hasher: Sha256::new(),
        read: 0,
        told: 0,
        of: record.ciphertext_len,
        progress,
    };
    let opened = open_padded_stream(&key, &mut reading, &mut out);
    let whole = reading.read == record.ciphertext_len
        && <[u8; 32]>::from(reading.hasher.finalize()) == blob.0;
    let written = match opened {
        Ok(written) if whole => written,
        Err(EnvelopeError::Io(e)) => return Err(WalletError::LocalStorage(StoreFailure::new(e))),
        // A wrong copy is named as one whichever check caught it: it is not the ledger's.
        Ok(_) | Err(_) => return Err(WalletError::WrongCiphertext(record.id.clone())),
    };
    out.flush()
        .map_err(|e| WalletError::LocalStorage(StoreFailure::new(e)))?;
    Ok((written, out))
}

/// The kept ciphertext as it is read: hashed, counted, and its progress told.
struct Checked<'a> {
    inner: Box<dyn Read + Send>,
    hasher: Sha256,
    read: u64,
    told: u64,
    of: u64,
    progress: &'a (dyn Fn(SaveProgress) + Send + Sync),
}

impl Read for Checked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        if self.read - self.told >= TELL_EVERY || (n == 0 && self.told != self.read) {
            self.told = self.read;
            (self.progress)(SaveProgress::Opening {
                done: self.read,
                of: self.of,
            });
        }
        Ok(n)
    }
}
