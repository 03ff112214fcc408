//! Guardian recovery, the guardian's side: the shares this wallet holds for patients (found
//! through each of its accounts' `guarding/` list and opened with that account's key), what a
//! patient's recovery asks of it, the answer (after comparing the device's code the patient
//! reads out), and the release of its share to the device once the recovery took effect. A
//! share also holds the patient's watch key: the guardian sees every emergency access to the
//! patient's set (who, which clinic, the reason, when), as the patient does.

use std::collections::BTreeSet;

use medledger_client::transaction::sign_next;
use medledger_client::{LedgerSource, reads};
use medledger_types::hash::{Address, ReceivingKey};
use medledger_types::recovery::{GuardianSet, Recovery};
use medledger_types::state::StateKey;
use medledger_types::tx::TxBody;
use medwallet_crypto::X25519PublicKey;
use medwallet_crypto::envelope::X25519Recipient;
use medwallet_crypto::guardian::{open_guardian_share, seal_release};
use rand_core::CryptoRng;

use super::Wallet;
use super::emergency::accesses_to;
use crate::clock::Clock;
use crate::error::WalletError;
use crate::recovery::{GuardianDuty, RecoveryView, is_device_code};
use crate::store::WalletStore;

/// Most patients one account's guarding list is read for (a longer list is someone's spam:
/// naming a guardian costs nothing but a transaction).
const GUARDING_MAX: u64 = 256;

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// The recovery shares this wallet holds, with each patient's latest recovery.
    pub async fn guarding<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<Vec<GuardianDuty>, WalletError> {
        let at = self.latest(source).await?;
        let mut duties = Vec::new();
        let mut seen = BTreeSet::new();
        // Account 0 is a doctor's identity even where no relationship lists it.
        let mut accounts = self.accounts();
        if !accounts.iter().any(|(i, _)| *i == 0) {
            accounts.insert(0, (0, self.own_account(0).address));
        }
        for (index, address) in accounts {
            let count = reads::count(source, &at, &StateKey::guarding_count(&address)).await?;
            for i in 0..count.min(GUARDING_MAX) {
                let patient =
                    Address(reads::id(source, &at, &StateKey::guarding(&address, i)).await?);
                if !seen.insert((index, patient)) {
                    continue;
                }
                let Some(set): Option<GuardianSet> =
                    reads::value(source, &at, &StateKey::guardians(&patient)).await?
                else {
                    continue; // removed, or the patient rotated since
                };
                let Some(position) = set.position(&address) else {
                    continue; // named again without this account
                };
                let keys = self.account_keys(index);
                let Ok(share) = open_guardian_share(
                    &keys.identity(),
                    &patient,
                    position as u8,
                    &set.guardians[position].sealed_share,
                ) else {
                    continue; // sealed to a key this account no longer has, or not a share
                };
                let recovery: Option<Recovery> =
                    reads::value(source, &at, &StateKey::recovery(&patient)).await?;
                let position = position as u8;
                // The patient's emergency account, if a set of it ever named the watch key.
                let watch = ReceivingKey(share.watch.public());
                let key = StateKey::emergency_watch(&watch);
                let emergency_accesses = match reads::optional_id(source, &at, &key).await? {
                    None => Vec::new(),
                    Some(account) => {
                        let account = Address(account);
                        let identity = share.watch.identity();
                        let mut accesses = accesses_to(source, &at, &account, &identity).await?;
                        accesses.reverse(); // newest first
                        accesses
                    }
                };
                duties.push(GuardianDuty {
                    patient,
                    label: share.label,
                    account: index,
                    position,
                    threshold: set.threshold,
                    guardians: set.guardians.len(),
                    approved: recovery
                        .as_ref()
                        .is_some_and(|r| r.approvals.contains(&position)),
                    declined: recovery
                        .as_ref()
                        .is_some_and(|r| r.declines.contains(&position)),
                    released: recovery
                        .as_ref()
                        .is_some_and(|r| r.released.iter().any(|s| s.guardian == position)),
                    recovery: recovery
                        .map(|r| RecoveryView::of(patient, &r, set.threshold, set.guardians.len())),
                    emergency_accesses,
                });
            }
        }
        Ok(duties)
    }

    /// Answers `patient`'s pending recovery: approves it (`approve`) or declines it. The
    /// device code is the one the patient reads out from the new device; a recovery to any
    /// other device is refused here, before anything is signed.
    pub async fn answer_recovery<S: LedgerSource>(
        &self,
        source: &S,
        patient: &Address,
        device_code: &str,
        approve: bool,
    ) -> Result<u64, WalletError> {
        self.check_chain(source)?;
        let duty = self
            .guarding(source)
            .await?
            .into_iter()
            .find(|d| d.patient == *patient)
            .ok_or_else(|| {
                WalletError::InvalidInput("this wallet holds no share for that account".into())
            })?;
        let recovery = duty
            .recovery
            .as_ref()
            .filter(|r| r.is_pending())
            .ok_or_else(|| {
                WalletError::InvalidInput("that account has no pending recovery".into())
            })?;
        if approve && !is_device_code(&recovery.device, device_code) {
            return Err(WalletError::InvalidInput(
                "that code is not the code of the device asking: do not approve, and tell the patient"
                    .into(),
            ));
        }
        let account = *patient;
        let device = recovery.device;
        let body = if approve {
            TxBody::ApproveRecovery { account, device }
        } else {
            TxBody::DeclineRecovery { account, device }
        };
        let at = self.latest(source).await?;
        let keys = self.account_keys(duty.account);
        let tx = sign_next(source, keys.signing_key(), &at, body).await?;
        Ok(source.submit(&tx).await?)
    }

    /// Releases this wallet's share to every recovery it approved that took effect and has
    /// not had it yet. Returns the patients released to.
    pub async fn release_shares<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        rng: &mut R,
    ) -> Result<Vec<Address>, WalletError> {
        self.check_chain(source)?;
        let at = self.latest(source).await?;
        let now = at.header().timestamp_ms;
        let mut released = Vec::new();
        for duty in self.guarding(source).await? {
            if !duty.approved || duty.released {
                continue;
            }
            let recovery: Option<Recovery> =
                reads::value(source, &at, &StateKey::recovery(&duty.patient)).await?;
            let Some(recovery) = recovery.filter(|r| r.effective(now)) else {
                continue;
            };
            let set: Option<GuardianSet> =
                reads::value(source, &at, &StateKey::guardians(&duty.patient)).await?;
            let Some(set) = set else { continue };
            let keys = self.account_keys(duty.account);
            let share = open_guardian_share(
                &keys.identity(),
                &duty.patient,
                duty.position,
                &set.guardians[usize::from(duty.position)].sealed_share,
            )
            .map_err(|e| WalletError::InvalidInput(e.to_string()))?;
            let device = X25519Recipient::new(X25519PublicKey::from(recovery.device_receiving.0));
            let sealed = seal_release(
                &device,
                &duty.patient,
                &recovery.device,
                duty.position,
                &share.share,
                rng,
            )
            .map_err(|e| WalletError::InvalidInput(e.to_string()))?;
            let body = TxBody::ReleaseShare {
                account: duty.patient,
                device: recovery.device,
                sealed,
            };
            let at = self.latest(source).await?;
            let tx = sign_next(source, keys.signing_key(), &at, body).await?;
            source.submit(&tx).await?;
            released.push(duty.patient);
        }
        Ok(released)
    }
}
