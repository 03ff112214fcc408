//! One writer per wallet directory.
//!
//! The desktop app and `medwallet` both write a wallet's cache, trust file and kept
//! ciphertexts. Each write is atomic, but two processes syncing the same wallet would each
//! replace the other's cache with their own view. So the wallet service only runs over a
//! [`LockedWallet`]: the directory with an OS lock (`flock`, released by the kernel when the
//! process ends, even by `kill -9`) on its `medwallet.lock` file. A second writer gets
//! [`StoreError::InUse`] at once instead of waiting.

use std::fs::{File, OpenOptions, TryLockError};
use std::sync::Arc;

use medwallet_core::{StoreFailure, WalletStore};

use crate::{StoreError, WalletDir};

/// The lock file inside a wallet directory (empty; only its lock matters).
pub const LOCK_FILE: &str = "medwallet.lock";

/// A wallet directory this process holds the writer's lock on. Clones share the lock, which
/// is released when the last one is dropped.
#[derive(Clone, Debug)]
pub struct LockedWallet {
    dir: WalletDir,
    _lock: Arc<File>,
}

impl WalletDir {
    /// Takes the writer's lock on this wallet (creating the directory if needed), or
    /// [`StoreError::InUse`] if another process, or another open in this one, holds it.
    pub fn lock(&self) -> Result<LockedWallet, StoreError> {
        std::fs::create_dir_all(self.root()).map_err(self.io(self.root().to_path_buf()))?;
        let path = self.root().join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(self.io(path.clone()))?;
        match file.try_lock() {
            Ok(()) => Ok(LockedWallet {
                dir: self.clone(),
                _lock: Arc::new(file),
            }),
            Err(TryLockError::WouldBlock) => Err(StoreError::InUse(self.root().to_path_buf())),
            Err(TryLockError::Error(source)) => Err(StoreError::Io { path, source }),
        }
    }
}

impl LockedWallet {
    /// The directory.
    pub fn dir(&self) -> &WalletDir {
        &self.dir
    }
}

impl WalletStore for LockedWallet {
    fn load_cache(&self) -> Result<Option<Vec<u8>>, StoreFailure> {
        self.dir.load_cache().map_err(StoreFailure::new)
    }
    fn save_cache(&self, sealed: &[u8]) -> Result<(), StoreFailure> {
        self.dir.save_cache(sealed).map_err(StoreFailure::new)
    }
    fn has_blob(&self, sha256_hex: &str) -> bool {
        self.dir.has_blob(sha256_hex)
    }
    fn load_blob(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, StoreFailure> {
        self.dir.load_blob(sha256_hex).map_err(StoreFailure::new)
    }
    fn save_blob(&self, sha256_hex: &str, bytes: &[u8]) -> Result<(), StoreFailure> {
        self.dir
            .save_blob(sha256_hex, bytes)
            .map_err(StoreFailure::new)
    }
    fn remove_blob(&self, sha256_hex: &str) -> Result<(), StoreFailure> {
        self.dir.remove_blob(sha256_hex).map_err(StoreFailure::new)
    }
    fn blob_reader(
        &self,
        sha256_hex: &str,
    ) -> Result<Option<Box<dyn std::io::Read + Send>>, StoreFailure> {
        self.dir.blob_reader(sha256_hex).map_err(StoreFailure::new)
    }
    fn blob_download(
        &self,
        sha256_hex: &str,
    ) -> Result<Box<dyn medwallet_core::store::BlobDownload>, StoreFailure> {
        self.dir
            .blob_download(sha256_hex)
            .map(|d| Box::new(d) as Box<dyn medwallet_core::store::BlobDownload>)
            .map_err(StoreFailure::new)
    }
    fn set_aside_cache(&self) -> Result<String, StoreFailure> {
        self.dir
            .set_aside_cache()
            .map(|p| p.display().to_string())
            .map_err(StoreFailure::new)
    }
    fn load_trust(&self) -> Result<Option<Vec<u8>>, StoreFailure> {
        self.dir.load_trust().map_err(StoreFailure::new)
    }
    fn save_trust(&self, bytes: &[u8]) -> Result<(), StoreFailure> {
        self.dir.save_trust(bytes).map_err(StoreFailure::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wallet = WalletDir::new(dir.path().join("wallet"));
        let first = wallet.lock().expect("first writer");
        // Another open of the same directory (as another process's would be) is refused at
        // once, with an error that says why.
        let second = WalletDir::new(dir.path().join("wallet")).lock();
        match second {
            Err(StoreError::InUse(path)) => assert_eq!(path, dir.path().join("wallet")),
            other => panic!("expected InUse, got {other:?}"),
        }
        let message = wallet
            .lock()
            .map(|_| ())
            .expect_err("still held")
            .to_string();
        assert!(message.contains("open in another"), "{message}");
        // A clone shares the lock; only when every holder is gone may another writer in.
        let clone = first.clone();
        drop(first);
        assert!(matches!(wallet.lock(), Err(StoreError::InUse(_))));
        drop(clone);
        wallet.lock().expect("free again");
    }
}
