//! SMART Health Links a patient makes from verified records: what the files hold, what the
//! ledger holds (never the key or the token), the access log, renewal and revocation.

use medledger_types::hash::LinkId;
use medledger_types::link::{LinkOutcome, LinkStatus};
use medledger_types::state::StateKey;
use medwallet_shl::jwe;
use zeroize::Zeroizing;

use super::*;
use crate::links::{CreatedLink, LinkRequest, Selection, Shared};

fn resource_fhir(kind: &str, n: usize) -> Vec<u8> {
    format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[{{"fullUrl":"urn:uuid:{kind}-{n}","resource":{{"resourceType":"{kind}","id":"{kind}-{n}"}}}}]}}"#
    )
    .into_bytes()
}

impl World {
    fn issue_resource(&self, kind: &str, n: usize, category: Category) -> RecordId {
        self.ledger.issue(
            &self.clinic,
            &keys(PATIENT),
            &resource_fhir(kind, n),
            category,
            &format!("{kind} {n}"),
        )
    }

    pub(super) fn request(&self, selection: Selection) -> LinkRequest {
        LinkRequest {
            selection,
            label: Some("Allergies & meds".into()),
            expires_at_ms: self.ledger.now.load(Ordering::SeqCst)
                + crate::links::DEFAULT_LIFETIME_MS,
            passcode: None,
            attempts: crate::links::DEFAULT_ATTEMPTS,
            long_term: false,
            server: "https://node.example".into(),
        }
    }

    fn create(&mut self, request: LinkRequest) -> Result<CreatedLink, WalletError> {
        block_on(
            self.patient
                .create_link(&self.ledger, request, &mut self.rng),
        )
    }

    /// The FHIR resource ids in each of a link's files, opened with the link's key.
    fn file_ids(&self, created: &CreatedLink) -> Vec<Vec<String>> {
        let (_, links) = block_on(self.patient.links(&self.ledger)).expect("links");
        let view = links.iter().find(|l| l.id == created.id).expect("listed");
        view.entry
            .files
            .iter()
            .map(|f| {
                let bytes = self.ledger.stored_blob(&f.sha256).expect("uploaded");
                let text = String::from_utf8(bytes).expect("text");
                let opened = jwe::decrypt(&created.link.key, &text).expect("opens");
                let bundle: serde_json::Value =
                    serde_json::from_slice(&opened.plaintext).expect("json");
                bundle["entry"]
                    .as_array()
                    .expect("entries")
                    .iter()
                    .map(|e| e["resource"]["id"].as_str().expect("id").to_owned())
                    .collect()
            })
            .collect()
    }
}

#[test]
fn a_category_link_holds_that_category_alone_and_the_ledger_holds_neither_key_nor_token() {
    let mut w = world();
    w.issue_resource("Observation", 1, Category::Labs);
    w.issue_resource("MedicationRequest", 2, Category::Medications);
    w.issue_resource("Observation", 3, Category::Labs);
    w.sync();
    let created = w
        .create(w.request(Selection::Categories(vec![Category::Labs])))
        .expect("created");
    assert_eq!(
        w.file_ids(&created),
        vec![vec!["Observation-1".to_owned(), "Observation-3".to_owned()]],
        "labs, every lab, nothing else"
    );
    assert!(created.link.url.starts_with("https://node.example/shl/"));
    assert!(created.link.url.len() <= 128);
    let token = created.link.url.rsplit('/').next().expect("token");
    assert_eq!(token.len(), 43, "256 bits of token");
    assert_eq!(created.files, ["Labs (2 records)"]);

    // Nothing on the ledger holds the key or the token, in any form.
    let key = created.link.key.as_bytes().to_vec();
    let token_bytes = base64_token(token);
    for value in w.ledger.state_values() {
        for secret in [&key, &token_bytes] {
            assert!(
                !value.windows(32).any(|win| win == secret.as_slice()),
                "a ledger value holds a link secret"
            );
        }
    }
    assert_eq!(
        created.id,
        LinkId::of_token(&token_bytes.try_into().expect("32"))
    );
}

fn base64_token(token: &str) -> Vec<u8> {
    medwallet_shl::payload::decode_token(token)
        .expect("base64url")
        .to_vec()
}

