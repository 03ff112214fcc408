//! Many values proven in one answer: each entry verifies as a single value does, in the order
//! asked; bad requests get a code and prove nothing.

use medledger_api::proof_batch::{MAX_BATCH_KEYS, MAX_BATCH_LEN, ProvenBatch};

use super::*;

impl Server {
    async fn prove(&self, body: Value) -> (u16, Result<ProvenBatch, Value>) {
        let r = self
            .client
            .post(format!("{}/v1/state/proofs", self.base))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        let binary = r
            .headers()
            .get("content-type")
            .is_some_and(|t| t.as_bytes() == b"application/octet-stream");
        let bytes = r.bytes().await.expect("body");
        if binary {
            let batch = ProvenBatch::decode(&bytes, MAX_BATCH_LEN).expect("canonical");
            (status, Ok(batch))
        } else {
            (
                status,
                Err(serde_json::from_slice(&bytes).unwrap_or(Value::Null)),
            )
        }
    }
}

#[tokio::test]
async fn each_entry_is_the_single_proof_of_its_key_in_the_order_asked() {
    let s = server().await;
    let status = s.get("/v1/status").await.1;
    let root = status["header"]["state_root"]
        .as_str()
        .expect("root")
        .to_owned();
    let height = status["header"]["height"].as_u64().expect("height");
    let patient = Address::of(&public(&key(PATIENT)));
    let present = StateKey::account(&patient);
    let absent = StateKey::account(&Address([9; 32]));
    let keys = [&absent, &present, &absent];
    let (code, batch) = s
        .prove(json!({
            "height": height,
            "keys": keys.iter().map(|k| hex::encode(&k.0)).collect::<Vec<_>>(),
        }))
        .await;
    assert_eq!(code, 200);
    let batch = batch.expect("binary");
    assert_eq!(
        (batch.height, hex::encode(batch.state_root)),
        (height, root.clone())
    );
    assert_eq!(batch.entries.len(), 3);
    for (key, entry) in keys.iter().zip(&batch.entries) {
        let single = s
            .get(&format!(
                "/v1/state/{}?height={height}",
                hex::encode(&key.0)
            ))
            .await
            .1;
        assert_eq!(
            entry.value.as_ref().map(hex::encode),
            single["value"].as_str().map(String::from)
        );
        assert_eq!(hex::encode(&entry.proof), single["proof"]);
        assert_eq!(verify(&single, &root), Ok(()));
    }
    assert!(batch.entries[1].value.is_some() && batch.entries[0].value.is_none());
}

#[tokio::test]
async fn malformed_batches_are_refused_with_a_code() {
    let s = server().await;
    let key = hex::encode(&StateKey::account(&Address([9; 32])).0);
    for (body, status, code) in [
        (json!({ "height": 1, "keys": [] }), 400, "bad_request"),
        (
            json!({ "height": 1, "keys": vec![key.clone(); MAX_BATCH_KEYS + 1] }),
            400,
            "bad_request",
        ),
        (json!({ "height": 1, "keys": ["zz"] }), 400, "bad_hex"),
        (
            json!({ "height": 1, "keys": ["00".repeat(257)] }),
            400,
            "bad_key",
        ),
        (
            json!({ "height": u64::MAX, "keys": [key] }),
            400,
            "bad_height",
        ),
        (json!({ "height": 7, "keys": [key] }), 404, "not_found"),
        (json!({ "keys": [key] }), 422, "unprocessable"),
        (
            json!({ "height": 1, "keys": [key], "extra": 1 }),
            422,
            "unprocessable",
        ),
    ] {
        let (got, answer) = s.prove(body.clone()).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(answer.expect_err("a JSON error")["code"], code, "{body}");
    }
}

#[test]
fn the_document_bounds_each_key_and_the_number_of_keys() {
    let doc = serde_json::to_value(crate::api::openapi()).expect("json");
    let schema = &doc["components"]["schemas"]["ProofBatchRequest"]["properties"]["keys"];
    assert_eq!(schema["maxItems"], 256, "{schema}");
    assert_eq!(schema["minItems"], 1, "{schema}");
    assert_eq!(
        schema["items"]["pattern"], "^([0-9a-fA-F]{2}){1,256}$",
        "{schema}"
    );
}

#[tokio::test]
async fn state_chunks_are_binary_and_bad_requests_get_a_code() {
    use medledger_types::snapshot::{MAX_CHUNK_LEN, StateChunk};

    let s = server().await;
    let get = |path: String| {
        let client = s.client.clone();
        let url = format!("{}{path}", s.base);
        async move {
            let r = client.get(url).send().await.expect("request");
            let status = r.status().as_u16();
            (status, r.bytes().await.expect("body").to_vec())
        }
    };
    let (code, bytes) = get("/v1/state/chunks?height=1&limit=2".into()).await;
    assert_eq!(code, 200);
    let first = StateChunk::decode(&bytes, MAX_CHUNK_LEN).expect("canonical");
    assert_eq!(first.entries.len(), 2);
    assert!(!first.last && !first.proof.is_empty());
    let after = hex::encode(first.entries[1].0);
    let (_, bytes) = get(format!("/v1/state/chunks?height=1&after={after}")).await;
    let rest = StateChunk::decode(&bytes, MAX_CHUNK_LEN).expect("canonical");
    assert!(rest.last);
    assert!(
        rest.entries.iter().all(|(k, _)| *k > first.entries[1].0),
        "in key-hash order after it"
    );
    for (path, status, code) in [
        ("/v1/state/chunks?height=1&after=zz", 400, "bad_hex"),
        ("/v1/state/chunks?height=9", 404, "not_found"),
        ("/v1/state/chunks", 400, "bad_request"),
        ("/v1/state/chunks?height=1&other=1", 400, "bad_request"),
    ] {
        let (got, body) = get(path.into()).await;
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{path}");
    }
}
