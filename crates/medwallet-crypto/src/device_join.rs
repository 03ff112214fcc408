//! Joining a device: the unlocked device hands the recovery phrase to a new one over the nodes'
//! mailbox (short-lived slots outside the ledger), the exchange authenticated by a code the
//! person carries from one screen to the other, typed or scanned as a QR. Not the words typed
//! again: the code is good for one exchange and ten minutes.
//!
//! ```text
//! code          = nameplate (5 digits) "-" three BIP-39 words      e.g. 31874-ocean-velvet-ranch
//! slot(role)    = SHA-256("medwallet/device-join/slot/v1" ‖ nameplate (u32) ‖ role)
//!                 role: "old", "new", "phrase"
//! old → slot(old)      X = SPAKE2 message A (Ed25519 group, password = the code,
//!                          ids "medwallet/device-join/old/v1" and "medwallet/device-join/new/v1")
//! new → slot(new)      Y = SPAKE2 message B  ‖  HMAC-SHA256(confirm key, "new device")
//! k                    = SPAKE2 key;  keys = HKDF-SHA256(salt = SHA-256(X ‖ Y), ikm = k, info)
//!                        info: "medwallet/device-join/{confirm,check,phrase}/v1"
//! old                  checks the confirmation: a wrong code, or someone guessing it, ends here
//! both screens         the check code: 6 digits of the check key
//! old → slot(phrase)   ChaCha20-Poly1305(phrase key, nonce, entropy, AAD = SHA-256(X ‖ Y)),
//!                      sent only once the person says both screens show the same check code
//! ```
//!
//! SPAKE2 gives a network attacker (a node included) one guess at the code per exchange, and
//! the old device ends the exchange after one failed confirmation. Someone who saw the code (a
//! photo of the QR) could answer before the new device does; the check code, compared on both
//! screens before anything is sent, catches that.

use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use spake2::{Ed25519Group, Identity, Password, Spake2};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::mnemonic::{ENTROPY_LEN, RecoveryPhrase};

/// Nameplates are 0..NAMEPLATES (five digits).
pub const NAMEPLATES: u32 = 100_000;
/// Words in a code, after the nameplate (33 bits).
pub const CODE_WORDS: usize = 3;
/// How long a code is good for; nodes drop the slots after it.
pub const JOIN_TTL_MS: u64 = 10 * 60 * 1000;
/// Length of the new device's answer: a SPAKE2 message and a confirmation.
pub const ANSWER_LEN: usize = SPAKE2_MSG_LEN + CONFIRM_LEN;
/// Length of a SPAKE2 message (a side byte and a group element).
pub const SPAKE2_MSG_LEN: usize = 33;
/// Length of the sealed phrase: nonce, entropy, tag.
pub const SEALED_PHRASE_LEN: usize = NONCE_LEN + ENTROPY_LEN + 16;

const CONFIRM_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const SLOT_TAG: &[u8] = b"medwallet/device-join/slot/v1";
const ID_OLD: &[u8] = b"medwallet/device-join/old/v1";
const ID_NEW: &[u8] = b"medwallet/device-join/new/v1";
const CONFIRM_INFO: &[u8] = b"medwallet/device-join/confirm/v1";
const CHECK_INFO: &[u8] = b"medwallet/device-join/check/v1";
const PHRASE_INFO: &[u8] = b"medwallet/device-join/phrase/v1";
const CONFIRM_MESSAGE: &[u8] = b"new device";

/// Why a join failed. Coarse on purpose: a wrong code and an impostor look the same.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinError {
    #[error("a device code is five digits and three words, like 31874-ocean-velvet-ranch")]
    Code,
    #[error(
        "the other device did not prove it holds the code (mistyped, or someone else answered)"
    )]
    Unconfirmed,
    #[error("a malformed message: {0}")]
    Malformed(&'static str),
    #[error("the phrase does not open with this exchange's key")]
    Sealed,
}

/// The mailbox slots of one exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// The old device's SPAKE2 message.
    Old,
    /// The new device's answer.
    New,
    /// The sealed phrase.
    Phrase,
}

impl Slot {
    fn role(self) -> &'static [u8] {
        match self {
            Slot::Old => b"old",
            Slot::New => b"new",
            Slot::Phrase => b"phrase",
        }
    }
}

