//! Emergency-access figures on a real 4-validator devnet (in this process's children): a
//! patient with a whole history (about 500 records from the Synthea fixtures) and a doctor.
//! `make bench-emergency` runs this.
//!
//! Timed, per run (median of `MEDWALLET_FIGURES_RUNS`, default 5):
//! - prepare: `Wallet::set_emergency` (every record opened from the kept ciphertext, the
//!   emergency IPS built, sealed, uploaded, the key split among the 4 validators, SetEmergency
//!   proven final), beside `Wallet::summary` of the same records (the IPS alone), as a ratio;
//! - break the glass: from the doctor's request to the set opened (the request proven final,
//!   3 of the 4 validators' shares released on the ledger and proven, combined, the blob
//!   fetched from a node, checked and opened).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use medwallet_core::emergency::EmergencyContact;
use medwallet_core::{SystemClock, Wallet, WalletError};
use medwallet_crypto::{AccountKeys, RecoveryPhrase};
use medwallet_store::{LockedWallet, WalletDir};

#[path = "common/figures.rs"]
mod figures;
use figures::{run_count, synthea_files};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn wallet_of(
    dir: &std::path::Path,
    keys: Arc<AccountKeys>,
) -> Result<Wallet<LockedWallet, SystemClock>> {
    std::fs::create_dir_all(dir)?;
    Ok(Wallet::open(
        keys,
        WalletDir::new(dir).lock()?,
        SystemClock,
    )?)
}

fn fresh_keys() -> Arc<AccountKeys> {
    let mut entropy = [0u8; 32];
    rand::Rng::fill_bytes(&mut rand::rng(), &mut entropy);
    Arc::new(AccountKeys::derive(&RecoveryPhrase::from_entropy(&entropy)))
}

fn main() -> Result<()> {
    let work = tempfile::tempdir()?;
    let devnet = medledger_devnet::Devnet::start(work.path(), 4);
    let source = devnet.source();
    let rt = tokio::runtime::Runtime::new()?;
    let keys = fresh_keys();
    let patient = wallet_of(&work.path().join("patient"), keys.clone())?;
    rt.block_on(patient.register_patient(&source, &mut rand::rng()))?;
    let code = keys.public().share_code();
    rt.block_on(devnet.issue(
        &code,
        &medledger_devnet::fixture("allergies_and_medications.json"),
    ));
    for file in synthea_files()? {
        if patient.records().len() >= 500 {
            break;
        }
        rt.block_on(devnet.issue(&code, &std::fs::read(&file)?));
        let mut quiet = |_: medwallet_core::SyncEvent<'_>| Ok(());
        rt.block_on(patient.sync(&source, &mut quiet, &mut rand::rng()))?;
    }
    let records = patient.records().len();

    let doctor_keys = fresh_keys();
    let doctor = wallet_of(&work.path().join("doctor"), doctor_keys.clone())?;
    let consent = devnet.doctor_consent(&doctor_keys, "Dr. Figures", "MD-9");
    rt.block_on(devnet.register_doctor(
        &doctor_keys.public().share_code(),
        "Dr. Figures",
        "MD-9",
        consent,
    ));

    let contacts = [EmergencyContact {
        name: "Ana Hintz".into(),
        relationship: "sister".into(),
        phone: "+1 555 0100".into(),
    }];
    let validators = devnet.genesis.emergency_keys.clone();
    let (mut summaries, mut prepared) = (Vec::new(), Vec::new());
    let mut card = String::new();
    for _ in 0..run_count() {
        let start = Instant::now();
        rt.block_on(patient.summary(&source, &mut rand::rng()))?;
        summaries.push(start.elapsed());
        let start = Instant::now();
        let set =
            rt.block_on(patient.set_emergency(&source, &validators, &contacts, &mut rand::rng()))?;
        prepared.push(start.elapsed());
        card = set.code;
    }
    let account = card
        .parse::<medwallet_crypto::Bech32Address>()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .account();

    let mut opened = Vec::new();
    for _ in 0..run_count() {
        let start = Instant::now();
        let request =
            rt.block_on(doctor.request_emergency(&source, &account, "figures", &mut rand::rng()))?;
        loop {
            match rt.block_on(doctor.open_emergency(&source, &request.request)) {
                Ok(_) => break,
                Err(WalletError::EmergencyWaiting { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            if start.elapsed() > Duration::from_secs(120) {
                bail!("the validators never released a quorum of shares");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        opened.push(start.elapsed());
    }
    let (summary, prepare) = (median(summaries), median(prepared));
    println!(
        "prepare the emergency set of a {records}-record history: median {:.0} ms; the patient summary of the same records: {:.0} ms ({:.2}x) over {} runs",
        ms(prepare),
        ms(summary),
        ms(prepare) / ms(summary),
        run_count()
    );
    println!(
        "break the glass on 4 validators, request to set opened: median {:.0} ms over {} runs",
        ms(median(opened)),
        run_count()
    );
    Ok(())
}
