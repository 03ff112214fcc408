//! Every Synthea patient (realistic clinic output, 0.27 to 2.8 MB) seals to a patient, is
//! granted to a doctor, and opens byte-identical, through both the streaming and the in-memory
//! functions. Reads `../shared/fixtures` when it is beside the checkout, else the in-repo copy.

use std::path::{Path, PathBuf};

use medwallet_crypto::envelope::{self, ContentKey, Identity, Recipient, X25519Recipient};
use medwallet_crypto::{AccountKeys, RecoveryPhrase};
use rand::SeedableRng;

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared/fixtures/fhir/synthea");
    let dir = if shared.is_dir() {
        shared
    } else {
        root.join("tests/fixtures/fhir")
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

#[test]
fn every_synthea_patient_round_trips_to_patient_and_doctor() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let patient = AccountKeys::derive(&RecoveryPhrase::generate(&mut rng));
    let doctor = AccountKeys::derive(&RecoveryPhrase::generate(&mut rng));
    for path in fixtures() {
        let bundle = std::fs::read(&path).expect("read fixture");
        let record_id = path
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let key = ContentKey::generate(&mut rng);
        let mut sealed = Vec::new();
        envelope::seal_payload(&key, &mut rng, &bundle[..], &mut sealed).expect("seal");
        assert_eq!(
            sealed.len() as u64,
            envelope::payload::sealed_len(bundle.len() as u64)
        );
        let for_patient = X25519Recipient::new(patient.public().receiving)
            .wrap(&key, record_id.as_bytes(), &mut rng)
            .expect("wrap");

        let patient_key = patient
            .identity()
            .unwrap(&for_patient, record_id.as_bytes())
            .expect("unwrap");
        let for_doctor = X25519Recipient::new(doctor.public().receiving)
            .wrap(&patient_key, record_id.as_bytes(), &mut rng)
            .expect("re-wrap");
        let doctor_key = doctor
            .identity()
            .unwrap(&for_doctor, record_id.as_bytes())
            .expect("unwrap");
        assert_eq!(
            envelope::open_to_vec(&doctor_key, &sealed).expect("open"),
            bundle,
            "{record_id}"
        );
        let mut streamed = Vec::new();
        envelope::open_payload(&patient_key, &sealed[..], &mut streamed).expect("open");
        assert_eq!(streamed, bundle, "{record_id}");
    }
}
