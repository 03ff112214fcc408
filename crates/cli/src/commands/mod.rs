pub mod envelope;
pub mod keys;
pub mod ledger;
pub mod records;
