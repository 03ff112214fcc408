//! The wallet as the desktop app holds it: locked or unlocked, with the verified records in
//! memory while unlocked. Keys live only here (zeroized on lock); an idle wallet locks itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use medwallet_core::Wallet;
use medwallet_crypto::{AccountKeys, KdfParams, Keystore, RecoveryPhrase};
use medwallet_store::{LockedWallet, WalletDir};
use rand::RngExt;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{AppError, ErrorCode};
use crate::settings;
use crate::views::{CreatedWallet, Role, Settings, WalletStatus};

/// Milliseconds since the Unix epoch; injected so tests control time.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    })
}

/// How many recovery words the user types back to confirm the backup.
const CONFIRM_WORDS: usize = 3;

/// The wallet service over this device's wallet directory and the app's clock.
pub(crate) type AppWallet = Wallet<LockedWallet, Clock>;

/// An unlocked wallet.
pub(crate) struct Session {
    pub wallet: Arc<AppWallet>,
    pub last_active_ms: u64,
    pub role: Role,
    /// Verified names of clinics and doctors, by hex address.
    pub names: HashMap<String, String>,
    /// The searchable names in each kept record, by record id, read once per session (they go
    /// with the keys when the wallet locks).
    pub terms: HashMap<String, Vec<medwallet_fhir::search_terms::Term>>,
}

/// Sync bookkeeping for the status screen.
#[derive(Default)]
pub(crate) struct SyncState {
    pub syncing: bool,
    pub verified_height: Option<u64>,
    pub last_sync_ms: Option<u64>,
    pub incidents: Vec<String>,
}

struct PendingBackup {
    phrase: RecoveryPhrase,
    positions: Vec<usize>,
}

/// The desktop wallet's state. All methods are safe to call from several threads.
pub struct App {
    pub(crate) root: PathBuf,
    pub(crate) dir: WalletDir,
    pub(crate) clock: Clock,
    pub(crate) kdf: KdfParams,
    pub(crate) settings: Mutex<Settings>,
    session: Mutex<Option<Session>>,
    /// The wallet folder's writer's lock, held from unlock to lock: a session started under new
    /// keys (a rotation, a recovery) keeps it rather than racing the old session for it.
    writer: Mutex<Option<LockedWallet>>,
    backup: Mutex<Option<PendingBackup>>,
    pub(crate) sync: Mutex<SyncState>,
    /// A device join under way, from either side.
    pub(crate) join: Mutex<crate::devices::Join>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each guarded value is consistent after any panic; a poisoned lock is not fatal.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl App {
    /// Opens the wallet directory `root` (created on first use). `defaults` are the settings
    /// used until the user saves their own; `kdf` is the keystore's cost for new wallets.
    pub fn new(
        root: impl Into<PathBuf>,
        defaults: Settings,
        kdf: KdfParams,
        clock: Clock,
    ) -> Result<Self, AppError> {
        let root = root.into();
        let settings = settings::load(&root, defaults)?;
        Ok(Self {
            dir: WalletDir::new(&root),
            root,
            clock,
            kdf,
            settings: Mutex::new(settings),
            session: Mutex::new(None),
            writer: Mutex::new(None),
            backup: Mutex::new(None),
            sync: Mutex::default(),
            join: Mutex::default(),
        })
    }

    /// The wallet directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn now(&self) -> u64 {
        (self.clock)()
    }

    fn auto_lock_ms(&self) -> u64 {
        u64::from(lock(&self.settings).auto_lock_minutes) * 60_000
    }

    /// Locks the wallet if it has been idle too long. Returns whether it locked just now.
    pub fn check_idle(&self) -> bool {
        let now = self.now();
        let limit = self.auto_lock_ms();
        let mut session = lock(&self.session);
        let idle = session
            .as_ref()
            .is_some_and(|s| now.saturating_sub(s.last_active_ms) >= limit);
        if idle {
            *session = None;
            *lock(&self.writer) = None;
        }
        idle
    }

    /// Records user activity (resets the idle timer).
    pub fn touch(&self) -> Result<(), AppError> {
        self.keys().map(|_| ())
    }

    /// The unlocked wallet; refreshes the idle timer. `locked` when locked or idle too long.
    pub(crate) fn wallet(&self) -> Result<Arc<AppWallet>, AppError> {
        self.check_idle();
        let now = self.now();
        let mut session = lock(&self.session);
        let s = session.as_mut().ok_or_else(AppError::locked)?;
        s.last_active_ms = now;
        Ok(s.wallet.clone())
    }

    /// The unlocked keys (see [`App::wallet`]).
    pub(crate) fn keys(&self) -> Result<Arc<AccountKeys>, AppError> {
        Ok(self.wallet()?.keys().clone())
    }

