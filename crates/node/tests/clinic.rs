//! The clinic's flows against a real (in-process, single-validator) node: register a doctor,
//! issue a Synthea history per encounter to a registered patient, and check as the patient that
//! every record is on the ledger (verified), its ciphertext is served, and it opens to exactly
//! the FHIR the clinic issued. Invalid FHIR and unregistered patients submit nothing.

use std::time::Duration;

use medledger_node::clinic::{add_doctor, issue};
use medledger_node::clinic_key::ClinicKey;
use medledger_node::config::Home;
use medledger_types::blob_request::{Auth, Method, request_message};
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, PublicKey, ReceivingKey, RecordId};
use medledger_types::state::{MAX_VALUE_LEN, RecordEntry, StateKey};
use medledger_types::tx::{SignedTx, Tx, TxBody};
use medwallet_crypto::envelope::{Identity, WrappedKey, open_to_vec};
use medwallet_crypto::{AccountKeys, Namespace, RecoveryPhrase};
use medwallet_net::NodeClient;
use medwallet_net::verified::{latest_verified, verified_value};
use medwallet_verify::{LightClient, TrustAnchor};

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clinic_issues_a_history_per_encounter_and_the_patient_opens_it_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = 31_000 + (std::process::id() % 4_000) as u16;
    let summary = medledger_node::testnet::generate(
        &dir.path().join("net"),
        1,
        0,
        port,
        "clinic-test",
        now_ms(),
    )
    .expect("testnet");
    let home = Home::new(dir.path().join("net/node0"));
    let genesis = home
        .genesis()
        .expect("genesis")
        .to_genesis()
        .expect("valid");
    std::thread::spawn(move || {
        let _ = medledger_node::run::start(&home);
    });
    let node = NodeClient::new(&summary.nodes[0].api);
    for _ in 0..300 {
        if node
            .status()
            .await
            .is_ok_and(|s| s.latest_finalized.is_some())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let clinic = ClinicKey::read(&dir.path().join("net/clinic.key")).expect("clinic key");
    let patient = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[0x51; 32]));
    let doctor = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[0x52; 32]));
    let fhir = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/fhir/Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json"
    ))
    .expect("fixture");

    // Not registered yet: refused before anything is uploaded or submitted.
    let err = issue(
        &clinic.keys(),
        &clinic.name,
        &node,
        &patient.public().share_code(),
        &fhir,
        true,
    )
    .await
    .expect_err("unregistered");
    assert!(err.to_string().contains("medwallet register"), "{err}");

    // The patient registers.
    let chain = genesis.chain_id();
    let tx = Tx {
        chain,
        author: PublicKey(patient.signing_key().verifying_key().to_bytes()),
        nonce: 0,
        body: TxBody::RegisterPatient {
            receiving: ReceivingKey(patient.public().receiving.to_bytes()),
        },
    };
    let signature =
        medwallet_crypto::sign(patient.signing_key(), Namespace::TX, &tx.signing_bytes())
            .to_bytes();
    let id = node
        .submit(&SignedTx { tx, signature })
        .await
        .expect("submit");
    assert!(
        node.wait_tx(&id, 30_000)
            .await
            .expect("status")
            .height
            .is_some()
    );

    // Invalid FHIR: refused, nothing submitted.
    let invalid = br#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","bogus":true}}]}"#;
    let err = issue(
        &clinic.keys(),
        &clinic.name,
        &node,
        &patient.public().share_code(),
        invalid,
        false,
    )
    .await
    .expect_err("invalid");
    assert!(err.to_string().contains("not valid FHIR R4"), "{err}");

    let (doctor_address, _) = add_doctor(
        &clinic.keys(),
        &node,
        &doctor.public().share_code(),
        "Dr. Grey",
        "MD-77",
    )
    .await
    .expect("add doctor");
    assert_eq!(doctor_address, doctor.public().address().to_string());

    let issued = issue(
        &clinic.keys(),
        &clinic.name,
        &node,
        &patient.public().share_code(),
        &fhir,
        true,
    )
    .await
    .expect("issue");
    let drafts = medwallet_fhir::records_from(&fhir, true).expect("split");
    assert_eq!(issued.len(), drafts.len());
    assert_eq!(
        issued[0].record_id,
        RecordId::derive(&Address(*clinic.keys().public().address().as_bytes()), 1).to_hex(),
        "nonce 0 went to the doctor"
    );

    // The patient, trusting only genesis, verifies and opens every record.
    let light = LightClient::new(TrustAnchor::from_genesis(&genesis).expect("anchor"));
    let mut at = latest_verified(&node, &light, now_ms(), 60_000)
        .await
        .expect("verified");
    for _ in 0..100 {
        if at.header.height >= issued.last().expect("one").height {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        at = latest_verified(&node, &light, now_ms(), 60_000)
            .await
            .expect("verified");
    }
    let identity = patient.identity();
    for (record, draft) in issued.iter().zip(&drafts) {
        let id = RecordId::from_hex(&record.record_id).expect("id");
        let entry = verified_value(&node, &at, &StateKey::record(&id))
            .await
            .expect("verified")
            .expect("present");
        let entry = RecordEntry::decode(&entry, MAX_VALUE_LEN).expect("entry");
        assert_eq!(
            entry.patient,
            Address(*patient.public().address().as_bytes())
        );
        assert_eq!(entry.category, draft.category);
        let ts = now_ms();
        let auth = Auth {
            key: PublicKey(patient.signing_key().verifying_key().to_bytes()),
            timestamp_ms: ts,
            signature: medwallet_crypto::sign(
                patient.signing_key(),
                Namespace::BLOB_REQUEST,
                &request_message(Method::Get, &entry.ciphertext_sha256, Some(&id), None, ts),
            )
            .to_bytes(),
        };
        let blob = node
            .get_blob(&entry.ciphertext_sha256, &id, None, &auth.to_header())
            .await
            .expect("blob");
        assert_eq!(
            <sha2::Sha256 as sha2::Digest>::digest(&blob).as_slice(),
            entry.ciphertext_sha256.as_bytes()
        );
        let key = identity
            .unwrap(
                &WrappedKey::from_bytes(&entry.wrapped_key.0).expect("wrapped"),
                &id.0,
            )
            .expect("unwrap");
        assert_eq!(
            open_to_vec(&key, &blob).expect("open"),
            draft.bytes,
            "byte-identical to what the clinic issued"
        );
        let metadata: serde_json::Value =
            serde_json::from_slice(&open_to_vec(&key, &entry.metadata).expect("metadata"))
                .expect("json");
        assert_eq!(metadata["title"], draft.title.as_str());
        assert_eq!(metadata["clinic"], "Demo Clinic");
    }
}
