//! The recovery phrase: 24 English BIP-39 words, the only secret a patient must back up.
//!
//! Everything else (signing key, receiving key) is derived from it, see [`crate::keys`].

use bip39::{Language, Mnemonic};
use rand_core::CryptoRng;
use thiserror::Error;
use zeroize::Zeroizing;

/// Number of words; 24 words carry 256 bits of entropy.
pub const WORD_COUNT: usize = 24;
/// Entropy behind the 24 words.
pub const ENTROPY_LEN: usize = 32;

/// A phrase was rejected. The variants say what to fix without echoing the phrase.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PhraseError {
    #[error("a recovery phrase has 24 words, this one has {0}")]
    WordCount(usize),
    #[error("word number {0} is not in the BIP-39 English word list")]
    UnknownWord(usize),
    #[error(
        "the words do not form a valid recovery phrase (checksum mismatch): check their order and spelling"
    )]
    Checksum,
}

/// 256 bits of BIP-39 entropy, wiped on drop. Deliberately no `Debug`, `Clone` or `Serialize`.
pub struct RecoveryPhrase {
    entropy: Zeroizing<[u8; ENTROPY_LEN]>,
}

impl RecoveryPhrase {
    /// A fresh phrase from the caller's cryptographic RNG.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut entropy = Zeroizing::new([0u8; ENTROPY_LEN]);
        rng.fill_bytes(entropy.as_mut());
        Self { entropy }
    }

    /// The phrase for given entropy (used by the keystore, which stores entropy, not words).
    pub fn from_entropy(entropy: &[u8; ENTROPY_LEN]) -> Self {
        Self {
            entropy: Zeroizing::new(*entropy),
        }
    }

    /// Parses words typed by a person: case and extra white space are forgiven, nothing else.
    pub fn parse(words: &str) -> Result<Self, PhraseError> {
        let normalized = Zeroizing::new(
            words
                .split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join(" "),
        );
        let count = normalized.split(' ').filter(|w| !w.is_empty()).count();
        if count != WORD_COUNT {
            return Err(PhraseError::WordCount(count));
        }
        let mnemonic =
            Mnemonic::parse_in(Language::English, normalized.as_str()).map_err(|e| match e {
                bip39::Error::UnknownWord(i) => PhraseError::UnknownWord(i + 1),
                bip39::Error::BadWordCount(n) => PhraseError::WordCount(n),
                _ => PhraseError::Checksum,
            })?;
        let (bytes, len) = mnemonic.to_entropy_array();
        let bytes = Zeroizing::new(bytes);
        if len != ENTROPY_LEN {
            return Err(PhraseError::WordCount(mnemonic.word_count()));
        }
        let mut entropy = Zeroizing::new([0u8; ENTROPY_LEN]);
        entropy.copy_from_slice(&bytes[..ENTROPY_LEN]);
        Ok(Self { entropy })
    }

    /// The 24 words separated by single spaces. Show once, never log.
    pub fn words(&self) -> Zeroizing<String> {
        Zeroizing::new(self.mnemonic().words().collect::<Vec<_>>().join(" "))
    }

    /// The raw entropy (what the keystore encrypts).
    pub fn entropy(&self) -> &[u8; ENTROPY_LEN] {
        &self.entropy
    }

    /// The BIP-39 seed (PBKDF2-HMAC-SHA512, empty passphrase) that keys are derived from.
    pub(crate) fn seed(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.mnemonic().to_seed_normalized(""))
    }

    fn mnemonic(&self) -> Mnemonic {
        // Entropy of 32 bytes is always valid BIP-39 entropy, so this cannot fail.
        match Mnemonic::from_entropy_in(Language::English, self.entropy.as_ref()) {
            Ok(m) => m,
            Err(_) => unreachable!("32 bytes is a valid BIP-39 entropy length"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    // BIP-39 reference vector (Trezor), 256-bit entropy of 0x7f bytes.
    const VECTOR_WORDS: &str = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title";

    #[test]
    fn reference_vector_round_trips() {
        let phrase = RecoveryPhrase::parse(VECTOR_WORDS).expect("valid vector");
        assert_eq!(phrase.entropy(), &[0x7f; 32]);
        assert_eq!(phrase.words().as_str(), VECTOR_WORDS);
    }

    #[test]
    fn parse_forgives_case_and_spacing() {
        let messy = format!("  {}\n", VECTOR_WORDS.to_uppercase().replace(' ', "   "));
        let phrase = RecoveryPhrase::parse(&messy).expect("normalized");
        assert_eq!(phrase.entropy(), &[0x7f; 32]);
    }

    #[test]
    fn generated_phrase_has_24_words_and_parses_back() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let phrase = RecoveryPhrase::generate(&mut rng);
        let words = phrase.words();
        assert_eq!(words.split(' ').count(), WORD_COUNT);
        let again = RecoveryPhrase::parse(&words).expect("round trip");
        assert_eq!(again.entropy(), phrase.entropy());
    }

    #[test]
    fn wrong_word_count_is_reported() {
        let twelve = VECTOR_WORDS
            .split(' ')
            .take(12)
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            RecoveryPhrase::parse(&twelve).err(),
            Some(PhraseError::WordCount(12))
        );
    }

    #[test]
    fn unknown_word_is_located() {
        let bad = VECTOR_WORDS.replacen("winner", "winnerr", 1);
        assert_eq!(
            RecoveryPhrase::parse(&bad).err(),
            Some(PhraseError::UnknownWord(2))
        );
    }

    #[test]
    fn swapped_words_fail_the_checksum() {
        let mut words: Vec<&str> = VECTOR_WORDS.split(' ').collect();
        words.swap(0, 1);
        assert_eq!(
            RecoveryPhrase::parse(&words.join(" ")).err(),
            Some(PhraseError::Checksum)
        );
    }
}
