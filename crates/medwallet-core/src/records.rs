//! A patient's records as the wallet holds them: each one's verified entry (and the height it
//! was proven at), its ciphertext fetched on demand and checked against the ledger's hash, and
//! its plaintext, byte for byte what the clinic issued.

use medledger_client::padded::open_padded;
use medledger_client::{Attachment, Visit};
use medledger_client::{BlobRequest, LedgerSource};
use medledger_types::hash::{GrantId, RecordId, Sha256Digest};
use medwallet_crypto::AccountKeys;
use medwallet_crypto::envelope::{Identity, WrappedKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::WalletError;

/// What the wallet knows about one record (all of it verified). Serialized into the sealed
/// local cache, so its fields are its on-disk form.
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
    /// Its key is not wrapped to this wallet's key (the clinic erred, or lied): the record is
    /// kept and shown with its clinic, and never opened or shared.
    #[serde(default)]
    pub unreadable: bool,
    /// The visit it was split from (from the sealed metadata), so a timeline groups a visit's
    /// records together.
    #[serde(default)]
    pub visit: Option<Visit>,
    /// Which of the wallet's accounts it was issued to (its index under the phrase).
    #[serde(default)]
    pub account: u32,
    /// Erased by the patient: the wallet keeps only that it existed (its clinic, when, its
    /// hash), as the ledger does; nothing opens it.
    #[serde(default)]
    pub erased: bool,
    /// The record is a file (an imaging study), not FHIR: what its clinic says of it. It is
    /// saved to a file ([`crate::Wallet::save_record`]), never read into memory to be shown.
    #[serde(default)]
    pub file: Option<Attachment>,
}

impl RecordSummary {
    pub(crate) fn record_id(&self) -> Result<RecordId, WalletError> {
        RecordId::from_hex(&self.id).map_err(|_| WalletError::UnknownRecord(self.id.clone()))
    }

    pub(crate) fn blob(&self) -> Result<Sha256Digest, WalletError> {
        Sha256Digest::from_hex(&self.ciphertext_sha256)
            .map_err(|_| WalletError::Cache("holds a record with a malformed hash"))
    }
}

/// Whether `ciphertext` is the one the ledger names.
pub(crate) fn matches(ciphertext: &[u8], blob: &Sha256Digest) -> bool {
    <[u8; 32]>::from(Sha256::digest(ciphertext)) == blob.0
}

/// Decrypts a ciphertext with this wallet's key, wrapped (`wrapped_key`) for `record`.
pub(crate) fn decrypt(
    keys: &AccountKeys,
    record: &RecordId,
    wrapped_key: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, WalletError> {
    let not_mine = || WalletError::NotForMe(record.to_hex());
    let wrapped = WrappedKey::from_bytes(wrapped_key).map_err(|_| not_mine())?;
    let key = keys
        .identity()
        .unwrap(&wrapped, &record.0)
        .map_err(|_| not_mine())?;
    open_padded(&key, ciphertext).map_err(|_| WalletError::WrongCiphertext(record.to_hex()))
}

/// Decrypts a record's ciphertext (fetched now or kept earlier) after checking it against the
/// verified hash. Needs no node.
pub fn open_ciphertext(
    keys: &AccountKeys,
    record: &RecordSummary,
    ciphertext: &[u8],
) -> Result<Vec<u8>, WalletError> {
    let id = record.record_id()?;
    if !matches(ciphertext, &record.blob()?) {
        return Err(WalletError::WrongCiphertext(record.id.clone()));
    }
    let wrapped = hex::decode(&record.wrapped_key)
        .map_err(|_| WalletError::Cache("holds a record with a malformed key"))?;
    decrypt(keys, &id, &wrapped, ciphertext)
}

/// Downloads ciphertext `blob` of `record` (a request signed by `signer`: the patient's account,
/// or a grant's grantee key under `grant`) and checks it against the verified hash.
pub(crate) async fn fetch_ciphertext<S: LedgerSource>(
    source: &S,
    signer: &medwallet_crypto::SigningKey,
    blob: Sha256Digest,
    len: u64,
    record: RecordId,
    grant: Option<GrantId>,
    now_ms: u64,
) -> Result<Vec<u8>, WalletError> {
    let request = BlobRequest::new(signer, blob, record, grant, now_ms);
    // The source checks each node's answer against the hash and length (naming a node that
    // serves other bytes); this check keeps that promise local.
    let ciphertext = source.blob(&request, len).await?;
    if !matches(&ciphertext, &blob) {
        return Err(WalletError::WrongCiphertext(record.to_hex()));
    }
    Ok(ciphertext)
}
