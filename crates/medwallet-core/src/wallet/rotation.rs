//! Moving a patient's wallet to new keys (a new recovery phrase), for a phrase or a device that
//! may have leaked. Every account keeps its address and everything under it; from the
//! rotation's block on only the new keys sign for it, and the old ones are refused.
//!
//! What the old keys could open is moved too, because whoever holds them could still open it:
//! - each record's content key is wrapped anew to the account's new receiving key
//!   (`RewrapRecords`), so clinics (which read the receiving key by proof) and the wallet open
//!   records under the new keys only;
//! - each active share is made again under the new keys (a new secret for the doctor, new
//!   grantees, terms sealed to the new keys), then its old grants are revoked;
//! - active links are revoked: their keys were sealed to the old keys;
//! - the emergency set is sealed again (its own key was wrapped to the old keys, and the
//!   guardians' watch key is the old phrase's), with the same content;
//! - the guardians are named again with shares of the new phrase.
//!
//! The steps are idempotent where the ledger can say they are done: an account already under
//! its new key is not rotated again, so an interrupted rotation is run again to finish.

use std::collections::BTreeMap;
use std::sync::Arc;

use medledger_client::transaction::sign_next;
use medledger_client::{BlobUpload, LedgerSource};
use medledger_types::grant::SHARE_ID_LEN;
use medledger_types::hash::{GrantId, PublicKey, ReceivingKey};
use medledger_types::link::LinkStatus;
use medledger_types::state::GrantStatus;
use medledger_types::tx::{KEYS_MAX, TxBody, rotation_consent_message};
use medwallet_crypto::{AccountKeys, Namespace, RecoveryPhrase};
use rand_core::CryptoRng;

use super::{GrantRequest, GuardianChoice, Wallet};
use crate::cache::{Cached, seal_cache};
use crate::clock::Clock;
use crate::consent::{GrantView, ShareScope, rewrap};
use crate::error::WalletError;
use crate::records::RecordSummary;
use crate::relationships::Keyring;
use crate::store::WalletStore;

/// What a rotation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    /// Accounts moved to new keys (an account already moved is not counted again).
    pub accounts: usize,
    /// Record keys wrapped anew.
    pub records_rewrapped: usize,
    /// Shares made again under the new keys (their old grants revoked).
    pub shares_moved: usize,
    /// Links revoked.
    pub links_revoked: usize,
    /// Guardians named again with shares of the new phrase.
    pub guardians_kept: usize,
    /// The emergency set sealed again under the new keys.
    pub emergency_set_kept: bool,
    /// The last transaction's height.
    pub height: u64,
}

/// An active share as the old keys read it, to be made again.
struct OldShare {
    request: GrantRequest,
    grants: Vec<GrantId>,
}

/// The active shares among `grants`, each with every grant it is made of (one per account).
fn active_shares(grants: &[GrantView]) -> Vec<OldShare> {
    let mut shares: BTreeMap<[u8; SHARE_ID_LEN], OldShare> = BTreeMap::new();
    for view in grants {
        let (Some(terms), GrantStatus::Active) = (&view.terms, view.status) else {
            continue;
        };
        let Some(scope) = view.scope() else { continue };
        let share = shares.entry(terms.share).or_insert_with(|| OldShare {
            request: GrantRequest {
                grantee: terms.doctor,
                scope: match scope {
                    ShareScope::Records(_) => ShareScope::Records(Vec::new()),
                    other => other,
                },
                expires_at_ms: view.entry.expires_at_ms,
                label: terms.label.clone(),
            },
            grants: Vec::new(),
        });
        if let (ShareScope::Records(all), Some(ShareScope::Records(ids))) =
            (&mut share.request.scope, view.scope())
        {
            all.extend(ids);
        }
        share.grants.push(view.id);
    }
    shares.into_values().collect()
}

