//! Encrypted record payloads, stored by the SHA-256 of their bytes under `data/blobs/ab/abcd…`.
//! Uploads stream to a temporary file while being hashed and counted; only a complete upload of
//! the announced hash, within the size limit, is renamed into place (after fsync), so a crash or
//! a lying uploader never leaves a wrong blob under a hash.

use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use medledger_types::hash::Sha256Digest;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Why an upload was refused.
#[derive(Debug, Error)]
pub enum BlobError {
    #[error("blob larger than {0} bytes")]
    TooLarge(u64),
    #[error("the uploaded bytes do not hash to the blob's name")]
    HashMismatch,
    /// A sealed record is never empty.
    #[error("an empty upload is not a blob")]
    Empty,
    #[error("upload interrupted: {0}")]
    Interrupted(String),
    #[error("blob store: {0}")]
    Io(#[from] std::io::Error),
}

/// The store.
pub struct BlobStore {
    root: PathBuf,
    max_bytes: u64,
}

impl BlobStore {
    /// Opens (creating) the store at `root`, accepting blobs up to `max_bytes`.
    pub fn open(root: &Path, max_bytes: u64) -> std::io::Result<Self> {
        std::fs::create_dir_all(root)?;
        Ok(Self {
            root: root.to_path_buf(),
            max_bytes,
        })
    }

    /// Largest accepted blob.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Where a blob lives.
    pub fn path(&self, hash: &Sha256Digest) -> PathBuf {
        let hex = hash.to_hex();
        self.root.join(&hex[..2]).join(hex)
    }

    /// Deletes a blob (an erased record's); true if it was stored.
    pub fn remove(&self, hash: &Sha256Digest) -> std::io::Result<bool> {
        match std::fs::remove_file(self.path(hash)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Whether the blob is stored.
    pub fn has(&self, hash: &Sha256Digest) -> bool {
        self.path(hash).is_file()
    }

    /// Stores a blob from a stream of chunks. Returns false if it was already stored.
    pub async fn put<S, E>(&self, hash: &Sha256Digest, mut body: S) -> Result<bool, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        if self.has(hash) {
            // Drain nothing: the caller's bytes are not needed; the stored copy was verified.
            return Ok(false);
        }
        let dir = self
            .path(hash)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        std::fs::create_dir_all(&dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .suffix(".partial")
            .tempfile_in(&dir)?;
        let mut hasher = Sha256::new();
        let mut len: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| BlobError::Interrupted(e.to_string()))?;
            len += chunk.len() as u64;
            if len > self.max_bytes {
                return Err(BlobError::TooLarge(self.max_bytes));
            }
            hasher.update(&chunk);
            tmp.write_all(&chunk)?;
        }
        if len == 0 {
            return Err(BlobError::Empty);
        }
        if <[u8; 32]>::from(hasher.finalize()) != hash.0 {
            return Err(BlobError::HashMismatch);
        }
        // Making a large blob durable takes a while: off the runtime's threads.
        let path = self.path(hash);
        tokio::task::spawn_blocking(move || -> Result<(), BlobError> {
            tmp.as_file().sync_all()?;
            tmp.persist(path).map_err(|e| BlobError::Io(e.error))?;
            std::fs::File::open(&dir)?.sync_all()?;
            Ok(())
        })
        .await
        .map_err(|e| BlobError::Io(std::io::Error::other(e)))??;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(data: &[u8]) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
        futures::stream::iter(
            data.chunks(7)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>(),
        )
    }

    fn hash(data: &[u8]) -> Sha256Digest {
        Sha256Digest(Sha256::digest(data).into())
    }

    #[tokio::test]
    async fn stores_verified_blobs_once_and_refuses_wrong_or_oversized_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::open(dir.path(), 100).expect("open");
        let data = b"ciphertext bytes".repeat(3);
        assert!(store.put(&hash(&data), chunks(&data)).await.expect("put"));
        assert!(!store.put(&hash(&data), chunks(&data)).await.expect("again"));
        assert_eq!(std::fs::read(store.path(&hash(&data))).expect("read"), data);

        let other = b"other bytes".to_vec();
        assert!(matches!(
            store.put(&hash(&data[..5]), chunks(&other)).await,
            Err(BlobError::HashMismatch)
        ));
        let big = vec![1u8; 101];
        assert!(matches!(
            store.put(&hash(&big), chunks(&big)).await,
            Err(BlobError::TooLarge(100))
        ));
        // An empty upload is not a sealed record, even named by the empty string's hash.
        assert!(matches!(
            store.put(&hash(b""), chunks(b"")).await,
            Err(BlobError::Empty)
        ));
        assert!(!store.has(&hash(&big)) && !store.has(&hash(&data[..5])) && !store.has(&hash(b"")));
        let leftovers = walk(dir.path())
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".partial"))
            .count();
        assert_eq!(leftovers, 0, "failed uploads leave no temporary files");
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).expect("ls").flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p))
            } else {
                out.push(p)
            }
        }
        out
    }
}
