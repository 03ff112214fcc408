//! Where a wallet keeps what it verified, between runs: the sealed record cache and the
//! ciphertexts downloaded for offline use. `medwallet-store` keeps them in the wallet's
//! directory (atomic writes); the tests keep them in memory.

/// A local storage failure, with what was being read or written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreFailure(#[source] pub Box<dyn std::error::Error + Send + Sync>);

impl StoreFailure {
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(error))
    }
}

/// A ciphertext being downloaded into the store, piece by piece: kept under its hash only by
/// [`BlobDownload::keep`] (once the source has checked it), gone if dropped.
pub trait BlobDownload: medledger_client::BlobSink {
    fn keep(self: Box<Self>) -> Result<(), StoreFailure>;
}

/// The wallet's local files. Ciphertexts are named by their SHA-256 (hex), which the caller has
/// proven on the ledger and checks again when it reads them back.
pub trait WalletStore {
    /// The sealed record cache, if there is one.
    fn load_cache(&self) -> Result<Option<Vec<u8>>, StoreFailure>;
    /// Replaces the sealed record cache (atomically).
    fn save_cache(&self, sealed: &[u8]) -> Result<(), StoreFailure>;
    /// Whether a ciphertext is kept.
    fn has_blob(&self, sha256_hex: &str) -> bool;
    fn load_blob(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, StoreFailure>;
    fn save_blob(&self, sha256_hex: &str, bytes: &[u8]) -> Result<(), StoreFailure>;
    /// Deletes a kept ciphertext (an erased record's); nothing if none is kept.
    fn remove_blob(&self, sha256_hex: &str) -> Result<(), StoreFailure>;
    /// A kept ciphertext to read as it is opened: a large record's is never held whole.
    fn blob_reader(
        &self,
        sha256_hex: &str,
    ) -> Result<Option<Box<dyn std::io::Read + Send>>, StoreFailure>;
    /// Where a ciphertext is downloaded to before it is kept.
    fn blob_download(&self, sha256_hex: &str) -> Result<Box<dyn BlobDownload>, StoreFailure>;
    /// Moves the cache aside, unread, for inspection; returns where it went.
    fn set_aside_cache(&self) -> Result<String, StoreFailure>;
    /// The trust floor and equivocation alarm ([`crate::trust::TrustState`]), if saved.
    fn load_trust(&self) -> Result<Option<Vec<u8>>, StoreFailure>;
    /// Replaces them (atomically).
    fn save_trust(&self, bytes: &[u8]) -> Result<(), StoreFailure>;
}

impl<T: WalletStore + ?Sized> WalletStore for std::sync::Arc<T> {
    fn load_cache(&self) -> Result<Option<Vec<u8>>, StoreFailure> {
        (**self).load_cache()
    }
    fn save_cache(&self, sealed: &[u8]) -> Result<(), StoreFailure> {
        (**self).save_cache(sealed)
    }
    fn has_blob(&self, sha256_hex: &str) -> bool {
        (**self).has_blob(sha256_hex)
    }
    fn load_blob(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, StoreFailure> {
        (**self).load_blob(sha256_hex)
    }
    fn save_blob(&self, sha256_hex: &str, bytes: &[u8]) -> Result<(), StoreFailure> {
        (**self).save_blob(sha256_hex, bytes)
    }
    fn remove_blob(&self, sha256_hex: &str) -> Result<(), StoreFailure> {
        (**self).remove_blob(sha256_hex)
    }
    fn blob_reader(
        &self,
        sha256_hex: &str,
    ) -> Result<Option<Box<dyn std::io::Read + Send>>, StoreFailure> {
        (**self).blob_reader(sha256_hex)
    }
    fn blob_download(&self, sha256_hex: &str) -> Result<Box<dyn BlobDownload>, StoreFailure> {
        (**self).blob_download(sha256_hex)
    }
    fn set_aside_cache(&self) -> Result<String, StoreFailure> {
        (**self).set_aside_cache()
    }
    fn load_trust(&self) -> Result<Option<Vec<u8>>, StoreFailure> {
        (**self).load_trust()
    }
    fn save_trust(&self, bytes: &[u8]) -> Result<(), StoreFailure> {
        (**self).save_trust(bytes)
    }
}

#[cfg(test)]
pub(crate) mod memory {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A store in memory, which can be told to fail.
    #[derive(Default)]
    pub struct MemoryStore {
        pub cache: Mutex<Option<Vec<u8>>>,
        pub blobs: Arc<Mutex<HashMap<String, Vec<u8>>>>,
        pub trust: Mutex<Option<Vec<u8>>>,
        /// Caches set aside, in order.
        pub set_aside: Mutex<Vec<Vec<u8>>>,
        pub fail_saves: std::sync::atomic::AtomicBool,
    }

