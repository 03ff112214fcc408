//! Medwallet's cryptography, with no I/O of its own: randomness is passed in, bytes go in and
//! out, files and networks belong to other crates.
//!
//! * [`mnemonic`]: the 24-word recovery phrase (BIP-39), the only secret a patient backs up.
//! * [`keys`]: an ed25519 signing key and a separate x25519 receiving key, derived from it.
//! * [`address`] and [`share_code`]: Bech32m strings people pass around.
//! * [`namespace`]: every signature carries a domain-separation prefix.
//! * [`keystore`]: the phrase under a password (Argon2id + ChaCha20-Poly1305).
//! * [`envelope`]: records sealed once under a content key (STREAM), the key wrapped per
//!   recipient (HPKE, RFC 9180).
//! * [`emergency`]: an emergency set's key split among the validators, released to a clinician.
//! * [`guardian`]: the phrase split among guardians (Shamir's scheme), shares sealed to each.
//! * [`passcode`]: a SMART Health Link passcode's salted Argon2id verifier.
//! * [`device_join`]: the phrase handed to a new device, authenticated by a code (SPAKE2).
//!
//! # Example: a clinic seals a record to a patient, who later shares it with a doctor
//!
//! ```
//! use medwallet_crypto::envelope::{self, ContentKey, Identity, Recipient, X25519Recipient};
//! use medwallet_crypto::{AccountKeys, RecoveryPhrase, ShareCode};
//! use rand::SeedableRng;
//!
//! let mut rng = rand::rngs::StdRng::seed_from_u64(1); // use the OS RNG in real code
//! let patient = AccountKeys::derive(&RecoveryPhrase::generate(&mut rng));
//! let doctor = AccountKeys::derive(&RecoveryPhrase::generate(&mut rng));
//!
//! // The clinic knows only the patient's share code.
//! let code: ShareCode = patient.public().share_code().to_string().parse()?;
//! let record = br#"{"resourceType":"Bundle","type":"collection","entry":[]}"#;
//! let key = ContentKey::generate(&mut rng);
//! let mut blob = Vec::new();
//! envelope::seal_payload(&key, &mut rng, &record[..], &mut blob)?;
//! let for_patient = X25519Recipient::new(code.public_keys().receiving).wrap(&key, b"record-1", &mut rng)?;
//!
//! // The patient opens it, then grants the doctor access by wrapping the same key again.
//! let key = patient.identity().unwrap(&for_patient, b"record-1")?;
//! let for_doctor = X25519Recipient::new(doctor.public().receiving).wrap(&key, b"record-1", &mut rng)?;
//!
//! let doctor_key = doctor.identity().unwrap(&for_doctor, b"record-1")?;
//! let mut opened = Vec::new();
//! envelope::open_payload(&doctor_key, &blob[..], &mut opened)?;
//! assert_eq!(opened, record);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod address;
pub mod device_join;
pub mod emergency;
pub mod envelope;
pub mod guardian;
pub mod keys;
pub mod keystore;
pub mod mnemonic;
pub mod namespace;
pub mod pairwise;
pub mod passcode;
pub mod shamir;
pub mod share_code;

pub use address::{Bech32Address, Bech32Error};
pub use keys::{AccountKeys, PublicKeys};
pub use keystore::{KdfParams, Keystore, KeystoreError};
pub use mnemonic::{PhraseError, RecoveryPhrase};
pub use namespace::{BadSignature, Namespace, sign, verify};
pub use share_code::ShareCode;

/// Re-exported so callers name key types from one place.
pub use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
pub use x25519_dalek::PublicKey as X25519PublicKey;
