//! What a clinic does: register doctors, and issue records to patients. Issuing validates the
//! input as FHIR R4 before anything else; then, per record, it seals the FHIR with a fresh
//! content key, uploads the ciphertext (signed, content-addressed), wraps the key to the
//! patient's receiving key bound to the record id, and submits IssueRecord. Nothing is submitted
//! if the input is not valid FHIR or the patient is not registered.

use anyhow::{Context, bail};
use medledger_types::blob_request::{Auth, Method, request_message};
use medledger_types::hash::{Address, ChainId, PublicKey, ReceivingKey, RecordId, Sha256Digest};
use medledger_types::state::{StateKey, decode_u64};
use medledger_types::tx::{METADATA_MAX, SignedTx, Tx, TxBody, WrappedKey};
use medwallet_crypto::envelope::{ContentKey, Recipient, X25519Recipient, seal_to_vec};
use medwallet_crypto::{AccountKeys, Namespace, ShareCode};
use medwallet_net::NodeClient;
use serde::Serialize;
use sha2::{Digest, Sha256};

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

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

async fn chain_and_nonce(
    node: &NodeClient,
    author: &Address,
) -> anyhow::Result<(ChainId, u64, u64)> {
    let status = node.status().await?;
    let chain = ChainId::from_hex(&status.chain_id)
        .map_err(|e| anyhow::anyhow!("node reported a bad chain id: {e}"))?;
    let nonce = node.state(&StateKey::nonce(author), status.height).await?;
    let nonce = match nonce.value {
        Some(v) => decode_u64(&hex::decode(v).context("nonce is not hex")?)
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        None => 0,
    };
    Ok((chain, nonce, status.height))
}

fn sign(keys: &AccountKeys, chain: ChainId, nonce: u64, body: TxBody) -> SignedTx {
    let tx = Tx {
        chain,
        author: PublicKey(keys.signing_key().verifying_key().to_bytes()),
        nonce,
        body,
    };
    let signature =
        medwallet_crypto::sign(keys.signing_key(), Namespace::TX, &tx.signing_bytes()).to_bytes();
    SignedTx { tx, signature }
}

async fn submit_and_wait(node: &NodeClient, tx: &SignedTx) -> anyhow::Result<u64> {
    let id = node.submit(tx).await?;
    let status = node.wait_tx(&id, 30_000).await?;
    match status.height {
        Some(h) => Ok(h),
        None => bail!(
            "transaction {} was accepted but not finalized within 30 s",
            id.to_hex()
        ),
    }
}

/// Registers a doctor (the clinic becomes their registering clinic). Returns the doctor's
/// address and the height it was finalized at.
pub async fn add_doctor(
    clinic: &AccountKeys,
    node: &NodeClient,
    doctor: &ShareCode,
    name: &str,
    licence: &str,
) -> anyhow::Result<(String, u64)> {
    let me = clinic.public().address();
    let (chain, nonce, _) = chain_and_nonce(node, &Address(*me.as_bytes())).await?;
    let keys = doctor.public_keys();
    let tx = sign(
        clinic,
        chain,
        nonce,
        TxBody::RegisterDoctor {
            doctor: PublicKey(keys.signing.to_bytes()),
            receiving: ReceivingKey(keys.receiving.to_bytes()),
            display_name: name.into(),
            licence: licence.into(),
        },
    );
    let height = submit_and_wait(node, &tx).await?;
    Ok((doctor.address().to_string(), height))
}

/// Issues `fhir` to `patient` (one record, or one per encounter). Returns the records in order.
pub async fn issue(
    clinic: &AccountKeys,
    clinic_name: &str,
    node: &NodeClient,
    patient: &ShareCode,
    fhir: &[u8],
    per_encounter: bool,
) -> anyhow::Result<Vec<Issued>> {
    let drafts = medwallet_fhir::records_from(fhir, per_encounter)?;
    let me = Address(*clinic.public().address().as_bytes());
    let patient_addr = Address(*patient.address().as_bytes());
    let (chain, mut nonce, height) = chain_and_nonce(node, &me).await?;
    if node
        .state(&StateKey::account(&patient_addr), height)
        .await?
        .value
        .is_none()
    {
        bail!(
            "patient {} is not registered on the ledger; they must run `medwallet register` first",
            patient.address()
        );
    }
    let mut rng = rand::rng();
    let recipient = X25519Recipient::new(patient.public_keys().receiving);
    let mut submitted = Vec::new();
    for draft in drafts {
        let record = RecordId::derive(&me, nonce);
        let key = ContentKey::generate(&mut rng);
        let sealed = seal_to_vec(&key, &mut rng, &draft.bytes)?;
        let hash = Sha256Digest(Sha256::digest(&sealed).into());
        let metadata = serde_json::json!({ "title": draft.title, "date": draft.date, "category": draft.category.code(), "resources": draft.resources, "clinic": clinic_name });
        let metadata = seal_to_vec(&key, &mut rng, &serde_json::to_vec(&metadata)?)?;
        if metadata.len() > METADATA_MAX {
            bail!("record metadata is too large ({} bytes)", metadata.len());
        }
        let wrapped = recipient.wrap(&key, &record.0, &mut rng)?;
        let ts = now_ms();
        let auth = Auth {
            key: PublicKey(clinic.signing_key().verifying_key().to_bytes()),
            timestamp_ms: ts,
            signature: medwallet_crypto::sign(
                clinic.signing_key(),
                Namespace::BLOB_REQUEST,
                &request_message(Method::Put, &hash, None, None, ts),
            )
            .to_bytes(),
        };
        node.put_blob(&hash, sealed.clone(), &auth.to_header())
            .await?;
        let tx = sign(
            clinic,
            chain,
            nonce,
            TxBody::IssueRecord {
                record,
                patient: patient_addr,
                ciphertext_sha256: hash,
                ciphertext_len: sealed.len() as u64,
                wrapped_key: WrappedKey(*wrapped.as_bytes()),
                metadata,
                category: draft.category,
            },
        );
        let id = node.submit(&tx).await?;
        submitted.push((
            id,
            record,
            draft.category,
            draft.title,
            draft.date,
            sealed.len(),
        ));
        nonce += 1;
    }
    let mut out = Vec::new();
    for (id, record, category, title, date, size) in submitted {
        let status = node.wait_tx(&id, 30_000).await?;
        let Some(height) = status.height else {
            bail!(
                "record {} was accepted but not finalized within 30 s",
                record.to_hex()
            )
        };
        out.push(Issued {
            record_id: record.to_hex(),
            category: category.code().into(),
            title,
            date,
            size,
            tx_id: id.to_hex(),
            height,
        });
    }
    Ok(out)
}
