use std::sync::Mutex;

use futures::executor::block_on;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;
use crate::LinkKey;
use crate::manifest::{FHIR_JSON, ManifestFile};

/// A link server in memory: answers by the passcode it holds; records what it was asked.
struct FakeServer {
    key: LinkKey,
    passcode: Option<String>,
    attempts: Mutex<u32>,
    active: bool,
    asked: Mutex<Vec<String>>,
}

impl FakeServer {
    fn file(&self, text: &str) -> String {
        jwe::encrypt(
            &self.key,
            &mut StdRng::seed_from_u64(1),
            FHIR_JSON,
            text.as_bytes(),
            true,
        )
        .expect("jwe")
    }
}

impl ShlTransport for FakeServer {
    async fn post_json(&self, url: &str, json: &[u8], _: usize) -> Result<Response, String> {
        self.asked.lock().expect("lock").push(format!("POST {url}"));
        if !self.active {
            return Ok(Response {
                status: 404,
                body: vec![],
            });
        }
        let request: ManifestRequest = serde_json::from_slice(json).map_err(|e| e.to_string())?;
        assert_eq!(request.recipient, "St Mary ED");
        if self.passcode.is_some() && request.passcode != self.passcode {
            let mut left = self.attempts.lock().expect("lock");
            if request.passcode.is_some() {
                *left -= 1;
            }
            return Ok(Response {
                status: 401,
                body: serde_json::to_vec(&PasscodeRefused {
                    remaining_attempts: *left,
                })
                .expect("json"),
            });
        }
        let manifest = Manifest {
            status: Some("finalized".into()),
            files: vec![
                ManifestFile {
                    content_type: FHIR_JSON.into(),
                    location: None,
                    embedded: Some(self.file("{\"embedded\":true}")),
                    last_updated: None,
                    fhir_version: None,
                },
                ManifestFile {
                    content_type: FHIR_JSON.into(),
                    location: Some("https://node.example/file/2".into()),
                    embedded: None,
                    last_updated: None,
                    fhir_version: None,
                },
            ],
        };
        Ok(Response {
            status: 200,
            body: serde_json::to_vec(&manifest).expect("json"),
        })
    }

    async fn get(&self, url: &str, _: usize) -> Result<Response, String> {
        self.asked.lock().expect("lock").push(format!("GET {url}"));
        Ok(Response {
            status: 200,
            body: self.file("{\"located\":true}").into_bytes(),
        })
    }
}

fn server(passcode: Option<&str>, active: bool) -> FakeServer {
    FakeServer {
        key: LinkKey::from_bytes([3; 32]),
        passcode: passcode.map(str::to_owned),
        attempts: Mutex::new(3),
        active,
        asked: Mutex::new(vec![]),
    }
}

fn link(s: &FakeServer, passcode: bool) -> ShlPayload {
    let mut link = ShlPayload::new("https://node.example/shl/abc", s.key.clone());
    link.flags.passcode = passcode;
    link.label = Some("Allergies & meds".into());
    link
}

#[test]
fn a_link_opens_its_embedded_and_located_files() {
    let s = server(None, true);
    let got = block_on(receive(&s, &link(&s, false), "St Mary ED", None)).expect("opened");
    let texts: Vec<_> = got.files.iter().map(|f| f.plaintext.clone()).collect();
    assert_eq!(
        texts,
        vec![
            b"{\"embedded\":true}".to_vec(),
            b"{\"located\":true}".to_vec()
        ]
    );
    assert_eq!(got.label.as_deref(), Some("Allergies & meds"));
    assert_eq!(got.status.as_deref(), Some("finalized"));
    assert_eq!(
        *s.asked.lock().expect("lock"),
        vec![
            "POST https://node.example/shl/abc".to_owned(),
            "GET https://node.example/file/2".to_owned()
        ]
    );
}

#[test]
fn a_passcode_link_says_what_is_wrong_and_how_many_attempts_are_left() {
    let s = server(Some("1234"), true);
    let l = link(&s, true);
    assert_eq!(
        block_on(receive(&s, &l, "St Mary ED", None)).map(|_| ()),
        Err(ReceiveError::PasscodeNeeded)
    );
    assert!(s.asked.lock().expect("lock").is_empty(), "not even asked");
    assert_eq!(
        block_on(receive(&s, &l, "St Mary ED", Some("0000"))).map(|_| ()),
        Err(ReceiveError::WrongPasscode {
            remaining_attempts: 2
        })
    );
    assert_eq!(
        block_on(receive(&s, &l, "St Mary ED", Some("1234")))
            .expect("right passcode")
            .files
            .len(),
        2
    );
}

#[test]
fn a_revoked_link_and_a_foreign_key_are_refused() {
    let s = server(None, false);
    assert_eq!(
        block_on(receive(&s, &link(&s, false), "St Mary ED", None)).map(|_| ()),
        Err(ReceiveError::NotActive)
    );
    let s = server(None, true);
    let mut wrong = link(&s, false);
    wrong.key = LinkKey::from_bytes([9; 32]);
    assert_eq!(
        block_on(receive(&s, &wrong, "St Mary ED", None)).map(|_| ()),
        Err(ReceiveError::Link(ShlError::Decrypt))
    );
}

#[test]
fn a_direct_link_is_one_get_with_the_recipient_in_the_query() {
    let s = server(None, true);
    let mut l = link(&s, false);
    l.flags.direct = true;
    let got = block_on(receive(&s, &l, "St Mary ED", None)).expect("opened");
    assert_eq!(got.files.len(), 1);
    assert_eq!(
        *s.asked.lock().expect("lock"),
        vec!["GET https://node.example/shl/abc?recipient=St+Mary+ED".to_owned()]
    );
}
