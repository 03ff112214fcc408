//! The devnet's demo clinic: watches the chain and, for every patient who registers, issues a
//! Synthea history (one record per visit), so a new wallet on the local devnet fills with
//! records within a minute. For demos and end-to-end tests only; real clinics issue with
//! `medclinic issue` when they have something to issue.
//!
//! New registrations are spotted in blocks as the first node serves them (unverified: a lying
//! node can only hide a patient from the demo); everything it reads to issue is verified.

use std::collections::BTreeSet;
use std::time::Duration;

use medledger_client::{LedgerSource, reads};
use medledger_types::block::{Block, MAX_BLOCK_LEN};
use medledger_types::codec::Canonical;
use medledger_types::hash::Address;
use medledger_types::state::StateKey;
use medledger_types::tx::TxBody;
use medwallet_crypto::{PublicKeys, ShareCode, VerifyingKey, X25519PublicKey};
use medwallet_net::NetworkSource;

use crate::issue::{Clinic, issue};
use crate::{IssueError, now_ms};

/// How often the chain is polled for new registrations.
const POLL: Duration = Duration::from_millis(500);

/// The patients who registered in `block`, as share codes (from their RegisterPatient).
fn registered_patients(block: &Block) -> Vec<ShareCode> {
    block
        .txs
        .iter()
        .filter_map(|tx| match &tx.tx.body {
            TxBody::RegisterPatient { receiving } => {
                let signing = VerifyingKey::from_bytes(&tx.tx.author.0).ok()?;
                Some(ShareCode::new(PublicKeys {
                    signing,
                    receiving: X25519PublicKey::from(receiving.0),
                }))
            }
            _ => None,
        })
        .collect()
}

/// Issues `documents` to every patient registered from height 1 on (skipping patients who
/// already have records), until the process ends. Each issued batch is printed as one JSON line.
pub async fn run(
    source: &NetworkSource,
    clinic: &Clinic<'_>,
    documents: &[Vec<u8>],
) -> Result<(), IssueError> {
    let mut next = 1u64;
    let mut served = BTreeSet::new();
    loop {
        let Some(node) = source.nodes().first() else {
            return Err(medledger_client::SourceError::NoNodes.into());
        };
        let height = match node.status().await {
            Ok(s) => s.height,
            Err(e) => {
                eprintln!("demo clinic: {e}");
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        while next <= height {
            let Some(block) = block_at(source, next).await else {
                break;
            };
            for patient in registered_patients(&block) {
                let address = patient.account();
                if !served.insert(address) || has_records(source, &address).await? {
                    continue;
                }
                let mut issued = 0;
                for document in documents {
                    issued += issue(
                        source,
                        clinic,
                        &patient,
                        document,
                        true,
                        now_ms(),
                        &mut rand::rng(),
                    )
                    .await?
                    .len();
                }
                println!(
                    "{}",
                    serde_json::json!({ "patient": patient.address().to_string(), "records": issued })
                );
            }
            next += 1;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Block `height` as the first node serves it (`None` if it does not yet).
async fn block_at(source: &NetworkSource, height: u64) -> Option<Block> {
    let json = source.nodes().first()?.block(height).await.ok()?;
    let bytes = hex::decode(&json.encoded).ok()?;
    Block::decode(&bytes, MAX_BLOCK_LEN).ok()
}

async fn has_records(source: &NetworkSource, patient: &Address) -> Result<bool, IssueError> {
    let at = source.latest(now_ms()).await?;
    Ok(reads::count(source, &at, &StateKey::patient_record_count(patient)).await? > 0)
}
