//! Signed blob requests are accepted once: a node remembers each request's (key, nonce) for as
//! long as its timestamp could be accepted, and refuses a second sight with 401 `replayed`.

use std::collections::HashMap;
use std::sync::Mutex;

use medledger_types::blob_request::{Auth, MAX_SKEW_MS, NONCE_LEN};
use medledger_types::hash::PublicKey;

/// Most requests remembered at once; beyond it, requests are refused until old ones expire
/// (a flood cannot make the node forget a nonce early).
const CAPACITY: usize = 1 << 20;

/// Why a request was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// This exact request was accepted before.
    Replayed,
    /// Too many requests in the window.
    Full,
}

/// The nonces seen within the acceptance window.
#[derive(Default)]
pub struct ReplayGuard {
    seen: Mutex<HashMap<(PublicKey, [u8; NONCE_LEN]), u64>>,
}

impl ReplayGuard {
    /// Admits `auth` (already verified) at `now_ms` once.
    pub fn admit(&self, auth: &Auth, now_ms: u64) -> Result<(), Seen> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= CAPACITY / 2 {
            seen.retain(|_, expires| *expires > now_ms);
        }
        if seen.len() >= CAPACITY {
            return Err(Seen::Full);
        }
        let expires = auth.timestamp_ms.saturating_add(MAX_SKEW_MS);
        match seen.insert((auth.key, auth.nonce), expires) {
            Some(_) => Err(Seen::Replayed),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_admitted_once_and_another_nonce_is_another_request() {
        let guard = ReplayGuard::default();
        let auth = Auth {
            key: PublicKey([1; 32]),
            timestamp_ms: 1_000,
            nonce: [2; NONCE_LEN],
            signature: [0; 64],
        };
        assert_eq!(guard.admit(&auth, 1_000), Ok(()));
        assert_eq!(guard.admit(&auth, 1_001), Err(Seen::Replayed));
        let other = Auth {
            nonce: [3; NONCE_LEN],
            ..auth
        };
        assert_eq!(guard.admit(&other, 1_002), Ok(()));
    }
}
