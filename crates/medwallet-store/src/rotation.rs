//! A key rotation's files: the new phrase's keystore is kept (same password) before any
//! account moves, and replaces the wallet's only once the rotation is done, so a rotation that
//! was interrupted resumes with the same new keys. The wallet core does the rotation itself
//! (`Wallet::rotate_keys`); the CLI and the app both go through [`WalletDir::prepare_rotation`].

use std::io;

use medwallet_crypto::keystore::MAX_FILE_LEN;
use medwallet_crypto::{AccountKeys, KdfParams, Keystore, RecoveryPhrase};
use medwallet_files::{read_bounded, write_atomically, write_new_atomically};
use rand_core::CryptoRng;

use crate::wallet_dir::{StoreError, WalletDir};

/// The keystore of the keys a rotation moves to, kept until it finished (then it replaces
/// [`crate::KEYSTORE_FILE`]).
pub const NEXT_KEYSTORE_FILE: &str = "keystore.next.mdw";

/// A rotation about to run (or to finish).
pub struct PreparedRotation {
    /// The new phrase (the one kept, if a rotation was under way).
    pub phrase: RecoveryPhrase,
    /// A rotation was under way: this finishes it.
    pub resumed: bool,
    /// It had done everything but replace the keystore (the cache is sealed to the new keys).
    pub finished: bool,
}

impl WalletDir {
    /// Checks `password` against the wallet's keystore, then returns the new phrase to rotate
    /// to: the one kept by a rotation under way, or a new one, kept now (under the same
    /// password, at no lower cost than `floor`).
    pub fn prepare_rotation<R: CryptoRng + ?Sized>(
        &self,
        password: &str,
        floor: KdfParams,
        rng: &mut R,
    ) -> Result<PreparedRotation, StoreError> {
        let keystore = self.load_keystore()?;
        keystore.unlock(password)?;
        let (phrase, resumed) = match self.load_next_keystore()? {
            Some(kept) => (kept.unlock(password)?, true),
            None => {
                let phrase = RecoveryPhrase::generate(rng);
                let params = keystore.params().at_least(floor);
                let kept = Keystore::create(&phrase, password, keystore.label(), params, rng)?;
                let path = self.root().join(NEXT_KEYSTORE_FILE);
                write_new_atomically(&path, &kept.encode()).map_err(self.io(path))?;
                (phrase, false)
            }
        };
        let next = AccountKeys::derive(&phrase);
        let finished = match self.load_cache()? {
            Some(bytes) => medwallet_core::cache::open_cache(&next, &bytes).is_ok(),
            None => false,
        };
        Ok(PreparedRotation {
            phrase,
            resumed,
            finished,
        })
    }

    /// The keystore of a rotation under way, if any (checked; no password needed).
    pub fn load_next_keystore(&self) -> Result<Option<Keystore>, StoreError> {
        let path = self.root().join(NEXT_KEYSTORE_FILE);
        match read_bounded(&path, MAX_FILE_LEN) {
            Ok(bytes) => Ok(Some(Keystore::decode(&bytes)?)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Ends a rotation: the kept keystore replaces the wallet's (atomically), then is removed.
    pub fn finish_rotation(&self) -> Result<(), StoreError> {
        let next = self.root().join(NEXT_KEYSTORE_FILE);
        let bytes = read_bounded(&next, MAX_FILE_LEN).map_err(self.io(next.clone()))?;
        let path = self.keystore_path();
        write_atomically(&path, &bytes).map_err(self.io(path))?;
        std::fs::remove_file(&next).map_err(self.io(next))
    }
}
