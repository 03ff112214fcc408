//! SHA-256 taken on a thread of its own while the caller seals or opens the same bytes: a
//! large record's hash and its encryption then cost one core's time each, side by side,
//! rather than one after the other.

use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// Pieces waiting for the hasher (a few MiB at most).
const PIECES_WAITING: usize = 16;

/// A SHA-256 being taken on another thread.
pub struct BackgroundHash {
    to: SyncSender<Vec<u8>>,
    hashing: JoinHandle<[u8; 32]>,
}

impl Default for BackgroundHash {
    fn default() -> Self {
        let (to, pieces) = sync_channel::<Vec<u8>>(PIECES_WAITING);
        let hashing = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            for piece in pieces {
                hasher.update(&piece);
            }
            hasher.finalize().into()
        });
        Self { to, hashing }
    }
}

impl BackgroundHash {
    /// Hashes `bytes` next (waits while the hasher is behind).
    pub fn update(&self, bytes: &[u8]) -> std::io::Result<()> {
        self.to
            .send(bytes.to_vec())
            .map_err(|_| std::io::Error::other("the hash stopped"))
    }

    /// The hash of everything given.
    pub fn finish(self) -> std::io::Result<[u8; 32]> {
        drop(self.to);
        self.hashing
            .join()
            .map_err(|_| std::io::Error::other("the hash stopped"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_of_the_pieces_in_order() {
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let hash = BackgroundHash::default();
        for piece in bytes.chunks(7_001) {
            hash.update(piece).expect("update");
        }
        assert_eq!(
            hash.finish().expect("hash"),
            <[u8; 32]>::from(Sha256::digest(&bytes))
        );
    }
}
