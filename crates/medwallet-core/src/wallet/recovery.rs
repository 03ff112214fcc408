//! Guardian recovery, the patient's side and the new device's (see
//! [`medledger_types::recovery`] for the ledger's part).
//!
//! - The patient names guardians by their share codes: each guardian's account and receiving
//!   key are read by proof, the phrase's entropy is split (`medwallet_crypto::guardian`) and
//!   share `i` sealed to guardian `i`, from account 0 (`SetGuardians`).
//! - Every device of the patient sees a pending recovery of the account at its next look
//!   ([`Wallet::guardians`]) and any of them can cancel it ([`Wallet::cancel_recovery`]).
//! - A new device is a wallet of a fresh phrase of its own: it asks ([`Wallet::start_recovery`]),
//!   follows the guardians' answers ([`Wallet::recovery_of`]), and once the shares are
//!   released combines them ([`Wallet::recovered_phrase`]), checked against the key the
//!   ledger proves signs for the account now.

use medledger_client::transaction::sign_next;
use medledger_client::{LedgerSource, reads};
use medledger_types::hash::{Address, PublicKey, ReceivingKey};
use medledger_types::recovery::{Guardian, GuardianSet, Recovery};
use medledger_types::state::StateKey;
use medledger_types::tx::TxBody;
use medwallet_crypto::envelope::{X25519Recipient, open_sealed, seal_to};
use medwallet_crypto::guardian::{
    GuardianShare, LABEL_MAX, combine_entropy, open_release, seal_guardian_share, split_entropy,
};
use medwallet_crypto::{AccountKeys, RecoveryPhrase, ShareCode, X25519PublicKey};
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;

use super::Wallet;
use crate::accounts::display_name;
use crate::clock::Clock;
use crate::error::WalletError;
use crate::recovery::{GuardianView, Guardians, NOTE_CONTEXT, RecoveryView};
use crate::store::WalletStore;

/// The patient's choice of guardians.
#[derive(Clone, Debug)]
pub struct GuardianChoice {
    /// Each guardian's share code (a share code it made for this, so its account for the
    /// patient is its own pairwise one).
    pub codes: Vec<ShareCode>,
    pub threshold: u8,
    pub delay_ms: u64,
    /// How the guardians are to know the patient ("Ana, your sister").
    pub label: String,
}

/// The account a share code names now (its key may have been rotated into another).
pub(crate) async fn account_of_code<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    code: &ShareCode,
) -> Result<Address, WalletError> {
    let key = code.account();
    Ok(reads::key_owner(source, at, &key).await?.unwrap_or(key))
}

