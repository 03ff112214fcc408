//! Asking several nodes and trusting none: each node's newest header is verified on its own;
//! two valid certificates for different blocks at one height are reported as equivocation with
//! both nodes named; nodes that serve invalid data are reported as lying, and the newest header
//! among the rest is used.

use medwallet_verify::client::{Equivocation, detect_equivocation};
use medwallet_verify::{LightClient, VerifiedHeader};

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
}

impl CrossCheck {
    /// Nodes caught serving invalid data.
    pub fn lying(&self) -> Vec<&NodeFault> {
        self.faults.iter().filter(|f| f.is_lying()).collect()
    }

    /// What the user must be told: every lie and every equivocation.
    pub fn incidents(&self) -> Vec<Incident> {
        let lies = self.faults.iter().filter_map(NodeFault::incident);
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

/// Asks every node for its newest finalized header and cross-checks the answers.
pub async fn cross_check(
    nodes: &[NodeClient],
    light: &LightClient,
    now_ms: u64,
    max_age_ms: u64,
) -> CrossCheck {
    let mut verified: Vec<(VerifiedHeader, String)> = Vec::new();
    let mut faults = Vec::new();
    for node in nodes {
        match latest_verified(node, light, now_ms, max_age_ms).await {
            Ok(v) => verified.push((v, node.url().to_owned())),
            Err(fault) => faults.push(fault),
        }
    }
    let mut equivocations = Vec::new();
    for (i, (a, node_a)) in verified.iter().enumerate() {
        for (b, node_b) in &verified[i + 1..] {
            if let Some(e) = detect_equivocation(a, b) {
                equivocations.push((e, node_a.clone(), node_b.clone()));
            }
        }
    }
    // Lower heights are checked against the newest node's chain too: a node whose finalized
    // header is not an ancestor of another's certified chain is equivocating as well.
    let newest = verified
        .iter()
        .max_by_key(|(v, _)| v.header.height)
        .cloned();
    if let Some((top, top_node)) = &newest {
        for (v, node) in &verified {
            if v.header.height < top.header.height
                && let Some(top_client) = nodes.iter().find(|n| n.url() == top_node)
                && let Ok(theirs) = top_client.header(v.header.height).await
                && theirs.hash != v.header.hash().to_hex()
                && theirs.finalization.is_some()
            {
                // The newest node certifies a different block at that height.
                let other = VerifiedHeader {
                    header: v.header,
                    certificate: None,
                };
                if let Ok(bytes) = hex::decode(&theirs.encoded)
                    && let Ok(their_header) = <medledger_types::block::Header as medledger_types::codec::Canonical>::decode(&bytes, 1024)
                    && let Some(e) = detect_equivocation(&other, &VerifiedHeader { header: their_header, certificate: None })
                {
                    equivocations.push((e, node.clone(), top_node.clone()));
                }
            }
        }
    }
    CrossCheck {
        newest,
        faults,
        equivocations,
    }
}
