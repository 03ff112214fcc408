//! Fetch-and-verify: what a node says becomes usable only after the light client checks it.
//! Anything that fails a check is a [`NodeFault::Lying`] naming the node.

use medledger_client::{NodeClient, NodeFault};
use medledger_types::state::StateKey;
use medwallet_verify::client::{Freshness, freshness};
use medwallet_verify::proof::verify_value;
use medwallet_verify::{Invalid, LightClient, VerifiedHeader};

fn hex_field(node: &NodeClient, field: &str, what: &'static str) -> Result<Vec<u8>, NodeFault> {
    hex::decode(field).map_err(|_| NodeFault::Lying {
        node: node.url().into(),
        reason: Invalid::MalformedHeader(format!("{what} is not hex")),
    })
}

/// The node's newest directly finalized header, verified, and checked for freshness. A header
/// in an epoch `light` does not know the set of first teaches it that set, from this node, by
/// proof ([`medledger_client::epochs::learn_epochs`]).
pub async fn latest_verified(
    node: &NodeClient,
    light: &mut LightClient,
    now_ms: u64,
    max_age_ms: u64,
) -> Result<VerifiedHeader, NodeFault> {
    let status = node.status().await?;
    let Some(latest) = status.latest_finalized else {
        return Err(NodeFault::NothingFinalized {
            node: node.url().into(),
        });
    };
    let header = hex_field(node, &latest.encoded, "header")?;
    let certificate = match &latest.finalization {
        Some(c) => hex_field(node, c, "certificate")?,
        None => {
            return Err(NodeFault::Lying {
                node: node.url().into(),
                reason: Invalid::MalformedCertificate(
                    "the newest finalized header has no certificate".into(),
                ),
            });
        }
    };
    medledger_client::epochs::learn_epochs(node, light, &header).await?;
    let verified = light
        .verify(&header, &certificate)
        .map_err(|reason| NodeFault::Lying {
            node: node.url().into(),
            reason,
        })?;
    match freshness(&verified, now_ms, max_age_ms) {
        Freshness::Current => Ok(verified),
        Freshness::Stale { age_ms } => Err(NodeFault::Stale {
            node: node.url().into(),
            age_ms,
        }),
    }
}

/// A state value (or its proven absence) in the state `at` commits to.
pub async fn verified_value(
    node: &NodeClient,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<Option<Vec<u8>>, NodeFault> {
    Ok(verified_value_with_proof(node, at, key).await?.0)
}

/// [`verified_value`] and the proof that verified it.
pub async fn verified_value_with_proof(
    node: &NodeClient,
    at: &VerifiedHeader,
    key: &StateKey,
) -> Result<(Option<Vec<u8>>, Vec<u8>), NodeFault> {
    let proven = node.state(key, at.height()).await?;
    let lying = |reason| NodeFault::Lying {
        node: node.url().into(),
        reason,
    };
    if proven.key != hex::encode(&key.0) {
        return Err(lying(Invalid::BadProof));
    }
    let value = proven
        .value
        .as_deref()
        .map(|v| hex_field(node, v, "value"))
        .transpose()?;
    let proof = hex_field(node, &proven.proof, "proof")?;
    verify_value(at, key, value.as_deref(), &proof).map_err(lying)?;
    Ok((value, proof))
}

/// Many state values (or their proven absence) in the state `at` commits to, from one answer
/// of `node`, every entry verified as [`verified_value`] verifies one.
pub async fn verified_values(
    node: &NodeClient,
    at: &VerifiedHeader,
    keys: &[StateKey],
) -> Result<Vec<Option<Vec<u8>>>, NodeFault> {
    let batch = node.prove_many(keys, at.height()).await?;
    keys.iter()
        .zip(batch.entries)
        .map(|(key, entry)| {
            verify_value(at, key, entry.value.as_deref(), &entry.proof).map_err(|reason| {
                NodeFault::Lying {
                    node: node.url().into(),
                    reason,
                }
            })?;
            Ok(entry.value)
        })
        .collect()
}
