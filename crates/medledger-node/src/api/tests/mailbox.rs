//! The device-join mailbox over HTTP: a slot is written once (the same bytes again are fine,
//! others are refused), read back until it expires, and bounded in size.

use super::*;

impl Server {
    async fn put_slot(&self, slot: &str, body: Vec<u8>) -> (u16, Value) {
        let r = self
            .client
            .put(format!("{}/v1/mailbox/{slot}", self.base))
            .body(body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn a_slot_is_written_once_and_read_back() {
    let s = server().await;
    let slot = "ab".repeat(32);
    let (code, _) = s.put_slot(&slot, b"spake2 message".to_vec()).await;
    assert_eq!(code, 201);
    let (code, _) = s.put_slot(&slot, b"spake2 message".to_vec()).await;
    assert_eq!(code, 200, "a device retrying");
    let (code, body) = s.put_slot(&slot, b"someone else".to_vec()).await;
    assert_eq!((code, body["code"].as_str()), (409, Some("slot_taken")));

    let r = s
        .client
        .get(format!("{}/v1/mailbox/{slot}", s.base))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.bytes().await.expect("bytes").as_ref(),
        b"spake2 message",
        "the first writer's bytes"
    );
    let (code, body) = s.get(&format!("/v1/mailbox/{}", "cd".repeat(32))).await;
    assert_eq!((code, body["code"].as_str()), (404, Some("empty_slot")));
}

#[tokio::test]
async fn malformed_slots_and_oversized_values_are_refused() {
    let s = server().await;
    let (code, _) = s.get("/v1/mailbox/nothex").await;
    assert_eq!(code, 400);
    let (code, body) = s
        .put_slot(
            &"ef".repeat(32),
            vec![0; crate::mailbox::MAILBOX_VALUE_MAX + 1],
        )
        .await;
    assert_eq!((code, body["code"].as_str()), (413, Some("too_large")));
    // An empty value is a malformed request, not an oversized one.
    let (code, body) = s.put_slot(&"ef".repeat(32), Vec::new()).await;
    assert_eq!((code, body["code"].as_str()), (400, Some("bad_request")));
    let (code, _) = s.put_slot(&"ef".repeat(31), b"x".to_vec()).await;
    assert_eq!(code, 400);
}
