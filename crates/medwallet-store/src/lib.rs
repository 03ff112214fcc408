//! A wallet's directory on disk: the keystore, the trust anchor (the chain's genesis), the sealed
//! record cache and the ciphertexts kept for offline use (the wallet core's `WalletStore`). Every write is atomic (`medwallet-files`), so a crash or `kill -9` at any moment
//! leaves either the old file or the new one, never a mixture.
//!
//! ```
//! use medwallet_crypto::{KdfParams, Keystore, RecoveryPhrase};
//! use medwallet_store::WalletDir;
//! use rand::SeedableRng;
//!
//! let dir = tempfile::tempdir()?;
//! let mut rng = rand::rngs::StdRng::seed_from_u64(1);
//! let phrase = RecoveryPhrase::generate(&mut rng);
//! let keystore = Keystore::create(&phrase, "a long password", "Alice", KdfParams::INSECURE_FOR_TESTS, &mut rng)?;
//!
//! let wallet = WalletDir::new(dir.path());
//! wallet.create_keystore(&keystore)?;
//! assert!(wallet.create_keystore(&keystore).is_err()); // never overwrites a wallet
//! assert_eq!(wallet.load_keystore()?, keystore);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod recovery;
mod rotation;
mod trust_anchor;
mod wallet_dir;
mod writer_lock;

pub use recovery::RECOVERING_FILE;
pub use rotation::{NEXT_KEYSTORE_FILE, PreparedRotation};
pub use trust_anchor::{Adopted, AnchorError, ChainSwitch, GENESIS_FILE};
pub use wallet_dir::{CACHE_FILE, KEYSTORE_FILE, StoreError, WalletDir};
pub use writer_lock::{LOCK_FILE, LockedWallet};
