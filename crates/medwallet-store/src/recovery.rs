//! A recovering device's files. Before the guardians release their shares the device is a
//! wallet of a phrase of its own (it signs the request and receives the shares), with
//! `recovering.mdw` naming the account it recovers. Once the shares give the account's phrase
//! back, that phrase replaces the device's in the keystore (same password) and the marker goes;
//! the wallet core then moves the account to a new phrase, as any rotation does.

use std::io;

use medledger_types::hash::Address;
use medwallet_crypto::{KdfParams, Keystore, RecoveryPhrase};
use medwallet_files::{read_bounded, write_atomically, write_new_atomically};
use rand_core::CryptoRng;

use crate::wallet_dir::{CACHE_FILE, StoreError, WalletDir};

/// Names the account a new device is recovering (its 32-byte address, as written).
pub const RECOVERING_FILE: &str = "recovering.mdw";

impl WalletDir {
    /// Makes this (new) directory a device recovering `account`: a keystore of a fresh phrase
    /// of the device's own, under `password`, and the marker. Never over an existing wallet.
    pub fn begin_recovery<R: CryptoRng + ?Sized>(
        &self,
        password: &str,
        params: KdfParams,
        account: &Address,
        rng: &mut R,
    ) -> Result<(), StoreError> {
        let device = RecoveryPhrase::generate(rng);
        let keystore = Keystore::create(&device, password, "recovering device", params, rng)?;
        self.create_keystore(&keystore)?;
        let path = self.root().join(RECOVERING_FILE);
        write_new_atomically(&path, &account.0).map_err(self.io(path))
    }

    /// The account this device is recovering, if it is one.
    pub fn recovering(&self) -> Result<Option<Address>, StoreError> {
        let path = self.root().join(RECOVERING_FILE);
        match read_bounded(&path, 64) {
            Ok(bytes) => bytes
                .as_slice()
                .try_into()
                .map(|b| Some(Address(b)))
                .map_err(|_| StoreError::Io {
                    path,
                    source: io::Error::new(io::ErrorKind::InvalidData, "not an account address"),
                }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// The recovered phrase becomes this wallet's (under the same password, checked first):
    /// the cache sealed to the device's keys goes first, then the keystore is replaced, then
    /// the marker; a crash at any point leaves a directory this can be run on again.
    pub fn complete_recovery<R: CryptoRng + ?Sized>(
        &self,
        password: &str,
        recovered: &RecoveryPhrase,
        floor: KdfParams,
        rng: &mut R,
    ) -> Result<(), StoreError> {
        let current = self.load_keystore()?;
        current.unlock(password)?;
        let marker = self.root().join(RECOVERING_FILE);
        if marker.exists() {
            let cache = self.root().join(CACHE_FILE);
            match std::fs::remove_file(&cache) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(StoreError::Io {
                        path: cache,
                        source: e,
                    });
                }
            }
        }
        let params = current.params().at_least(floor);
        let keystore = Keystore::create(recovered, password, current.label(), params, rng)?;
        let path = self.keystore_path();
        write_atomically(&path, &keystore.encode()).map_err(self.io(path))?;
        match std::fs::remove_file(&marker) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Io {
                path: marker,
                source: e,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn a_recovering_device_keeps_its_account_then_takes_the_recovered_phrase_under_its_password() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wallet = WalletDir::new(dir.path().join("device"));
        let mut rng = StdRng::seed_from_u64(1);
        let account = Address([7; 32]);
        wallet
            .begin_recovery(
                "a long password",
                KdfParams::INSECURE_FOR_TESTS,
                &account,
                &mut rng,
            )
            .expect("begin");
        assert_eq!(wallet.recovering().expect("read"), Some(account));
        assert!(
            wallet
                .begin_recovery(
                    "a long password",
                    KdfParams::INSECURE_FOR_TESTS,
                    &account,
                    &mut rng
                )
                .is_err(),
            "never over a wallet"
        );
        wallet.save_cache(b"sealed to the device").expect("cache");
        let recovered = RecoveryPhrase::from_entropy(&[3; 32]);
        let wrong = wallet.complete_recovery(
            "not the password",
            &recovered,
            KdfParams::INSECURE_FOR_TESTS,
            &mut rng,
        );
        assert!(wrong.is_err());
        assert_eq!(
            wallet.recovering().expect("read"),
            Some(account),
            "nothing changed"
        );
        assert!(wallet.load_cache().expect("cache").is_some());

        wallet
            .complete_recovery(
                "a long password",
                &recovered,
                KdfParams::INSECURE_FOR_TESTS,
                &mut rng,
            )
            .expect("complete");
        let phrase = wallet
            .load_keystore()
            .expect("keystore")
            .unlock("a long password")
            .expect("unlock");
        assert_eq!(phrase.entropy(), recovered.entropy());
        assert_eq!(wallet.recovering().expect("read"), None);
        assert_eq!(wallet.load_cache().expect("cache"), None);
    }
}
