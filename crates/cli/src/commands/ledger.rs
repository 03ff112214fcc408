//! Ledger commands: transactions signed by this wallet and submitted to the nodes given with
//! `--node`.

use std::path::Path;

use anyhow::{Context, bail};
use medledger_types::hash::{ChainId, PublicKey, ReceivingKey};
use medledger_types::tx::{SignedTx, Tx, TxBody};
use medwallet_crypto::Namespace;
use medwallet_net::NodeClient;
use serde_json::json;

use crate::commands::keys::unlock;
use crate::output::Output;
use crate::password;

pub fn nodes(urls: &[String]) -> anyhow::Result<Vec<NodeClient>> {
    if urls.is_empty() {
        bail!("no node: pass --node URL (repeatable) or set MEDWALLET_NODES");
    }
    Ok(urls.iter().map(NodeClient::new).collect())
}

/// Submits `tx` to the first node that accepts it and waits for it to be finalized.
async fn submit(nodes: &[NodeClient], tx: &SignedTx) -> anyhow::Result<(String, u64)> {
    let mut last = None;
    for node in nodes {
        match node.submit(tx).await {
            Ok(id) => {
                let status = node.wait_tx(&id, 30_000).await?;
                return match status.height {
                    Some(h) => Ok((id.to_hex(), h)),
                    None => bail!(
                        "transaction {} was accepted by {} but not finalized within 30 s",
                        id.to_hex(),
                        node.url()
                    ),
                };
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last
        .map(anyhow::Error::from)
        .unwrap_or_else(|| anyhow::anyhow!("no node accepted the transaction")))
}

pub fn register(
    wallet: &Path,
    password: &password::Source,
    urls: &[String],
    out: &Output,
) -> anyhow::Result<()> {
    let nodes = nodes(urls)?;
    let keys = unlock(wallet, password)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let (id, height) = runtime.block_on(async {
        let status = nodes[0].status().await?;
        let chain = ChainId::from_hex(&status.chain_id)
            .map_err(|e| anyhow::anyhow!("bad chain id from {}: {e}", nodes[0].url()))?;
        let public = keys.public();
        let tx = Tx {
            chain,
            author: PublicKey(public.signing.to_bytes()),
            nonce: 0,
            body: TxBody::RegisterPatient {
                receiving: ReceivingKey(public.receiving.to_bytes()),
            },
        };
        let signature =
            medwallet_crypto::sign(keys.signing_key(), Namespace::TX, &tx.signing_bytes())
                .to_bytes();
        submit(&nodes, &SignedTx { tx, signature })
            .await
            .context("registration failed")
    })?;
    let address = keys.public().address().to_string();
    out.print(
        &format!("Registered {address} at height {height} (transaction {id})."),
        json!({ "address": address, "tx_id": id, "height": height }),
    );
    Ok(())
}
