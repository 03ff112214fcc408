pub mod consent;
pub mod envelope;
pub mod export;
pub mod keys;
pub mod links;
pub mod records;
pub mod relationships;
pub mod summary;