impl<St: WalletStore + Clone, C: Clock + Clone> Wallet<St, C> {
    /// Moves every account of this wallet to the keys of `next` (account `n` to
    /// `next.account(n)`), and what the old keys could open with them. Afterwards the cache is
    /// sealed to `next`: drop this wallet and open it with `next`. The caller keeps `next`'s
    /// phrase safe before calling (once an account moved, only `next` signs for it).
    /// `emergency_keys` are the validators' from the genesis, to seal the emergency set again
    /// (on a chain whose set changes, the running validators' are read from the ledger).
    pub async fn rotate_keys<S: LedgerSource + BlobUpload, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        next_phrase: &RecoveryPhrase,
        emergency_keys: &[ReceivingKey],
        rng: &mut R,
    ) -> Result<Rotation, WalletError> {
        self.check_chain(source)?;
        let next = Arc::new(AccountKeys::derive(next_phrase));
        let chain = source.chain();
        // The guardians hold shares of the old phrase, which the rotation retires (the
        // ledger drops the set): they are named again with shares of the new one.
        let guardians = self
            .guardians(source)
            .await?
            .filter(|g| !g.guardians.is_empty());
        let at = self.latest(source).await?;
        // Account 0's address first: after an earlier rotation it is not its keys' own, and a
        // device with no cache (a recovery's) learns it only from the ledger.
        self.discover_accounts(source, &at, rng).await?;
        // Every record's key is wrapped anew, so every record must be known: unless a rotation
        // under way already moved account 0 (its records are then wrapped to the new keys),
        // sync first.
        let zero = self.own_account(0);
        if crate::accounts::account(source, &at, &zero.address)
            .await?
            .is_some_and(|a| a.signing.0 == zero.keys.public().signing.to_bytes())
        {
            let mut quiet = |_: crate::sync::SyncEvent<'_>| Ok(());
            self.sync(source, &mut quiet, rng).await?;
        }
        let at = self.latest(source).await?;
        let relationships = self.discover_accounts(source, &at, rng).await?;
        if relationships.is_empty() {
            return Err(WalletError::InvalidInput(
                "this wallet has no patient account to rotate".into(),
            ));
        }
        let mut done = Rotation::default();
        // What the old keys read: shares (their terms open only with them) and links.
        let (_, grants) = self.grants(source).await?;
        let shares = active_shares(&grants);
        let (_, links) = self.links(source).await?;
        // The emergency set's content, while the old keys still open it.
        let emergency = self.emergency_to_carry(source, &next).await?;
        for link in links.iter().filter(|l| l.status == LinkStatus::Active) {
            done.height = self.revoke_link(source, link.id).await?;
            done.links_revoked += 1;
        }

        let moved = Keyring::new(next.clone());
        let mut records = self.records();
        for relationship in &relationships {
            let old = self.own_account(relationship.account);
            let new = moved.get(relationship.account);
            moved.set_address(relationship.account, old.address);
            let signing = PublicKey(new.public().signing.to_bytes());
            let receiving = ReceivingKey(new.public().receiving.to_bytes());
            let at = self.latest(source).await?;
            let account = crate::accounts::account(source, &at, &old.address)
                .await?
                .ok_or_else(|| WalletError::InvalidInput("an account is not registered".into()))?;
            if account.signing != signing {
                let message = rotation_consent_message(&chain, &old.address, &signing, &receiving);
                let consent =
                    medwallet_crypto::sign(new.signing_key(), Namespace::ROTATION, &message);
                let body = TxBody::RotateKeys {
                    signing,
                    receiving,
                    consent: consent.to_bytes(),
                };
                let tx = sign_next(source, old.keys.signing_key(), &at, body).await?;
                done.height = source.submit(&tx).await?;
                done.accounts += 1;
            }
            // The cached keys are the old ones (wrapped to the old receiving key).
            let mine: Vec<&RecordSummary> = records
                .iter()
                .filter(|r| r.account == relationship.account && !r.unreadable)
                .collect();
            let rewrapped = rewrap(&old.keys, &mine, &receiving.0, rng)?;
            for batch in rewrapped.chunks(KEYS_MAX) {
                let at = self.latest(source).await?;
                let body = TxBody::RewrapRecords {
                    keys: batch.to_vec(),
                };
                let tx = sign_next(source, new.signing_key(), &at, body).await?;
                done.height = source.submit(&tx).await?;
            }
            done.records_rewrapped += rewrapped.len();
            for key in rewrapped {
                let id = key.record.to_hex();
                if let Some(record) = records.iter_mut().find(|r| r.id == id) {
                    record.wrapped_key = hex::encode(key.wrapped_key.as_bytes());
                }
            }
        }
        let cached = Cached {
            records,
            relationships: relationships
                .iter()
                .map(|r| moved.relationship(r.account, r.label.clone()))
                .collect(),
        };

        // The shares again, from the wallet under the new keys; then the old grants go. The
        // cache stays sealed to the old keys until this is done, so a rerun still reads them.
        let after = Wallet::with_cached(
            next.clone(),
            self.store.clone(),
            self.clock.clone(),
            Some(chain),
            cached.clone(),
        )?;
        for share in shares {
            let made = after.grant(source, share.request, rng).await?;
            done.height = done.height.max(made.height);
            for old in share.grants {
                done.height = done.height.max(after.revoke(source, old).await?);
            }
            done.shares_moved += 1;
        }
        if let Some(bytes) = emergency {
            after
                .seal_emergency_set(source, emergency_keys, &bytes, rng)
                .await?;
            done.emergency_set_kept = true;
        }
        if let Some(previous) = guardians {
            let accounts: Vec<_> = previous.guardians.iter().map(|g| g.account).collect();
            let choice = GuardianChoice {
                codes: Vec::new(),
                threshold: previous.threshold,
                delay_ms: previous.delay_ms,
                label: previous.label.unwrap_or_default(),
            };
            done.height = after
                .set_guardian_accounts(source, next_phrase, &accounts, &choice, rng)
                .await?;
            done.guardians_kept = accounts.len();
        }
        self.store
            .save_cache(&seal_cache(&next, chain, &cached, rng)?)?;
        Ok(done)
    }
}
