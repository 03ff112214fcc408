//! The wallet's notion of now (milliseconds since the Unix epoch), passed in so tests control
//! time: grant expiry, freshness of headers, blob-request timestamps all read it.

use std::sync::Arc;

/// A source of the current time.
pub trait Clock {
    fn now_ms(&self) -> u64;
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A shared function as a clock (the desktop app's, which its tests move by hand).
impl<F: Fn() -> u64 + Send + Sync + ?Sized> Clock for Arc<F> {
    fn now_ms(&self) -> u64 {
        self()
    }
}