/// The code a person carries from the unlocked device to the new one.
#[derive(Clone, PartialEq, Eq)]
pub struct JoinCode {
    nameplate: u32,
    words: [u16; CODE_WORDS],
}

impl JoinCode {
    /// A fresh code.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 4 + 2 * CODE_WORDS];
        rng.fill_bytes(&mut bytes);
        let nameplate = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % NAMEPLATES;
        let mut words = [0u16; CODE_WORDS];
        for (i, w) in words.iter_mut().enumerate() {
            *w = u16::from_be_bytes([bytes[4 + 2 * i], bytes[5 + 2 * i]]) % 2048;
        }
        Self { nameplate, words }
    }

    /// Reads a code as a person typed it: case, spaces and extra dashes aside.
    pub fn parse(text: &str) -> Result<Self, JoinError> {
        let text = text.trim().to_ascii_lowercase();
        let text = text.strip_prefix("medwallet:join:").unwrap_or(&text);
        let mut parts = text
            .split(|c: char| c == '-' || c.is_whitespace())
            .filter(|p| !p.is_empty());
        let nameplate = parts
            .next()
            .filter(|p| p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|n| *n < NAMEPLATES)
            .ok_or(JoinError::Code)?;
        let mut words = [0u16; CODE_WORDS];
        for w in &mut words {
            let word = parts.next().ok_or(JoinError::Code)?;
            *w = bip39::Language::English
                .find_word(word)
                .ok_or(JoinError::Code)?;
        }
        if parts.next().is_some() {
            return Err(JoinError::Code);
        }
        Ok(Self { nameplate, words })
    }

    /// What a QR of the code holds (a scanner that opens it knows it is Medwallet's).
    pub fn qr_text(&self) -> String {
        format!("medwallet:join:{self}")
    }

    /// The mailbox slot `slot` of this code's exchange.
    pub fn slot(&self, slot: Slot) -> [u8; 32] {
        Sha256::new()
            .chain_update(SLOT_TAG)
            .chain_update(self.nameplate.to_be_bytes())
            .chain_update(slot.role())
            .finalize()
            .into()
    }

    fn password(&self) -> Password {
        Password::new(self.to_string().as_bytes())
    }
}

impl std::fmt::Display for JoinCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = bip39::Language::English.word_list();
        write!(f, "{:05}", self.nameplate)?;
        for w in self.words {
            write!(f, "-{}", list[usize::from(w)])?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for JoinCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The code is a secret while its exchange runs.
        write!(f, "JoinCode({:05}-…)", self.nameplate)
    }
}

/// The unlocked device's side, between sending its message and reading the answer.
pub struct OldDevice {
    spake: Spake2<Ed25519Group>,
    message: Vec<u8>,
}

impl OldDevice {
    /// Starts the exchange: the message to put in [`Slot::Old`].
    pub fn start<R: CryptoRng + ?Sized>(code: &JoinCode, rng: &mut R) -> (Self, Vec<u8>) {
        let (spake, message) = Spake2::<Ed25519Group>::start_a_with_rng(
            &code.password(),
            &Identity::new(ID_OLD),
            &Identity::new(ID_NEW),
            rng,
        );
        (
            Self {
                spake,
                message: message.clone(),
            },
            message,
        )
    }

    /// Reads the new device's answer (from [`Slot::New`]): the session if it proves it holds
    /// the code. One answer per exchange: on failure, start again with a new code.
    pub fn finish(self, answer: &[u8]) -> Result<JoinSession, JoinError> {
        if answer.len() != ANSWER_LEN {
            return Err(JoinError::Malformed("an answer's length"));
        }
        let (theirs, confirmation) = answer.split_at(SPAKE2_MSG_LEN);
        let key = Zeroizing::new(
            self.spake
                .finish(theirs)
                .map_err(|_| JoinError::Malformed("a SPAKE2 message"))?,
        );
        let session = JoinSession::derive(&key, &self.message, theirs);
        let mut mac = session.confirm_mac();
        mac.update(CONFIRM_MESSAGE);
        // Constant time: the tag is compared by the `Mac` implementation.
        mac.verify_slice(confirmation)
            .map_err(|_| JoinError::Unconfirmed)?;
        Ok(session)
    }
}

