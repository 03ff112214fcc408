//! Erasing records and closing accounts (GDPR art. 17, by crypto-shredding): the records' keys
//! leave the ledger (the patient's and every grant's), every node deletes the ciphertexts and
//! answers 410 Gone, and each validator's node writes a receipt the patient sees. The wallet
//! forgets them too: their title, category, key and kept ciphertext. See
//! [`crate::erasure::ERASURE_NOTICE`] for what stays.

use std::collections::{BTreeMap, BTreeSet};

use medledger_client::transaction::sign_next;
use medledger_client::{LedgerSource, reads};
use medledger_types::erasure::{ErasedRecord, ErasureReceipt};
use medledger_types::hash::RecordId;
use medledger_types::link::LinkStatus;
use medledger_types::state::{GrantStatus, StateKey};
use medledger_types::tx::{KEYS_MAX, TxBody};
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;

use super::Wallet;
use crate::clock::Clock;
use crate::erasure::{Erasure, forget};
use crate::error::WalletError;
use crate::links::Shared;
use crate::records::RecordSummary;
use crate::store::WalletStore;

/// What an erasure did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    pub records: usize,
    /// Active links that held any of them (revoked: their files hold the records' FHIR).
    pub links_revoked: usize,
    /// Active grants revoked (closing an account revokes all of its grants).
    pub grants_revoked: usize,
    pub height: u64,
}

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// Erases these records: one EraseRecords per account (in batches), after revoking the
    /// active links that may hold them. The wallet then keeps only what the ledger keeps.
    pub async fn erase_records<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        ids: &[RecordId],
        rng: &mut R,
    ) -> Result<Erased, WalletError> {
        self.check_chain(source)?;
        if ids.is_empty() {
            return Err(WalletError::InvalidInput("no record to erase".into()));
        }
        let records = self.records();
        let mut by_account: BTreeMap<u32, Vec<RecordId>> = BTreeMap::new();
        let mut categories = BTreeSet::new();
        for id in ids {
            let hex = id.to_hex();
            let record = records
                .iter()
                .find(|r| r.id == hex)
                .ok_or_else(|| WalletError::UnknownRecord(hex.clone()))?;
            if record.erased {
                return Err(WalletError::InvalidInput(format!(
                    "record {hex} is already erased"
                )));
            }
            if !by_account.entry(record.account).or_default().contains(id) {
                by_account.entry(record.account).or_default().push(*id);
            }
            categories.insert(record.category.clone());
        }
        let mut done = Erased::default();
        // A link's files hold the FHIR of what it shares: any link that may hold one of these
        // records goes first (only one limited to other categories is sure not to).
        let (_, links) = self.links(source).await?;
        for link in links.iter().filter(|l| {
            l.status == LinkStatus::Active
                && by_account.contains_key(&l.account)
                && match l.description.as_ref().map(|d| &d.shared) {
                    Some(Shared::Categories { categories: shared }) => {
                        shared.iter().any(|c| categories.contains(c))
                    }
                    _ => true,
                }
        }) {
            done.height = self.revoke_link(source, link.id).await?;
            done.links_revoked += 1;
        }
        for (account, ids) in &by_account {
            let keys = self.account_keys(*account);
            for batch in ids.chunks(KEYS_MAX) {
                let at = self.latest(source).await?;
                let body = TxBody::EraseRecords {
                    records: batch.to_vec(),
                };
                let tx = sign_next(source, keys.signing_key(), &at, body).await?;
                done.height = source.submit(&tx).await?;
                done.records += batch.len();
                self.forget_records(source, batch, rng)?;
            }
        }
        Ok(done)
    }

    /// Closes account `account`: revokes its active grants, erases every record of it (and
    /// the links that may hold them), then CloseAccount: nothing is issued to it again.
    pub async fn close_account<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        account: u32,
        rng: &mut R,
    ) -> Result<Erased, WalletError> {
        self.check_chain(source)?;
        if !self.relationships().iter().any(|r| r.account == account) {
            return Err(WalletError::InvalidInput(format!(
                "this wallet has no account {account}"
            )));
        }
        let (_, grants) = self.grants(source).await?;
        let mut grants_revoked = 0;
        let keys = self.account_keys(account);
        for grant in grants
            .iter()
            .filter(|g| g.account == account && g.status == GrantStatus::Active)
        {
            let at = self.latest(source).await?;
            let tx = sign_next(
                source,
                keys.signing_key(),
                &at,
                TxBody::Revoke { grant: grant.id },
            )
            .await?;
            source.submit(&tx).await?;
            grants_revoked += 1;
        }
        let ids: Vec<RecordId> = self
            .records()
            .iter()
            .filter(|r| r.account == account && !r.erased)
            .map(|r| r.record_id())
            .collect::<Result<_, _>>()?;
        let mut done = if ids.is_empty() {
            Erased::default()
        } else {
            self.erase_records(source, &ids, rng).await?
        };
        done.grants_revoked = grants_revoked;
        let at = self.latest(source).await?;
        let address = self.own_account(account).address;
        let body = TxBody::CloseAccount { account: address };
        let tx = sign_next(source, keys.signing_key(), &at, body).await?;
        done.height = source.submit(&tx).await?;
        Ok(done)
    }

    /// Every erased record of this wallet's accounts with the nodes' receipts, proven at the
    /// newest header.
    pub async fn erasures<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<(VerifiedHeader, Vec<Erasure>), WalletError> {
        let at = self.latest(source).await?;
        let mut out = Vec::new();
        for relationship in self.relationships() {
            let me = self.own_account(relationship.account).address;
            let mut receipts: BTreeMap<RecordId, Vec<ErasureReceipt>> = BTreeMap::new();
            let n = reads::count(source, &at, &StateKey::erasure_receipt_count(&me)).await?;
            for i in 0..n {
                let receipt: ErasureReceipt =
                    reads::required(source, &at, &StateKey::erasure_receipt(&me, i)).await?;
                receipts.entry(receipt.record).or_default().push(receipt);
            }
            for record in erased_ids(source, &at, &me).await? {
                let erased: ErasedRecord =
                    reads::required(source, &at, &StateKey::erased(&record)).await?;
                out.push(Erasure {
                    record,
                    account: relationship.account,
                    erased,
                    receipts: receipts.remove(&record).unwrap_or_default(),
                });
            }
        }
        out.sort_by_key(|e| e.erased.erased_height);
        Ok((at, out))
    }

    /// Marks the records another device of this wallet erased (their account's erasure list
    /// is longer than what the cache knows), proven at `at`.
    pub(crate) async fn learn_erasures<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        at: &VerifiedHeader,
        rng: &mut R,
    ) -> Result<(), WalletError> {
        for relationship in self.relationships() {
            let me = self.own_account(relationship.account).address;
            let known = self
                .records()
                .iter()
                .filter(|r| r.account == relationship.account && r.erased)
                .count() as u64;
            let count = reads::count(source, at, &StateKey::erasure_count(&me)).await?;
            if count > known {
                let ids = erased_ids(source, at, &me).await?;
                self.forget_records(source, &ids, rng)?;
            }
        }
        Ok(())
    }

    /// Forgets what the wallet knew of these records, and deletes their kept ciphertexts.
    fn forget_records<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        ids: &[RecordId],
        rng: &mut R,
    ) -> Result<(), WalletError> {
        let wanted: BTreeSet<String> = ids.iter().map(RecordId::to_hex).collect();
        let mut records: Vec<RecordSummary> = self.records();
        for record in records.iter_mut().filter(|r| wanted.contains(&r.id)) {
            self.store.remove_blob(&record.ciphertext_sha256)?;
            forget(record);
        }
        self.save(source.chain(), records, self.relationships(), rng)
    }
}

/// The records erased from account `me`, in erasure order, proven at `at`.
async fn erased_ids<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    me: &medledger_types::hash::Address,
) -> Result<Vec<RecordId>, WalletError> {
    let n = reads::count(source, at, &StateKey::erasure_count(me)).await?;
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        out.push(RecordId(
            reads::id(source, at, &StateKey::erasure(me, i)).await?,
        ));
    }
    Ok(out)
}
