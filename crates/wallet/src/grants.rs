//! Consent: grants a patient makes, their revocation, who fetched what (the access log), and
//! what a doctor can see. Every state read is verified by proof; keys are re-wrapped locally, so
//! records are never re-encrypted and no plaintext leaves the wallet.

use medledger_types::category::Category;
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, ChainId, GrantId, PublicKey, RecordId};
use medledger_types::state::{
    Account, AccountKind, GrantEntry, MAX_VALUE_LEN, ReceiptEntry, RecordEntry, StateKey,
    decode_u64,
};
use medledger_types::tx::{RecordKey, Scope, SignedTx, Tx, TxBody, WrappedKey as LedgerWrappedKey};
use medwallet_crypto::envelope::{Identity, Recipient, WrappedKey, X25519Recipient, open_to_vec};
use medwallet_crypto::{AccountKeys, Namespace, X25519PublicKey};
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;
use serde::Serialize;

use crate::records::{RecordSummary, WalletError};
use crate::source::LedgerSource;

fn me(keys: &AccountKeys) -> Address {
    Address(*keys.public().address().as_bytes())
}

async fn value<S: LedgerSource, T: Canonical>(
    source: &S,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<Option<T>, WalletError> {
    match source.value(at, key).await? {
        None => Ok(None),
        Some(bytes) => T::decode(&bytes, MAX_VALUE_LEN)
            .map(Some)
            .map_err(|e| WalletError::Malformed(e.to_string())),
    }
}

async fn count<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<u64, WalletError> {
    match source.value(at, key).await? {
        None => Ok(0),
        Some(v) => decode_u64(&v).map_err(|e| WalletError::Malformed(e.to_string())),
    }
}

async fn id32<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<[u8; 32], WalletError> {
    source
        .value(at, key)
        .await?
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| WalletError::Malformed("missing list entry".into()))
}

/// Signs a transaction from this wallet with its next nonce (read by proof).
pub async fn sign_next<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    chain: ChainId,
    at: &VerifiedHeader,
    body: TxBody,
) -> Result<SignedTx, WalletError> {
    let nonce = count(source, at, &StateKey::nonce(&me(keys))).await?;
    let tx = Tx {
        chain,
        author: PublicKey(keys.signing_key().verifying_key().to_bytes()),
        nonce,
        body,
    };
    let signature =
        medwallet_crypto::sign(keys.signing_key(), Namespace::TX, &tx.signing_bytes()).to_bytes();
    Ok(SignedTx { tx, signature })
}

/// A registered doctor, as the ledger proves it.
#[derive(Clone, Debug, Serialize)]
pub struct Doctor {
    pub address: String,
    pub name: String,
    pub licence: String,
    pub clinic: String,
    #[serde(skip)]
    pub receiving: [u8; 32],
}

/// A registered account, as the ledger proves it (`None`: not registered).
pub async fn account<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    address: &Address,
) -> Result<Option<Account>, WalletError> {
    value::<S, Account>(source, at, &StateKey::account(address)).await
}

/// Looks a doctor up on the ledger (so a patient sees who they are granting).
pub async fn doctor<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    address: &Address,
) -> Result<Doctor, WalletError> {
    match value::<S, Account>(source, at, &StateKey::account(address)).await? {
        Some(Account {
            kind:
                AccountKind::Doctor {
                    clinic,
                    display_name,
                    licence,
                },
            receiving,
            ..
        }) => Ok(Doctor {
            address: address.to_hex(),
            name: display_name,
            licence,
            clinic: clinic.to_hex(),
            receiving: receiving.0,
        }),
        _ => Err(WalletError::Malformed(format!(
            "{} is not a registered doctor",
            address.to_hex()
        ))),
    }
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
            let id =
                RecordId::from_hex(&r.id).map_err(|e| WalletError::Malformed(e.to_string()))?;
            let wrapped = hex_bytes(&r.wrapped_key);
            let key = identity
                .unwrap(
                    &WrappedKey::from_bytes(&wrapped)
                        .map_err(|_| WalletError::NotForMe(r.id.clone()))?,
                    &id.0,
                )
                .map_err(|_| WalletError::NotForMe(r.id.clone()))?;
            let new = to
                .wrap(&key, &id.0, rng)
                .map_err(|e| WalletError::Malformed(e.to_string()))?;
            Ok(RecordKey {
                record: id,
                wrapped_key: LedgerWrappedKey(*new.as_bytes()),
            })
        })
        .collect()
}

