//! Share codes: what a patient hands a clinic or doctor (as text or QR) so they can encrypt to
//! the patient without ever having met them.
//!
//! ```text
//! share code = bech32m(hrp = "mdwshare", data = version || ed25519 public key || x25519 public key)
//!              version: 1 byte (0x01), keys: 32 bytes each -> 65-byte payload, 118 characters
//! ```
//!
//! The address is carried implicitly: it is the hash of the signing key inside, so a share code
//! cannot name one account while carrying another account's signing key.

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::VerifyingKey;
use x25519_dalek::PublicKey as X25519Public;

use crate::address::{Bech32Address, Bech32Error, decode_bech32m, encode_bech32m};
use crate::keys::PublicKeys;

/// Human-readable prefix of share codes.
pub const SHARE_HRP: &str = "mdwshare";
const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 1 + 32 + 32;

/// An account's public keys in a form people can pass around.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareCode(PublicKeys);

impl ShareCode {
    /// The share code of an account.
    pub fn new(keys: PublicKeys) -> Self {
        Self(keys)
    }

    /// The keys inside.
    pub fn public_keys(&self) -> &PublicKeys {
        &self.0
    }

    /// The address of the account this code belongs to.
    pub fn address(&self) -> Bech32Address {
        self.0.address()
    }

    /// The id of the account this code belongs to.
    pub fn account(&self) -> medledger_types::hash::Address {
        self.0.account()
    }
}

impl PublicKeys {
    /// The code a patient gives a clinic or doctor so they can encrypt to them. (Defined here,
    /// beside the format, so keys do not depend on their text form.)
    pub fn share_code(&self) -> ShareCode {
        ShareCode::new(*self)
    }
}

impl fmt::Display for ShareCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut data = [0u8; PAYLOAD_LEN];
        data[0] = VERSION;
        data[1..33].copy_from_slice(self.0.signing.as_bytes());
        data[33..].copy_from_slice(self.0.receiving.as_bytes());
        f.write_str(&encode_bech32m(SHARE_HRP, &data))
    }
}

impl FromStr for ShareCode {
    type Err = Bech32Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let data = decode_bech32m(s, SHARE_HRP)?;
        let (&version, rest) = data.split_first().ok_or(Bech32Error::WrongLength(0))?;
        if version != VERSION {
            return Err(Bech32Error::UnsupportedVersion(version));
        }
        if data.len() != PAYLOAD_LEN {
            return Err(Bech32Error::WrongLength(data.len()));
        }
        let (signing, receiving) = rest.split_at(32);
        let signing: [u8; 32] = signing.try_into().map_err(|_| Bech32Error::InvalidKey)?;
        let receiving: [u8; 32] = receiving.try_into().map_err(|_| Bech32Error::InvalidKey)?;
        let signing = VerifyingKey::from_bytes(&signing).map_err(|_| Bech32Error::InvalidKey)?;
        // Weak (small-order) signing keys would let anyone forge "their" signatures.
        if signing.is_weak() {
            return Err(Bech32Error::InvalidKey);
        }
        // An all-zero x25519 key makes every shared secret zero; HPKE rejects the rest of the
        // low-order points itself when wrapping.
        if receiving == [0u8; 32] {
            return Err(Bech32Error::InvalidKey);
        }
        Ok(Self(PublicKeys {
            signing,
            receiving: X25519Public::from(receiving),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::AccountKeys;
    use crate::mnemonic::RecoveryPhrase;
    use proptest::prelude::*;

    fn keys(seed: u8) -> PublicKeys {
        AccountKeys::derive(&RecoveryPhrase::from_entropy(&[seed; 32])).public()
    }

    #[test]
    fn round_trips_and_names_the_same_address() {
        let public = keys(4);
        let code = public.share_code();
        let text = code.to_string();
        assert!(text.starts_with("mdwshare1"));
        let parsed: ShareCode = text.parse().expect("valid");
        assert_eq!(parsed, code);
        assert_eq!(parsed.address(), public.address());
    }

    #[test]
    fn an_address_is_not_a_share_code() {
        let addr = keys(4).address().to_string();
        assert!(matches!(
            addr.parse::<ShareCode>(),
            Err(Bech32Error::WrongPrefix { .. })
        ));
    }

    #[test]
    fn unknown_version_and_bad_length_are_rejected() {
        let mut data = vec![2u8];
        data.extend_from_slice(&[1; 64]);
        let v2 = encode_bech32m(SHARE_HRP, &data);
        assert_eq!(
            v2.parse::<ShareCode>(),
            Err(Bech32Error::UnsupportedVersion(2))
        );
        let short = encode_bech32m(SHARE_HRP, &[1u8; 10]);
        assert_eq!(
            short.parse::<ShareCode>(),
            Err(Bech32Error::WrongLength(10))
        );
        let empty = encode_bech32m(SHARE_HRP, &[]);
        assert_eq!(empty.parse::<ShareCode>(), Err(Bech32Error::WrongLength(0)));
    }

    #[test]
    fn weak_or_zero_keys_are_rejected() {
        let good = keys(4);
        // The identity point is a small-order ed25519 key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut data = vec![VERSION];
        data.extend_from_slice(&identity);
        data.extend_from_slice(good.receiving.as_bytes());
        let weak = encode_bech32m(SHARE_HRP, &data);
        assert_eq!(weak.parse::<ShareCode>(), Err(Bech32Error::InvalidKey));

        let mut data = vec![VERSION];
        data.extend_from_slice(good.signing.as_bytes());
        data.extend_from_slice(&[0u8; 32]);
        let zero = encode_bech32m(SHARE_HRP, &data);
        assert_eq!(zero.parse::<ShareCode>(), Err(Bech32Error::InvalidKey));
    }

    proptest! {
        #[test]
        fn any_account_share_code_round_trips(entropy in any::<[u8; 32]>()) {
            let public = AccountKeys::derive(&RecoveryPhrase::from_entropy(&entropy)).public();
            let parsed: ShareCode = public.share_code().to_string().parse().expect("valid");
            prop_assert_eq!(parsed.public_keys(), &public);
        }

        #[test]
        fn decoding_arbitrary_payloads_never_panics(data in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = encode_bech32m(SHARE_HRP, &data).parse::<ShareCode>();
        }
    }
}
