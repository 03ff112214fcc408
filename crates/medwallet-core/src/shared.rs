//! Consent, the doctor's side: what patients shared with this wallet (each grant's status
//! verified; ended grants are listed with their status and their records are not fetched), and
//! one shared record opened under its grant.
//!
//! A patient shares from several accounts (one per clinic), so one patient's records come
//! under several grants. Each grant's terms, sealed to this doctor, carry the patient's label
//! and their handle towards this doctor: records with the same handle are one patient's.
//!
//! No grant names this doctor. Each patient sent a notice once, with a secret sealed to this
//! doctor; from it the doctor derives the grantee key of each of that patient's accounts
//! (`medwallet_crypto::pairwise`), finds their grants under those keys (account after account,
//! until [`GAP_LIMIT`] in a row have none) and signs its fetches with them.

use medledger_client::padded::open_padded;
use medledger_client::{LedgerSource, RecordMetadata, reads};
use medledger_types::category::Category;
use medledger_types::grant::notice_context;
use medledger_types::hash::{Address, GrantId, PublicKey, RecordId};
use medledger_types::state::{GrantStatus, RecordEntry, StateKey};
use medwallet_crypto::envelope::{ContentKey, Identity, WrappedKey, open_sealed};
use medwallet_crypto::pairwise::PeerSecret;
use medwallet_crypto::{AccountKeys, SigningKey};
use medwallet_verify::VerifiedHeader;
use zeroize::Zeroizing;

use crate::relationships::GAP_LIMIT;

/// The most accounts of one patient a doctor's wallet matches a grant against when it opens a
/// record (discovery itself is bounded by the gap limit, not by this).
const MAX_ACCOUNTS: u32 = 1024;

/// The secrets patients sent this doctor, from its notices proven at `at` (a notice that does
/// not open, sent by anyone, is skipped).
async fn secrets<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
) -> Result<Vec<PeerSecret>, WalletError> {
    let me = crate::account_of(keys);
    let identity = keys.identity();
    let n = reads::count(source, at, &StateKey::doctor_notice_count(&me)).await?;
    let mut out = Vec::new();
    for i in 0..n {
        let Some(sealed) = source.value(at, &StateKey::doctor_notice(&me, i)).await? else {
            continue;
        };
        let opened = open_sealed(&identity, &notice_context(&me), &sealed).ok();
        if let Some(bytes) = opened.map(Zeroizing::new)
            && let Ok(secret) = <[u8; 32]>::try_from(bytes.as_slice())
        {
            out.push(PeerSecret::from_bytes(secret));
        }
    }
    Ok(out)
}

fn address_of(key: &SigningKey) -> Address {
    Address::of(&PublicKey(key.verifying_key().to_bytes()))
}

/// The grantee keys under which grants to this doctor stand at `at`: its own account (a grant
/// made to it directly) and, for each patient's secret, every account's grantee key up to
/// [`GAP_LIMIT`] past the last one with a grant.
async fn grantees<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
) -> Result<Vec<SigningKey>, WalletError> {
    let mut out = vec![keys.signing_key().clone()];
    for secret in secrets(source, keys, at).await? {
        let (mut account, mut empty) = (0u32, 0u32);
        while empty < GAP_LIMIT && account < MAX_ACCOUNTS {
            let key = secret.grantee(account);
            let count = StateKey::grant_to_count(&address_of(&key));
            if reads::count(source, at, &count).await? > 0 {
                out.push(key);
                empty = 0;
            } else {
                empty += 1;
            }
            account += 1;
        }
    }
    Ok(out)
}

use crate::consent::grant_status;
use crate::error::WalletError;
use crate::records::fetch_ciphertext;
use crate::terms::open_terms;

/// A record shared with this doctor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedRecord {
    /// The patient's account that made the grant (one of their accounts).
    pub patient: Address,
    /// The patient as they are to this doctor: the same for all their grants to this doctor
    /// (hex; the account's address when the terms do not open).
    pub patient_handle: String,
    /// How the patient asked to be known (may be empty).
    pub patient_label: String,
    pub grant: GrantId,
    pub record: RecordId,
    pub status: GrantStatus,
    pub category: String,
    /// From the record's metadata (opened with the key wrapped to this doctor).
    pub title: String,
    pub date: Option<String>,
    /// It is a file (an imaging study): saved (`Wallet::save_shared`), never shown.
    pub file: Option<medledger_client::Attachment>,
}

