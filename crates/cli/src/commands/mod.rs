pub mod envelope;
pub mod keys;
