//! Asking several nodes and trusting none: each node's newest header is verified on its own;
//! two valid certificates for different blocks at one height are reported as equivocation with
//! both nodes named; nodes that serve invalid data are reported as lying, and the newest header
//! among the rest is used.

use medwallet_verify::chain::verify_ancestors;
use medwallet_verify::client::{EpochChange, Equivocation, detect_equivocation};
use medwallet_verify::{Invalid, LightClient, VerifiedHeader};

use medledger_client::{Incident, NodeClient, NodeFault};

use crate::verified::latest_verified;

/// What each node answered and what the answers add up to.
#[derive(Debug)]
pub struct CrossCheck {
    /// The newest verified header and the node that served it.
    pub newest: Option<(VerifiedHeader, String)>,
    /// Nodes whose answers were not used, and why.
    pub faults: Vec<NodeFault>,
    /// Conflicting finalized blocks, with the two nodes that served them.
    pub equivocations: Vec<(Equivocation, String, String)>,
    /// Each node whose newest header verified, with that header's height.
    pub certified: Vec<(String, u64)>,
    /// Validator sets of later epochs, learned by proof on the way.
    pub learned: Vec<EpochChange>,
}

impl CrossCheck {
    /// Nodes caught serving invalid data.
    pub fn lying(&self) -> Vec<&NodeFault> {
        self.faults.iter().filter(|f| f.is_lying()).collect()
    }

    /// What the user must be told: every lie, every equivocation, and every node left out for
    /// being far behind while others are current.
    pub fn incidents(&self) -> Vec<Incident> {
        let others_current = self.newest.is_some();
        let lies = self.faults.iter().filter_map(move |f| match f {
            NodeFault::Stale { node, age_ms } if others_current => Some(Incident::FarBehind {
                node: node.clone(),
                age_ms: *age_ms,
            }),
            f => f.incident(),
        });
        let splits = self
            .equivocations
            .iter()
            .map(|(e, a, b)| Incident::Equivocation {
                height: e.height,
                first: a.clone(),
                second: b.clone(),
            });
        lies.chain(splits).collect()
    }
}

/// How the wallet's own trust floor is named in evidence (it was verified earlier, from
/// whichever node served it then).
pub const FLOOR: &str = "the header this wallet verified earlier";

/// Asks every node for its newest finalized header and cross-checks the answers (and against
/// the light client's newest header, the trust floor).
pub async fn cross_check(
    nodes: &[NodeClient],
    light: &LightClient,
    now_ms: u64,
    max_age_ms: u64,
) -> CrossCheck {
    let mut verified: Vec<(VerifiedHeader, String)> = Vec::new();
    let mut faults = Vec::new();
    let mut equivocations = Vec::new();
    // Each node teaches a copy of the light client the sets its newest header needs; what any
    // of them proved is kept (a set is learned only from a certified boundary).
    let mut learning = light.clone();
    for node in nodes {
        let mut own = learning.clone();
        let answer = latest_verified(node, &mut own, now_ms, max_age_ms).await;
        for change in own.learned() {
            if learning.validators_of(change.epoch).is_none() {
                learning.apply_epoch_change(change);
            }
        }
        match answer {
            // The light client's newest header is the floor: an older view is not used, and
            // another block at its height is equivocation.
            Ok(v) => match &light.latest {
                Some(floor) if v.height() < floor.height() => faults.push(NodeFault::Behind {
                    node: node.url().to_owned(),
                    served: v.height(),
                    floor: floor.height(),
                    behind_ms: floor
                        .header()
                        .timestamp_ms
                        .saturating_sub(v.header().timestamp_ms),
                }),
                Some(floor) if detect_equivocation(floor, &v).is_some() => {
                    if let Some(e) = detect_equivocation(floor, &v) {
                        equivocations.push((e, FLOOR.to_owned(), node.url().to_owned()));
                    }
                }
                _ => verified.push((v, node.url().to_owned())),
            },
            Err(fault) => faults.push(fault),
        }
    }
    for (i, (a, node_a)) in verified.iter().enumerate() {
        for (b, node_b) in &verified[i + 1..] {
            if let Some(e) = detect_equivocation(a, b) {
                equivocations.push((e, node_a.clone(), node_b.clone()));
            }
        }
    }
    // Lower heights are checked against the newest node's chain too: a node whose finalized
    // header is not an ancestor of another's certified chain is equivocating as well. The
    // newest node's block at that height is verified (by its own certificate or by hash chain
    // down from its verified newest header) before anyone is accused: an unverified header
    // from a liar frames nobody.
    let newest = verified.iter().max_by_key(|(v, _)| v.height()).cloned();
    if let Some((top, top_node)) = &newest
        && let Some(top_client) = nodes.iter().find(|n| n.url() == top_node)
    {
        for (v, node) in &verified {
            if v.height() >= top.height() {
                continue;
            }
            match verified_at(top_client, &learning, top, v.height()).await {
                Ok(theirs) => {
                    if let Some(e) = detect_equivocation(v, &theirs) {
                        equivocations.push((e, node.clone(), top_node.clone()));
                    }
                }
                Err(fault @ NodeFault::Lying { .. }) => faults.push(fault),
                // Unavailable or out of range: no evidence either way.
                Err(_) => {}
            }
        }
    }
    CrossCheck {
        learned: learning.learned().collect(),
        certified: verified
            .iter()
            .map(|(v, node)| (node.clone(), v.height()))
            .collect(),
        newest,
        faults,
        equivocations,
    }
}

/// Longest hash chain followed down to check a lower header.
const MAX_LINKED: u64 = 1000;

/// `node`'s block at `height`, verified: by its own certificate if it has one, else by the
/// hash chain down from `top` (which `node` served and the light client verified).
async fn verified_at(
    node: &NodeClient,
    light: &LightClient,
    top: &VerifiedHeader,
    height: u64,
) -> Result<VerifiedHeader, NodeFault> {
    let lying = |reason| NodeFault::Lying {
        node: node.url().into(),
        reason,
    };
    let theirs = node.header(height).await?;
    if let Some(certificate) = &theirs.finalization {
        let header = hex::decode(&theirs.encoded)
            .map_err(|_| lying(Invalid::MalformedHeader("not hex".into())))?;
        let certificate = hex::decode(certificate)
            .map_err(|_| lying(Invalid::MalformedCertificate("not hex".into())))?;
        return light.verify(&header, &certificate).map_err(lying);
    }
    if top.height() - height > MAX_LINKED {
        return Err(NodeFault::NothingFinalized {
            node: node.url().into(),
        });
    }
    let below = node.headers(height, top.height() - 1).await?;
    let encoded: Vec<Vec<u8>> = below
        .iter()
        .rev()
        .map(|h| hex::decode(&h.encoded))
        .collect::<Result<_, _>>()
        .map_err(|_| lying(Invalid::MalformedHeader("not hex".into())))?;
    let chain = verify_ancestors(top, &encoded).map_err(lying)?;
    chain
        .into_iter()
        .find(|h| h.height() == height)
        .ok_or(lying(Invalid::BrokenChain { height }))
}
