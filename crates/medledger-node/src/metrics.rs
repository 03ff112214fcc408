//! Prometheus metrics on a listener of their own (`metrics_listen` in the config, so the API's
//! public address does not expose them): the runtime's and consensus's, as Commonware's encoder
//! writes them, then the node's own gauges, as one OpenMetrics exposition ending in one
//! `# EOF`.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use medledger_state::store::Ledger;

use crate::mempool::Mempool;

/// The OpenMetrics text format's content type.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What the metrics listener reads.
#[derive(Clone)]
pub struct MetricsState {
    pub ledger: Arc<Ledger>,
    pub mempool: Arc<Mempool>,
    /// The runtime's and consensus's metrics (OpenMetrics text, ending in `# EOF`).
    pub runtime: Arc<dyn Fn() -> String + Send + Sync>,
}

/// The node's gauges, in OpenMetrics text.
fn gauges(height: u64, timestamp_ms: u64, mempool: usize) -> String {
    format!(
        "# HELP medledger_committed_height Height of the newest committed (finalized) block.\n\
         # TYPE medledger_committed_height gauge\n\
         medledger_committed_height {height}\n\
         # HELP medledger_committed_timestamp_seconds Time the newest committed block was made, in seconds since the Unix epoch.\n\
         # TYPE medledger_committed_timestamp_seconds gauge\n\
         # UNIT medledger_committed_timestamp_seconds seconds\n\
         medledger_committed_timestamp_seconds {}.{:03}\n\
         # HELP medledger_mempool_txs Transactions waiting for a block.\n\
         # TYPE medledger_mempool_txs gauge\n\
         medledger_mempool_txs {mempool}\n",
        timestamp_ms / 1000,
        timestamp_ms % 1000
    )
}

/// One exposition: the runtime's families, the node's, then `# EOF` once.
pub fn exposition(runtime: &str, height: u64, timestamp_ms: u64, mempool: usize) -> String {
    let families = runtime.trim_end();
    let families = families.strip_suffix("# EOF").unwrap_or(families);
    let mut out = String::with_capacity(families.len() + 600);
    out.push_str(families);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&gauges(height, timestamp_ms, mempool));
    out.push_str("# EOF\n");
    out
}

async fn metrics(State(state): State<MetricsState>) -> impl IntoResponse {
    let tip = state.ledger.tip();
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        exposition(
            &(state.runtime)(),
            tip.height,
            tip.timestamp_ms,
            state.mempool.len(),
        ),
    )
}

/// `GET /metrics`.
pub fn router(state: MetricsState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_gauges_come_before_the_one_eof_and_time_is_in_seconds() {
        let runtime = "# TYPE runtime_tasks gauge\nruntime_tasks 3\n# EOF\n";
        let text = exposition(runtime, 42, 1_700_000_000_123, 5);
        assert!(text.ends_with("medledger_mempool_txs 5\n# EOF\n"), "{text}");
        assert_eq!(text.matches("# EOF").count(), 1);
        assert!(text.starts_with("# TYPE runtime_tasks gauge\nruntime_tasks 3\n"));
        assert!(text.contains("medledger_committed_height 42\n"));
        assert!(text.contains("medledger_committed_timestamp_seconds 1700000000.123\n"));
        assert!(!text.contains("_ms"), "no unit but seconds");
        // A runtime that wrote nothing (or no EOF) still gives one valid exposition.
        let bare = exposition("", 1, 5, 0);
        assert!(bare.starts_with("# HELP medledger_committed_height"));
        assert_eq!(bare.matches("# EOF").count(), 1);
    }
}
