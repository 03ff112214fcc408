//! Pairwise accounts: one ledger account per relationship, all from the same recovery phrase.
//!
//! A patient's wallet gives each clinic its own share code, the code of a fresh account
//! (`AccountKeys::account(n)`), registered before the code is shown. The clinic issues to that
//! account only, so no two clinics hold the same address or key for the patient, and nothing a
//! clinic issued or read reaches what another issued. Grants and links are signed by the
//! account whose records they cover. The wallet syncs every account as one history.
//!
//! Nothing but the phrase needs a backup: a restored wallet finds its accounts by proof, asking
//! for account after account until [`GAP_LIMIT`] in a row are unregistered, as BIP-44 wallets
//! scan for used addresses.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt, TryStreamExt};
use medledger_client::{LedgerSource, reads};
use medledger_types::hash::{Address, PublicKey};
use medledger_types::state::{Account, AccountKind};
use medwallet_crypto::AccountKeys;
use medwallet_verify::VerifiedHeader;
use serde::{Deserialize, Serialize};

use crate::error::WalletError;

/// Unregistered accounts in a row after which discovery stops.
pub const GAP_LIMIT: u32 = 20;
/// Account proofs in flight at once during discovery.
const CHECKS_IN_FLIGHT: usize = 32;

/// One of this wallet's accounts, as the wallet keeps it (in its sealed cache).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relationship {
    /// The account's index under the phrase.
    pub account: u32,
    /// Who the patient made it for ("St Mary's"), local only: empty for accounts discovered
    /// on restore (the ledger then names the clinics that issued to it).
    #[serde(default)]
    pub label: String,
    /// The account's ledger address when its keys are no longer its first ones (after a key
    /// rotation the address stays its first key's); `None`: its keys' own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<[u8; 32]>,
}

/// One of the wallet's accounts: the keys that sign for it now, and its ledger address.
#[derive(Clone)]
pub struct OwnAccount {
    pub keys: Arc<AccountKeys>,
    pub address: Address,
}

impl OwnAccount {
    /// An account under its first keys (its address is theirs).
    pub fn first(keys: Arc<AccountKeys>) -> Self {
        let address = crate::account_of(&keys);
        Self { keys, address }
    }

    pub fn index(&self) -> u32 {
        self.keys.index()
    }
}

/// The keys of a wallet's accounts, derived once each from account 0's.
pub(crate) struct Keyring {
    zero: Arc<AccountKeys>,
    derived: Mutex<BTreeMap<u32, Arc<AccountKeys>>>,
    /// Accounts whose address is not their keys' (rotated to these keys).
    addresses: Mutex<BTreeMap<u32, Address>>,
}

impl Keyring {
    pub(crate) fn new(zero: Arc<AccountKeys>) -> Self {
        Self {
            zero,
            derived: Mutex::new(BTreeMap::new()),
            addresses: Mutex::new(BTreeMap::new()),
        }
    }

    /// Account 0's keys: the wallet's own (local files, a doctor's identity).
    pub(crate) fn zero(&self) -> &Arc<AccountKeys> {
        &self.zero
    }

    /// The keys of account `index`.
    pub(crate) fn get(&self, index: u32) -> Arc<AccountKeys> {
        if index == 0 {
            return self.zero.clone();
        }
        let mut derived = self.derived.lock().unwrap_or_else(|e| e.into_inner());
        derived
            .entry(index)
            .or_insert_with(|| Arc::new(self.zero.account(index)))
            .clone()
    }

    /// The ledger address of account `index`.
    pub(crate) fn address(&self, index: u32) -> Address {
        let addresses = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        match addresses.get(&index) {
            Some(address) => *address,
            None => crate::account_of(&self.get(index)),
        }
    }

    /// Account `index` with its address.
    pub(crate) fn account(&self, index: u32) -> OwnAccount {
        OwnAccount {
            keys: self.get(index),
            address: self.address(index),
        }
    }

    /// The relationship kept for account `index` (its address, if not its keys' own).
    pub(crate) fn relationship(&self, index: u32, label: String) -> Relationship {
        let address = self.address(index);
        Relationship {
            account: index,
            label,
            address: (address != crate::account_of(&self.get(index))).then_some(address.0),
        }
    }

    /// Records that account `index`'s address is `address` (these keys were rotated into it).
    pub(crate) fn set_address(&self, index: u32, address: Address) {
        let mut addresses = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        if address == crate::account_of(&self.get(index)) {
            addresses.remove(&index);
        } else {
            addresses.insert(index, address);
        }
    }
}

/// The patient account that account `index`'s keys sign for, proven at `at`: their own, or
/// the one they were rotated into (`None`: neither).
async fn registered<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    keys: &Keyring,
    index: u32,
) -> Result<(u32, Option<Address>), WalletError> {
    let own = keys.get(index);
    let signing = PublicKey(own.public().signing.to_bytes());
    let mut address = crate::account_of(&own);
    if let Some(owner) = reads::key_owner(source, at, &address).await? {
        address = owner;
    }
    let found = reads::account(source, at, &address).await?;
    let signs_for = matches!(
        found,
        Some(Account {
            kind: AccountKind::Patient,
            signing: current,
            ..
        }) if current == signing
    );
    Ok((index, signs_for.then_some(address)))
}

/// This wallet's registered accounts at `at`: those it knows, and any it finds by scanning
/// past the highest one until [`GAP_LIMIT`] in a row are unregistered (each answer proven).
pub(crate) async fn discover<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    keys: &Keyring,
    known: &BTreeSet<u32>,
) -> Result<BTreeSet<u32>, WalletError> {
    // Known accounts keep their addresses (in the keyring); new ones are learned here.
    let mut found = known.clone();
    let mut checked = 0u32;
    loop {
        // Every index up to GAP_LIMIT past the highest registered one is checked.
        let end = found.last().map_or(GAP_LIMIT, |&n| {
            n.saturating_add(1).saturating_add(GAP_LIMIT)
        });
        if checked >= end {
            return Ok(found);
        }
        let window: Vec<u32> = (checked..end).filter(|i| !found.contains(i)).collect();
        checked = end;
        let answers: Vec<(u32, Option<Address>)> = stream::iter(window)
            .map(|index| registered(source, at, keys, index))
            .buffered(CHECKS_IN_FLIGHT)
            .try_collect()
            .await?;
        for (index, address) in answers {
            if let Some(address) = address {
                keys.set_address(index, address);
                found.insert(index);
            }
        }
    }
}

/// The next account to give a relationship: the lowest index above every registered one.
pub(crate) fn next_account(found: &BTreeSet<u32>) -> u32 {
    found.last().map_or(0, |&n| n.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_account_comes_after_the_highest_one() {
        assert_eq!(next_account(&BTreeSet::new()), 0);
        assert_eq!(next_account(&BTreeSet::from([0, 1, 4])), 5);
    }
}
