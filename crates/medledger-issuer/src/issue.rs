//! Issuing a patient's records. The input is validated as FHIR R4 before anything else; then,
//! per record: the FHIR is sealed under a fresh content key, the ciphertext uploaded (signed,
//! content-addressed), the key wrapped to the patient's receiving key (bound to the record id)
//! and IssueRecord submitted. Nothing is uploaded or submitted if the input is not valid FHIR or
//! the patient is not registered (both checked first; the registration by proof).
//!
//! The share code names the patient (its signing key is their address); the key records are
//! wrapped to is the receiving key the ledger proves for that address, never the one inside the
//! share code: a forged code (a patient's signing key beside someone else's receiving key)
//! cannot redirect their records.

use medledger_client::padded::seal_padded;
use medledger_client::transaction::TxSequence;
use medledger_client::{BlobUpload, LedgerSource, RecordMetadata, Visit, reads};
use medledger_types::hash::{Address, RecordId, Sha256Digest};
use medledger_types::state::{Account, AccountKind};
use medledger_types::tx::TxBody;
use medwallet_crypto::envelope::{ContentKey, Recipient, X25519Recipient};
use medwallet_crypto::{AccountKeys, ShareCode, X25519PublicKey};
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::IssueError;

/// The patient's account and the receiving key records are wrapped to, as the ledger proves
/// them at `at` for the account `patient`'s code names.
pub(crate) async fn patient_recipient<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    patient: &ShareCode,
) -> Result<(Address, X25519Recipient), IssueError> {
    // A code made after the patient moved to new keys carries the new key, which the ledger
    // proves signs for the account; an older code names the account itself. Either way the
    // key wrapped to is the one the ledger proves now.
    let address = match reads::key_owner(source, at, &patient.account()).await? {
        Some(account) => account,
        None => patient.account(),
    };
    match reads::account(source, at, &address).await? {
        Some(Account {
            kind: AccountKind::Patient,
            receiving,
            ..
        }) => Ok((
            address,
            X25519Recipient::new(X25519PublicKey::from(receiving.0)),
        )),
        _ => Err(IssueError::NotRegistered(patient.address().to_string())),
    }
}

/// One issued record.
#[derive(Debug, Serialize)]
pub struct Issued {
    pub record_id: String,
    pub category: String,
    pub title: String,
    pub date: Option<String>,
    pub size: usize,
    pub tx_id: String,
    pub height: u64,
}

/// What a clinic issues with.
pub struct Clinic<'a> {
    pub keys: &'a AccountKeys,
    /// The name it puts in each record's metadata.
    pub name: &'a str,
}

/// How far an issue is: records sealed and uploaded so far, of how many, and the bytes uploaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uploaded {
    pub records: usize,
    pub of: usize,
    pub bytes: u64,
}

/// Issues `fhir` to `patient` (one record, or one per visit and category with `per_encounter`), through
/// `source`; returns the records in issue order, each finalized.
pub async fn issue<S: LedgerSource + BlobUpload, R: CryptoRng + ?Sized>(
    source: &S,
    clinic: &Clinic<'_>,
    patient: &ShareCode,
    fhir: &[u8],
    per_encounter: bool,
    now_ms: u64,
    rng: &mut R,
) -> Result<Vec<Issued>, IssueError> {
    issue_reporting(
        source,
        clinic,
        patient,
        fhir,
        per_encounter,
        now_ms,
        rng,
        &mut |_| {},
    )
    .await
}

/// [`issue`], telling `uploaded` after each record's ciphertext is uploaded.
#[allow(clippy::too_many_arguments)]
pub async fn issue_reporting<S: LedgerSource + BlobUpload, R: CryptoRng + ?Sized>(
    source: &S,
    clinic: &Clinic<'_>,
    patient: &ShareCode,
    fhir: &[u8],
    per_encounter: bool,
    now_ms: u64,
    rng: &mut R,
    uploaded: &mut dyn FnMut(Uploaded),
) -> Result<Vec<Issued>, IssueError> {
    let drafts = medwallet_fhir::records_from(fhir, per_encounter)?;
    let total = drafts.len();
    let mut sent = Uploaded {
        records: 0,
        of: total,
        bytes: 0,
    };
    let me = clinic.keys.public().account();
    let at = source.latest(now_ms).await?;
    let (patient_address, recipient) = patient_recipient(source, &at, patient).await?;
    let mut sequence = TxSequence::start(source, clinic.keys.signing_key(), &at).await?;
    let mut txs = Vec::with_capacity(drafts.len());
    let mut issued = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let record = RecordId::derive(&me, sequence.next_nonce());
        let key = ContentKey::generate(rng);
        // Padded to a size bucket: the ledger shows only roughly how large a record is.
        let sealed =
            seal_padded(&key, rng, &draft.bytes).map_err(|e| IssueError::Seal(e.to_string()))?;
        let hash = Sha256Digest(Sha256::digest(&sealed).into());
        let metadata = RecordMetadata::new(
            draft.title.clone(),
            draft.date.clone(),
            draft.category,
            draft.resources,
            clinic.name,
        )
        .in_visit(draft.visit.as_ref().map(|v| Visit {
            id: v.id.clone(),
            title: v.title.clone(),
        }))
        .seal(&key, rng)?;
        let wrapped = recipient
            .wrap(&key, &record.0, rng)
            .map_err(|e| IssueError::Seal(e.to_string()))?;
        let size = sealed.len();
        source
            .upload(&hash, sealed, clinic.keys.signing_key(), now_ms)
            .await?;
        sent.records += 1;
        sent.bytes += size as u64;
        uploaded(sent);
        let tx = sequence.next(TxBody::IssueRecord {
            record,
            patient: patient_address,
            ciphertext_sha256: hash,
            ciphertext_len: size as u64,
            wrapped_key: wrapped,
            metadata,
        });
        issued.push(Issued {
            record_id: record.to_hex(),
            category: draft.category.code().into(),
            title: draft.title,
            date: draft.date,
            size,
            tx_id: tx.id().to_hex(),
            height: 0,
        });
        txs.push(tx);
    }
    let heights = source.submit_all(&txs).await?;
    for (record, height) in issued.iter_mut().zip(heights) {
        record.height = height;
    }
    Ok(issued)
}
