//! What can go wrong with a node, typed: a transport failure ([`NetError`]), an answer that was
//! not used ([`NodeFault`]), and what a node was caught doing ([`Incident`]), which a wallet
//! shows its user rather than dropping.

use medwallet_verify::Invalid;
use thiserror::Error;

/// A transport-level failure talking to one node (named by its URL).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetError {
    #[error("{node} is unreachable: {message}")]
    Unreachable { node: String, message: String },
    /// The node answered with an error `{ code, message }` (the code is stable: branch on it).
    #[error("{node} refused: {code}: {message}")]
    Refused {
        node: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error("{node} answered something that is not the API: {message}")]
    Protocol { node: String, message: String },
}

impl NetError {
    /// The node it happened with.
    pub fn node(&self) -> &str {
        match self {
            NetError::Unreachable { node, .. }
            | NetError::Refused { node, .. }
            | NetError::Protocol { node, .. } => node,
        }
    }
}

/// How far behind the trust floor (by block time) an honest node may be: it gossips finalized
/// blocks within a second or two of each other.
pub const ROLLBACK_GRACE_MS: u64 = 5_000;

/// Why a node's answer was not used.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeFault {
    #[error(transparent)]
    Net(#[from] NetError),
    /// The node served data that fails verification: it is faulty or lying.
    #[error("{node} served invalid data: {reason}")]
    Lying { node: String, reason: Invalid },
    /// The node's newest finalized header is too old to be "current" (a node replaying an old
    /// header hides everything since).
    #[error("{node} is stale: its newest finalized header is {age_ms} ms old")]
    Stale { node: String, age_ms: u64 },
    /// The chain has no finalized block yet.
    #[error("{node} has no finalized block yet")]
    NothingFinalized { node: String },
    /// The node's newest header is older than the newest this wallet already verified (its
    /// trust floor): using it would roll the wallet's view back (a revoked grant active again).
    #[error(
        "{node} serves height {served}, older than height {floor} this wallet already verified ({behind_ms} ms behind)"
    )]
    Behind {
        node: String,
        served: u64,
        floor: u64,
        behind_ms: u64,
    },
}

impl NodeFault {
    /// Whether the node should no longer be used (as opposed to being briefly unavailable).
    pub fn is_lying(&self) -> bool {
        matches!(self, NodeFault::Lying { .. })
    }

    /// The node it happened with.
    pub fn node(&self) -> &str {
        match self {
            NodeFault::Net(e) => e.node(),
            NodeFault::Lying { node, .. }
            | NodeFault::Stale { node, .. }
            | NodeFault::Behind { node, .. }
            | NodeFault::NothingFinalized { node } => node,
        }
    }

    /// What this fault tells the user about the node, if it is more than unavailability.
    pub fn incident(&self) -> Option<Incident> {
        match self {
            NodeFault::Lying { node, reason } => Some(Incident::Lying {
                node: node.clone(),
                reason: reason.clone(),
            }),
            // A node that lags by a block or two is normal; one further behind than any honest
            // node gets serves an old view.
            NodeFault::Behind {
                node,
                served,
                floor,
                behind_ms,
            } if *behind_ms > ROLLBACK_GRACE_MS => Some(Incident::Rollback {
                node: node.clone(),
                served: *served,
                floor: *floor,
            }),
            _ => None,
        }
    }
}

/// What a node was caught doing, proven by what it served.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Incident {
    /// It served data that fails verification.
    #[error("{node} served invalid data: {reason}")]
    Lying { node: String, reason: Invalid },
    /// Two nodes serve different finalized blocks at one height, each with a certificate.
    #[error(
        "equivocation at height {height}: {first} and {second} serve different finalized blocks"
    )]
    Equivocation {
        height: u64,
        first: String,
        second: String,
    },
    /// It answered "not available" for state at a height it had itself certified, instead of
    /// proving a value or its absence.
    #[error("{node} withheld state at height {height}, which it had certified")]
    Withheld { node: String, height: u64 },
    /// Its newest header is too old to be current while other nodes serve current ones.
    #[error("{node} is far behind the other nodes: its newest finalized header is {age_ms} ms old")]
    FarBehind { node: String, age_ms: u64 },
    /// It lied about a transaction this wallet wrote.
    #[error("{node} lied about transaction {tx}: {lie}")]
    WriteLie {
        node: String,
        tx: String,
        lie: WriteLie,
    },
    /// It served a view older than one this wallet had already verified.
    #[error(
        "{node} rolled the ledger back: it serves height {served}, this wallet already verified height {floor}"
    )]
    Rollback {
        node: String,
        served: u64,
        floor: u64,
    },
}

impl Incident {
    /// The nodes it names.
    pub fn nodes(&self) -> Vec<&str> {
        match self {
            Incident::Lying { node, .. }
            | Incident::Rollback { node, .. }
            | Incident::WriteLie { node, .. }
            | Incident::Withheld { node, .. }
            | Incident::FarBehind { node, .. } => vec![node],
            Incident::Equivocation { first, second, .. } => vec![first, second],
        }
    }
}

/// What a node said about a write that the verified state contradicts.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteLie {
    #[error("it reported the id {reported} for it")]
    WrongId { reported: String },
    #[error(
        "it reported it committed at height {claimed}, but the state verified at height {verified} shows it did not take effect"
    )]
    FalseCommit { claimed: u64, verified: u64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_name_their_node_and_only_lies_are_incidents() {
        let unreachable = NodeFault::Net(NetError::Unreachable {
            node: "http://a".into(),
            message: "refused".into(),
        });
        assert_eq!(unreachable.node(), "http://a");
        assert!(!unreachable.is_lying());
        assert_eq!(unreachable.incident(), None);
        let lying = NodeFault::Lying {
            node: "http://b".into(),
            reason: Invalid::BadProof,
        };
        assert!(lying.is_lying());
        let incident = lying.incident().expect("an incident");
        assert_eq!(incident.nodes(), vec!["http://b"]);
        assert_eq!(incident.to_string(), lying.to_string());
        let lagging = NodeFault::Behind {
            node: "http://c".into(),
            served: 9,
            floor: 10,
            behind_ms: 200,
        };
        assert_eq!(lagging.incident(), None, "a block behind is not a rollback");
        let rolled = NodeFault::Behind {
            node: "http://c".into(),
            served: 3,
            floor: 10,
            behind_ms: ROLLBACK_GRACE_MS + 1,
        };
        let incident = rolled.incident().expect("a rollback");
        assert_eq!(incident.nodes(), vec!["http://c"]);
        assert!(incident.to_string().contains("rolled the ledger back"));
        let split = Incident::Equivocation {
            height: 9,
            first: "http://a".into(),
            second: "http://b".into(),
        };
        assert!(split.to_string().contains("height 9"));
        assert_eq!(split.nodes(), vec!["http://a", "http://b"]);
    }
}
