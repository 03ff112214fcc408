//! Issuing a file as a record: an imaging study (DICOM), a scanned letter, anything too large
//! or not shaped to be FHIR. The file is read once, sealed to a temporary file as it is read
//! (padded to its size bucket, hashed as it is written), and uploaded from that file as it is
//! read, so memory stays at a few chunks whatever its size. The record's sealed metadata
//! describes the file as FHIR's `Attachment` does (type, name, size); the wallet saves it to a
//! file rather than showing it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use medledger_client::background_hash::BackgroundHash;
use medledger_client::padded::{padded_len, seal_padded_stream};
use medledger_client::transaction::TxSequence;
use medledger_client::{Attachment, BlobUpload, LedgerSource, RecordMetadata};
use medledger_types::category::Category;
use medledger_types::hash::{RecordId, Sha256Digest};
use medledger_types::tx::{MAX_RECORD_LEN, TxBody};
use medwallet_crypto::ShareCode;
use medwallet_crypto::envelope::payload::sealed_len;
use medwallet_crypto::envelope::{ContentKey, Recipient};
use rand::SeedableRng;
use rand_core::CryptoRng;

use crate::IssueError;
use crate::issue::{Clinic, Issued, patient_recipient};

/// A file to issue, and what the record says about it.
pub struct FileRecord<'a> {
    pub path: &'a Path,
    /// Its MIME type (`application/dicom`).
    pub content_type: &'a str,
    pub title: &'a str,
    pub date: Option<String>,
    pub category: Category,
}

/// How far issuing a file is, in bytes of the sealed record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileProgress {
    Sealing { done: u64, of: u64 },
    Uploading { done: u64, of: u64 },
}

/// Issues the file `record` names to `patient`, finalized; `progress` hears how far sealing and
/// uploading are.
pub async fn issue_file<S: LedgerSource + BlobUpload, R: CryptoRng + ?Sized>(
    source: &S,
    clinic: &Clinic<'_>,
    patient: &ShareCode,
    record: &FileRecord<'_>,
    now_ms: u64,
    rng: &mut R,
    progress: Arc<dyn Fn(FileProgress) + Send + Sync>,
) -> Result<Issued, IssueError> {
    let local = |e: std::io::Error| IssueError::File(format!("{}: {e}", record.path.display()));
    let len = std::fs::metadata(record.path).map_err(local)?.len();
    let sealed_size = sealed_len(padded_len(len));
    if sealed_size > MAX_RECORD_LEN {
        return Err(IssueError::File(format!(
            "{} is {len} bytes; the ledger takes records of at most {MAX_RECORD_LEN} bytes sealed",
            record.path.display()
        )));
    }
    let name = record
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let attachment = Attachment::new(record.content_type, name, len)?;
    let me = clinic.keys.public().account();
    let at = source.latest(now_ms).await?;
    let (patient_address, recipient) = patient_recipient(source, &at, patient).await?;
    let mut sequence = TxSequence::start(source, clinic.keys.signing_key(), &at).await?;

    let id = RecordId::derive(&me, sequence.next_nonce());
    let key = ContentKey::generate(rng);
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let sealed = tempfile::NamedTempFile::new().map_err(local)?;
    let (path, out) = (record.path.to_path_buf(), sealed.reopen().map_err(local)?);
    let told = progress.clone();
    // Sealing is CPU work on a thread of its own, not on the runtime's.
    let (key, hash) = tokio::task::spawn_blocking(move || {
        seal_file(&key, seed, &path, len, out, &*told).map(|hash| (key, hash))
    })
    .await
    .map_err(|e| IssueError::Seal(e.to_string()))??;
    progress(FileProgress::Sealing {
        done: sealed_size,
        of: sealed_size,
    });

    let told = progress.clone();
    source
        .upload_file(
            &hash,
            sealed.path(),
            sealed_size,
            clinic.keys.signing_key(),
            now_ms,
            Arc::new(move |done| {
                told(FileProgress::Uploading {
                    done,
                    of: sealed_size,
                })
            }),
        )
        .await?;
    drop(sealed);

    let metadata = RecordMetadata::new(
        record.title,
        record.date.clone(),
        record.category,
        0,
        clinic.name,
    )
    .carrying(attachment)
    .seal(&key, rng)?;
    let wrapped = recipient
        .wrap(&key, &id.0, rng)
        .map_err(|e| IssueError::Seal(e.to_string()))?;
    let tx = sequence.next(TxBody::IssueRecord {
        record: id,
        patient: patient_address,
        ciphertext_sha256: hash,
        ciphertext_len: sealed_size,
        wrapped_key: wrapped,
        metadata,
    });
    let height = source.submit(&tx).await?;
    Ok(Issued {
        record_id: id.to_hex(),
        category: record.category.code().into(),
        title: record.title.into(),
        date: record.date.clone(),
        size: sealed_size as usize,
        tx_id: tx.id().to_hex(),
        height,
    })
}

/// Seals the `len` bytes at `path` into `out`; returns the sealed bytes' SHA-256.
fn seal_file(
    key: &ContentKey,
    seed: [u8; 32],
    path: &Path,
    len: u64,
    out: File,
    progress: &(dyn Fn(FileProgress) + Send + Sync),
) -> Result<Sha256Digest, IssueError> {
    let local = |e: std::io::Error| IssueError::File(format!("{}: {e}", path.display()));
    let input = File::open(path).map_err(local)?;
    let of = sealed_len(padded_len(len));
    let mut output = Hashing {
        inner: BufWriter::with_capacity(1 << 20, out),
        // Taken on a thread of its own while the next chunks are sealed.
        hasher: BackgroundHash::default(),
        written: 0,
        told: 0,
        of,
        progress,
    };
    // The envelope's per-record nonce, from a generator seeded by the caller's.
    let mut rng = rand::rngs::StdRng::from_seed(seed);
    seal_padded_stream(key, &mut rng, input, len, &mut output)
        .map_err(|e| IssueError::Seal(e.to_string()))?;
    // A temporary file, read back at once for the upload: nothing to make durable.
    output.inner.flush().map_err(local)?;
    Ok(Sha256Digest(output.hasher.finish().map_err(local)?))
}

/// The sealed file as it is written: handed to the hasher, and its progress told every 16 MiB.
struct Hashing<'a, W> {
    inner: W,
    hasher: BackgroundHash,
    written: u64,
    told: u64,
    of: u64,
    progress: &'a (dyn Fn(FileProgress) + Send + Sync),
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n])?;
        self.written += n as u64;
        if self.written - self.told >= 16 << 20 {
            self.told = self.written;
            (self.progress)(FileProgress::Sealing {
                done: self.written,
                of: self.of,
            });
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
