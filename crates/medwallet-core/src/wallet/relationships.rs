//! The wallet's accounts, one per relationship (see [`crate::relationships`]): which it has,
//! finding them on the ledger, and giving a new clinic its own.

use std::collections::BTreeSet;

use medledger_client::LedgerSource;
use medledger_client::transaction::sign_next;
use medledger_types::hash::{Address, ReceivingKey};
use medledger_types::tx::TxBody;
use medwallet_crypto::ShareCode;
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;

use super::{Wallet, lock};
use crate::clock::Clock;
use crate::error::WalletError;
use crate::relationships::{Relationship, discover, next_account};
use crate::store::WalletStore;

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// This wallet's registered accounts, one per relationship, by index.
    pub fn relationships(&self) -> Vec<Relationship> {
        lock(&self.relationships).clone()
    }

    /// The addresses of this wallet's registered accounts, by index.
    pub fn accounts(&self) -> Vec<(u32, Address)> {
        self.relationships()
            .iter()
            .map(|r| (r.account, self.keys.address(r.account)))
            .collect()
    }

    /// Which of this wallet's accounts `address` is.
    pub(crate) fn account_index(&self, address: &Address) -> Option<u32> {
        self.accounts()
            .into_iter()
            .find(|(_, a)| a == address)
            .map(|(i, _)| i)
    }

    /// The share code of this wallet's account `account` (to show a clinic its code again).
    pub fn share_code(&self, account: u32) -> ShareCode {
        self.account_keys(account).public().share_code()
    }

    /// Finds this wallet's accounts registered at `at` (those it knows, and any a restore or
    /// another device registered), keeping the new ones.
    pub(crate) async fn discover_accounts<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        at: &VerifiedHeader,
        rng: &mut R,
    ) -> Result<Vec<Relationship>, WalletError> {
        let mut relationships = self.relationships();
        let known: BTreeSet<u32> = relationships.iter().map(|r| r.account).collect();
        let found = discover(source, at, &self.keys, &known).await?;
        if found.len() != known.len() {
            for account in found.difference(&known) {
                relationships.push(self.keys.relationship(*account, String::new()));
            }
            relationships.sort_by_key(|r| r.account);
            self.save(source.chain(), self.records(), relationships.clone(), rng)?;
        }
        Ok(relationships)
    }

    /// Gives a new relationship (a clinic) its own account: the next unused one, registered
    /// on the ledger, kept under `label`. Returns it and the share code to hand that clinic.
    pub async fn new_relationship<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        label: &str,
        rng: &mut R,
    ) -> Result<(Relationship, ShareCode), WalletError> {
        let label = label.trim();
        if label.chars().count() > 80 {
            return Err(WalletError::InvalidInput(
                "the name is longer than 80 characters".into(),
            ));
        }
        self.check_chain(source)?;
        let at = self.latest(source).await?;
        let mut relationships = self.discover_accounts(source, &at, rng).await?;
        let found: BTreeSet<u32> = relationships.iter().map(|r| r.account).collect();
        let account = next_account(&found);
        let keys = self.keys.get(account);
        let body = TxBody::RegisterPatient {
            receiving: ReceivingKey(keys.public().receiving.to_bytes()),
        };
        let tx = sign_next(source, keys.signing_key(), &at, body).await?;
        source.submit(&tx).await?;
        let relationship = self.keys.relationship(account, label.to_owned());
        relationships.push(relationship.clone());
        self.save(source.chain(), self.records(), relationships, rng)?;
        Ok((relationship, keys.public().share_code()))
    }
}
