//! The ledger's canonical data, shared by the full node and the wallet's light client: no
//! I/O, no async, no Commonware (the wallet builds on Windows, where Commonware does not).
//!
//! * [`codec`]: the bounded canonical encoding everything here uses.
//! * [`hash`]: domain-separated SHA-256 and the 32-byte ids built from it.
//! * [`tx`]: transactions and their limits; [`block`]: headers and blocks.
//! * [`state`]: the authenticated state's key layout and values.
//! * [`grant`]: a grant's terms, sealed to the grantee and the patient.
//! * [`certificate`]: finalization certificates in Commonware Simplex's exact bytes.
//! * [`genesis`]: validator sets, founding clinics, the chain id.
//! * [`epoch`] and [`validators`]: how long a validator set runs, and governance changes to it.
//!
//! ```
//! use medledger_types::codec::Canonical;
//! use medledger_types::hash::{Address, ChainId, GrantId, PublicKey};
//! use medledger_types::tx::{MAX_TX_LEN, SignedTx, Tx, TxBody};
//!
//! let author = PublicKey([1; 32]);
//! let tx = SignedTx {
//!     tx: Tx { chain: ChainId([0; 32]), author, nonce: 3, body: TxBody::Revoke { grant: GrantId::derive(&Address::of(&author), 1) } },
//!     signature: [0; 64], // signed with the author's key in namespace `medwallet/tx/v1`
//! };
//! let bytes = tx.encode();
//! assert_eq!(SignedTx::decode(&bytes, MAX_TX_LEN)?, tx);
//! # Ok::<(), medledger_types::codec::CodecError>(())
//! ```
#![forbid(unsafe_code)]

pub mod blob_request;
pub mod block;
pub mod category;
pub mod certificate;
pub mod codec;
pub mod emergency;
pub mod epoch;
pub mod erasure;
pub mod error_code;
pub mod genesis;
pub mod grant;
pub mod hash;
pub mod link;
pub mod recovery;
pub mod size_bucket;
pub mod snapshot;
pub mod state;
pub mod tx;
pub mod validators;