    struct MemoryDownload {
        name: String,
        bytes: Vec<u8>,
        blobs: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    }

    impl medledger_client::BlobSink for MemoryDownload {
        fn restart(&mut self) -> std::io::Result<()> {
            self.bytes.clear();
            Ok(())
        }
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
            self.bytes.extend_from_slice(bytes);
            Ok(())
        }
    }

    impl BlobDownload for MemoryDownload {
        fn keep(self: Box<Self>) -> Result<(), StoreFailure> {
            self.blobs
                .lock()
                .expect("lock")
                .insert(self.name, self.bytes);
            Ok(())
        }
    }

    fn full() -> StoreFailure {
        StoreFailure::new(std::io::Error::other("disk full"))
    }

    impl WalletStore for MemoryStore {
        fn load_cache(&self) -> Result<Option<Vec<u8>>, StoreFailure> {
            Ok(self.cache.lock().expect("lock").clone())
        }
        fn save_cache(&self, sealed: &[u8]) -> Result<(), StoreFailure> {
            if self.fail_saves.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(full());
            }
            *self.cache.lock().expect("lock") = Some(sealed.to_vec());
            Ok(())
        }
        fn has_blob(&self, sha256_hex: &str) -> bool {
            self.blobs.lock().expect("lock").contains_key(sha256_hex)
        }
        fn load_blob(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, StoreFailure> {
            Ok(self.blobs.lock().expect("lock").get(sha256_hex).cloned())
        }
        fn save_blob(&self, sha256_hex: &str, bytes: &[u8]) -> Result<(), StoreFailure> {
            if self.fail_saves.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(full());
            }
            self.blobs
                .lock()
                .expect("lock")
                .insert(sha256_hex.to_owned(), bytes.to_vec());
            Ok(())
        }
        fn remove_blob(&self, sha256_hex: &str) -> Result<(), StoreFailure> {
            self.blobs.lock().expect("lock").remove(sha256_hex);
            Ok(())
        }
        fn blob_reader(
            &self,
            sha256_hex: &str,
        ) -> Result<Option<Box<dyn std::io::Read + Send>>, StoreFailure> {
            Ok(self
                .load_blob(sha256_hex)?
                .map(|b| Box::new(std::io::Cursor::new(b)) as Box<dyn std::io::Read + Send>))
        }
        fn blob_download(&self, sha256_hex: &str) -> Result<Box<dyn BlobDownload>, StoreFailure> {
            Ok(Box::new(MemoryDownload {
                name: sha256_hex.to_owned(),
                bytes: Vec::new(),
                blobs: self.blobs.clone(),
            }))
        }
        fn set_aside_cache(&self) -> Result<String, StoreFailure> {
            let cache = self.cache.lock().expect("lock").take().unwrap_or_default();
            let mut aside = self.set_aside.lock().expect("lock");
            aside.push(cache);
            Ok(format!("memory #{}", aside.len()))
        }
        fn load_trust(&self) -> Result<Option<Vec<u8>>, StoreFailure> {
            Ok(self.trust.lock().expect("lock").clone())
        }
        fn save_trust(&self, bytes: &[u8]) -> Result<(), StoreFailure> {
            *self.trust.lock().expect("lock") = Some(bytes.to_vec());
            Ok(())
        }
    }
}
