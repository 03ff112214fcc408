//! Consent, the patient's side: grants (re-wrapping the covered records' keys to the doctor, so
//! nothing is re-encrypted and no plaintext leaves the wallet), their verified status, the keys
//! owed to category and all-records grants for records issued since, and the access log.
//! Revocation is honest: it stops future access; copies already downloaded stay where they are.

use medledger_client::{LedgerSource, reads};
use medledger_types::category::Category;
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

/// What stops and what does not when a grant is revoked (every front end shows this text).
pub const REVOCATION_NOTICE: &str = "Revoking stops future access: nodes refuse the doctor's requests and no new records are shared. Copies the doctor already downloaded cannot be taken back.";

/// A scope from a person's choice: listed records, one category, or everything.
pub fn scope(
    records: Option<&[String]>,
    category: Option<&str>,
    all: bool,
) -> Result<Scope, WalletError> {
    match (records, category, all) {
        (Some([]), None, false) => Err(WalletError::InvalidInput(
            "choose at least one record to share".into(),
        )),
        (Some(ids), None, false) => Ok(Scope::Records(
            ids.iter()
                .map(|i| {
                    RecordId::from_hex(i)
                        .map_err(|_| WalletError::InvalidInput(format!("{i:?} is not a record id")))
                })
                .collect::<Result<_, _>>()?,
        )),
        (None, Some(c), false) => Category::from_code(c)
            .map(Scope::Category)
            .ok_or_else(|| WalletError::InvalidInput(format!("unknown category {c:?}"))),
        (None, None, true) => Ok(Scope::All),
        _ => Err(WalletError::InvalidInput(
            "choose exactly one of: records, a category, or everything".into(),
        )),
    }
}

/// A scope in words ("all records", "category labs", "3 record(s)").
pub fn describe(scope: &Scope) -> String {
    match scope {
        Scope::All => "all records".into(),
        Scope::Category(c) => format!("category {}", c.code()),
        Scope::Records(ids) => format!("{} record(s)", ids.len()),
    }
}

/// The records a scope covers, among those the wallet has (and can open: only a key this
/// wallet holds can be re-wrapped).
pub fn covered<'a>(scope: &Scope, records: &'a [RecordSummary]) -> Vec<&'a RecordSummary> {
    records
        .iter()
        .filter(|r| !r.unreadable)
        .filter(|r| match scope {
            Scope::All => true,
            Scope::Category(c) => r.category == c.code(),
            Scope::Records(ids) => ids.iter().any(|id| id.to_hex() == r.id),
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

/// A grant this patient made, with its verified status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantView {
    pub id: GrantId,
    pub entry: GrantEntry,
    pub status: GrantStatus,
}

/// The grants `patient` made, each proven at `at`, with its status at `now_ms`.
pub async fn grants_by<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    patient: &Address,
    now_ms: u64,
) -> Result<Vec<GrantView>, WalletError> {
    let n = reads::count(source, at, &StateKey::grant_by_patient_count(patient)).await?;
    let mut out = Vec::new();
    for i in 0..n {
        let id = GrantId(reads::id(source, at, &StateKey::grant_by_patient(patient, i)).await?);
        out.push(grant_view(source, at, id, now_ms).await?);
    }
    Ok(out)
}

/// One grant (which the ledger must hold), with its status at `now_ms`.
pub(crate) async fn grant_view<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    id: GrantId,
    now_ms: u64,
) -> Result<GrantView, WalletError> {
    let entry: GrantEntry = reads::required(source, at, &StateKey::grant(&id)).await?;
    let revoked = source
        .value(at, &StateKey::revocation(&id))
        .await?
        .is_some();
    let status = GrantStatus::of(&entry, revoked, now_ms);
    Ok(GrantView { id, entry, status })
}

/// For active grants by category or of everything: the keys of covered records the grantee
/// does not have yet (records issued after the grant), as GrantKeys transaction bodies.
pub async fn missing_grant_keys<S: LedgerSource, R: CryptoRng + ?Sized>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
    records: &[RecordSummary],
    now_ms: u64,
    rng: &mut R,
) -> Result<Vec<TxBody>, WalletError> {
    let me = crate::account_of(keys);
    let mut bodies = Vec::new();
    for grant in grants_by(source, at, &me, now_ms).await? {
        if grant.status != GrantStatus::Active || matches!(grant.entry.scope, Scope::Records(_)) {
            continue;
        }
        let mut missing = Vec::new();
        for r in covered(&grant.entry.scope, records) {
            let key = StateKey::grant_key(&grant.id, &r.record_id()?);
            if source.value(at, &key).await?.is_none() {
                missing.push(r);
            }
        }
        if missing.is_empty() {
            continue;
        }
        let grantee = doctor(source, at, &grant.entry.grantee).await?;
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
            Ok(Scope::Records(ids)) if ids == vec![RecordId([0xab; 32])]
        ));
        assert_eq!(
            scope(None, Some("labs"), false).ok(),
            Some(Scope::Category(Category::Labs))
        );
        assert_eq!(scope(None, None, true).ok(), Some(Scope::All));
        for bad in [
            scope(None, None, false),
            scope(Some(&[id]), None, true),
            scope(Some(&[]), None, false),
            scope(Some(&["xyz".into()]), None, false),
            scope(None, Some("astrology"), false),
        ] {
            assert!(matches!(bad, Err(WalletError::InvalidInput(_))), "{bad:?}");
        }
        assert_eq!(describe(&Scope::Category(Category::Labs)), "category labs");
    }
}
