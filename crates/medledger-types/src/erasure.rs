//! Erasure (GDPR art. 17, by crypto-shredding): what stays on the ledger when a patient erases a
//! record or closes an account, and the nodes' receipts that they deleted the ciphertext.
//!
//! | key | value | present when |
//! | --- | --- | --- |
//! | `erased/` ‖ record id | [`ErasedRecord`] | the record was erased (its `record/` entry is gone, and every grant's key for it) |
//! | `erasures/` ‖ patient ‖ index, `…-count/` ‖ patient | record id, u64 | per account, in erasure order |
//! | `erasure-receipts/` ‖ patient ‖ index, `…-count/` ‖ patient | [`ErasureReceipt`], u64 | a validator's node deleted an erased record's ciphertext |
//! | `erasure-receipt-by/` ‖ record id ‖ node address | height, u64 | that node's receipt for that record (each node gives one) |
//! | `closed/` ‖ account | height, u64 | the account is closed: nothing is issued to it or granted or linked from it |
//!
//! The wording the wallet shows follows from this: the hash, size bucket, clinic and times of
//! an erased record stay (the chain's history cannot change), the keys that open it do not;
//! copies someone already downloaded cannot be recalled.

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::hash::{Address, RecordId, Sha256Digest};
use crate::state::{StateKey, key};

/// What the ledger keeps of an erased record: that it existed, not how to open it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ErasedRecord {
    pub patient: Address,
    pub clinic: Address,
    pub ciphertext_sha256: Sha256Digest,
    pub ciphertext_len: u64,
    pub issued_height: u64,
    pub issued_at_ms: u64,
    pub erased_height: u64,
    pub erased_at_ms: u64,
}

/// A node's word, on the ledger, that it deleted an erased record's ciphertext.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ErasureReceipt {
    pub record: RecordId,
    /// The validator's node (its key's address).
    pub node: Address,
    pub height: u64,
    pub at_ms: u64,
}

impl StateKey {
    pub fn erased(record: &RecordId) -> Self {
        key("erased/", &[&record.0])
    }
    pub fn erasure(patient: &Address, index: u64) -> Self {
        key("erasures/", &[&patient.0, &index.to_be_bytes()])
    }
    pub fn erasure_count(patient: &Address) -> Self {
        key("erasures-count/", &[&patient.0])
    }
    pub fn erasure_receipt(patient: &Address, index: u64) -> Self {
        key("erasure-receipts/", &[&patient.0, &index.to_be_bytes()])
    }
    pub fn erasure_receipt_count(patient: &Address) -> Self {
        key("erasure-receipts-count/", &[&patient.0])
    }
    pub fn erasure_receipt_by(record: &RecordId, node: &Address) -> Self {
        key("erasure-receipt-by/", &[&record.0, &node.0])
    }
    pub fn closed(account: &Address) -> Self {
        key("closed/", &[&account.0])
    }
}

impl Canonical for ErasedRecord {
    fn write(&self, w: &mut Writer) {
        self.patient.write(w);
        self.clinic.write(w);
        self.ciphertext_sha256.write(w);
        w.u64(self.ciphertext_len);
        w.u64(self.issued_height);
        w.u64(self.issued_at_ms);
        w.u64(self.erased_height);
        w.u64(self.erased_at_ms);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(ErasedRecord {
            patient: Address::read(r)?,
            clinic: Address::read(r)?,
            ciphertext_sha256: Sha256Digest::read(r)?,
            ciphertext_len: r.u64("ciphertext length")?,
            issued_height: r.u64("issued height")?,
            issued_at_ms: r.u64("issued at")?,
            erased_height: r.u64("erased height")?,
            erased_at_ms: r.u64("erased at")?,
        })
    }
}

impl Canonical for ErasureReceipt {
    fn write(&self, w: &mut Writer) {
        self.record.write(w);
        self.node.write(w);
        w.u64(self.height);
        w.u64(self.at_ms);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(ErasureReceipt {
            record: RecordId::read(r)?,
            node: Address::read(r)?,
            height: r.u64("height")?,
            at_ms: r.u64("at")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erasure_values_round_trip_and_refuse_truncation() {
        let erased = ErasedRecord {
            patient: Address([1; 32]),
            clinic: Address([2; 32]),
            ciphertext_sha256: Sha256Digest([3; 32]),
            ciphertext_len: 4096,
            issued_height: 5,
            issued_at_ms: 6,
            erased_height: 7,
            erased_at_ms: 8,
        };
        let bytes = erased.encode();
        assert_eq!(ErasedRecord::decode(&bytes, 1024), Ok(erased));
        assert!(ErasedRecord::decode(&bytes[..bytes.len() - 1], 1024).is_err());
        let receipt = ErasureReceipt {
            record: RecordId([4; 32]),
            node: Address([5; 32]),
            height: 9,
            at_ms: 10,
        };
        let bytes = receipt.encode();
        assert_eq!(ErasureReceipt::decode(&bytes, 1024), Ok(receipt));
        assert!(ErasureReceipt::decode(&[bytes.as_slice(), &[0]].concat(), 1024).is_err());
    }
}
