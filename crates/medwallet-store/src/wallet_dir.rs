use std::io;
use std::path::{Path, PathBuf};

use medwallet_crypto::keystore::MAX_FILE_LEN;
use medwallet_crypto::{Keystore, KeystoreError};
use thiserror::Error;

use medwallet_files::{
    AtomicWriter, read_bounded, remove_stale_temps, write_atomically, write_new_atomically,
};

/// Name of the keystore file inside a wallet directory.
pub const KEYSTORE_FILE: &str = "keystore.mdw";
/// Name of the encrypted record cache inside a wallet directory.
pub const CACHE_FILE: &str = "cache.mdw";
/// The trust floor and equivocation alarm (see `medwallet_core::trust`).
pub const TRUST_FILE: &str = "trust.json";
/// Largest trust file read (a header and a certificate of up to 100 validators, in hex).
const MAX_TRUST_LEN: usize = 64 * 1024;
/// Largest cache file read.
pub const MAX_CACHE_LEN: usize = 256 * 1024 * 1024;

/// Why a wallet directory operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("no wallet at {0} (run `medwallet init` or `medwallet restore` first)")]
    NoWallet(PathBuf),
    #[error("a wallet already exists at {0}; refusing to overwrite it")]
    WalletExists(PathBuf),
    #[error(
        "the wallet at {0} is open in another Medwallet (the desktop app or a `medwallet` command); close it or lock it there first"
    )]
    InUse(PathBuf),
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// A file's bytes (at most `max`), or `None` if there is no such file.
fn read_optional(path: PathBuf, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
    match read_bounded(&path, max) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::Io { path, source: e }),
    }
}

/// A ciphertext being downloaded into the wallet's directory.
pub struct BlobFile {
    path: PathBuf,
    writer: AtomicWriter,
}

impl medledger_client::BlobSink for BlobFile {
    fn restart(&mut self) -> io::Result<()> {
        self.writer.restart()
    }
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        io::Write::write_all(&mut self.writer, bytes)
    }
}

impl medwallet_core::store::BlobDownload for BlobFile {
    fn keep(self: Box<Self>) -> Result<(), medwallet_core::store::StoreFailure> {
        let path = self.path;
        self.writer.commit().map_err(|source| {
            medwallet_core::store::StoreFailure::new(StoreError::Io { path, source })
        })
    }
}

/// A wallet's directory (`--wallet DIR`).
#[derive(Clone, Debug)]
pub struct WalletDir {
    root: PathBuf,
}

impl WalletDir {
    /// The wallet rooted at `root` (which need not exist yet).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path of the keystore file.
    pub fn keystore_path(&self) -> PathBuf {
        self.root.join(KEYSTORE_FILE)
    }

    pub(crate) fn io(&self, path: PathBuf) -> impl FnOnce(io::Error) -> StoreError {
        move |source| StoreError::Io { path, source }
    }

