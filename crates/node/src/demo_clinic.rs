//! The devnet's demo clinic: watches the chain and, for every patient who registers, issues a
//! Synthea history (one record per visit), so a new wallet on the local devnet fills with
//! records within a minute. For demos and end-to-end tests only; real clinics issue with
//! `medledger clinic issue` when they have something to issue.

use std::collections::BTreeSet;
use std::time::Duration;

use medledger_types::block::{Block, MAX_BLOCK_LEN};
use medledger_types::codec::Canonical;
use medledger_types::hash::Address;
use medledger_types::state::{StateKey, decode_u64};
use medledger_types::tx::TxBody;
use medwallet_crypto::{AccountKeys, PublicKeys, ShareCode, VerifyingKey, X25519PublicKey};
use medwallet_net::NodeClient;

/// How often the chain is polled for new registrations.
const POLL: Duration = Duration::from_millis(500);

/// A patient who registered, as a share code, from their RegisterPatient transaction.
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
/// already have records), forever. Each issued batch is printed as one JSON line.
pub async fn run(
    clinic: &AccountKeys,
    clinic_name: &str,
    node: &NodeClient,
    documents: &[Vec<u8>],
) -> anyhow::Result<()> {
    let mut next = 1u64;
    let mut served = BTreeSet::new();
    loop {
        let height = match node.status().await {
            Ok(s) => s.height,
            Err(e) => {
                eprintln!("demo clinic: {e}");
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        while next <= height {
            let json = node.block(next).await?;
            let bytes = hex::decode(&json.encoded)?;
            let block = Block::decode(&bytes, MAX_BLOCK_LEN)
                .map_err(|e| anyhow::anyhow!("block {next}: {e}"))?;
            for patient in registered_patients(&block) {
                let address = Address(*patient.address().as_bytes());
                if !served.insert(address) || has_records(node, &address, height).await? {
                    continue;
                }
                let mut issued = 0;
                for document in documents {
                    issued +=
                        crate::clinic::issue(clinic, clinic_name, node, &patient, document, true)
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

async fn has_records(node: &NodeClient, patient: &Address, height: u64) -> anyhow::Result<bool> {
    let proven = node
        .state(&StateKey::patient_record_count(patient), height)
        .await?;
    Ok(match proven.value {
        Some(hex_value) => {
            decode_u64(&hex::decode(hex_value)?).map_err(|e| anyhow::anyhow!("{e}"))? > 0
        }
        None => false,
    })
}