/// The new device's side: reads the old device's message (from [`Slot::Old`]) and answers
/// (into [`Slot::New`]).
pub fn answer<R: CryptoRng + ?Sized>(
    code: &JoinCode,
    theirs: &[u8],
    rng: &mut R,
) -> Result<(JoinSession, Vec<u8>), JoinError> {
    if theirs.len() != SPAKE2_MSG_LEN {
        return Err(JoinError::Malformed("a SPAKE2 message's length"));
    }
    let (spake, message) = Spake2::<Ed25519Group>::start_b_with_rng(
        &code.password(),
        &Identity::new(ID_OLD),
        &Identity::new(ID_NEW),
        rng,
    );
    let key = Zeroizing::new(
        spake
            .finish(theirs)
            .map_err(|_| JoinError::Malformed("a SPAKE2 message"))?,
    );
    let session = JoinSession::derive(&key, theirs, &message);
    let mut mac = session.confirm_mac();
    mac.update(CONFIRM_MESSAGE);
    let answer = [message.as_slice(), &mac.finalize().into_bytes()].concat();
    Ok((session, answer))
}

/// The keys both devices share once the exchange ran. Zeroized on drop; no `Debug`.
pub struct JoinSession {
    confirm: Zeroizing<[u8; 32]>,
    check: Zeroizing<[u8; 32]>,
    phrase: Zeroizing<[u8; 32]>,
    transcript: [u8; 32],
}

impl JoinSession {
    fn derive(key: &[u8], old: &[u8], new: &[u8]) -> Self {
        let transcript: [u8; 32] = Sha256::new()
            .chain_update(old)
            .chain_update(new)
            .finalize()
            .into();
        let hk = Hkdf::<Sha256>::new(Some(&transcript), key);
        let expand = |info: &[u8]| {
            let mut out = Zeroizing::new([0u8; 32]);
            if hk.expand(info, out.as_mut()).is_err() {
                unreachable!("32 bytes are within HKDF-SHA256's bound");
            }
            out
        };
        Self {
            confirm: expand(CONFIRM_INFO),
            check: expand(CHECK_INFO),
            phrase: expand(PHRASE_INFO),
            transcript,
        }
    }

    fn confirm_mac(&self) -> Hmac<Sha256> {
        let Ok(mac) = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(self.confirm.as_ref()) else {
            unreachable!("HMAC takes a key of any length");
        };
        mac
    }

    /// The check code both screens show ("482 913"): the person compares them before the
    /// phrase is sent.
    pub fn check_code(&self) -> String {
        let n = u32::from_be_bytes([self.check[0], self.check[1], self.check[2], self.check[3]])
            % 1_000_000;
        format!("{:03} {:03}", n / 1000, n % 1000)
    }

    /// The phrase sealed for the new device (into [`Slot::Phrase`]).
    pub fn seal_phrase<R: CryptoRng + ?Sized>(
        &self,
        phrase: &RecoveryPhrase,
        rng: &mut R,
    ) -> Result<Vec<u8>, JoinError> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let sealed = ChaCha20Poly1305::new(&(*self.phrase).into())
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: phrase.entropy(),
                    aad: &self.transcript,
                },
            )
            .map_err(|_| JoinError::Sealed)?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// Opens the phrase the old device sealed.
    pub fn open_phrase(&self, sealed: &[u8]) -> Result<RecoveryPhrase, JoinError> {
        if sealed.len() != SEALED_PHRASE_LEN {
            return Err(JoinError::Malformed("a sealed phrase's length"));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let mut n = [0u8; NONCE_LEN];
        n.copy_from_slice(nonce);
        let entropy = Zeroizing::new(
            ChaCha20Poly1305::new(&(*self.phrase).into())
                .decrypt(
                    &n.into(),
                    Payload {
                        msg: ciphertext,
                        aad: &self.transcript,
                    },
                )
                .map_err(|_| JoinError::Sealed)?,
        );
        let entropy: &[u8; ENTROPY_LEN] = entropy
            .as_slice()
            .try_into()
            .map_err(|_| JoinError::Malformed("the phrase's length"))?;
        Ok(RecoveryPhrase::from_entropy(entropy))
    }
}

#[cfg(test)]
mod tests;