    /// Writes the keystore of a new wallet; never replaces an existing one.
    pub fn create_keystore(&self, keystore: &Keystore) -> Result<(), StoreError> {
        std::fs::create_dir_all(&self.root).map_err(self.io(self.root.clone()))?;
        let path = self.keystore_path();
        write_new_atomically(&path, &keystore.encode()).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                StoreError::WalletExists(self.root.clone())
            } else {
                StoreError::Io {
                    path: path.clone(),
                    source: e,
                }
            }
        })
    }

    /// Replaces the keystore (password change); the wallet must exist.
    pub fn replace_keystore(&self, keystore: &Keystore) -> Result<(), StoreError> {
        let path = self.keystore_path();
        if !path.exists() {
            return Err(StoreError::NoWallet(self.root.clone()));
        }
        write_atomically(&path, &keystore.encode()).map_err(self.io(path))
    }

    /// The encrypted cache's bytes, if there is one.
    pub fn load_cache(&self) -> Result<Option<Vec<u8>>, StoreError> {
        read_optional(self.root.join(CACHE_FILE), MAX_CACHE_LEN)
    }

    /// Replaces the encrypted cache atomically.
    pub fn save_cache(&self, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.root.join(CACHE_FILE);
        write_atomically(&path, bytes).map_err(self.io(path))
    }

    /// Moves the cache to `cache-rejected-<unix ms>.mdw`, for inspection; returns that path.
    pub fn set_aside_cache(&self) -> Result<PathBuf, StoreError> {
        let from = self.root.join(CACHE_FILE);
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let to = self.root.join(format!("cache-rejected-{ms}.mdw"));
        std::fs::rename(&from, &to).map_err(self.io(from))?;
        Ok(to)
    }

    /// The trust floor and equivocation alarm (`trust.json`), if saved.
    pub fn load_trust(&self) -> Result<Option<Vec<u8>>, StoreError> {
        read_optional(self.root.join(TRUST_FILE), MAX_TRUST_LEN)
    }

    /// Replaces them atomically.
    pub fn save_trust(&self, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.root.join(TRUST_FILE);
        write_atomically(&path, bytes).map_err(self.io(path))
    }

    /// Where a ciphertext with this hash is cached; `None` for anything but a SHA-256 in hex
    /// (so no name can reach outside the blob directory).
    fn blob_path(&self, sha256_hex: &str) -> Option<PathBuf> {
        (sha256_hex.len() == 64 && sha256_hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.root.join("blobs").join(sha256_hex))
    }

    /// Whether a ciphertext is cached.
    pub fn has_blob(&self, sha256_hex: &str) -> bool {
        self.blob_path(sha256_hex).is_some_and(|p| p.exists())
    }

    /// A cached record ciphertext (already encrypted; the caller checks its hash).
    pub fn load_blob(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(path) = self.blob_path(sha256_hex) else {
            return Ok(None);
        };
        read_optional(path, MAX_CACHE_LEN)
    }

    /// Caches a record ciphertext under its hash.
    pub fn save_blob(&self, sha256_hex: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let Some(path) = self.blob_path(sha256_hex) else {
            return Err(StoreError::Io {
                path: PathBuf::from(sha256_hex),
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 hex name"),
            });
        };
        let dir = self.root.join("blobs");
        std::fs::create_dir_all(&dir).map_err(self.io(dir.clone()))?;
        write_atomically(&path, bytes).map_err(self.io(path))
    }

    /// A cached ciphertext to read as it is opened (`None` if none is cached).
    pub fn blob_reader(
        &self,
        sha256_hex: &str,
    ) -> Result<Option<Box<dyn io::Read + Send>>, StoreError> {
        let Some(path) = self.blob_path(sha256_hex) else {
            return Ok(None);
        };
        match std::fs::File::open(&path) {
            Ok(file) => Ok(Some(Box::new(io::BufReader::with_capacity(1 << 20, file)))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Where a ciphertext is downloaded to, cached under its hash once kept.
    pub fn blob_download(&self, sha256_hex: &str) -> Result<BlobFile, StoreError> {
        let Some(path) = self.blob_path(sha256_hex) else {
            return Err(StoreError::Io {
                path: PathBuf::from(sha256_hex),
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 hex name"),
            });
        };
        let dir = self.root.join("blobs");
        std::fs::create_dir_all(&dir).map_err(self.io(dir.clone()))?;
        let writer = AtomicWriter::create(&path).map_err(self.io(path.clone()))?;
        Ok(BlobFile { path, writer })
    }

    /// Deletes a kept ciphertext (an erased record's); nothing if none is kept.
    pub fn remove_blob(&self, sha256_hex: &str) -> Result<(), StoreError> {
        let Some(path) = self.blob_path(sha256_hex) else {
            return Ok(());
        };
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Reads and checks the keystore (no password needed). Also sweeps temporary files that an
    /// interrupted write left behind.
    pub fn load_keystore(&self) -> Result<Keystore, StoreError> {
        let path = self.keystore_path();
        let bytes = match read_bounded(&path, MAX_FILE_LEN) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::NoWallet(self.root.clone()));
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(StoreError::Keystore(KeystoreError::Corrupt(
                    "file is longer than any keystore",
                )));
            }
            Err(e) => return Err(StoreError::Io { path, source: e }),
        };
        let keystore = Keystore::decode(&bytes)?;
        // Best effort: a leftover temporary file is harmless, only untidy.
        let _ = remove_stale_temps(&self.root);
        Ok(keystore)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use medwallet_crypto::{KdfParams, RecoveryPhrase};
    use rand::SeedableRng;

    fn keystore(label: &str) -> Keystore {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        Keystore::create(
            &RecoveryPhrase::from_entropy(&[7; 32]),
            "password123",
            label,
            KdfParams::INSECURE_FOR_TESTS,
            &mut rng,
        )
        .expect("create")
    }

    #[test]
    fn missing_wallet_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wallet = WalletDir::new(dir.path().join("nowhere"));
        assert!(matches!(
            wallet.load_keystore(),
            Err(StoreError::NoWallet(_))
        ));
        assert!(matches!(
            wallet.replace_keystore(&keystore("a")),
            Err(StoreError::NoWallet(_))
        ));
    }

    #[test]
    fn create_refuses_to_overwrite_and_keeps_the_original() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wallet = WalletDir::new(dir.path());
        wallet.create_keystore(&keystore("first")).expect("create");
        assert!(matches!(
            wallet.create_keystore(&keystore("second")),
            Err(StoreError::WalletExists(_))
        ));
        assert_eq!(wallet.load_keystore().expect("load").label(), "first");
    }

    #[test]
    fn an_unusable_directory_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").expect("write");
        let wallet = WalletDir::new(&file);
        match wallet.create_keystore(&keystore("a")) {
            Err(StoreError::Io { path, .. }) => assert_eq!(path, file),
            other => panic!("expected an I/O error, got {other:?}"),
        }
    }

    #[test]
    fn the_cache_is_absent_then_replaced_atomically() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wallet = WalletDir::new(dir.path());
        assert_eq!(wallet.load_cache().expect("load"), None);
        wallet.save_cache(b"one").expect("save");
        wallet.save_cache(b"two").expect("save");
        assert_eq!(wallet.load_cache().expect("load"), Some(b"two".to_vec()));
    }

    #[test]
    fn replace_swaps_the_keystore() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wallet = WalletDir::new(dir.path());
        wallet.create_keystore(&keystore("first")).expect("create");
        wallet
            .replace_keystore(&keystore("second"))
            .expect("replace");
        assert_eq!(wallet.load_keystore().expect("load").label(), "second");
    }

    #[test]
    fn corrupt_and_oversized_files_are_reported_and_left_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wallet = WalletDir::new(dir.path());
        wallet.create_keystore(&keystore("first")).expect("create");
        let path = wallet.keystore_path();
        let mut bytes = std::fs::read(&path).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).expect("write");
        assert!(matches!(
            wallet.load_keystore(),
            Err(StoreError::Keystore(KeystoreError::Corrupt(_)))
        ));
        assert_eq!(
            std::fs::read(&path).expect("read"),
            bytes,
            "a damaged file is never rewritten"
        );

        std::fs::write(&path, vec![0u8; MAX_FILE_LEN + 1]).expect("write");
        assert!(matches!(
            wallet.load_keystore(),
            Err(StoreError::Keystore(KeystoreError::Corrupt(_)))
        ));
    }
}