#[test]
fn links_are_listed_with_their_description_status_and_every_opening() {
    let mut w = world();
    w.issue_resource("AllergyIntolerance", 1, Category::Allergies);
    w.sync();
    let mut request = w.request(Selection::All);
    request.passcode = Some(Zeroizing::new("1234".into()));
    request.attempts = 3;
    let created = w.create(request).expect("created");
    assert!(created.link.flags.passcode && !created.link.flags.long_term);
    w.ledger
        .link_access(created.id, LinkOutcome::WrongPasscode, "St Mary ED")
        .expect("a wrong guess recorded");
    w.ledger
        .link_access(created.id, LinkOutcome::Opened, "St Mary ED")
        .expect("an opening recorded");

    let (_, links) = block_on(w.patient.links(&w.ledger)).expect("links");
    assert_eq!(links.len(), 1);
    let view = &links[0];
    assert_eq!(view.status, LinkStatus::Active);
    assert_eq!(view.entry.attempts_left, 2);
    let description = view.description.as_ref().expect("opens for its patient");
    assert_eq!(description.shared, Shared::All);
    assert_eq!(
        description.link, created.link,
        "the link itself, to show again"
    );
    let log: Vec<_> = view
        .accesses
        .iter()
        .map(|a| (a.outcome, a.recipient.as_deref()))
        .collect();
    assert_eq!(
        log,
        [
            (LinkOutcome::WrongPasscode, Some("St Mary ED")),
            (LinkOutcome::Opened, Some("St Mary ED"))
        ]
    );
    // Nobody else opens the description.
    assert!(
        crate::links::description::open(&keys(DOCTOR), &created.id, &view.entry.sealed).is_none()
    );

    block_on(w.patient.revoke_link(&w.ledger, created.id)).expect("revoked");
    let (_, links) = block_on(w.patient.links(&w.ledger)).expect("links");
    assert_eq!(links[0].status, LinkStatus::Revoked);
}

#[test]
fn a_long_term_link_takes_later_records_when_renewed_and_only_when_they_change() {
    let mut w = world();
    w.issue_resource("Observation", 1, Category::Labs);
    w.sync();
    let mut request = w.request(Selection::Categories(vec![Category::Labs]));
    request.long_term = true;
    let created = w.create(request).expect("created");
    assert!(created.link.flags.long_term);
    assert_eq!(
        block_on(w.patient.renew_links(&w.ledger, &mut w.rng)).expect("renew"),
        0,
        "nothing changed: the same file, byte for byte"
    );
    w.issue_resource("Observation", 2, Category::Labs);
    w.issue_resource("Immunization", 3, Category::Immunizations);
    w.sync();
    assert_eq!(
        block_on(w.patient.renew_links(&w.ledger, &mut w.rng)).expect("renew"),
        1
    );
    assert_eq!(
        w.file_ids(&created),
        vec![vec!["Observation-1".to_owned(), "Observation-2".to_owned()]]
    );
    assert_eq!(
        block_on(w.patient.renew_links(&w.ledger, &mut w.rng)).expect("renew"),
        0
    );
}

#[test]
fn the_summary_can_be_shared_by_link() {
    let mut w = world();
    w.issue_resource("AllergyIntolerance", 1, Category::Allergies);
    w.sync();
    let created = w.create(w.request(Selection::Summary)).expect("created");
    assert_eq!(created.files, ["Patient summary"]);
    let (_, links) = block_on(w.patient.links(&w.ledger)).expect("links");
    let file = &links[0].entry.files[0];
    let text =
        String::from_utf8(w.ledger.stored_blob(&file.sha256).expect("stored")).expect("utf8");
    let opened = jwe::decrypt(&created.link.key, &text).expect("opens");
    let bundle: serde_json::Value = serde_json::from_slice(&opened.plaintext).expect("json");
    assert_eq!(bundle["type"], "document");
}

#[test]
fn bad_link_requests_are_refused_before_anything_reaches_the_ledger() {
    let mut w = world();
    let record = w.issue_resource("Observation", 1, Category::Labs);
    w.sync();
    let now = w.ledger.now.load(Ordering::SeqCst);
    let mut bad = Vec::new();
    let mut r = w.request(Selection::All);
    r.label = Some("x".repeat(81));
    bad.push(r);
    let mut r = w.request(Selection::All);
    r.expires_at_ms = now;
    bad.push(r);
    let mut r = w.request(Selection::Records(vec![record]));
    r.long_term = true;
    bad.push(r);
    bad.push(w.request(Selection::Records(vec![])));
    bad.push(w.request(Selection::Records(vec![RecordId([9; 32])])));
    bad.push(w.request(Selection::Categories(vec![Category::Immunizations])));
    let mut r = w.request(Selection::All);
    r.passcode = Some(Zeroizing::new("1234".into()));
    r.attempts = 0;
    bad.push(r);
    for request in bad {
        assert!(w.create(request).is_err());
    }
    let patient = address(&keys(PATIENT));
    assert!(
        w.ledger
            .state_values_at(&StateKey::link_by_patient_count(&patient))
            .is_none(),
        "no link was made"
    );
}
