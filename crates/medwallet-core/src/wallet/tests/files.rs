//! File records (an imaging study): saved as they are read, byte for byte; never shown as
//! FHIR; a damaged kept copy is named and fetched again.

use std::sync::Mutex;

use medledger_client::{Attachment, BlobRequest, BlobSink, Incident, SourceError};
use medledger_types::hash::ChainId;
use medledger_types::state::StateKey;
use medledger_types::tx::SignedTx;
use medwallet_verify::{Invalid, VerifiedHeader};

use super::*;
use crate::wallet::saving::SaveProgress;

/// A study-like file that ends in bytes padding is made of, with a run of zeros inside.
fn study(len: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
    bytes[70_000..140_000].fill(0);
    bytes[len - 3..].copy_from_slice(&[0x80, 0, 0]);
    bytes
}

type Saved = Result<(u64, Vec<u8>), WalletError>;

fn saved(w: &World, id: &str) -> (Saved, Vec<SaveProgress>) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = heard.clone();
    let result = block_on(w.patient.save_record(
        &w.ledger,
        id,
        Vec::new(),
        Arc::new(move |p| log.lock().expect("lock").push(p)),
    ));
    let heard = heard.lock().expect("lock").clone();
    (result, heard)
}

#[test]
fn a_file_record_is_saved_byte_for_byte_and_never_opened_as_fhir() {
    let mut w = world();
    w.issue(0, Category::Labs);
    let bytes = study(300_000);
    let file = Attachment::new("application/dicom", "chest-ct.dcm", bytes.len() as u64)
        .expect("attachment");
    let id = w
        .ledger
        .issue_file(&w.clinic, &keys(PATIENT), &bytes, file.clone())
        .to_hex();
    let report = w.sync();
    assert_eq!((report.total_records, report.ciphertexts_missing), (2, 0));
    let record = w.patient.record(&id).expect("synced");
    assert_eq!(record.file, Some(file));

    let err = block_on(w.patient.open_record(&w.ledger, &id)).expect_err("a file");
    assert!(
        matches!(&err, WalletError::IsAFile { name, .. } if name == "chest-ct.dcm"),
        "{err}"
    );
    // The views built from FHIR leave it out rather than fail.
    let summary = block_on(w.patient.summary(&w.ledger, &mut w.rng)).expect("summary");
    assert!(serde_json::to_string(&summary.bundle).is_ok());

    let (result, heard) = saved(&w, &id);
    let (written, out) = result.expect("saved");
    assert_eq!((written, out == bytes), (bytes.len() as u64, true));
    assert_eq!(
        heard.last(),
        Some(&SaveProgress::Opening {
            done: record.ciphertext_len,
            of: record.ciphertext_len
        }),
        "kept by the sync, so only opened"
    );
}

#[test]
fn a_damaged_kept_copy_is_refused_dropped_and_downloaded_again() {
    let mut w = world();
    let bytes = study(200_000);
    let file = Attachment::new("application/dicom", "mr.dcm", bytes.len() as u64).expect("file");
    let id = w
        .ledger
        .issue_file(&w.clinic, &keys(PATIENT), &bytes, file)
        .to_hex();
    w.sync();
    let record = w.patient.record(&id).expect("synced");
    let sha = record.ciphertext_sha256.clone();
    w.patient_store
        .blobs
        .lock()
        .expect("lock")
        .get_mut(&sha)
        .expect("kept")[100_000] ^= 1;

    let (result, _) = saved(&w, &id);
    assert!(
        matches!(result, Err(WalletError::WrongCiphertext(ref r)) if *r == id),
        "{result:?}"
    );
    assert!(!w.patient.is_kept(&record), "the damaged copy is dropped");

    let (result, heard) = saved(&w, &id);
    assert_eq!(result.expect("saved again").1, bytes);
    assert!(heard.contains(&SaveProgress::Downloading {
        done: record.ciphertext_len,
        of: record.ciphertext_len
    }));
    assert!(w.patient.is_kept(&record));
}

/// The memory ledger behind a first node that streams most of a ciphertext with one byte
/// changed before the source catches it and turns to the next node, as the network source does.
struct CaughtMidway<'a>(&'a MemoryLedger);