pub(crate) fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// The records a scope covers, among those the wallet has.
pub fn covered<'a>(scope: &Scope, records: &'a [RecordSummary]) -> Vec<&'a RecordSummary> {
    records
        .iter()
        .filter(|r| match scope {
            Scope::All => true,
            Scope::Category(c) => r.category == c.code(),
            Scope::Records(ids) => ids.iter().any(|id| id.to_hex() == r.id),
        })
        .collect()
}

/// A grant, with its verified status.
#[derive(Clone, Debug, Serialize)]
pub struct GrantSummary {
    pub id: String,
    pub grantee: String,
    pub scope: String,
    pub expires_at_ms: Option<u64>,
    pub granted_height: u64,
    /// `active`, `revoked` or `expired`.
    pub status: String,
    #[serde(skip)]
    pub entry: Option<GrantEntry>,
}

fn scope_text(scope: &Scope) -> String {
    match scope {
        Scope::All => "all records".into(),
        Scope::Category(c) => format!("category {}", c.code()),
        Scope::Records(ids) => format!("{} record(s)", ids.len()),
    }
}

async fn grant_summary<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    id: GrantId,
    now_ms: u64,
) -> Result<GrantSummary, WalletError> {
    let entry: GrantEntry = value(source, at, &StateKey::grant(&id))
        .await?
        .ok_or_else(|| WalletError::Malformed(format!("grant {id} missing")))?;
    let revoked = source
        .value(at, &StateKey::revocation(&id))
        .await?
        .is_some();
    let status = if revoked {
        "revoked"
    } else if entry.expired(now_ms) {
        "expired"
    } else {
        "active"
    };
    Ok(GrantSummary {
        id: id.to_hex(),
        grantee: entry.grantee.to_hex(),
        scope: scope_text(&entry.scope),
        expires_at_ms: entry.expires_at_ms,
        granted_height: entry.granted_height,
        status: status.into(),
        entry: Some(entry),
    })
}

/// The grants this patient made.
pub async fn my_grants<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
    now_ms: u64,
) -> Result<Vec<GrantSummary>, WalletError> {
    let me = me(keys);
    let n = count(source, at, &StateKey::grant_by_patient_count(&me)).await?;
    let mut out = Vec::new();
    for i in 0..n {
        let id = GrantId(id32(source, at, &StateKey::grant_by_patient(&me, i)).await?);
        out.push(grant_summary(source, at, id, now_ms).await?);
    }
    Ok(out)
}

/// For active grants by category or of everything: keys of covered records the grantee does
/// not have yet (records issued after the grant), as GrantKeys transaction bodies.
pub async fn missing_grant_keys<S: LedgerSource, R: CryptoRng + ?Sized>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
    records: &[RecordSummary],
    now_ms: u64,
    rng: &mut R,
) -> Result<Vec<TxBody>, WalletError> {
    let mut bodies = Vec::new();
    for grant in my_grants(source, keys, at, now_ms).await? {
        let Some(entry) = grant.entry.filter(|_| grant.status == "active") else {
            continue;
        };
        if matches!(entry.scope, Scope::Records(_)) {
            continue;
        }
        let id = GrantId::from_hex(&grant.id).map_err(|e| WalletError::Malformed(e.to_string()))?;
        let mut missing = Vec::new();
        for r in covered(&entry.scope, records) {
            let record =
                RecordId::from_hex(&r.id).map_err(|e| WalletError::Malformed(e.to_string()))?;
            if source
                .value(at, &StateKey::grant_key(&id, &record))
                .await?
                .is_none()
            {
                missing.push(r);
            }
        }
        if missing.is_empty() {
            continue;
        }
        let grantee = doctor(source, at, &entry.grantee).await?;
        bodies.push(TxBody::GrantKeys {
            grant: id,
            keys: rewrap(keys, &missing, &grantee.receiving, rng)?,
        });
    }
    Ok(bodies)
}

