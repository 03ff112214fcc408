//! What the ledger says about a patient, read the way anyone holding the chain can: after the
//! whole story on a real node (two clinics, one patient with an account for each, a doctor's
//! grant, a link, an access receipt and a link opening), every block is decoded and the whole
//! state rebuilt by replaying the blocks with the ledger's own rules (and checked, key by key,
//! against the node's proofs). Then:
//!
//! * no category, title or label, and no string of the issued FHIR, is anywhere in the clear;
//! * the patient's two accounts share no key or address, and no transaction or state entry
//!   names both;
//! * nothing reached from what the second clinic issued or read leads to the first clinic's
//!   records or to the doctor both share with (following every id that appears with another,
//!   except the chain's own constants: its id and its validators, which every transaction of
//!   every patient names), and no grant or receipt names the doctor.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

use medledger_client::LedgerSource;
use medledger_devnet::{Devnet, fixture};
use medledger_state::StoreError;
use medledger_state::rules::{BlockContext, Execution, StateRead};
use medledger_types::block::Block;
use medledger_types::category::Category;
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, GrantId, PublicKey};
use medledger_types::state::StateKey;
use medledger_types::tx::{Scope, SignedTx, TxBody};
use medwallet_net::NodeClient;
use serde_json::Value;

mod common;
#[path = "common/doctor.rs"]
mod doctor;

use common::{json_of, medwallet};
use doctor::register_doctor;

const HARBOUR: &str = "Harbour Sexual Health";
const LABEL: &str = "Ana Ruiz, born 1984";
const LINK_LABEL: &str = "For my partner";
const RECEIVER: &str = "Partner's phone";

