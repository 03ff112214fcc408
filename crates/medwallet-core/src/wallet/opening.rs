//! Opening a ciphertext into a file as it is read, in constant memory: from a kept copy (its
//! hash checked on a thread of its own, beside the decryption), or from a download as it
//! arrives (the download hands each piece to the thread that decrypts it). When the source
//! drops a node's answer part-way (it was caught serving other bytes), the opener is told,
//! starts the file over and opens the next node's answer from its start.

use std::io::{Read, Write};
use std::sync::mpsc::Receiver;

use medledger_client::background_hash::BackgroundHash;
use medledger_client::padded::open_padded_stream;
use medledger_types::hash::Sha256Digest;
use medwallet_crypto::envelope::{ContentKey, EnvelopeError};

use super::saving::{SaveProgress, SaveTarget, TELL_EVERY};
use crate::error::WalletError;
use crate::store::StoreFailure;

/// What a ciphertext must be: the ledger's length and hash, and the record it is (to name it).
#[derive(Clone, Debug)]
pub(super) struct Expected {
    pub record: String,
    pub blob: Sha256Digest,
    pub len: u64,
}

/// How [`open_into`] knows the ciphertext is the ledger's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Check {
    /// It hashes what it reads (a kept copy, which may have been damaged since).
    Hash,
    /// The source hashed it as it arrived, and its verdict decides (a download).
    BySource,
}

/// Opens `ciphertext` under `key` into `out`, checking its length (and, by `check`, its hash)
/// against `expected` as it is read; telling `progress`, if given, how far it is.
pub(super) fn open_into<R: Read, W: Write>(
    key: &ContentKey,
    expected: &Expected,
    ciphertext: R,
    mut out: W,
    check: Check,
    progress: Option<&dyn Fn(SaveProgress)>,
) -> Result<(u64, W), WalletError> {
    let mut reading = Checked {
        inner: ciphertext,
        // On a thread of its own, beside the decryption.
        hasher: (check == Check::Hash).then(BackgroundHash::default),
        read: 0,
        told: 0,
        of: expected.len,
        progress,
    };
    let opened = open_padded_stream(key, &mut reading, &mut out);
    let hashed = match reading.hasher.take() {
        Some(hasher) => hasher.finish().ok() == Some(expected.blob.0),
        None => true,
    };
    let whole = reading.read == expected.len && hashed;
    let written = match opened {
        Ok(written) if whole => written,
        Err(EnvelopeError::Io(e)) => return Err(WalletError::LocalStorage(StoreFailure::new(e))),
        // A wrong copy is named as one whichever check caught it: it is not the ledger's.
        Ok(_) | Err(_) => return Err(WalletError::WrongCiphertext(expected.record.clone())),
    };
    out.flush()
        .map_err(|e| WalletError::LocalStorage(StoreFailure::new(e)))?;
    Ok((written, out))
}

/// A ciphertext as it is read: hashed, counted, and its progress told.
struct Checked<'a, R> {
    inner: R,
    hasher: Option<BackgroundHash>,
    read: u64,
    told: u64,
    of: u64,
    progress: Option<&'a dyn Fn(SaveProgress)>,
}

impl<R: Read> Read for Checked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &self.hasher {
            hasher.update(&buf[..n])?;
        }
        self.read += n as u64;
        if let Some(progress) = self.progress
            && (self.read - self.told >= TELL_EVERY || (n == 0 && self.told != self.read))
        {
            self.told = self.read;
            progress(SaveProgress::Opening {
                done: self.read,
                of: self.of,
            });
        }
        Ok(n)
    }
}

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

/// Opens the pieces the download hands over into `out`, starting over at each restart. The
/// download's own verdict (the source's hash check, as the pieces arrived) decides whether the
/// result counts.
pub(super) fn open_streamed<W: SaveTarget>(
    key: &ContentKey,
    expected: &Expected,
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
            open_into(key, expected, &mut pieces, &mut out, Check::BySource, None).map(|(n, _)| n);
        let again = std::mem::take(&mut pieces.restarted) || pieces.restart_follows();
        if !again {
            return result.map(|written| (written, out));
        }
        out.restart()
            .map_err(|e| WalletError::LocalStorage(StoreFailure::new(e)))?;
    }
}
