//! Opening a record while it downloads: the download hands each piece to a thread that
//! decrypts it into the saved file, so the network, the hash and the decryption run at once.
//! When the source drops a node's answer part-way (it was caught serving other bytes), the
//! opener is told, starts the file over and opens the next node's answer from its start.

use std::io::Read;
use std::sync::mpsc::Receiver;

use medwallet_crypto::AccountKeys;

use super::saving::{Check, SaveTarget, open_into};
use crate::error::WalletError;
use crate::records::RecordSummary;
use crate::store::StoreFailure;

/// What the download hands the opener.
pub(super) enum Piece {
    Bytes(Vec<u8>),
    /// What came so far is dropped; the next node's answer follows from its start.
    Restart,
}

/// The pieces of one answer as a reader: it ends where the download ends, and fails where a
/// restart comes.
struct Pieces {
    from: Receiver<Piece>,
    current: Vec<u8>,
    at: usize,
    restarted: bool,
}

impl Pieces {
    /// Reads past whatever the opener left of this answer: true if a restart follows it.
    fn restart_follows(&mut self) -> bool {
        self.current.clear();
        self.at = 0;
        loop {
            match self.from.recv() {
                Ok(Piece::Bytes(_)) => {}
                Ok(Piece::Restart) => return true,
                Err(_) => return false,
            }
        }
    }
}

impl Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            match self.from.recv() {
                Ok(Piece::Bytes(bytes)) => {
                    self.current = bytes;
                    self.at = 0;
                }
                Ok(Piece::Restart) => {
                    self.restarted = true;
                    return Err(std::io::Error::other("the download started over"));
                }
                // The download ended.
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Opens `record` from the pieces the download hands over into `out`, starting over at each
/// restart. The download's own verdict (the source's hash check, as the pieces arrived)
/// decides whether the result counts.
pub(super) fn open_streamed<W: SaveTarget>(
    keys: &AccountKeys,
    record: &RecordSummary,
    from: Receiver<Piece>,
    mut out: W,
) -> Result<(u64, W), WalletError> {
    let mut pieces = Pieces {
        from,
        current: Vec::new(),
        at: 0,
        restarted: false,
    };
    loop {
        let result =
            open_into(keys, record, &mut pieces, &mut out, Check::BySource, None).map(|(n, _)| n);
        let again = std::mem::take(&mut pieces.restarted) || pieces.restart_follows();
        if !again {
            return result.map(|written| (written, out));
        }
        out.restart()
            .map_err(|e| WalletError::LocalStorage(StoreFailure::new(e)))?;
    }
}
