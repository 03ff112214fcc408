//! The ledger client: what every program that talks to the ledger shares, whichever side it is
//! on (a patient's wallet, a clinic's issuer, a node replicating blobs, the load generator).
//!
//! * [`source::LedgerSource`]: verified access to the ledger, as a trait (`medwallet-net`
//!   implements it over several untrusted nodes); [`reads`]: typed state reads over it.
//! * [`transaction`]: the one place a transaction is built and signed, its nonce read by proof
//!   and its chain taken from the trust anchor.
//! * [`blob_request`]: the one place a blob request (download or upload) is signed.
//! * [`metadata::RecordMetadata`]: what a clinic says about a record, sealed under the record's
//!   content key, read by whoever holds a wrapped key.
//! * [`fault`]: what can go wrong with a node, typed, and what a node can be caught doing.
//! * [`http::NodeClient`] (feature `http`): one node's HTTP API, typed; nothing it returns is
//!   trusted until it is verified.
//!
//! ```
//! use medledger_client::transaction::sign;
//! use medledger_types::hash::{ChainId, ReceivingKey};
//! use medledger_types::tx::TxBody;
//! use medwallet_crypto::SigningKey;
//!
//! let key = SigningKey::from_bytes(&[7; 32]);
//! let tx = sign(&key, ChainId([1; 32]), 0, TxBody::RegisterPatient { receiving: ReceivingKey([2; 32]) });
//! assert_eq!(tx.tx.nonce, 0);
//! assert_eq!(tx.tx.author_address(), medledger_client::transaction::author(&key));
//! ```
#![forbid(unsafe_code)]

pub mod background_hash;
pub mod blob_request;
pub mod doctor_consent;
pub mod effect;
#[cfg(feature = "http")]
pub mod epochs;
pub mod events;
pub mod fault;
pub mod governance;
#[cfg(feature = "http")]
pub mod http;
pub mod metadata;
pub mod padded;
pub mod reads;
pub mod source;
pub mod transaction;

pub use blob_request::BlobRequest;
pub use fault::{Incident, NetError, NodeFault, WriteLie};
#[cfg(feature = "http")]
pub use http::NodeClient;
pub use metadata::{Attachment, RecordMetadata, Visit};
pub use reads::ReadError;
pub use source::{BlobSink, BlobUpload, LedgerSource, Mailbox, ProofSource, SourceError};
