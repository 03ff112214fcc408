//! The wallet directory as the wallet core's [`WalletStore`].

use medwallet_core::{StoreFailure, WalletStore};

use crate::WalletDir;

impl WalletStore for WalletDir {
    fn load_cache(&self) -> Result<Option<Vec<u8>>, StoreFailure> {
        WalletDir::load_cache(self).map_err(StoreFailure::new)
    }
    fn save_cache(&self, sealed: &[u8]) -> Result<(), StoreFailure> {
        WalletDir::save_cache(self, sealed).map_err(StoreFailure::new)
    }
    fn has_blob(&self, sha256_hex: &str) -> bool {
        WalletDir::has_blob(self, sha256_hex)
    }
    fn load_blob(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, StoreFailure> {
        WalletDir::load_blob(self, sha256_hex).map_err(StoreFailure::new)
    }
    fn save_blob(&self, sha256_hex: &str, bytes: &[u8]) -> Result<(), StoreFailure> {
        WalletDir::save_blob(self, sha256_hex, bytes).map_err(StoreFailure::new)
    }
    fn remove_blob(&self, sha256_hex: &str) -> Result<(), StoreFailure> {
        WalletDir::remove_blob(self, sha256_hex).map_err(StoreFailure::new)
    }
    fn set_aside_cache(&self) -> Result<String, StoreFailure> {
        WalletDir::set_aside_cache(self)
            .map(|p| p.display().to_string())
            .map_err(StoreFailure::new)
    }
    fn load_trust(&self) -> Result<Option<Vec<u8>>, StoreFailure> {
        WalletDir::load_trust(self).map_err(StoreFailure::new)
    }
    fn save_trust(&self, bytes: &[u8]) -> Result<(), StoreFailure> {
        WalletDir::save_trust(self, bytes).map_err(StoreFailure::new)
    }
}
