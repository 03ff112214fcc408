//! Learning validator sets a header's epoch needs, from one node, by proof: for each epoch the
//! light client does not know yet, the node serves the previous epoch's last block (certified
//! by the set the client knows) and the new set, which that block's header commits to. A node
//! that serves anything else is lying; one that cannot serve an epoch is only unavailable.

use crate::{NodeClient, NodeFault};
use medledger_types::genesis::ValidatorSet;
use medledger_types::hash::PublicKey;
use medwallet_verify::{Invalid, LightClient};

/// Most epochs learned in one call (decades of hour-long epochs): a node claiming a header far
/// beyond that is not followed further in one go.
pub const MAX_EPOCHS_PER_CALL: u64 = 1_000_000;

/// Teaches `light` every set `header` (an untrusted encoded header) needs, from `node`.
pub async fn learn_epochs(
    node: &NodeClient,
    light: &mut LightClient,
    header: &[u8],
) -> Result<(), NodeFault> {
    let lying = |reason| NodeFault::Lying {
        node: node.url().into(),
        reason,
    };
    for _ in 0..MAX_EPOCHS_PER_CALL {
        let Some(epoch) = light.epoch_needed(header).map_err(lying)? else {
            return Ok(());
        };
        let began = node.epoch(epoch).await?;
        if began.epoch != epoch {
            return Err(lying(Invalid::UnknownValidatorSet));
        }
        let boundary = began.boundary.ok_or_else(|| {
            lying(Invalid::MalformedHeader(format!(
                "epoch {epoch} without the block that began it"
            )))
        })?;
        let header_bytes = hex::decode(&boundary.encoded)
            .map_err(|_| lying(Invalid::MalformedHeader("not hex".into())))?;
        let certificate = boundary
            .finalization
            .as_deref()
            .map(hex::decode)
            .transpose()
            .map_err(|_| lying(Invalid::MalformedCertificate("not hex".into())))?
            .ok_or_else(|| {
                lying(Invalid::MalformedCertificate(
                    "the boundary has no certificate".into(),
                ))
            })?;
        let keys = began
            .validators
            .iter()
            .map(|k| PublicKey::from_hex(k))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| lying(Invalid::WrongValidatorChange))?;
        let next = ValidatorSet::new(keys).map_err(|_| lying(Invalid::WrongValidatorChange))?;
        let change = light
            .verify_epoch_change(&header_bytes, &certificate, next)
            .map_err(lying)?;
        light.apply_epoch_change(change);
    }
    Ok(())
}
