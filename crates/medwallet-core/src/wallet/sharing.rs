//! The patient's consent workflows over all of the wallet's accounts: a share with a doctor is
//! one Grant per account whose records it covers, each signed by that account, all carrying the
//! same sealed terms (the share's id, the patient's label and their handle towards the doctor),
//! so the doctor sees one patient and the ledger sees accounts it cannot join.
//!
//! No grant names the doctor. The wallet derives a secret for each doctor
//! ([`AccountKeys::peer_secret`](medwallet_crypto::AccountKeys::peer_secret)) and sends it to the
//! doctor once, in a notice signed by a one-time key; each account's grants name the grantee key
//! derived from it for that account, which only the doctor and the patient can link.

use futures::stream::{self, StreamExt, TryStreamExt};
use medledger_client::LedgerSource;
use medledger_client::transaction::{sign, sign_next};
use medledger_types::grant::{GrantTerms, LABEL_MAX, SHARE_ID_LEN, notice_context};
use medledger_types::hash::{Address, GrantId, PublicKey, RecordId};
use medledger_types::state::{GrantStatus, ReceiptEntry};
use medledger_types::tx::{Scope, TxBody};
use medwallet_crypto::X25519PublicKey;
use medwallet_crypto::envelope::{X25519Recipient, seal_to};
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;

use super::{GrantRequest, Granted, Wallet};
use crate::accounts::{Doctor, doctor};
use crate::clock::Clock;
use crate::consent::{GrantView, ShareScope, covered, grants_by, receipts, rewrap};
use crate::error::WalletError;
use crate::records::RecordSummary;
use crate::store::WalletStore;
use crate::terms::seal_terms;

/// One served fetch of a patient's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// The receipt as the ledger holds it (its grantee is the grant's pairwise key).
    pub receipt: ReceiptEntry,
    /// The doctor, as the grant's terms (sealed to the patient) name them.
    pub doctor: Address,
}

