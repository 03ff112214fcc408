//! Guardian recovery on the desktop: the patient names guardians and sees (and cancels) any
//! recovery of the wallet; a guardian sees the shares it holds, answers a recovery after
//! comparing the device code, and releases its share once the recovery is in effect (whenever
//! it looks); a fresh profile recovers a wallet and ends under a new phrase, shown once. Each is
//! the wallet core's workflow.

use medledger_types::recovery::DEFAULT_RECOVERY_DELAY_MS;
use medwallet_core::GuardianChoice;
use medwallet_core::input;
use medwallet_core::recovery::device_code;
use medwallet_crypto::{AccountKeys, ShareCode};

use crate::error::{AppError, ErrorCode};
use crate::guardian_views::{
    GuardianItem, GuardiansView, GuardingItem, RecoveringStatus, RecoveryItem,
};
use crate::lifecycle_views::RotatedWallet;
use crate::session::App;

fn rng() -> rand::rngs::StdRng {
    // Seeded from the thread's generator: the futures must be Send (they run on Tauri's pool).
    <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng())
}

impl App {
    fn min_delay_ms(&self) -> u64 {
        self.dir.genesis().map_or(0, |g| g.recovery_min_delay_ms)
    }

    /// This wallet's guardians and its latest recovery.
    pub async fn guardians(&self) -> Result<GuardiansView, AppError> {
        let wallet = self.wallet()?;
        let found = self
            .with_ledger(async |source| wallet.guardians(source).await)
            .await?;
        let now = self.now();
        let min = self.min_delay_ms();
        Ok(match found {
            Some(g) => GuardiansView {
                guardians: g
                    .guardians
                    .iter()
                    .map(|x| GuardianItem {
                        address: input::display_address(&x.account),
                        name: x.name.clone(),
                    })
                    .collect(),
                threshold: g.threshold,
                delay_ms: g.delay_ms,
                label: g.label,
                recovery: g.recovery.as_ref().map(|r| RecoveryItem::of(r, now)),
                min_delay_ms: min,
                default_delay_ms: DEFAULT_RECOVERY_DELAY_MS.max(min),
            },
            None => GuardiansView {
                guardians: Vec::new(),
                threshold: 0,
                delay_ms: 0,
                label: None,
                recovery: None,
                min_delay_ms: min,
                default_delay_ms: DEFAULT_RECOVERY_DELAY_MS.max(min),
            },
        })
    }

    /// Names guardians by their share codes (the password unlocks the phrase they split).
    pub async fn set_guardians(
        &self,
        password: &str,
        codes: &[String],
        threshold: u8,
        delay_ms: u64,
        label: &str,
    ) -> Result<GuardiansView, AppError> {
        let wallet = self.wallet()?;
        let codes = codes
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.parse::<ShareCode>().map_err(|_| {
                    AppError::invalid(format!("{c:?} is not a share code (mdwshare1…)"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let phrase = self.dir.load_keystore()?.unlock(password)?;
        let choice = GuardianChoice {
            codes,
            threshold,
            delay_ms,
            label: label.to_owned(),
        };
        let mut rng = rng();
        self.with_ledger(async |source| {
            wallet
                .set_guardians(source, &phrase, &choice, &mut rng)
                .await
        })
        .await?;
        self.guardians().await
    }

    /// Cancels the pending recovery of this wallet.
    pub async fn cancel_recovery(&self) -> Result<GuardiansView, AppError> {
        let wallet = self.wallet()?;
        self.with_ledger(async |source| wallet.cancel_recovery(source).await)
            .await?;
        self.guardians().await
    }

    /// The recovery shares this wallet holds. Looking is also when it releases its share to
    /// each recovery it approved that is now in effect.
    pub async fn guarding(&self) -> Result<Vec<GuardingItem>, AppError> {
        let wallet = self.wallet()?;
        let mut rng = rng();
        let duties = self
            .with_ledger(async |source| {
                wallet.release_shares(source, &mut rng).await?;
                wallet.guarding(source).await
            })
            .await?;
        let now = self.now();
        Ok(duties.iter().map(|d| GuardingItem::of(d, now)).collect())
    }

    /// Approves (with the code the patient read out) or declines a patient's recovery.
    pub async fn answer_recovery(
        &self,
        patient: &str,
        device_code: &str,
        approve: bool,
    ) -> Result<Vec<GuardingItem>, AppError> {
        let wallet = self.wallet()?;
        let patient = input::account(patient)?;
        self.with_ledger(async |source| {
            wallet
                .answer_recovery(source, &patient, device_code, approve)
                .await
        })
        .await?;
        self.guarding().await
    }

    /// On a fresh profile: this device asks to recover `account`. Its own keys (a phrase the
    /// user never sees) sign the request and receive the shares, under `password`.
    pub async fn start_recovery(
        &self,
        account: &str,
        password: &str,
    ) -> Result<RecoveringStatus, AppError> {
        let account = input::account(account)?;
        match self.dir.recovering()? {
            Some(existing) if existing == account => {}
            Some(_) => {
                return Err(AppError::new(
                    ErrorCode::WalletExists,
                    "this device is already recovering another account",
                ));
            }
            None => {
                if self.dir.keystore_path().exists() {
                    return Err(AppError::new(
                        ErrorCode::WalletExists,
                        "a wallet already exists on this device; it was not overwritten",
                    ));
                }
                std::fs::create_dir_all(&self.root)
                    .map_err(|e| AppError::new(ErrorCode::Storage, e.to_string()))?;
                self.dir
                    .begin_recovery(password, self.kdf, &account, &mut rng())?;
            }
        }
        let phrase = self.dir.load_keystore()?.unlock(password)?;
        self.start_session(AccountKeys::derive(&phrase))?;
        let wallet = self.wallet()?;
        self.with_ledger(async |source| wallet.start_recovery(source, &account).await)
            .await?;
        self.recovering().await
    }

    /// A recovering device's progress.
    pub async fn recovering(&self) -> Result<RecoveringStatus, AppError> {
        let wallet = self.wallet()?;
        let account = self.dir.recovering()?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "this device is not recovering a wallet",
            )
        })?;
        let view = self
            .with_ledger(async |source| wallet.recovery_of(source, &account).await)
            .await?;
        let now = self.now();
        Ok(RecoveringStatus {
            account: input::display_address(&account),
            device_code: device_code(&wallet.device_key()),
            recovery: view
                .filter(|r| r.device == wallet.device_key())
                .map(|r| RecoveryItem::of(&r, now)),
        })
    }

    /// Once the guardians released their shares: the wallet is this device's again, and moves
    /// to a new phrase (shown once and typed back, as a new wallet's).
    pub async fn finish_recovery(&self, password: &str) -> Result<RotatedWallet, AppError> {
        let wallet = self.wallet()?;
        let account = self.dir.recovering()?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "this device is not recovering a wallet",
            )
        })?;
        let phrase = self
            .with_ledger(async |source| wallet.recovered_phrase(source, &account).await)
            .await?;
        self.dir
            .complete_recovery(password, &phrase, self.kdf, &mut rng())?;
        drop(wallet);
        self.start_session(AccountKeys::derive(&phrase))?;
        self.rotate_keys(password).await
    }
}