/// One served fetch of this patient's records.
#[derive(Clone, Debug, Serialize)]
pub struct AccessEntry {
    pub record: String,
    pub grantee: String,
    pub grant: String,
    pub node: String,
    pub served_at_ms: u64,
    pub height: u64,
}

/// The access log: AccessReceipts for this patient's records, verified by proof.
pub async fn access_log<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
) -> Result<Vec<AccessEntry>, WalletError> {
    let me = me(keys);
    let n = count(source, at, &StateKey::receipt_count(&me)).await?;
    let mut out = Vec::new();
    for i in 0..n {
        let r: ReceiptEntry = value(source, at, &StateKey::receipt(&me, i))
            .await?
            .ok_or_else(|| WalletError::Malformed("receipt missing".into()))?;
        out.push(AccessEntry {
            record: r.record.to_hex(),
            grantee: r.grantee.to_hex(),
            grant: r.grant.to_hex(),
            node: r.node.to_hex(),
            served_at_ms: r.served_at_ms,
            height: r.height,
        });
    }
    Ok(out)
}

/// A record shared with this doctor.
#[derive(Clone, Debug, Serialize)]
pub struct SharedRecord {
    pub patient: String,
    pub grant: String,
    pub record: String,
    pub category: String,
    pub title: String,
    pub date: Option<String>,
    pub ciphertext_sha256: String,
    /// The content key wrapped to this doctor (hex).
    pub wrapped_key: String,
    pub status: String,
}

/// What patients shared with this doctor (grant status verified; revoked and expired grants
/// are listed with their status, their records are not fetchable).
pub async fn shared_with_me<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
    now_ms: u64,
) -> Result<Vec<SharedRecord>, WalletError> {
    let me = me(keys);
    let identity = keys.identity();
    let n = count(source, at, &StateKey::grant_to_count(&me)).await?;
    let mut out = Vec::new();
    for i in 0..n {
        let id = GrantId(id32(source, at, &StateKey::grant_to(&me, i)).await?);
        let grant = grant_summary(source, at, id, now_ms).await?;
        let Some(entry) = &grant.entry else { continue };
        let records = count(source, at, &StateKey::patient_record_count(&entry.patient)).await?;
        for j in 0..records {
            let record =
                RecordId(id32(source, at, &StateKey::patient_record(&entry.patient, j)).await?);
            let Some(wrapped) = source.value(at, &StateKey::grant_key(&id, &record)).await? else {
                continue;
            };
            let e: RecordEntry = value(source, at, &StateKey::record(&record))
                .await?
                .ok_or_else(|| WalletError::Malformed("record missing".into()))?;
            let metadata: serde_json::Value = WrappedKey::from_bytes(&wrapped)
                .ok()
                .and_then(|w| identity.unwrap(&w, &record.0).ok())
                .and_then(|k| open_to_vec(&k, &e.metadata).ok())
                .and_then(|m| serde_json::from_slice(&m).ok())
                .unwrap_or_default();
            out.push(SharedRecord {
                patient: entry.patient.to_hex(),
                grant: grant.id.clone(),
                record: record.to_hex(),
                category: e.category.code().into(),
                title: metadata["title"].as_str().unwrap_or("Record").into(),
                date: metadata["date"].as_str().map(str::to_owned),
                ciphertext_sha256: e.ciphertext_sha256.to_hex(),
                wrapped_key: wrapped.iter().map(|b| format!("{b:02x}")).collect(),
                status: grant.status.clone(),
            });
        }
    }
    Ok(out)
}

/// Parses a scope from the command line's choices.
pub fn scope(
    records: Option<&[String]>,
    category: Option<&str>,
    all: bool,
) -> Result<Scope, WalletError> {
    match (records, category, all) {
        (Some(ids), None, false) => Ok(Scope::Records(
            ids.iter()
                .map(|i| RecordId::from_hex(i).map_err(|e| WalletError::Malformed(e.to_string())))
                .collect::<Result<_, _>>()?,
        )),
        (None, Some(c), false) => Category::from_code(c)
            .map(Scope::Category)
            .ok_or_else(|| WalletError::Malformed(format!("unknown category {c:?}"))),
        (None, None, true) => Ok(Scope::All),
        _ => Err(WalletError::Malformed(
            "choose exactly one of --records, --category, --all".into(),
        )),
    }
}
