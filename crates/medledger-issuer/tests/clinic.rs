//! The clinic's flows against a real (in-process, single-validator) devnet: register a doctor,
//! issue a Synthea history per encounter to a registered patient, and check as the patient, by
//! proof, that every record is on the ledger, its ciphertext is served, and it opens to exactly
//! the FHIR the clinic issued. Invalid FHIR and unregistered patients submit nothing.

use medledger_client::padded::open_padded;
use medledger_client::transaction::sign;
use medledger_client::{BlobRequest, LedgerSource, RecordMetadata, reads};
use medledger_devnet::{CLINIC_NAME, Devnet, NED, fixture};
use medledger_issuer::IssueError;
use medledger_issuer::issue::{Clinic, issue};
use medledger_types::hash::{ReceivingKey, RecordId};
use medledger_types::size_bucket;
use medledger_types::state::{RecordEntry, StateKey};
use medledger_types::tx::TxBody;
use medwallet_crypto::envelope::Identity;
use medwallet_crypto::{AccountKeys, PublicKeys, RecoveryPhrase, ShareCode};

fn now_ms() -> u64 {
    medledger_issuer::now_ms()
}

fn account(seed: u8) -> AccountKeys {
    AccountKeys::derive(&RecoveryPhrase::from_entropy(&[seed; 32]))
}

/// The patient registers (RegisterPatient, nonce 0), as their wallet would.
async fn register(source: &impl LedgerSource, patient: &AccountKeys) {
    let tx = sign(
        patient.signing_key(),
        source.chain(),
        0,
        TxBody::RegisterPatient {
            receiving: ReceivingKey(patient.public().receiving.to_bytes()),
        },
    );
    source.submit(&tx).await.expect("register");
}

#[test]
fn a_clinic_issues_a_history_per_encounter_and_the_patient_opens_it_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start(dir.path(), 1);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let source = devnet.source();
        let keys = devnet.clinic.keys();
        let clinic = Clinic {
            keys: &keys,
            name: CLINIC_NAME,
        };
        let (patient, doctor) = (account(0x51), account(0x52));
        let code = patient.public().share_code();
        let fhir = fixture(NED);
        let mut rng = rand::rng();

        // Not registered yet: refused before anything is uploaded or submitted.
        let err = issue(&source, &clinic, &code, &fhir, true, now_ms(), &mut rng)
            .await
            .expect_err("unregistered");
        assert!(matches!(err, IssueError::NotRegistered(_)), "{err}");
        assert!(err.to_string().contains("medwallet register"), "{err}");

        // The patient registers.
        register(&source, &patient).await;

        // Invalid FHIR: refused, nothing submitted.
        let invalid = br#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","bogus":true}}]}"#;
        let err = issue(&source, &clinic, &code, invalid, false, now_ms(), &mut rng)
            .await
            .expect_err("invalid");
        assert!(err.to_string().contains("not valid FHIR R4"), "{err}");

        let consent = devnet.doctor_consent(&doctor, "Dr. Grey", "MD-77");
        devnet
            .register_doctor(&doctor.public().share_code(), "Dr. Grey", "MD-77", consent)
            .await;
        let issued = issue(&source, &clinic, &code, &fhir, true, now_ms(), &mut rng)
            .await
            .expect("issue");
        let drafts = medwallet_fhir::records_from(&fhir, true).expect("split");
        assert_eq!(issued.len(), drafts.len());
        let me = keys.public().account();
        assert_eq!(
            issued[0].record_id,
            RecordId::derive(&me, 1).to_hex(),
            "nonce 0 went to the doctor"
        );

        // The patient, trusting only genesis, verifies and opens every record.
        let at = source.latest(now_ms()).await.expect("verified");
        assert!(at.height() >= issued.last().expect("one").height);
        let identity = patient.identity();
        for (record, draft) in issued.iter().zip(&drafts) {
            let id = RecordId::from_hex(&record.record_id).expect("id");
            let entry: RecordEntry = reads::required(&source, &at, &StateKey::record(&id))
                .await
                .expect("proven");
            assert_eq!(entry.patient, patient.public().account());
            assert!(size_bucket::is_bucket(entry.ciphertext_len));
            let request =
                BlobRequest::new(patient.signing_key(), entry.ciphertext_sha256, id, None, now_ms());
            let blob = source
                .blob(&request, entry.ciphertext_len)
                .await
                .expect("blob");
            assert_eq!(
                <sha2::Sha256 as sha2::Digest>::digest(&blob).as_slice(),
                entry.ciphertext_sha256.as_bytes()
            );
            let key = identity
                .unwrap(&entry.wrapped_key, &id.0)
                .expect("unwrap");
            assert_eq!(
                open_padded(&key, &blob).expect("open"),
                draft.bytes,
                "byte-identical to what the clinic issued"
            );
            let metadata = RecordMetadata::open(&key, &entry.metadata).expect("metadata");
            assert_eq!(metadata.title, draft.title);
            assert_eq!(metadata.category, draft.category, "the category is sealed inside");
            assert_eq!(
                metadata.visit.map(|v| v.id),
                draft.visit.as_ref().map(|v| v.id.clone())
            );
            assert_eq!(metadata.clinic, CLINIC_NAME);
        }
        assert!(source.incidents().is_empty());
    });
}