const SEXUAL_HEALTH: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:pat-sh","resource":{"resourceType":"Patient","id":"pat-sh","name":[{"family":"Ruiz-Delgado","given":["Anabel"]}],"birthDate":"1984-03-09"}},
 {"fullUrl":"urn:uuid:enc-sh","resource":{"resourceType":"Encounter","id":"enc-sh","status":"finished","subject":{"reference":"urn:uuid:pat-sh"},"class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"type":[{"text":"Sexual health screening"}],"period":{"start":"2026-10-14T09:30:00Z"}}},
 {"fullUrl":"urn:uuid:cond-sh","resource":{"resourceType":"Condition","id":"cond-sh","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"105629000","display":"Chlamydial infection"}],"text":"Chlamydial infection"},"subject":{"reference":"urn:uuid:pat-sh"},"encounter":{"reference":"urn:uuid:enc-sh"},"onsetDateTime":"2026-10-14"}},
 {"fullUrl":"urn:uuid:obs-sh","resource":{"resourceType":"Observation","id":"obs-sh","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"text":"Chlamydia trachomatis rRNA, NAAT"},"subject":{"reference":"urn:uuid:pat-sh"},"encounter":{"reference":"urn:uuid:enc-sh"},"valueString":"Detected"}}
]}"#;

/// The state as a map, read by the ledger's rules during replay.
struct Replayed(BTreeMap<StateKey, Vec<u8>>);

impl StateRead for Replayed {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.get(key).cloned())
    }
}

/// Every string of at least `min` characters in a JSON document.
fn strings(value: &Value, min: usize, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) if s.chars().count() >= min => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| strings(v, min, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, min, out)),
        _ => {}
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The 32-byte ids a transaction names (authors, accounts, keys, records, grants, links,
/// ciphertexts), structurally.
fn ids_of(tx: &SignedTx) -> Vec<[u8; 32]> {
    let author = tx.tx.author;
    let mut ids = vec![author.0, Address::of(&author).0];
    let key = |k: &PublicKey| [k.0, Address::of(k).0];
    match &tx.tx.body {
        TxBody::RegisterPatient { receiving } => ids.push(receiving.0),
        TxBody::RegisterClinic {
            clinic, receiving, ..
        } => {
            ids.extend(key(clinic));
            ids.push(receiving.0);
        }
        TxBody::RegisterDoctor {
            doctor, receiving, ..
        } => {
            ids.extend(key(doctor));
            ids.push(receiving.0);
        }
        TxBody::IssueRecord {
            record,
            patient,
            ciphertext_sha256,
            ..
        } => ids.extend([record.0, patient.0, ciphertext_sha256.0]),
        TxBody::Grant {
            grantee,
            scope,
            keys,
            ..
        } => {
            ids.push(grantee.0);
            ids.push(GrantId::derive(&Address::of(&author), tx.tx.nonce).0);
            if let Scope::Records(listed) = scope {
                ids.extend(listed.iter().map(|r| r.0));
            }
            ids.extend(keys.iter().map(|k| k.record.0));
        }
        TxBody::GrantKeys { grant, keys } => {
            ids.push(grant.0);
            ids.extend(keys.iter().map(|k| k.record.0));
        }
        TxBody::Revoke { grant } => ids.push(grant.0),
        TxBody::AccessReceipt {
            grant,
            record,
            request,
        } => {
            ids.extend([grant.0, record.0]);
            ids.extend(key(&request.key));
        }
        TxBody::CreateLink { link, files, .. } | TxBody::UpdateLinkFiles { link, files } => {
            ids.push(link.0);
            ids.extend(files.iter().map(|f| f.sha256.0));
        }
        TxBody::RevokeLink { link } | TxBody::LinkAccess { link, .. } => ids.push(link.0),
        TxBody::Notify { doctor, .. } => ids.push(doctor.0),
        TxBody::RotateKeys {
            signing, receiving, ..
        } => {
            ids.extend(key(signing));
            ids.push(receiving.0);
        }
        TxBody::RewrapRecords { keys } => ids.extend(keys.iter().map(|k| k.record.0)),
        TxBody::EraseRecords { records } => ids.extend(records.iter().map(|r| r.0)),
        TxBody::ErasureReceipt { record } => ids.push(record.0),
        TxBody::CloseAccount { account } | TxBody::CancelRecovery { account } => {
            ids.push(account.0)
        }
        TxBody::SetGuardians { guardians, .. } => ids.extend(guardians.iter().map(|g| g.account.0)),
        TxBody::StartRecovery {
            account,
            device_receiving,
        } => ids.extend([account.0, device_receiving.0]),
        TxBody::ApproveRecovery { account, device }
        | TxBody::DeclineRecovery { account, device }
        | TxBody::ReleaseShare {
            account, device, ..
        } => {
            ids.push(account.0);
            ids.extend(key(device));
        }
        TxBody::SetEmergency {
            ciphertext_sha256, ..
        } => ids.push(ciphertext_sha256.0),
        TxBody::EmergencyRequest { patient, .. } => ids.push(patient.0),
        TxBody::EmergencyShare { request, .. } => ids.push(request.0),
        TxBody::ChangeValidators { change, .. } => {
            use medledger_types::validators::ValidatorChange;
            match change {
                ValidatorChange::Add(v) => ids.extend(key(&v.key)),
                ValidatorChange::Remove(old) => ids.extend(key(old)),
                ValidatorChange::Replace { old, new } => {
                    ids.extend(key(old));
                    ids.extend(key(&new.key));
                }
            }
        }
    }
    ids
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..150 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not happen");
}

#[test]
fn nothing_about_a_patients_care_can_be_read_off_the_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start_with_clinics(dir.path(), 1, &[HARBOUR]);
    let api = devnet.api().to_owned();
    let genesis = devnet.genesis_path();
    let genesis = genesis.to_str().expect("utf8");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let with = |args: &[&str]| -> Vec<String> {
        args.iter()
            .map(|a| (*a).to_owned())
            .chain(["--node".to_owned(), api.clone(), "--json".to_owned()])
            .collect()
    };
    let run = |wallet: &std::path::Path, args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        json_of(medwallet(wallet, &args))
    };

    // The patient: account 0 for the demo clinic, a fresh account for the sexual-health clinic.
    let patient = dir.path().join("patient");
    let first = json_of(medwallet(&patient, &["init", "--json"]));
    run(&patient, with(&["register", "--genesis", genesis]));
    let second = run(&patient, with(&["share-code", "--for", "Harbour"]));
    assert_eq!(second["account"], 1);
    let code_a: medwallet_crypto::ShareCode = first["share_code"]
        .as_str()
        .expect("code")
        .parse()
        .expect("code");
    let code_b: medwallet_crypto::ShareCode = second["share_code"]
        .as_str()
        .expect("code")
        .parse()
        .expect("code");
    let general = fixture("allergies_and_medications.json");
    runtime.block_on(devnet.issue_as(0, &code_a, &general));
    runtime.block_on(devnet.issue_as(1, &code_b, SEXUAL_HEALTH.as_bytes()));
    run(&patient, with(&["sync"]));
    let records = json_of(medwallet(&patient, &["records", "--json"]));
    let records = records.as_array().expect("records");
    let accounts = run(&patient, with(&["accounts"]));
    assert_eq!(accounts[0]["clinics"][0], medledger_devnet::CLINIC_NAME);
    assert_eq!(accounts[1]["clinics"][0], HARBOUR);

    // A doctor of the demo clinic is granted everything, both clinics' records, under the
    // patient's label: one grant per account, neither naming the doctor.
    let doctor = dir.path().join("doctor");
    let d = register_doctor(&devnet, &doctor, genesis, &runtime);
    let doctor_address = d["address"].as_str().expect("address").to_owned();
    run(
        &patient,
        with(&[
            "grant",
            "--doctor",
            &doctor_address,
            "--all",
            "--label",
            LABEL,
        ]),
    );
    run(&doctor, with(&["sync", "--genesis", genesis]));
    let shared = run(&doctor, with(&["shared"]));
    let shared = shared.as_array().expect("shared");
    assert_eq!(shared.len(), records.len(), "both clinics' records");
    assert!(shared.iter().all(|s| s["patient_label"] == LABEL));
    let handles: BTreeSet<&str> = shared
        .iter()
        .map(|s| s["patient_handle"].as_str().expect("handle"))
        .collect();
    assert_eq!(handles.len(), 1, "one patient to the doctor");
    // The doctor reads one of the sexual-health records (its receipt joins the chain).
    let seen = shared
        .iter()
        .find(|s| {
            records
                .iter()
                .any(|r| r["id"] == s["record"] && r["account"] == 1)
        })
        .and_then(|s| s["record"].as_str())
        .expect("a Harbour record")
        .to_owned();
    let out = dir.path().join("seen.json");
    let shown = run(
        &doctor,
        with(&["show", &seen, "--out", out.to_str().expect("utf8")]),
    );
    assert!(shown["size"].as_u64().is_some_and(|n| n > 0), "{shown}");

    // The sexual-health records, by link, opened once.
    let harbour_ids: Vec<String> = records
        .iter()
        .filter(|r| r["account"] == 1)
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(!harbour_ids.is_empty());
    let link = run(
        &patient,
        with(&[
            "link",
            "create",
            "--records",
            &harbour_ids.join(","),
            "--label",
            LINK_LABEL,
        ]),
    );
    let link = link["link"].as_str().expect("link").to_owned();
    json_of(medwallet(
        &patient,
        &["link", "open", &link, "--json", "--as", RECEIVER],
    ));
    wait_for("the receipt and the link opening", || {
        let log = run(&patient, with(&["access-log"]));
        let links = run(&patient, with(&["link", "list"]));
        log.as_array().is_some_and(|l| !l.is_empty())
            && links[0]["accesses"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
    });

    // Every block, decoded; the whole state, rebuilt with the ledger's own rules.
    let client = NodeClient::new(&api);
    let source = devnet.source();
    let at = runtime
        .block_on(source.latest(medledger_issuer::now_ms()))
        .expect("header");
    let mut state = Replayed(BTreeMap::new());
    for clinic in &devnet.genesis.clinics {
        let key = StateKey::account(&Address::of(&clinic.signing));
        let value = runtime
            .block_on(source.value(&at, &key))
            .expect("proven")
            .expect("a founding clinic's account");
        state.0.insert(key, value);
    }
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let mut txs: Vec<SignedTx> = Vec::new();
    for height in 1..=at.height() {
        let json = runtime.block_on(client.block(height)).expect("block");
        let bytes = hex::decode(&json.encoded).expect("hex");
        let block = Block::decode(&bytes, 1 << 26).expect("every block decodes");
        let ctx = BlockContext {
            chain: devnet.genesis.chain_id(),
            height,
            timestamp_ms: block.header.timestamp_ms,
            validators: &devnet.genesis.validators,
            epochs: devnet.genesis.epochs,
            recovery_min_delay_ms: devnet.genesis.recovery_min_delay_ms,
            emergency_access: !devnet.genesis.emergency_keys.is_empty(),
        };
        let mut execution = Execution::new(&state, ctx);
        for tx in &block.txs {
            execution
                .apply(tx)
                .expect("every transaction on the chain applies");
        }
        for (key, value) in execution.into_writes() {
            match value {
                Some(v) => state.0.insert(key, v),
                None => state.0.remove(&key),
            };
        }
        entries.push(bytes);
        txs.extend(block.txs);
    }
    for (key, value) in &state.0 {
        let proven = runtime.block_on(source.value(&at, key)).expect("proven");
        assert_eq!(
            proven.as_ref(),
            Some(value),
            "the replay is the node's state"
        );
        entries.push([key.0.as_slice(), value].concat());
    }
    let everything: Vec<u8> = entries.concat();

    // 1. Nothing readable: categories, titles, labels, names given, the FHIR's strings.
    let mut secrets = BTreeSet::new();
    for c in Category::ALL {
        for word in [c.code(), c.label()] {
            if word.len() >= 7 {
                secrets.insert(word.to_owned());
            }
        }
    }
    for r in records {
        let title = r["title"].as_str().expect("title");
        if title.len() >= 6 {
            secrets.insert(title.to_owned());
        }
    }
    for fhir in [&general[..], SEXUAL_HEALTH.as_bytes()] {
        strings(
            &serde_json::from_slice(fhir).expect("json"),
            8,
            &mut secrets,
        );
    }
    secrets.extend([LABEL.to_owned(), LINK_LABEL.to_owned(), RECEIVER.to_owned()]);
    assert!(secrets.len() > 30, "{secrets:?}");
    for secret in &secrets {
        assert!(
            !contains(&everything, secret.as_bytes()),
            "{secret:?} is readable on the ledger"
        );
    }

    // 2. The two accounts share no key or address, and nothing names both.
    let account = |code: &medwallet_crypto::ShareCode| -> Vec<[u8; 32]> {
        let keys = code.public_keys();
        vec![
            code.account().0,
            keys.signing.to_bytes(),
            keys.receiving.to_bytes(),
        ]
    };
    let (a_ids, b_ids) = (account(&code_a), account(&code_b));
    assert!(a_ids.iter().all(|id| !b_ids.contains(id)));
    for entry in &entries {
        let names = |ids: &[[u8; 32]]| ids.iter().any(|id| contains(entry, id));
        assert!(
            !(names(&a_ids) && names(&b_ids)),
            "an entry names both of the patient's accounts"
        );
    }

    // 3. Nothing the sexual-health clinic issued or read reaches the demo clinic's records.
    let mut hubs: HashSet<[u8; 32]> = HashSet::from([devnet.genesis.chain_id().0]);
    for v in devnet.genesis.validators.keys() {
        hubs.insert(v.0);
        hubs.insert(Address::of(v).0);
    }
    let universe: HashSet<[u8; 32]> = txs
        .iter()
        .flat_map(ids_of)
        .filter(|id| !hubs.contains(id))
        .collect();
    let in_entry: Vec<HashSet<[u8; 32]>> = entries
        .iter()
        .map(|e| {
            e.windows(32)
                .filter_map(|w| <[u8; 32]>::try_from(w).ok())
                .filter(|w| universe.contains(w))
                .collect()
        })
        .collect();
    let harbour = Address::of(&devnet.genesis.clinics[1].signing);
    let mut reached: HashSet<[u8; 32]> = txs
        .iter()
        .filter(|t| t.tx.author_address() == harbour)
        .flat_map(ids_of)
        .filter(|id| !hubs.contains(id))
        .collect();
    reached.insert(code_b.account().0);
    loop {
        let before = reached.len();
        for ids in &in_entry {
            if ids.iter().any(|id| reached.contains(id)) {
                reached.extend(ids.iter().copied());
            }
        }
        if reached.len() == before {
            break;
        }
    }
    let demo_records: Vec<&str> = records
        .iter()
        .filter(|r| r["account"] == 0)
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert!(!demo_records.is_empty());
    for id in demo_records {
        let id: [u8; 32] = hex::decode(id).expect("hex").try_into().expect("32");
        assert!(
            !reached.contains(&id),
            "a demo-clinic record is reachable from Harbour's"
        );
    }
    assert!(!reached.contains(&code_a.account().0));
    // Nor does it lead to the doctor: the grant, its receipt and the doctor's fetch name only
    // the grant's pairwise key, and no grant or receipt anywhere names the doctor.
    let doctor_id: medwallet_crypto::Bech32Address = doctor_address.parse().expect("address");
    let doctor_id = doctor_id.account().0;
    assert!(
        !reached.contains(&doctor_id),
        "the doctor is reachable from Harbour's records"
    );
    for tx in &txs {
        if matches!(
            tx.tx.body,
            TxBody::Grant { .. } | TxBody::AccessReceipt { .. }
        ) {
            assert!(
                !contains(&tx.encode(), &doctor_id),
                "a grant or receipt names the doctor"
            );
        }
    }
    assert!(
        reached.len() > 4,
        "Harbour's records, their account and what names them are reached"
    );
}
