//! Erased records as the wallet keeps them: only what the ledger keeps (that the record
//! existed, its clinic, when, its hash), never its title, category or key; and the receipts
//! each validator's node gave, on the ledger, that it deleted the ciphertext.

use medledger_types::category::Category;
use medledger_types::erasure::{ErasedRecord, ErasureReceipt};
use medledger_types::hash::RecordId;

use crate::records::RecordSummary;

/// What the wallet shows for an erased record.
pub const ERASED_TITLE: &str = "Erased record";

/// The wording every front end shows before and after erasing: honest about what stays.
pub const ERASURE_NOTICE: &str = "Erasing removes this record's keys from the ledger and every node deletes its encrypted copy, so nobody can open it again. The ledger keeps that a record existed (its clinic, when, and a hash of its encrypted bytes), and copies already downloaded or shared cannot be recalled.";

/// The record `id` of account `account`, erased, as proven at `verified_height`.
pub(crate) fn erased_summary(
    id: &RecordId,
    erased: &ErasedRecord,
    account: u32,
    verified_height: u64,
) -> RecordSummary {
    RecordSummary {
        id: id.to_hex(),
        clinic: erased.clinic.to_hex(),
        category: Category::Other.code().into(),
        title: ERASED_TITLE.into(),
        date: None,
        issued_height: erased.issued_height,
        verified_height,
        ciphertext_sha256: erased.ciphertext_sha256.to_hex(),
        ciphertext_len: erased.ciphertext_len,
        wrapped_key: String::new(),
        unreadable: true,
        visit: None,
        account,
        erased: true,
        file: None,
    }
}

/// Forgets what the wallet knew of `record` beyond what the ledger keeps of an erased one.
pub(crate) fn forget(record: &mut RecordSummary) {
    record.category = Category::Other.code().into();
    record.title = ERASED_TITLE.into();
    record.date = None;
    record.visit = None;
    record.file = None;
    record.wrapped_key = String::new();
    record.unreadable = true;
    record.erased = true;
}

/// An erased record and the nodes' receipts for it, proven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erasure {
    pub record: RecordId,
    /// The account it was issued to.
    pub account: u32,
    pub erased: ErasedRecord,
    /// One per validator's node that deleted the ciphertext, in ledger order.
    pub receipts: Vec<ErasureReceipt>,
}