    /// Runs `f` on the unlocked session.
    pub(crate) fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> T) -> Result<T, AppError> {
        let mut session = lock(&self.session);
        session.as_mut().map(f).ok_or_else(AppError::locked)
    }

    pub fn status(&self) -> WalletStatus {
        self.check_idle();
        let session = lock(&self.session);
        let public = session.as_ref().map(|s| s.wallet.keys().public());
        WalletStatus {
            wallet_exists: self.dir.keystore_path().exists(),
            unlocked: session.is_some(),
            // The account's address: its first key's, also after a rotation.
            address: session
                .as_ref()
                .map(|s| medwallet_core::input::display_address(&s.wallet.address())),
            share_code: public.map(|p| p.share_code().to_string()),
            role: session.as_ref().map_or(Role::Unknown, |s| s.role),
            auto_lock_minutes: lock(&self.settings).auto_lock_minutes,
            recovering: self
                .dir
                .recovering()
                .ok()
                .flatten()
                .map(|a| medwallet_core::input::display_address(&a)),
        }
    }

    pub(crate) fn start_session(&self, keys: AccountKeys) -> Result<(), AppError> {
        // The writer's lock is held while the wallet is unlocked: a `medwallet` command on the
        // same folder is refused meanwhile, and the app is refused while one runs.
        let store = {
            let mut writer = lock(&self.writer);
            match writer.as_ref() {
                Some(held) => held.clone(),
                None => {
                    let held = self.dir.lock()?;
                    *writer = Some(held.clone());
                    held
                }
            }
        };
        let wallet = Wallet::open(Arc::new(keys), store, self.clock.clone())?;
        *lock(&self.session) = Some(Session {
            wallet: Arc::new(wallet),
            last_active_ms: self.now(),
            role: Role::Unknown,
            names: HashMap::new(),
            terms: HashMap::new(),
        });
        Ok(())
    }

    pub(crate) fn create_keystore(
        &self,
        phrase: &RecoveryPhrase,
        password: &str,
    ) -> Result<(), AppError> {
        if self.dir.keystore_path().exists() {
            return Err(AppError::new(
                ErrorCode::WalletExists,
                "a wallet already exists on this device; it was not overwritten",
            ));
        }
        std::fs::create_dir_all(&self.root)
            .map_err(|e| AppError::new(ErrorCode::Storage, e.to_string()))?;
        let keystore = Keystore::create(phrase, password, "medwallet", self.kdf, &mut rand::rng())?;
        self.dir.create_keystore(&keystore)?;
        Ok(())
    }

    /// Creates a wallet: a new recovery phrase, encrypted under `password`. Returns the words
    /// once, for the user to write down, and the positions to confirm.
    pub fn create(&self, password: &str) -> Result<CreatedWallet, AppError> {
        let phrase = RecoveryPhrase::generate(&mut rand::rng());
        self.create_keystore(&phrase, password)?;
        let keys = AccountKeys::derive(&phrase);
        let public = keys.public();
        let (words, positions) = self.await_backup(phrase);
        self.start_session(keys)?;
        Ok(CreatedWallet {
            address: public.address().to_string(),
            share_code: public.share_code().to_string(),
            words,
            confirm_positions: positions,
        })
    }

    /// Holds a new phrase until the user types back the words at the positions returned (with
    /// the words, shown once).
    pub(crate) fn await_backup(&self, phrase: RecoveryPhrase) -> (Vec<String>, Vec<usize>) {
        let words: Vec<String> = phrase.words().split(' ').map(str::to_owned).collect();
        let mut rng = rand::rng();
        let mut positions: Vec<usize> = Vec::new();
        while positions.len() < CONFIRM_WORDS {
            let p = rng.random_range(1..=words.len());
            if !positions.contains(&p) {
                positions.push(p);
            }
        }
        positions.sort_unstable();
        *lock(&self.backup) = Some(PendingBackup {
            phrase,
            positions: positions.clone(),
        });
        (words, positions)
    }

    /// Checks the words typed back against the new phrase (in constant time).
    pub fn confirm_backup(&self, answers: &[String]) -> Result<(), AppError> {
        let mut backup = lock(&self.backup);
        let pending = backup.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "there is no new wallet waiting for confirmation",
            )
        })?;
        let words = pending.phrase.words();
        let words: Vec<&str> = words.split(' ').collect();
        if answers.len() != pending.positions.len() {
            return Err(AppError::new(
                ErrorCode::BackupMismatch,
                format!("type the {} requested words", pending.positions.len()),
            ));
        }
        let mut all = subtle::Choice::from(1);
        for (answer, position) in answers.iter().zip(&pending.positions) {
            let typed = Zeroizing::new(answer.trim().to_lowercase());
            all &= typed.as_bytes().ct_eq(words[position - 1].as_bytes());
        }
        if !bool::from(all) {
            return Err(AppError::new(
                ErrorCode::BackupMismatch,
                "those words do not match your recovery phrase; check what you wrote down",
            ));
        }
        *backup = None;
        Ok(())
    }

    /// Restores a wallet from its 24 words under a new password.
    pub fn restore(&self, words: &str, password: &str) -> Result<WalletStatus, AppError> {
        let phrase = RecoveryPhrase::parse(words).map_err(|e| AppError::invalid(e.to_string()))?;
        self.create_keystore(&phrase, password)?;
        self.start_session(AccountKeys::derive(&phrase))?;
        Ok(self.status())
    }

    /// Unlocks the keystore with `password`.
    pub fn unlock(&self, password: &str) -> Result<WalletStatus, AppError> {
        let keystore = self.dir.load_keystore()?;
        let phrase = keystore.unlock(password)?;
        self.start_session(AccountKeys::derive(&phrase))?;
        Ok(self.status())
    }

    /// Forgets the keys (zeroized as they drop) and the decrypted records.
    pub fn lock(&self) {
        *lock(&self.session) = None;
        *lock(&self.writer) = None;
        *lock(&self.backup) = None;
    }
}

#[cfg(test)]
mod tests;