/// Accounts whose grants are read at once.
const ACCOUNTS_IN_FLIGHT: usize = 8;

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// Grants a doctor access: the keys of the records covered now are re-wrapped to them, in
    /// one Grant per account that holds any of them.
    pub async fn grant<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        request: GrantRequest,
        rng: &mut R,
    ) -> Result<Granted, WalletError> {
        if request.expires_at_ms.is_some_and(|t| t <= self.now_ms()) {
            return Err(WalletError::InvalidInput(
                "the expiry is in the past".into(),
            ));
        }
        let label = request.label.trim().to_owned();
        if label.len() > LABEL_MAX {
            return Err(WalletError::InvalidInput(format!(
                "the label is longer than {LABEL_MAX} bytes"
            )));
        }
        let records = self.records();
        if let ShareScope::Records(ids) = &request.scope
            && let Some(missing) = ids
                .iter()
                .map(RecordId::to_hex)
                .find(|id| !records.iter().any(|r| r.id == *id && !r.unreadable))
        {
            return Err(WalletError::UnknownRecord(missing));
        }
        let included = covered(&request.scope, &records);
        let mut accounts: Vec<u32> = included.iter().map(|r| r.account).collect();
        accounts.sort_unstable();
        accounts.dedup();
        if accounts.is_empty() {
            // An open share with nothing in it yet starts at the first account; later records
            // of other accounts join it there at a sync (`extend_shares`).
            accounts.extend(self.relationships().first().map(|r| r.account));
        }
        if accounts.is_empty() {
            return Err(WalletError::InvalidInput(
                "this wallet has no patient account yet".into(),
            ));
        }
        let at = self.latest(source).await?;
        let doctor = doctor(source, &at, &request.grantee).await?;
        self.notify(source, &at, &doctor, rng).await?;
        let at = self.latest(source).await?;
        let mut share = [0u8; SHARE_ID_LEN];
        rng.fill_bytes(&mut share);
        let terms = GrantTerms {
            coverage: request.scope.coverage(),
            label,
            handle: self.keys().pairwise_handle(&doctor.address.0),
            share,
            doctor: doctor.address,
        };
        let mut grants = Vec::with_capacity(accounts.len());
        let mut height = 0;
        for account in accounts {
            let of_account: Vec<&RecordSummary> = included
                .iter()
                .copied()
                .filter(|r| r.account == account)
                .collect();
            let (grant, h) = self
                .grant_from(
                    source,
                    &at,
                    account,
                    &request,
                    &terms,
                    &of_account,
                    &doctor,
                    rng,
                )
                .await?;
            grants.push(grant);
            height = height.max(h);
        }
        Ok(Granted {
            grant: grants[0],
            grants,
            height,
            records_shared: included.len(),
            doctor,
        })
    }

    /// The grantee account `account`'s grants to `doctor` name: a key derived from the secret
    /// this wallet shares with that doctor.
    pub(crate) fn grantee_of(&self, account: u32, doctor: &Address) -> Address {
        let key = self.keys().peer_secret(&doctor.0).grantee(account);
        Address::of(&PublicKey(key.verifying_key().to_bytes()))
    }

    /// Sends `doctor` this wallet's secret for them, unless it was sent before (the notice key's
    /// nonce, proven at `at`, says so: it signs only that notice).
    async fn notify<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        at: &VerifiedHeader,
        doctor: &Doctor,
        rng: &mut R,
    ) -> Result<(), WalletError> {
        let secret = self.keys().peer_secret(&doctor.address.0);
        let key = secret.notice_key();
        let author = Address::of(&PublicKey(key.verifying_key().to_bytes()));
        if medledger_client::reads::nonce(source, at, &author).await? > 0 {
            return Ok(());
        }
        let to = X25519Recipient::new(X25519PublicKey::from(doctor.receiving));
        let sealed = seal_to(
            &to,
            &notice_context(&doctor.address),
            secret.as_bytes(),
            rng,
        )
        .map_err(|_| WalletError::InvalidInput("the notice cannot be sealed".into()))?;
        let body = TxBody::Notify {
            doctor: doctor.address,
            sealed,
        };
        source.submit(&sign(&key, source.chain(), 0, body)).await?;
        Ok(())
    }

    /// One account's Grant of a share.
    #[allow(clippy::too_many_arguments)]
    async fn grant_from<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        at: &VerifiedHeader,
        account: u32,
        request: &GrantRequest,
        terms: &GrantTerms,
        records: &[&RecordSummary],
        doctor: &Doctor,
        rng: &mut R,
    ) -> Result<(GrantId, u64), WalletError> {
        let receiving = &doctor.receiving;
        let keys = self.account_keys(account);
        let nonce = medledger_client::reads::nonce(source, at, &crate::account_of(&keys)).await?;
        let grant = GrantId::derive(&crate::account_of(&keys), nonce);
        let body = TxBody::Grant {
            grantee: self.grantee_of(account, &doctor.address),
            scope: request.scope.ledger_scope(records)?,
            expires_at_ms: request.expires_at_ms,
            keys: rewrap(&keys, records, receiving, rng)?,
            terms: seal_terms(terms, &grant, receiving, &keys, rng)?,
        };
        // Signed at the nonce the grant's id (and so its terms' context) was derived from.
        let tx = sign(keys.signing_key(), source.chain(), nonce, body);
        Ok((grant, source.submit(&tx).await?))
    }

    /// For active open shares: a Grant from each account that now holds records the share
    /// covers and has no grant in it yet (a category's first record from a new clinic). Returns
    /// how many keys were shared. Run after a sync.
    pub(crate) async fn extend_shares<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        at: &VerifiedHeader,
        views: &[GrantView],
        rng: &mut R,
    ) -> Result<usize, WalletError> {
        let records = self.records();
        let mut shared = 0;
        for view in views
            .iter()
            .filter(|v| v.status == GrantStatus::Active && matches!(v.entry.scope, Scope::Open))
        {
            let (Some(terms), Some(scope)) = (&view.terms, view.scope()) else {
                continue;
            };
            // The share's first grant (the lowest account) extends it, once.
            let in_share: Vec<&GrantView> = views
                .iter()
                .filter(|v| v.terms.as_ref().is_some_and(|t| t.share == terms.share))
                .collect();
            if in_share.iter().map(|v| v.account).min() != Some(view.account) {
                continue;
            }
            let included = covered(&scope, &records);
            let mut missing: Vec<u32> = included
                .iter()
                .map(|r| r.account)
                .filter(|a| !in_share.iter().any(|v| v.account == *a))
                .collect();
            missing.sort_unstable();
            missing.dedup();
            if missing.is_empty() {
                continue;
            }
            let doctor = doctor(source, at, &terms.doctor).await?;
            let request = GrantRequest {
                grantee: terms.doctor,
                scope,
                expires_at_ms: view.entry.expires_at_ms,
                label: terms.label.clone(),
            };
            for account in missing {
                let of_account: Vec<&RecordSummary> = included
                    .iter()
                    .copied()
                    .filter(|r| r.account == account)
                    .collect();
                let at = self.latest(source).await?;
                self.grant_from(
                    source,
                    &at,
                    account,
                    &request,
                    terms,
                    &of_account,
                    &doctor,
                    rng,
                )
                .await?;
                shared += of_account.len();
            }
        }
        Ok(shared)
    }

    /// Revokes a grant and every other active grant of its share (the share's other accounts):
    /// future access stops (see [`crate::REVOCATION_NOTICE`]). Returns the height the last
    /// revocation was finalized at.
    pub async fn revoke<S: LedgerSource>(
        &self,
        source: &S,
        grant: GrantId,
    ) -> Result<u64, WalletError> {
        let (_, views) = self.grants(source).await?;
        let Some(chosen) = views.iter().find(|v| v.id == grant) else {
            return Err(WalletError::InvalidInput(format!(
                "grant {} is not one of this wallet's",
                grant.to_hex()
            )));
        };
        let share = chosen.terms.as_ref().map(|t| t.share);
        let mut height = 0;
        for view in views.iter().filter(|v| {
            v.id == grant
                || (v.status == GrantStatus::Active
                    && share.is_some()
                    && v.terms.as_ref().map(|t| t.share) == share)
        }) {
            let keys = self.account_keys(view.account);
            let at = self.latest(source).await?;
            let body = TxBody::Revoke { grant: view.id };
            let tx = sign_next(source, keys.signing_key(), &at, body).await?;
            height = height.max(source.submit(&tx).await?);
        }
        Ok(height)
    }

    /// The grants this patient's accounts made, with their verified status, oldest first.
    pub async fn grants<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<(VerifiedHeader, Vec<GrantView>), WalletError> {
        let at = self.latest(source).await?;
        let now = self.now_ms();
        let accounts: Vec<_> = self
            .relationships()
            .iter()
            .map(|r| self.keys.account(r.account))
            .collect();
        let per_account: Vec<Vec<GrantView>> = stream::iter(accounts)
            .map(|account| {
                let at = &at;
                async move { grants_by(source, at, &account.keys, account.address, now).await }
            })
            .buffered(ACCOUNTS_IN_FLIGHT)
            .try_collect()
            .await?;
        let mut grants: Vec<GrantView> = per_account.into_iter().flatten().collect();
        grants.sort_by_key(|g| (g.entry.granted_height, g.account));
        Ok((at, grants))
    }

    /// Who fetched which of this patient's records, in every account (AccessReceipts, verified
    /// by proof), oldest first, each with the doctor its grant's terms name.
    pub async fn access_log<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<(VerifiedHeader, Vec<Access>), WalletError> {
        let (at, grants) = self.grants(source).await?;
        let mut log = Vec::new();
        for (_, address) in self.accounts() {
            for receipt in receipts(source, &at, &address).await? {
                let doctor = grants
                    .iter()
                    .find(|g| g.id == receipt.grant)
                    .map_or(receipt.grantee, GrantView::doctor);
                log.push(Access { receipt, doctor });
            }
        }
        log.sort_by_key(|a| (a.receipt.height, a.receipt.served_at_ms));
        Ok((at, log))
    }
}
