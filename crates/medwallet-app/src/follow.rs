//! New records without pressing Sync. The app listens to a node's stream of new finalized
//! heights (`/v1/events`) while the wallet is unlocked; an announcement is only a hint to run
//! the verified sync (which trusts nothing the stream said), at most once per [`MIN_GAP_MS`]. A
//! sync that finds new records is reported (how many, from which clinics) to the window, which
//! shows it and has the desktop notify in the person's language. A node that stops answering is left for the next one.

use std::collections::HashSet;
use std::time::Duration;

use futures::StreamExt;
use medwallet_net::NodeClient;

use crate::session::{App, lock};

/// Shortest time between two background syncs.
pub const MIN_GAP_MS: u64 = 5_000;
/// Longest a stream is kept before it is opened again (a node's keep-alives hold it open).
const CONNECTION: Duration = Duration::from_secs(600);
/// Wait before trying the nodes again when none streams (or the wallet is locked).
const RETRY: Duration = Duration::from_secs(5);

/// Records a background sync found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordsArrived {
    pub count: usize,
    /// Their clinics, by verified name where known (else a short address), each once.
    pub from: Vec<String>,
}

/// When an announced height starts a sync: a height above the last one acted on, and not
/// sooner than [`MIN_GAP_MS`] after the last sync (announcements come every second or so).
#[derive(Debug, Default)]
pub struct Pacer {
    last_height: u64,
    last_sync_ms: Option<u64>,
}

impl Pacer {
    /// Whether `height`, heard at `now_ms`, should start a sync (and if so, notes it).
    pub fn should_sync(&mut self, height: u64, now_ms: u64) -> bool {
        if height <= self.last_height {
            return false;
        }
        if self
            .last_sync_ms
            .is_some_and(|last| now_ms.saturating_sub(last) < MIN_GAP_MS)
        {
            return false;
        }
        self.last_height = height;
        self.last_sync_ms = Some(now_ms);
        true
    }
}

impl App {
    /// Follows the configured nodes' announcements for as long as the app runs, syncing in
    /// the background while the wallet is unlocked; `arrived` hears of each sync that found
    /// records.
    pub async fn follow_ledger(&self, mut arrived: impl FnMut(RecordsArrived)) {
        let mut pacer = Pacer::default();
        loop {
            let nodes = lock(&self.settings).nodes.clone();
            for node in &nodes {
                if !self.status().unlocked {
                    break;
                }
                let Ok(stream) = NodeClient::new(node).finalized_heights(CONNECTION).await else {
                    continue;
                };
                let mut stream = std::pin::pin!(stream);
                while let Some(Ok(heights)) = stream.next().await {
                    let Some(&height) = heights.last() else {
                        continue;
                    };
                    if !self.status().unlocked {
                        break;
                    }
                    if lock(&self.sync).syncing || !pacer.should_sync(height, self.now()) {
                        continue;
                    }
                    if let Some(news) = self.sync_in_background().await {
                        arrived(news);
                    }
                }
            }
            tokio::time::sleep(RETRY).await;
        }
    }

    /// A verified sync with no progress shown; the records it added, if any.
    async fn sync_in_background(&self) -> Option<RecordsArrived> {
        let before: HashSet<String> = self.records().ok()?.into_iter().map(|r| r.id).collect();
        self.sync(|_| {}).await.ok()?;
        let new: Vec<_> = self
            .records()
            .ok()?
            .into_iter()
            .filter(|r| !before.contains(&r.id))
            .collect();
        if new.is_empty() {
            return None;
        }
        let mut from: Vec<String> = Vec::new();
        for r in &new {
            let clinic = r
                .clinic_name
                .clone()
                .unwrap_or_else(|| short(&r.clinic_address));
            if !from.contains(&clinic) {
                from.push(clinic);
            }
        }
        Some(RecordsArrived {
            count: new.len(),
            from,
        })
    }
}

/// An address as the window shortens it: `mdw1clinic…bbbbb2`.
fn short(address: &str) -> String {
    let chars: Vec<char> = address.chars().collect();
    if chars.len() <= 18 {
        return address.to_owned();
    }
    let head: String = chars[..10].iter().collect();
    let tail: String = chars[chars.len() - 6..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_height_syncs_at_most_once_per_gap_and_never_for_an_old_one() {
        let mut pacer = Pacer::default();
        assert!(pacer.should_sync(10, 1_000));
        assert!(
            !pacer.should_sync(11, 2_000),
            "too soon after the last sync"
        );
        assert!(!pacer.should_sync(10, 9_000), "not a new height");
        assert!(pacer.should_sync(12, 6_000));
        assert!(!pacer.should_sync(12, 20_000));
    }
}
