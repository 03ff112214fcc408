//! A server-sent event stream of newly finalized heights.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use futures::StreamExt;
use tokio::sync::watch;

use super::ApiState;

fn stream(heights: watch::Receiver<u64>) -> impl Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(heights, |mut rx| async move {
        rx.changed().await.ok()?;
        let height = *rx.borrow_and_update();
        Some((height, rx))
    })
    .map(|height| {
        Ok(Event::default()
            .event("finalized")
            .data(format!("{{\"height\":{height}}}")))
    })
}

/// `event: finalized`, `data: {"height": N}` for every new committed height.
#[utoipa::path(get, path = "/v1/events", operation_id = "follow_finalized", tag = "chain", responses((status = 200, content_type = "text/event-stream", description = "server-sent events, one `finalized` event (data `{\"height\": N}`) per new committed height; the stream does not end")))]
pub async fn events(
    State(state): State<ApiState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    Sse::new(stream(state.heights.clone())).keep_alive(KeepAlive::default())
}
