//! Store reads off the consensus runtime.
//!
//! The node runs consensus, p2p and the API on one tokio runtime with two workers. A records
//! page is up to 401 Jellyfish proofs read from redb, a header range up to a thousand
//! certificates, a batch up to 2000 signature checks and dry runs: each is milliseconds to
//! hundreds of milliseconds of blocking work. Run on a worker, it delays the votes and
//! certificates that share it; here it runs on tokio's blocking pool instead, at most
//! [`MAX_CONCURRENT`] at once so a flood of reads queues rather than spawning hundreds of
//! threads.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::ApiState;
use super::error::ApiError;

/// Blocking reads served at once; more wait for a slot (the store serves them from its page
/// cache, so more threads than this would only contend).
pub const MAX_CONCURRENT: usize = 8;

/// The slots for blocking reads.
#[derive(Clone)]
pub struct ReadSlots(Arc<Semaphore>);

impl Default for ReadSlots {
    fn default() -> Self {
        Self(Arc::new(Semaphore::new(MAX_CONCURRENT)))
    }
}

impl ApiState {
    /// Runs `work` on the blocking pool with a clone of the state, once a slot is free.
    pub(crate) async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&ApiState) -> Result<T, ApiError> + Send + 'static,
    {
        let _slot = self
            .reads
            .0
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the node is stopping"))?;
        let state = self.clone();
        tokio::task::spawn_blocking(move || work(&state))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "a blocking read failed");
                ApiError::internal("the node could not serve the request")
            })?
    }
}
