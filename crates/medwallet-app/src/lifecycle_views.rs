//! What the key-lifecycle screens show: erasing records (and the nodes' receipts that they
//! deleted them) and moving to new keys.

use serde::Serialize;
use ts_rs::TS;

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErasedResult {
    pub records: usize,
    /// Links that may have held the record, revoked first.
    pub links_revoked: usize,
    pub height: u64,
    /// What erasing does and does not do, in words.
    pub notice: String,
}

/// One node's proof, on the ledger, that it deleted an erased record's copy.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeletionItem {
    /// "node 2" for the genesis' second validator.
    pub node: String,
    pub at_ms: u64,
    pub height: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErasureItem {
    pub record_id: String,
    pub account: u32,
    pub erased_at_ms: u64,
    pub erased_height: u64,
    pub deleted_by: Vec<DeletionItem>,
    /// How many validators' nodes there are (each deletes its copy).
    pub nodes: usize,
}

/// A rotation done: the new recovery phrase, shown once and confirmed as a new wallet's is.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RotatedWallet {
    pub accounts: usize,
    pub records_rewrapped: usize,
    pub shares_moved: usize,
    pub links_revoked: usize,
    /// Guardians named again with shares of the new phrase.
    pub guardians_kept: usize,
    /// The emergency set sealed again under the new keys.
    pub emergency_set_kept: bool,
    pub resumed: bool,
    /// The new recovery phrase: shown once so the user can write it down.
    pub words: Vec<String>,
    pub confirm_positions: Vec<usize>,
}
