//! Consent, the patient's side: grants (re-wrapping the covered records' keys to the doctor, so
//! nothing is re-encrypted and no plaintext leaves the wallet), their verified status, the keys
//! owed to category and all-records grants for records issued since, and the access log.
//! Revocation is honest: it stops future access; copies already downloaded stay where they are.
//!
//! A share is made per account: each account whose records it covers signs its own Grant, with
//! the same sealed terms (`crate::terms`), so the ledger never joins two accounts.

use medledger_client::{LedgerSource, reads};
use medledger_types::category::Category;
use medledger_types::grant::{Coverage, GrantTerms};
use medledger_types::hash::{Address, GrantId, RecordId};
use medledger_types::state::{GrantEntry, GrantStatus, ReceiptEntry, StateKey};
use medledger_types::tx::{RecordKey, Scope, TxBody};
use medwallet_crypto::envelope::{Identity, Recipient, WrappedKey, X25519Recipient};
use medwallet_crypto::{AccountKeys, X25519PublicKey};
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;

use crate::accounts::doctor;
use crate::error::WalletError;
use crate::records::RecordSummary;
use crate::terms::open_terms;

/// What stops and what does not when a grant is revoked (every front end shows this text).
pub const REVOCATION_NOTICE: &str = "Revoking stops future access: nodes refuse the doctor's requests and no new records are shared. Copies the doctor already downloaded cannot be taken back.";

/// What a patient shares with a doctor, as they chose it. The ledger sees only a [`Scope`]
/// (listed ids, or open); the rest is sealed in the grant's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareScope {
    /// These records only.
    Records(Vec<RecordId>),
    /// Every record of a category, including ones issued later.
    Category(Category),
    /// Every record, including ones issued later.
    All,
}

impl ShareScope {
    /// What the sealed terms say it covers.
    pub fn coverage(&self) -> Coverage {
        match self {
            ShareScope::Records(_) => Coverage::Listed,
            ShareScope::Category(c) => Coverage::Category(*c),
            ShareScope::All => Coverage::All,
        }
    }

    /// The ledger's scope for one account's grant: that account's listed records, or open.
    pub fn ledger_scope(&self, of_account: &[&RecordSummary]) -> Result<Scope, WalletError> {
        match self {
            ShareScope::Records(_) => Ok(Scope::Records(
                of_account
                    .iter()
                    .map(|r| r.record_id())
                    .collect::<Result<_, _>>()?,
            )),
            ShareScope::Category(_) | ShareScope::All => Ok(Scope::Open),
        }
    }

    /// A grant's share scope as its patient reads it (`None`: an open grant whose terms do not
    /// open).
    pub fn of_grant(entry: &GrantEntry, terms: Option<&GrantTerms>) -> Option<Self> {
        match (&entry.scope, terms.map(|t| t.coverage)) {
            (Scope::Records(ids), _) => Some(ShareScope::Records(ids.clone())),
            (Scope::Open, Some(Coverage::Category(c))) => Some(ShareScope::Category(c)),
            (Scope::Open, Some(Coverage::All)) => Some(ShareScope::All),
            (Scope::Open, _) => None,
        }
    }
}

/// A scope from a person's choice: listed records, one category, or everything.
pub fn scope(
    records: Option<&[String]>,
    category: Option<&str>,
    all: bool,
) -> Result<ShareScope, WalletError> {
    match (records, category, all) {
        (Some([]), None, false) => Err(WalletError::InvalidInput(
            "choose at least one record to share".into(),
        )),
        (Some(ids), None, false) => Ok(ShareScope::Records(
            ids.iter()
                .map(|i| {
                    RecordId::from_hex(i)
                        .map_err(|_| WalletError::InvalidInput(format!("{i:?} is not a record id")))
                })
                .collect::<Result<_, _>>()?,
        )),
        (None, Some(c), false) => Category::from_code(c)
            .map(ShareScope::Category)
            .ok_or_else(|| WalletError::InvalidInput(format!("unknown category {c:?}"))),
        (None, None, true) => Ok(ShareScope::All),
        _ => Err(WalletError::InvalidInput(
            "choose exactly one of: records, a category, or everything".into(),
        )),
    }
}

/// A scope in words ("all records", "category labs", "3 record(s)"; "sealed" for an open
/// grant whose terms this wallet cannot read).
pub fn describe(scope: Option<&ShareScope>) -> String {
    match scope {
        Some(ShareScope::All) => "all records".into(),
        Some(ShareScope::Category(c)) => format!("category {}", c.code()),
        Some(ShareScope::Records(ids)) => format!("{} record(s)", ids.len()),
        None => "sealed".into(),
    }
}

/// The records a scope covers, among those the wallet has (and can open: only a key this
/// wallet holds can be re-wrapped).
pub fn covered<'a>(scope: &ShareScope, records: &'a [RecordSummary]) -> Vec<&'a RecordSummary> {
    records
        .iter()
        .filter(|r| !r.unreadable)
        .filter(|r| match scope {
            ShareScope::All => true,
            ShareScope::Category(c) => r.category == c.code(),
            ShareScope::Records(ids) => ids.iter().any(|id| id.to_hex() == r.id),
        })
        .collect()
}