impl LedgerSource for CaughtMidway<'_> {
    fn chain(&self) -> ChainId {
        self.0.chain()
    }
    async fn latest(&self, now_ms: u64) -> Result<VerifiedHeader, SourceError> {
        self.0.latest(now_ms).await
    }
    async fn value(
        &self,
        at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<Option<Vec<u8>>, SourceError> {
        self.0.value(at, key).await
    }
    async fn blob(&self, request: &BlobRequest<'_>, len: u64) -> Result<Vec<u8>, SourceError> {
        self.0.blob(request, len).await
    }
    async fn blob_to(
        &self,
        request: &BlobRequest<'_>,
        len: u64,
        sink: &mut dyn BlobSink,
    ) -> Result<(), SourceError> {
        let honest = self.0.blob(request, len).await?;
        let mut lie = honest.clone();
        lie[100_000] ^= 1;
        sink.restart().map_err(SourceError::Local)?;
        for piece in lie[..150_000].chunks(7_000) {
            sink.write(piece).map_err(SourceError::Local)?;
        }
        sink.restart().map_err(SourceError::Local)?;
        for piece in honest.chunks(9_000) {
            sink.write(piece).map_err(SourceError::Local)?;
        }
        Ok(())
    }
    async fn submit(&self, tx: &SignedTx) -> Result<u64, SourceError> {
        self.0.submit(tx).await
    }
    fn incidents(&self) -> Vec<Incident> {
        self.0.incidents()
    }
    fn adopt_floor(&self, header: &[u8], certificate: &[u8]) -> Result<(), Invalid> {
        self.0.adopt_floor(header, certificate)
    }
}

#[test]
fn a_download_restarted_midway_saves_only_the_next_nodes_bytes() {
    let mut w = world();
    let bytes = study(400_000);
    let file = Attachment::new("application/dicom", "pet.dcm", bytes.len() as u64).expect("file");
    let id = w
        .ledger
        .issue_file(&w.clinic, &keys(PATIENT), &bytes, file)
        .to_hex();
    w.sync();
    let record = w.patient.record(&id).expect("synced");
    w.patient_store
        .blobs
        .lock()
        .expect("lock")
        .remove(&record.ciphertext_sha256);

    let source = CaughtMidway(&w.ledger);
    let (written, out) =
        block_on(
            w.patient
                .save_record(&source, &id, Vec::new(), Arc::new(|_| {})),
        )
        .expect("saved from the second answer");
    assert_eq!(written, bytes.len() as u64);
    assert!(
        out == bytes,
        "nothing of the first answer is left in the file"
    );
    assert!(w.patient.is_kept(&record));
}

#[test]
fn a_large_file_record_is_left_to_be_saved_and_not_kept_twice() {
    let mut w = world();
    let bytes = study((crate::wallet::KEPT_ON_SYNC_MAX + (1 << 20)) as usize);
    let file = Attachment::new("application/dicom", "ct.dcm", bytes.len() as u64).expect("file");
    let id = w
        .ledger
        .issue_file(&w.clinic, &keys(PATIENT), &bytes, file)
        .to_hex();
    let report = w.sync();
    let record = w.patient.record(&id).expect("synced");
    assert_eq!(
        report.ciphertexts_missing, 0,
        "not missing: left to be saved"
    );
    assert!(!w.patient.is_kept(&record), "a sync does not fetch it");

    let (result, heard) = saved(&w, &id);
    assert!(result.expect("saved").1 == bytes);
    assert!(heard.contains(&SaveProgress::Downloading {
        done: record.ciphertext_len,
        of: record.ciphertext_len
    }));
    assert!(!w.patient.is_kept(&record), "the saved file is the copy");
}

#[test]
fn a_doctor_saves_a_shared_file_record_and_nothing_once_it_is_revoked() {
    let mut w = world();
    let bytes = study(250_000);
    let file = Attachment::new("application/dicom", "echo.dcm", bytes.len() as u64).expect("file");
    let id = w.ledger.issue_file(&w.clinic, &keys(PATIENT), &bytes, file);
    w.sync();
    let granted = w.grant(crate::consent::ShareScope::Records(vec![id]), None);

    let err = block_on(w.doctor.open_shared(&w.ledger, granted.grant, id)).expect_err("a file");
    assert!(matches!(err, WalletError::IsAFile { .. }), "{err}");
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = heard.clone();
    let (written, out) = block_on(w.doctor.save_shared(
        &w.ledger,
        granted.grant,
        id,
        Vec::new(),
        Arc::new(move |p| log.lock().expect("lock").push(p)),
    ))
    .expect("saved by the doctor");
    assert_eq!(written, bytes.len() as u64);
    assert!(out == bytes);
    assert!(
        matches!(heard.lock().expect("lock").last(), Some(SaveProgress::Downloading { done, of }) if done == of)
    );

    block_on(w.patient.revoke(&w.ledger, granted.grant)).expect("revoke");
    let err =
        block_on(
            w.doctor
                .save_shared(&w.ledger, granted.grant, id, Vec::new(), Arc::new(|_| {})),
        )
        .expect_err("revoked");
    assert!(matches!(err, WalletError::GrantEnded(_)), "{err}");
}
