//! A patient's records: synced from verified state, their metadata decrypted with the
//! patient's key, their contents opened on demand and checked against the ledger's hash.

use medledger_types::blob_request::{Auth, Method, request_message};
use medledger_types::hash::{PublicKey, RecordId};
use medwallet_crypto::envelope::{Identity, WrappedKey, open_to_vec};
use medwallet_crypto::{AccountKeys, Namespace};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::source::{LedgerSource, SourceError};

/// Why a wallet operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum WalletError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("the ledger holds a malformed value: {0}")]
    Malformed(String),
    #[error("record {0} cannot be opened with this wallet's key")]
    NotForMe(String),
    #[error("a node served ciphertext for record {0} that does not match the ledger's hash")]
    WrongCiphertext(String),
    #[error("unknown record {0}; run sync")]
    UnknownRecord(String),
    #[error("the wallet's local files could not be written: {0}")]
    LocalStorage(String),
}

/// What the wallet knows about one record (all of it verified).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSummary {
    pub id: String,
    pub clinic: String,
    pub category: String,
    pub title: String,
    pub date: Option<String>,
    pub issued_height: u64,
    /// The height of the header this record's proof was checked against.
    pub verified_height: u64,
    pub ciphertext_sha256: String,
    pub ciphertext_len: u64,
    /// The content key wrapped to this patient (hex).
    pub wrapped_key: String,
}

/// Downloads a record's ciphertext (signed request) and checks it against the verified hash.
pub async fn fetch_ciphertext<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    record: &RecordSummary,
    now_ms: u64,
) -> Result<Vec<u8>, WalletError> {
    let id = RecordId::from_hex(&record.id).map_err(|e| WalletError::Malformed(e.to_string()))?;
    let hash = medledger_types::hash::Sha256Digest::from_hex(&record.ciphertext_sha256)
        .map_err(|e| WalletError::Malformed(e.to_string()))?;
    let auth = Auth {
        key: PublicKey(keys.signing_key().verifying_key().to_bytes()),
        timestamp_ms: now_ms,
        signature: medwallet_crypto::sign(
            keys.signing_key(),
            Namespace::BLOB_REQUEST,
            &request_message(Method::Get, &hash, Some(&id), None, now_ms),
        )
        .to_bytes(),
    };
    let blob = source.blob(&hash, &id, None, &auth.to_header()).await?;
    if <[u8; 32]>::from(Sha256::digest(&blob)) != hash.0 {
        return Err(WalletError::WrongCiphertext(record.id.clone()));
    }
    Ok(blob)
}

/// Decrypts a record's ciphertext (fetched now or cached earlier) after checking it against the
/// verified hash: the plaintext FHIR, byte for byte what the clinic issued. Needs no node.
pub fn open_ciphertext(
    keys: &AccountKeys,
    record: &RecordSummary,
    ciphertext: &[u8],
) -> Result<Vec<u8>, WalletError> {
    let digest: String = Sha256::digest(ciphertext)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if digest != record.ciphertext_sha256 {
        return Err(WalletError::WrongCiphertext(record.id.clone()));
    }
    let id = RecordId::from_hex(&record.id).map_err(|e| WalletError::Malformed(e.to_string()))?;
    let wrapped = WrappedKey::from_bytes(&crate::grants::hex_bytes(&record.wrapped_key))
        .map_err(|_| WalletError::NotForMe(record.id.clone()))?;
    let key = keys
        .identity()
        .unwrap(&wrapped, &id.0)
        .map_err(|_| WalletError::NotForMe(record.id.clone()))?;
    open_to_vec(&key, ciphertext).map_err(|_| WalletError::WrongCiphertext(record.id.clone()))
}

/// Downloads and decrypts a record.
pub async fn open_record<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    record: &RecordSummary,
    now_ms: u64,
) -> Result<Vec<u8>, WalletError> {
    open_ciphertext(
        keys,
        record,
        &fetch_ciphertext(source, keys, record, now_ms).await?,
    )
}

/// Fetches a record's ciphertext (signed request; `grant` when this wallet is a grantee), checks
/// it against the verified hash, and decrypts it with this wallet's wrapped key.
pub async fn fetch_and_open<S: LedgerSource>(
    source: &S,
    keys: &AccountKeys,
    record: &str,
    ciphertext_sha256: &str,
    grant: Option<&medledger_types::hash::GrantId>,
    wrapped_key: &str,
    now_ms: u64,
) -> Result<Vec<u8>, WalletError> {
    let id = RecordId::from_hex(record).map_err(|e| WalletError::Malformed(e.to_string()))?;
    let hash = medledger_types::hash::Sha256Digest::from_hex(ciphertext_sha256)
        .map_err(|e| WalletError::Malformed(e.to_string()))?;
    let auth = Auth {
        key: PublicKey(keys.signing_key().verifying_key().to_bytes()),
        timestamp_ms: now_ms,
        signature: medwallet_crypto::sign(
            keys.signing_key(),
            Namespace::BLOB_REQUEST,
            &request_message(Method::Get, &hash, Some(&id), grant, now_ms),
        )
        .to_bytes(),
    };
    let blob = source.blob(&hash, &id, grant, &auth.to_header()).await?;
    if <[u8; 32]>::from(Sha256::digest(&blob)) != hash.0 {
        return Err(WalletError::WrongCiphertext(record.to_owned()));
    }
    let wrapped = WrappedKey::from_bytes(&crate::grants::hex_bytes(wrapped_key))
        .map_err(|_| WalletError::NotForMe(record.to_owned()))?;
    let key = keys
        .identity()
        .unwrap(&wrapped, &id.0)
        .map_err(|_| WalletError::NotForMe(record.to_owned()))?;
    open_to_vec(&key, &blob).map_err(|_| WalletError::WrongCiphertext(record.to_owned()))
}