/// A forged share code (the patient's signing key beside an attacker's receiving key) names the
/// patient, so the records go to the patient: wrapped to the key the ledger proves for them.
#[test]
fn a_forged_share_code_cannot_redirect_a_patients_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start(dir.path(), 1);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let source = devnet.source();
        let keys = devnet.clinic.keys();
        let clinic = Clinic {
            keys: &keys,
            name: CLINIC_NAME,
        };
        let (patient, attacker) = (account(0x61), account(0x62));
        register(&source, &patient).await;
        let forged = ShareCode::new(PublicKeys {
            signing: patient.public().signing,
            receiving: attacker.public().receiving,
        });
        let fhir = fixture(NED);
        let issued = issue(
            &source,
            &clinic,
            &forged,
            &fhir,
            true,
            now_ms(),
            &mut rand::rng(),
        )
        .await
        .expect("issue");
        let at = source.latest(now_ms()).await.expect("verified");
        let id = RecordId::from_hex(&issued[0].record_id).expect("id");
        let entry: RecordEntry = reads::required(&source, &at, &StateKey::record(&id))
            .await
            .expect("proven");
        let wrapped = entry.wrapped_key;
        assert!(
            attacker.identity().unwrap(&wrapped, &id.0).is_err(),
            "the attacker's key opens nothing"
        );
        assert!(
            patient.identity().unwrap(&wrapped, &id.0).is_ok(),
            "the registered patient's key opens it"
        );
    });
}

/// A file (an imaging study) is issued as one record, sealed and uploaded as it is read; the
/// patient streams it back and it opens to the same bytes. A file larger than the ledger takes
/// is refused before anything is uploaded.
#[test]
fn a_file_is_issued_as_one_record_and_streams_back_byte_identical() {
    use medledger_client::Attachment;
    use medledger_client::padded::open_padded_stream;
    use medledger_issuer::file::{FileProgress, FileRecord, issue_file};
    use medledger_types::category::Category;
    use std::sync::{Arc, Mutex};

    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start(dir.path(), 1);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let source = devnet.source();
        let keys = devnet.clinic.keys();
        let clinic = Clinic {
            keys: &keys,
            name: CLINIC_NAME,
        };
        let patient = account(0x61);
        register(&source, &patient).await;
        let code = patient.public().share_code();

        let study: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 253) as u8).collect();
        let path = dir.path().join("chest-ct.dcm");
        std::fs::write(&path, &study).expect("write");
        let record = FileRecord {
            path: &path,
            content_type: "application/dicom",
            title: "CT chest",
            date: Some("2026-11-30".into()),
            category: Category::Reports,
        };
        let heard = Arc::new(Mutex::new(Vec::new()));
        let log = heard.clone();
        let issued = issue_file(
            &source,
            &clinic,
            &code,
            &record,
            now_ms(),
            &mut rand::rng(),
            Arc::new(move |p| log.lock().expect("lock").push(p)),
        )
        .await
        .expect("issued");
        let sealed = issued.size as u64;
        let heard = heard.lock().expect("lock").clone();
        assert!(heard.contains(&FileProgress::Sealing {
            done: sealed,
            of: sealed
        }));
        assert_eq!(
            heard.last(),
            Some(&FileProgress::Uploading {
                done: sealed,
                of: sealed
            })
        );

        let at = source.latest(now_ms()).await.expect("verified");
        let id = RecordId::from_hex(&issued.record_id).expect("id");
        let entry: RecordEntry = reads::required(&source, &at, &StateKey::record(&id))
            .await
            .expect("proven");
        assert_eq!(entry.ciphertext_len, sealed);
        assert!(size_bucket::is_bucket(sealed));
        let key = patient
            .identity()
            .unwrap(&entry.wrapped_key, &id.0)
            .expect("unwrap");
        let metadata = RecordMetadata::open(&key, &entry.metadata).expect("metadata");
        assert_eq!(
            metadata.file,
            Some(
                Attachment::new("application/dicom", "chest-ct.dcm", study.len() as u64)
                    .expect("file")
            )
        );
        let request = BlobRequest::new(
            patient.signing_key(),
            entry.ciphertext_sha256,
            id,
            None,
            now_ms(),
        );
        let blob = source.blob(&request, sealed).await.expect("blob");
        let mut opened = Vec::new();
        open_padded_stream(&key, &blob[..], &mut opened).expect("open");
        assert!(opened == study, "byte-identical to the file issued");

        // Past the ledger's limit (a sparse file: no disk is used): refused up front.
        let huge = dir.path().join("huge.dcm");
        std::fs::File::create(&huge)
            .and_then(|f| f.set_len(medledger_types::tx::MAX_RECORD_LEN))
            .expect("sparse");
        let record = FileRecord {
            path: &huge,
            ..record
        };
        let err = issue_file(
            &source,
            &clinic,
            &code,
            &record,
            now_ms(),
            &mut rand::rng(),
            Arc::new(|_| {}),
        )
        .await
        .expect_err("too large");
        assert!(err.to_string().contains("at most"), "{err}");
    });
}
