//! Account addresses in their text form: Bech32m (BIP-350) of the account id, which is SHA-256 of
//! the ed25519 verifying key (`medledger_types::hash::Address`, the one account type).
//!
//! ```text
//! address = bech32m(hrp = "mdw", data = SHA-256(ed25519 public key))   e.g. mdw1q8v…
//! ```
//!
//! The human-readable prefix says what the string is; Bech32m's checksum catches typos; the full
//! 32-byte digest keeps collision resistance at 128 bits.

use std::fmt;
use std::str::FromStr;

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32m, Hrp};
use ed25519_dalek::VerifyingKey;
use medledger_types::hash::{Address, PublicKey};
use thiserror::Error;

/// Human-readable prefix of account addresses (patients, doctors, clinics).
pub const ACCOUNT_HRP: &str = "mdw";
/// Length of an address's payload.
pub const ADDRESS_LEN: usize = 32;

/// Why a string is not an address or share code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Bech32Error {
    #[error("not valid Bech32m (typo or truncated?): {0}")]
    Encoding(String),
    #[error("expected a string starting with `{expected}1`, found prefix `{found}`")]
    WrongPrefix {
        expected: &'static str,
        found: String,
    },
    #[error("wrong payload length: {0} bytes")]
    WrongLength(usize),
    #[error("unsupported version {0}")]
    UnsupportedVersion(u8),
    #[error("contains an invalid public key")]
    InvalidKey,
}

/// Decodes a Bech32m string with the expected prefix (strictly Bech32m, not legacy Bech32).
pub(crate) fn decode_bech32m(s: &str, hrp: &'static str) -> Result<Vec<u8>, Bech32Error> {
    let checked = CheckedHrpstring::new::<Bech32m>(s.trim())
        .map_err(|e| Bech32Error::Encoding(e.to_string()))?;
    let found = checked.hrp();
    if !found.as_str().eq_ignore_ascii_case(hrp) {
        return Err(Bech32Error::WrongPrefix {
            expected: hrp,
            found: found.to_lowercase(),
        });
    }
    Ok(checked.byte_iter().collect())
}

/// Encodes bytes as lowercase Bech32m under a fixed, valid prefix.
pub(crate) fn encode_bech32m(hrp: &'static str, data: &[u8]) -> String {
    let hrp = match Hrp::parse(hrp) {
        Ok(hrp) => hrp,
        Err(_) => unreachable!("prefixes are compile-time constants"),
    };
    match bech32::encode::<Bech32m>(hrp, data) {
        Ok(s) => s,
        Err(_) => unreachable!("payloads are fixed-size and far below the code length"),
    }
}

/// An account's address as people read and type it (`mdw1…`): the account id, in Bech32m.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bech32Address(Address);

impl Bech32Address {
    /// The address of a verifying key.
    pub fn of(key: &VerifyingKey) -> Self {
        Self(Address::of(&PublicKey(key.to_bytes())))
    }

    /// The text form of an account id (as stored on the ledger).
    pub const fn from_account(account: Address) -> Self {
        Self(account)
    }

    /// The account id.
    pub const fn account(&self) -> Address {
        self.0
    }
}

impl From<Address> for Bech32Address {
    fn from(account: Address) -> Self {
        Self(account)
    }
}

impl fmt::Display for Bech32Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_bech32m(ACCOUNT_HRP, self.0.as_bytes()))
    }
}

impl fmt::Debug for Bech32Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bech32Address({self})")
    }
}

impl FromStr for Bech32Address {
    type Err = Bech32Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let data = decode_bech32m(s, ACCOUNT_HRP)?;
        let bytes: [u8; ADDRESS_LEN] = data
            .as_slice()
            .try_into()
            .map_err(|_| Bech32Error::WrongLength(data.len()))?;
        Ok(Self(Address(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use proptest::prelude::*;

    fn sample() -> Bech32Address {
        Bech32Address::of(&SigningKey::from_bytes(&[5; 32]).verifying_key())
    }

    #[test]
    fn display_parses_back_and_starts_with_prefix() {
        let a = sample();
        let s = a.to_string();
        assert!(s.starts_with("mdw1"), "{s}");
        assert_eq!(s.parse::<Bech32Address>(), Ok(a));
        assert_eq!(s.to_uppercase().parse::<Bech32Address>(), Ok(a));
    }

    #[test]
    fn a_typo_is_caught_by_the_checksum() {
        let s = sample().to_string();
        let mut chars: Vec<char> = s.chars().collect();
        let i = chars.len() - 10;
        chars[i] = if chars[i] == 'q' { 'p' } else { 'q' };
        let typo: String = chars.into_iter().collect();
        assert!(matches!(
            typo.parse::<Bech32Address>(),
            Err(Bech32Error::Encoding(_))
        ));
    }

    #[test]
    fn another_prefix_is_rejected() {
        let other = encode_bech32m("mdwshare", &[0; 32]);
        assert!(matches!(
            other.parse::<Bech32Address>(),
            Err(Bech32Error::WrongPrefix { found, .. }) if found == "mdwshare"
        ));
    }

    #[test]
    fn wrong_length_is_rejected() {
        let short = encode_bech32m(ACCOUNT_HRP, &[0; 20]);
        assert_eq!(
            short.parse::<Bech32Address>(),
            Err(Bech32Error::WrongLength(20))
        );
    }

    proptest! {
        #[test]
        fn any_address_round_trips(bytes in any::<[u8; 32]>()) {
            let a = Bech32Address::from_account(Address(bytes));
            prop_assert_eq!(a.to_string().parse::<Bech32Address>(), Ok(a));
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in ".{0,120}") {
            let _ = s.parse::<Bech32Address>();
        }
    }
}