/// Re-wraps the content keys of `records` (which this wallet can open) to `recipient`.
pub fn rewrap<R: CryptoRng + ?Sized>(
    keys: &AccountKeys,
    records: &[&RecordSummary],
    recipient: &[u8; 32],
    rng: &mut R,
) -> Result<Vec<RecordKey>, WalletError> {
    let identity = keys.identity();
    let to = X25519Recipient::new(X25519PublicKey::from(*recipient));
    records
        .iter()
        .map(|r| {
            let id = r.record_id()?;
            let not_mine = || WalletError::NotForMe(r.id.clone());
            let wrapped = hex::decode(&r.wrapped_key).map_err(|_| not_mine())?;
            let key = identity
                .unwrap(
                    &WrappedKey::from_bytes(&wrapped).map_err(|_| not_mine())?,
                    &id.0,
                )
                .map_err(|_| not_mine())?;
            let new = to
                .wrap(&key, &id.0, rng)
                .map_err(|_| WalletError::NotForMe(r.id.clone()))?;
            Ok(RecordKey {
                record: id,
                wrapped_key: new,
            })
        })
        .collect()
}

/// A grant this patient made, with its verified status and its terms as the patient reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantView {
    pub id: GrantId,
    /// The account that made it.
    pub account: u32,
    pub entry: GrantEntry,
    pub status: GrantStatus,
    /// Its sealed terms, opened with the account's key (`None` if they do not open).
    pub terms: Option<GrantTerms>,
}

impl GrantView {
    /// The doctor it is for, as its terms name them (its grantee on the ledger is a pairwise
    /// key; an old grant without readable terms names the grantee itself).
    pub fn doctor(&self) -> Address {
        self.terms.as_ref().map_or(self.entry.grantee, |t| t.doctor)
    }

    /// What it shares, as the patient chose it.
    pub fn scope(&self) -> Option<ShareScope> {
        ShareScope::of_grant(&self.entry, self.terms.as_ref())
    }
}

/// The grants account `keys` made, each proven at `at`, with its status at `now_ms`.
pub async fn grants_by<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    keys: &AccountKeys,
    patient: Address,
    now_ms: u64,
) -> Result<Vec<GrantView>, WalletError> {
    let identity = keys.identity();
    let n = reads::count(source, at, &StateKey::grant_by_patient_count(&patient)).await?;
    let mut out = Vec::new();
    for i in 0..n {
        let id = GrantId(reads::id(source, at, &StateKey::grant_by_patient(&patient, i)).await?);
        let (entry, status) = grant_status(source, at, id, now_ms).await?;
        let terms = open_terms(&identity, &id, &entry.terms.to_patient);
        out.push(GrantView {
            id,
            account: keys.index(),
            entry,
            status,
            terms,
        });
    }
    Ok(out)
}

/// One grant (which the ledger must hold), with its status at `now_ms`.
pub(crate) async fn grant_status<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    id: GrantId,
    now_ms: u64,
) -> Result<(GrantEntry, GrantStatus), WalletError> {
    let entry: GrantEntry = reads::required(source, at, &StateKey::grant(&id)).await?;
    let revoked = source
        .value(at, &StateKey::revocation(&id))
        .await?
        .is_some();
    let status = GrantStatus::of(&entry, revoked, now_ms);
    Ok((entry, status))
}

/// For account `keys`' active grants by category or of everything (among `grants`, proven at
/// `at`): the keys of its covered records the grantee does not have yet (records issued after
/// the grant), as GrantKeys transaction bodies.
pub async fn missing_grant_keys<S: LedgerSource, R: CryptoRng + ?Sized>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
    grants: &[GrantView],
    records: &[RecordSummary],
    rng: &mut R,
) -> Result<Vec<TxBody>, WalletError> {
    let mut bodies = Vec::new();
    for grant in grants.iter().filter(|g| g.account == keys.index()) {
        if grant.status != GrantStatus::Active || matches!(grant.entry.scope, Scope::Records(_)) {
            continue;
        }
        let Some(scope) = grant.scope() else { continue };
        let mut missing = Vec::new();
        for r in covered(&scope, records) {
            let key = StateKey::grant_key(&grant.id, &r.record_id()?);
            if source.value(at, &key).await?.is_none() {
                missing.push(r);
            }
        }
        if missing.is_empty() {
            continue;
        }
        let grantee = doctor(source, at, &grant.doctor()).await?;
        bodies.push(TxBody::GrantKeys {
            grant: grant.id,
            keys: rewrap(keys, &missing, &grantee.receiving, rng)?,
        });
    }
    Ok(bodies)
}

/// The access log of `patient`: one AccessReceipt per served fetch, each proven at `at`.
pub async fn receipts<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    patient: &Address,
) -> Result<Vec<ReceiptEntry>, WalletError> {
    let n = reads::count(source, at, &StateKey::receipt_count(patient)).await?;
    let mut out = Vec::new();
    for i in 0..n {
        out.push(reads::required(source, at, &StateKey::receipt(patient, i)).await?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_come_from_exactly_one_choice() {
        let id = "ab".repeat(32);
        assert!(matches!(
            scope(Some(std::slice::from_ref(&id)), None, false),
            Ok(ShareScope::Records(ids)) if ids == vec![RecordId([0xab; 32])]
        ));
        assert_eq!(
            scope(None, Some("labs"), false).ok(),
            Some(ShareScope::Category(Category::Labs))
        );
        assert_eq!(scope(None, None, true).ok(), Some(ShareScope::All));
        for bad in [
            scope(None, None, false),
            scope(Some(&[id]), None, true),
            scope(Some(&[]), None, false),
            scope(Some(&["xyz".into()]), None, false),
            scope(None, Some("astrology"), false),
        ] {
            assert!(matches!(bad, Err(WalletError::InvalidInput(_))), "{bad:?}");
        }
        assert_eq!(
            describe(Some(&ShareScope::Category(Category::Labs))),
            "category labs"
        );
        assert_eq!(describe(None), "sealed");
    }
}
