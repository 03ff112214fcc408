//! A SMART Health Link's passcode on the ledger: a salted Argon2id hash with the parameters
//! fixed in `medledger_types::link`, so every node checks a guess the same way and nobody
//! reading the chain can test guesses faster than Argon2id lets them. The passcode is domain
//! separated (`medwallet/shl-passcode/v1`) so the hash is good for nothing else.

use argon2::{Algorithm, Argon2, Params, Version};
use medledger_types::link::{
    PASSCODE_ITERATIONS, PASSCODE_LANES, PASSCODE_MEMORY_KIB, PasscodeVerifier,
};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

const DOMAIN: &[u8] = b"medwallet/shl-passcode/v1\0";

fn hash(passcode: &str, salt: &[u8; 16]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    let mut input = Zeroizing::new(DOMAIN.to_vec());
    input.extend_from_slice(passcode.as_bytes());
    // The parameters are constants within Argon2's bounds, so neither call can fail; a failure
    // would leave the all-zero hash, which no verifier made here holds.
    if let Ok(params) = Params::new(
        PASSCODE_MEMORY_KIB,
        PASSCODE_ITERATIONS,
        PASSCODE_LANES,
        Some(32),
    ) {
        let _ = Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into(
            &input,
            salt,
            out.as_mut(),
        );
    }
    out
}

/// The verifier of `passcode`, under a fresh salt.
pub fn verifier<R: CryptoRng + ?Sized>(passcode: &str, rng: &mut R) -> PasscodeVerifier {
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    PasscodeVerifier {
        salt,
        hash: *hash(passcode, &salt),
    }
}

/// Whether `guess` is the passcode (compared in constant time).
pub fn matches(guess: &str, verifier: &PasscodeVerifier) -> bool {
    hash(guess, &verifier.salt).ct_eq(&verifier.hash).into()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn only_the_passcode_matches_and_salts_differ() {
        let mut rng = StdRng::seed_from_u64(1);
        let v = verifier("4711", &mut rng);
        assert!(matches("4711", &v));
        assert!(!matches("4712", &v) && !matches("", &v) && !matches("4711 ", &v));
        let again = verifier("4711", &mut rng);
        assert_ne!(again.salt, v.salt);
        assert_ne!(again.hash, v.hash, "a fresh salt, a fresh hash");
    }
}