fn note_context(account: &Address) -> Vec<u8> {
    [NOTE_CONTEXT, &account.0].concat()
}

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// Names the guardians of this wallet (on account 0, whose recovery gives back the phrase
    /// and so every account). `phrase` is this wallet's, unlocked by its password: the keys
    /// alone cannot give it back.
    pub async fn set_guardians<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        phrase: &RecoveryPhrase,
        choice: &GuardianChoice,
        rng: &mut R,
    ) -> Result<u64, WalletError> {
        self.check_chain(source)?;
        if AccountKeys::derive(phrase).public() != self.keys().public() {
            return Err(WalletError::InvalidInput(
                "that recovery phrase is not this wallet's".into(),
            ));
        }
        if choice.label.trim().is_empty() || choice.label.len() > LABEL_MAX {
            return Err(WalletError::InvalidInput(format!(
                "say how your guardians know you, in at most {LABEL_MAX} bytes"
            )));
        }
        let at = self.latest(source).await?;
        let mut accounts = Vec::with_capacity(choice.codes.len());
        for code in &choice.codes {
            accounts.push(account_of_code(source, &at, code).await?);
        }
        self.set_guardian_accounts(source, phrase, &accounts, choice, rng)
            .await
    }

    /// [`Wallet::set_guardians`] with the guardians named by their accounts (`choice.codes`
    /// aside): each account's receiving key is read by proof.
    pub(crate) async fn set_guardian_accounts<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        phrase: &RecoveryPhrase,
        guardian_accounts: &[Address],
        choice: &GuardianChoice,
        rng: &mut R,
    ) -> Result<u64, WalletError> {
        let at = self.latest(source).await?;
        let me = self.own_account(0);
        let mut accounts = Vec::with_capacity(guardian_accounts.len());
        for account in guardian_accounts {
            let entry = reads::account(source, &at, account).await?.ok_or_else(|| {
                WalletError::InvalidInput(format!(
                    "guardian {} is not registered on the ledger",
                    crate::input::display_address(account)
                ))
            })?;
            if *account == me.address || accounts.iter().any(|(a, _)| a == account) {
                return Err(WalletError::InvalidInput(
                    "each guardian is someone else, named once".into(),
                ));
            }
            accounts.push((*account, entry.receiving));
        }
        let shares = split_entropy(phrase, choice.threshold, accounts.len(), rng)
            .map_err(|e| WalletError::InvalidInput(e.to_string()))?;
        let mut guardians = Vec::with_capacity(accounts.len());
        for (position, ((account, receiving), share)) in accounts.iter().zip(shares).enumerate() {
            let recipient = X25519Recipient::new(X25519PublicKey::from(receiving.0));
            let share = GuardianShare {
                account: me.address,
                position: position as u8,
                threshold: choice.threshold,
                share,
                label: choice.label.trim().to_owned(),
                // So the guardian sees every emergency access to this wallet's set.
                watch: me.keys.emergency_watch(),
            };
            let sealed_share = seal_guardian_share(&recipient, &share, rng)
                .map_err(|e| WalletError::InvalidInput(e.to_string()))?;
            guardians.push(Guardian {
                account: *account,
                sealed_share,
            });
        }
        let own = X25519Recipient::new(me.keys.public().receiving);
        let sealed_note = seal_to(
            &own,
            &note_context(&me.address),
            choice.label.trim().as_bytes(),
            rng,
        )
        .map_err(|e| WalletError::InvalidInput(e.to_string()))?;
        let body = TxBody::SetGuardians {
            guardians,
            threshold: choice.threshold,
            delay_ms: choice.delay_ms,
            sealed_note,
        };
        let tx = sign_next(source, me.keys.signing_key(), &at, body).await?;
        Ok(source.submit(&tx).await?)
    }

    /// Removes this wallet's guardians.
    pub async fn remove_guardians<S: LedgerSource>(&self, source: &S) -> Result<u64, WalletError> {
        self.check_chain(source)?;
        let at = self.latest(source).await?;
        let me = self.own_account(0);
        let body = TxBody::SetGuardians {
            guardians: Vec::new(),
            threshold: 0,
            delay_ms: 0,
            sealed_note: Vec::new(),
        };
        let tx = sign_next(source, me.keys.signing_key(), &at, body).await?;
        Ok(source.submit(&tx).await?)
    }

    /// This wallet's guardians and the latest recovery of it, as proven now (`None`: it has
    /// none and no recovery was ever asked).
    pub async fn guardians<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<Option<Guardians>, WalletError> {
        let at = self.latest(source).await?;
        let me = self.own_account(0);
        let set: Option<GuardianSet> =
            reads::value(source, &at, &StateKey::guardians(&me.address)).await?;
        let recovery: Option<Recovery> =
            reads::value(source, &at, &StateKey::recovery(&me.address)).await?;
        let Some(set) = set else {
            return Ok(recovery.map(|r| Guardians {
                guardians: Vec::new(),
                threshold: 0,
                delay_ms: 0,
                label: None,
                recovery: Some(RecoveryView::of(me.address, &r, 0, 0)),
            }));
        };
        let mut guardians = Vec::with_capacity(set.guardians.len());
        for g in &set.guardians {
            guardians.push(GuardianView {
                account: g.account,
                name: display_name(source, &at, &g.account).await?,
            });
        }
        let label = open_sealed(
            &me.keys.identity(),
            &note_context(&me.address),
            &set.sealed_note,
        )
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
        Ok(Some(Guardians {
            recovery: recovery
                .map(|r| RecoveryView::of(me.address, &r, set.threshold, set.guardians.len())),
            guardians,
            threshold: set.threshold,
            delay_ms: set.delay_ms,
            label,
        }))
    }

    /// Cancels the pending recovery of this wallet (one this patient did not ask for).
    pub async fn cancel_recovery<S: LedgerSource>(&self, source: &S) -> Result<u64, WalletError> {
        self.check_chain(source)?;
        let at = self.latest(source).await?;
        let me = self.own_account(0);
        let body = TxBody::CancelRecovery {
            account: me.address,
        };
        let tx = sign_next(source, me.keys.signing_key(), &at, body).await?;
        Ok(source.submit(&tx).await?)
    }

    /// The device's side: asks to recover `account` to this wallet's keys (a fresh phrase of
    /// the new device's). Returns the height and the code the guardians compare.
    pub async fn start_recovery<S: LedgerSource>(
        &self,
        source: &S,
        account: &Address,
    ) -> Result<(u64, String), WalletError> {
        let at = self.latest(source).await?;
        if reads::value::<S, GuardianSet>(source, &at, &StateKey::guardians(account))
            .await?
            .is_none()
        {
            return Err(WalletError::InvalidInput(
                "that account has no guardians to recover it".into(),
            ));
        }
        let device = self.keys();
        let body = TxBody::StartRecovery {
            account: *account,
            device_receiving: ReceivingKey(device.public().receiving.to_bytes()),
        };
        let tx = sign_next(source, device.signing_key(), &at, body).await?;
        let height = source.submit(&tx).await?;
        Ok((height, crate::recovery::device_code(&self.device_key())))
    }

    /// This wallet's key as a recovering device names it.
    pub fn device_key(&self) -> PublicKey {
        PublicKey(self.keys().public().signing.to_bytes())
    }

    /// The latest recovery of `account`, as proven now.
    pub async fn recovery_of<S: LedgerSource>(
        &self,
        source: &S,
        account: &Address,
    ) -> Result<Option<RecoveryView>, WalletError> {
        let at = self.latest(source).await?;
        let set: Option<GuardianSet> =
            reads::value(source, &at, &StateKey::guardians(account)).await?;
        let recovery: Option<Recovery> =
            reads::value(source, &at, &StateKey::recovery(account)).await?;
        Ok(recovery.map(|r| {
            let (threshold, n) = set
                .as_ref()
                .map_or((0, 0), |s| (s.threshold, s.guardians.len()));
            RecoveryView::of(*account, &r, threshold, n)
        }))
    }

    /// The device's side, once the shares are released: the recovered phrase. Refused unless
    /// the recovery is this device's, effective, and the shares give back the phrase whose
    /// key signs for the account now (a guardian's bad share is skipped if enough good ones
    /// remain).
    pub async fn recovered_phrase<S: LedgerSource>(
        &self,
        source: &S,
        account: &Address,
    ) -> Result<RecoveryPhrase, WalletError> {
        let at = self.latest(source).await?;
        let set: GuardianSet = reads::value(source, &at, &StateKey::guardians(account))
            .await?
            .ok_or_else(|| WalletError::InvalidInput("that account has no guardians".into()))?;
        let recovery: Recovery = reads::value(source, &at, &StateKey::recovery(account))
            .await?
            .ok_or_else(|| WalletError::InvalidInput("no recovery of that account".into()))?;
        let device_key = self.device_key();
        if recovery.device != device_key {
            return Err(WalletError::InvalidInput(
                "that account's recovery is to another device".into(),
            ));
        }
        if !recovery.effective(at.header().timestamp_ms) {
            return Err(WalletError::InvalidInput(
                "the recovery has not taken effect yet".into(),
            ));
        }
        // The phrase to find is the one whose account 0 signs for the account now.
        let signing = reads::account(source, &at, account)
            .await?
            .ok_or_else(|| WalletError::InvalidInput("that account is not registered".into()))?
            .signing;
        let identity = self.keys().identity();
        let shares: Vec<_> = recovery
            .released
            .iter()
            .filter_map(|r| {
                open_release(&identity, account, &device_key, r.guardian, &r.sealed).ok()
            })
            .collect();
        let needed = usize::from(set.threshold);
        if shares.len() < needed {
            return Err(WalletError::InvalidInput(format!(
                "{} of {} guardians' shares are released so far",
                shares.len(),
                set.threshold
            )));
        }
        // Any `threshold` good shares give the phrase: try each choice of them (at most 16
        // released) until one gives the account's own.
        for mask in 1u32..(1 << shares.len()) {
            if mask.count_ones() as usize != needed {
                continue;
            }
            let chosen: Vec<_> = (0..shares.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| shares[i].clone())
                .collect();
            if let Ok(phrase) = combine_entropy(set.threshold, &chosen)
                && AccountKeys::derive(&phrase).public().signing.to_bytes() == signing.0
            {
                return Ok(phrase);
            }
        }
        Err(WalletError::InvalidInput(
            "the released shares do not give back this account's phrase (a guardian's share is wrong)"
                .into(),
        ))
    }
}

/// Seconds to a person: "72 hours", "5 seconds".
pub fn describe_delay(ms: u64) -> String {
    let secs = ms / 1000;
    match secs {
        s if s % 86_400 == 0 && s >= 7 * 86_400 => plural(s / 86_400, "day"),
        s if s % 3600 == 0 && s >= 3600 => plural(s / 3600, "hour"),
        s if s % 60 == 0 && s >= 60 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}
