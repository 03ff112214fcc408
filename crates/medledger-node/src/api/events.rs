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
#[utoipa::path(get, path = "/v1/events", responses((status = 200, description = "text/event-stream of `finalized` events")))]
pub async fn events(
    State(state): State<ApiState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    Sse::new(stream(state.heights.clone())).keep_alive(KeepAlive::default())
}
