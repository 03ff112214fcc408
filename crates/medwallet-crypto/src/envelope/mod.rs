//! Record envelopes: a record is encrypted once under a fresh content key, and that key is
//! wrapped separately to each recipient.
//!
//! * [`payload`]: the encrypted record itself (STREAM over ChaCha20-Poly1305, 64 KiB chunks),
//!   stored as a content-addressed blob. Its byte layout is documented there. Streaming
//!   ([`seal_payload`], [`open_payload`]) and in-memory ([`seal_to_vec`], [`open_to_vec`])
//!   functions produce and accept the same bytes.
//! * [`wrap`]: the content key wrapped to one recipient with HPKE (RFC 9180). Granting a doctor
//!   access later is one more wrap of the same key; the payload is never re-encrypted.
//! * [`seal_to`], [`open_sealed`]: a short message sealed to one recipient (wrapped key ‖
//!   payload), for names and descriptions rather than records.
//!
//! Decryption failures are deliberately coarse ([`EnvelopeError::Decrypt`]): wrong key, tampered
//! chunk, truncation, reordering and a key-commitment mismatch all look the same to a caller.

mod content_key;
mod error;
mod in_memory;
pub mod payload;
mod sealed_to;
pub mod wrap;

pub use content_key::{CONTENT_KEY_LEN, ContentKey};
pub use error::EnvelopeError;
pub use in_memory::{open_to_vec, seal_to_vec};
pub use payload::{CHUNK_LEN, HEADER_LEN, PayloadHeader, open_payload, seal_payload, sealed_len};
pub use sealed_to::{open_sealed, seal_to};
pub use wrap::{Identity, Recipient, WRAPPED_KEY_LEN, WrappedKey, X25519Identity, X25519Recipient};