/// Every record shared with `keys`' account, proven at `at`, with its grant's status at `now_ms`.
pub async fn shared_with<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
    now_ms: u64,
) -> Result<Vec<SharedRecord>, WalletError> {
    let identity = keys.identity();
    let mut ids = Vec::new();
    for grantee in grantees(source, keys, at).await? {
        let me = address_of(&grantee);
        let n = reads::count(source, at, &StateKey::grant_to_count(&me)).await?;
        for i in 0..n {
            ids.push(GrantId(
                reads::id(source, at, &StateKey::grant_to(&me, i)).await?,
            ));
        }
    }
    let mut out = Vec::new();
    for id in ids {
        let (entry, status) = grant_status(source, at, id, now_ms).await?;
        let patient = entry.patient;
        let terms = open_terms(&identity, &id, &entry.terms.to_grantee);
        let patient_handle = terms
            .as_ref()
            .map_or_else(|| patient.to_hex(), |t| hex::encode(t.handle));
        let patient_label = terms.map(|t| t.label).unwrap_or_default();
        let records = reads::count(source, at, &StateKey::patient_record_count(&patient)).await?;
        for j in 0..records {
            let record =
                RecordId(reads::id(source, at, &StateKey::patient_record(&patient, j)).await?);
            let Some(wrapped) = source.value(at, &StateKey::grant_key(&id, &record)).await? else {
                continue;
            };
            let e: RecordEntry = reads::required(source, at, &StateKey::record(&record)).await?;
            let metadata = WrappedKey::from_bytes(&wrapped)
                .ok()
                .and_then(|w| identity.unwrap(&w, &record.0).ok())
                .and_then(|k| RecordMetadata::open(&k, &e.metadata).ok());
            out.push(SharedRecord {
                patient,
                patient_handle: patient_handle.clone(),
                patient_label: patient_label.clone(),
                grant: id,
                record,
                status,
                category: metadata
                    .as_ref()
                    .map_or(Category::Other, |m| m.category)
                    .code()
                    .into(),
                title: metadata
                    .as_ref()
                    .map_or_else(|| "Record".to_owned(), |m| m.title.clone()),
                file: metadata.as_ref().and_then(|m| m.file.clone()),
                date: metadata.and_then(|m| m.date),
            });
        }
    }
    Ok(out)
}

/// What a doctor may fetch of a shared record, proven: its entry, its clinic's description,
/// the key it signs the request with, and the record's key unwrapped.
pub struct SharedAccess {
    pub entry: RecordEntry,
    pub metadata: Option<RecordMetadata>,
    pub signer: SigningKey,
    pub key: ContentKey,
}

/// The access `keys`' account has to `record` under `grant`: the grant must be this account's
/// and active at `now_ms`, and hold a key for the record that opens with this account's key.
pub async fn shared_access<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
    grant: GrantId,
    record: RecordId,
    now_ms: u64,
) -> Result<SharedAccess, WalletError> {
    let not_shared = || WalletError::NotShared(record.to_hex());
    let Some((entry, status)) = reads::grant(source, at, &grant, now_ms).await? else {
        return Err(not_shared());
    };
    let Some(signer) = signer_for(source, keys, at, &entry.grantee).await? else {
        return Err(not_shared());
    };
    if status != GrantStatus::Active {
        return Err(WalletError::GrantEnded(status));
    }
    let wrapped = source
        .value(at, &StateKey::grant_key(&grant, &record))
        .await?
        .ok_or_else(not_shared)?;
    let e: RecordEntry = reads::required(source, at, &StateKey::record(&record)).await?;
    if e.patient != entry.patient {
        return Err(not_shared());
    }
    let key = WrappedKey::from_bytes(&wrapped)
        .ok()
        .and_then(|w| keys.identity().unwrap(&w, &record.0).ok())
        .ok_or_else(|| WalletError::NotForMe(record.to_hex()))?;
    let metadata = RecordMetadata::open(&key, &e.metadata).ok();
    Ok(SharedAccess {
        entry: e,
        metadata,
        signer,
        key,
    })
}

/// Opens `record`, shared with `keys`' account under `grant` ([`shared_access`]); the
/// ciphertext must match the ledger's hash. A file record (an imaging study) is refused: it is
/// saved (`Wallet::save_shared`), never read whole.
pub async fn open_shared<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
    grant: GrantId,
    record: RecordId,
    now_ms: u64,
) -> Result<Opened, WalletError> {
    let access = shared_access(source, keys, at, grant, record, now_ms).await?;
    if let Some(file) = access.metadata.as_ref().and_then(|m| m.file.as_ref()) {
        return Err(WalletError::IsAFile {
            id: record.to_hex(),
            name: file.name.clone(),
        });
    }
    let e = access.entry;
    let ciphertext = fetch_ciphertext(
        source,
        &access.signer,
        e.ciphertext_sha256,
        e.ciphertext_len,
        record,
        Some(grant),
        now_ms,
    )
    .await?;
    let fhir = open_padded(&access.key, &ciphertext)
        .map_err(|_| WalletError::WrongCiphertext(record.to_hex()))?;
    Ok(Opened {
        entry: e,
        metadata: access.metadata,
        fhir,
    })
}

/// The key this doctor signs with for grants to `grantee`: its own, or the grantee key of some
/// patient's account (derived from the secrets in its notices).
async fn signer_for<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    at: &VerifiedHeader,
    grantee: &Address,
) -> Result<Option<SigningKey>, WalletError> {
    if *grantee == crate::account_of(keys) {
        return Ok(Some(keys.signing_key().clone()));
    }
    for secret in secrets(source, keys, at).await? {
        if let Some(key) = (0..MAX_ACCOUNTS)
            .map(|n| secret.grantee(n))
            .find(|k| address_of(k) == *grantee)
        {
            return Ok(Some(key));
        }
    }
    Ok(None)
}

/// A shared record, opened.
pub struct Opened {
    pub entry: RecordEntry,
    /// Its clinic's description, if it opens.
    pub metadata: Option<RecordMetadata>,
    /// The FHIR, byte for byte what the clinic issued.
    pub fhir: Vec<u8>,
}
