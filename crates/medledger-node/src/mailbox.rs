//! The device-join mailbox: short-lived, write-once slots where two devices of one person
//! meet (`medwallet_crypto::device_join`). Outside the ledger and in memory only: nothing in
//! it is health data or lasts (a SPAKE2 message, a confirmation, a sealed phrase), and the
//! devices trust none of it: a slot's bytes are authenticated by the exchange itself, so a
//! node can withhold or garble them (the join fails, and is started again), never read them.
//!
//! A slot is written once (a second, different write is refused: nobody replaces what a
//! device put there), holds at most [`MAILBOX_VALUE_MAX`] bytes, and is gone after
//! [`MAILBOX_TTL_MS`]. At most [`MAILBOX_SLOTS_MAX`] slots are held; past that the node
//! refuses new ones until old ones expire.

use std::collections::HashMap;
use std::sync::Mutex;

use thiserror::Error;

/// Longest value a slot holds (the largest message of a join is 65 bytes).
pub const MAILBOX_VALUE_MAX: usize = 256;
/// How long a slot lives: a join code's lifetime.
pub const MAILBOX_TTL_MS: u64 = 10 * 60 * 1000;
/// Most slots held at once.
pub const MAILBOX_SLOTS_MAX: usize = 16_384;

/// Why a value was not stored.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MailboxError {
    #[error("a mailbox value is 1 to {MAILBOX_VALUE_MAX} bytes")]
    Size,
    #[error("the slot already holds another value")]
    Taken,
    #[error("the mailbox is full; try again in a few minutes")]
    Full,
}

/// What a write did.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    New,
    /// The same bytes were already there (a device retrying).
    Again,
}

struct Slot {
    bytes: Vec<u8>,
    expires_at_ms: u64,
}

/// The slots, with their expiry.
pub struct Mailbox {
    slots: Mutex<HashMap<[u8; 32], Slot>>,
    max_slots: usize,
}

impl Default for Mailbox {
    fn default() -> Self {
        Self::with_capacity(MAILBOX_SLOTS_MAX)
    }
}

impl Mailbox {
    /// A mailbox holding at most `max_slots` slots.
    pub fn with_capacity(max_slots: usize) -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
            max_slots,
        }
    }

    /// Writes `bytes` to `slot` at `now_ms`.
    pub fn put(&self, slot: [u8; 32], bytes: &[u8], now_ms: u64) -> Result<Stored, MailboxError> {
        if bytes.is_empty() || bytes.len() > MAILBOX_VALUE_MAX {
            return Err(MailboxError::Size);
        }
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(held) = slots.get(&slot).filter(|s| s.expires_at_ms > now_ms) {
            return if held.bytes == bytes {
                Ok(Stored::Again)
            } else {
                Err(MailboxError::Taken)
            };
        }
        if slots.len() >= self.max_slots {
            slots.retain(|_, s| s.expires_at_ms > now_ms);
            if slots.len() >= self.max_slots {
                return Err(MailboxError::Full);
            }
        }
        slots.insert(
            slot,
            Slot {
                bytes: bytes.to_vec(),
                expires_at_ms: now_ms.saturating_add(MAILBOX_TTL_MS),
            },
        );
        Ok(Stored::New)
    }

    /// What `slot` holds at `now_ms`.
    pub fn get(&self, slot: &[u8; 32], now_ms: u64) -> Option<Vec<u8>> {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .get(slot)
            .filter(|s| s.expires_at_ms > now_ms)
            .map(|s| s.bytes.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_written_once_and_expires() {
        let mailbox = Mailbox::default();
        assert_eq!(mailbox.put([1; 32], b"first", 0), Ok(Stored::New));
        assert_eq!(mailbox.put([1; 32], b"first", 5), Ok(Stored::Again));
        assert_eq!(
            mailbox.put([1; 32], b"other", 5),
            Err(MailboxError::Taken),
            "nobody replaces what a device put there"
        );
        assert_eq!(mailbox.get(&[1; 32], 5).as_deref(), Some(&b"first"[..]));
        assert_eq!(mailbox.get(&[2; 32], 5), None);
        assert_eq!(mailbox.get(&[1; 32], MAILBOX_TTL_MS), None, "expired");
        assert_eq!(
            mailbox.put([1; 32], b"other", MAILBOX_TTL_MS),
            Ok(Stored::New),
            "an expired slot is free again"
        );
    }

    #[test]
    fn sizes_and_capacity_are_bounded() {
        let mailbox = Mailbox::with_capacity(2);
        assert_eq!(mailbox.put([1; 32], b"", 0), Err(MailboxError::Size));
        assert_eq!(
            mailbox.put([1; 32], &[0; MAILBOX_VALUE_MAX + 1], 0),
            Err(MailboxError::Size)
        );
        assert_eq!(
            mailbox.put([1; 32], &[0; MAILBOX_VALUE_MAX], 0),
            Ok(Stored::New)
        );
        assert_eq!(mailbox.put([2; 32], b"b", 1), Ok(Stored::New));
        assert_eq!(mailbox.put([3; 32], b"c", 2), Err(MailboxError::Full));
        // Once the first expires there is room again.
        assert_eq!(mailbox.put([3; 32], b"c", MAILBOX_TTL_MS), Ok(Stored::New));
        assert_eq!(mailbox.get(&[1; 32], MAILBOX_TTL_MS), None);
    }
}
