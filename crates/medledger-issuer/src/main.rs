//! `medclinic`: a clinic's command line. Keys, doctors, issuing records to patients' wallets,
//! and the devnet's demo clinic. It trusts no node: reads are verified against the chain's
//! genesis (`--genesis`), as a wallet's are.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use medledger_issuer::file::{FileProgress, FileRecord, issue_file};
use medledger_issuer::issue::{Clinic, issue_reporting};
use medledger_issuer::{ClinicKey, demo, doctors, now_ms};
use medledger_types::category::Category;
use medwallet_crypto::ShareCode;
use medwallet_net::NetworkSource;

#[derive(Parser)]
#[command(
    name = "medclinic",
    version,
    about = "A clinic's tools for the Medwallet ledger: keys, doctors, issuing records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the ledger is, and what anchors trust in it.
#[derive(clap::Args)]
struct Ledger {
    /// The clinic's key file (`medclinic keygen`).
    #[arg(long)]
    key: PathBuf,
    /// A full node's API URL (repeatable; none is trusted: answers are verified).
    #[arg(long = "node", required = true)]
    nodes: Vec<String>,
    /// The chain's genesis file (the trust anchor).
    #[arg(long)]
    genesis: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Create a clinic key file (never overwrites); prints its address and share code.
    Keygen {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "Clinic")]
        name: String,
    },
    /// Register a doctor with this clinic.
    AddDoctor {
        #[command(flatten)]
        ledger: Ledger,
        /// The doctor's share code (`medwallet address`).
        #[arg(long)]
        doctor: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        licence: String,
        /// The doctor's consent to this registration, signed in their wallet
        /// (`medwallet doctor-consent --clinic <this clinic's address> --name .. --licence ..`).
        #[arg(long)]
        consent: String,
    },
    /// Issue a FHIR R4 document to a patient: validate, encrypt to the patient, upload, submit,
    /// wait for finality, print the record ids.
    Issue {
        #[command(flatten)]
        ledger: Ledger,
        /// The patient's share code.
        #[arg(long)]
        patient: String,
        #[arg(long)]
        fhir: PathBuf,
        /// Split a Bundle into one record per visit and category (labs, vital signs,
        /// medications, allergies, …), so that sharing a category shares only it.
        #[arg(long)]
        per_encounter: bool,
    },
    /// Issue a file to a patient as one record (an imaging study, a scanned letter): sealed and
    /// uploaded as it is read, in constant memory whatever its size.
    IssueFile {
        #[command(flatten)]
        ledger: Ledger,
        /// The patient's share code.
        #[arg(long)]
        patient: String,
        #[arg(long)]
        file: PathBuf,
        /// Its MIME type.
        #[arg(long = "type", default_value = "application/dicom")]
        content_type: String,
        /// What the patient sees it as ("CT chest").
        #[arg(long)]
        title: String,
        /// The date it was made (ISO 8601).
        #[arg(long)]
        date: Option<String>,
        /// Its category (labs, reports, procedures, other, …).
        #[arg(long, default_value = "reports")]
        category: String,
    },
    /// Devnet demo: issue these FHIR documents (one record per visit and category) to every patient who
    /// registers, as they register. Runs until stopped.
    Demo {
        #[command(flatten)]
        ledger: Ledger,
        /// A FHIR R4 transaction Bundle (repeatable).
        #[arg(long, required = true)]
        fhir: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn open(ledger: &Ledger) -> anyhow::Result<(ClinicKey, NetworkSource)> {
    let key = ClinicKey::read(&ledger.key)?;
    let bytes = medwallet_files::read_bounded(&ledger.genesis, 4 * 1024 * 1024)
        .with_context(|| format!("cannot read {}", ledger.genesis.display()))?;
    let genesis = medledger_api::GenesisFile::parse(&bytes)
        .with_context(|| format!("{} is not a valid genesis file", ledger.genesis.display()))?;
    Ok((key, NetworkSource::anchored(&ledger.nodes, &genesis)?))
}

fn share_code(text: &str, whose: &str) -> anyhow::Result<ShareCode> {
    text.parse()
        .map_err(|e| anyhow::anyhow!("invalid {whose} share code: {e}"))
}

fn read_fhir(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    medwallet_files::read_bounded(path, medwallet_fhir::MAX_DOCUMENT_LEN)
        .with_context(|| format!("cannot read {}", path.display()))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let runtime = || tokio::runtime::Runtime::new().context("cannot start the runtime");
    match cli.command {
        Command::Keygen { out, name } => {
            let key = ClinicKey::generate(name, &mut rand::rng());
            key.write_new(&out)?;
            let public = key.keys().public();
            println!(
                "{}",
                serde_json::json!({ "key_file": out, "name": key.name, "address": public.address().to_string(), "share_code": public.share_code().to_string() })
            );
        }
        Command::AddDoctor {
            ledger,
            doctor,
            name,
            licence,
            consent,
        } => {
            let (key, source) = open(&ledger)?;
            let doctor = share_code(&doctor, "doctor")?;
            let mut signature = [0u8; 64];
            hex::decode_to_slice(consent.trim(), &mut signature).context(
                "--consent must be the 128 hex digits `medwallet doctor-consent` prints",
            )?;
            let height = runtime()?.block_on(doctors::register_doctor(
                &source,
                &key.keys(),
                &doctor,
                &name,
                &licence,
                signature,
                now_ms(),
            ))?;
            println!(
                "{}",
                serde_json::json!({ "doctor": doctor.address().to_string(), "name": name, "height": height })
            );
        }
        Command::Issue {
            ledger,
            patient,
            fhir,
            per_encounter,
        } => {
            let (key, source) = open(&ledger)?;
            let patient = share_code(&patient, "patient")?;
            let bytes = read_fhir(&fhir)?;
            let keys = key.keys();
            let clinic = Clinic {
                keys: &keys,
                name: &key.name,
            };
            // Uploads shown on a terminal (the bar is hidden when stderr is not one).
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(
                    "uploading {bar:30} {pos}/{len} records, {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let issued = runtime()?.block_on(issue_reporting(
                &source,
                &clinic,
                &patient,
                &bytes,
                per_encounter,
                now_ms(),
                &mut rand::rng(),
                &mut |sent| {
                    bar.set_length(sent.of as u64);
                    bar.set_position(sent.records as u64);
                    bar.set_message(indicatif::HumanBytes(sent.bytes).to_string());
                },
            ));
            bar.finish_and_clear();
            let issued = issued?;
            println!("{}", serde_json::to_string_pretty(&issued)?);
        }
        Command::IssueFile {
            ledger,
            patient,
            file,
            content_type,
            title,
            date,
            category,
        } => {
            let (key, source) = open(&ledger)?;
            let patient = share_code(&patient, "patient")?;
            let category = Category::from_code(&category)
                .with_context(|| format!("unknown category {category:?}"))?;
            let keys = key.keys();
            let clinic = Clinic {
                keys: &keys,
                name: &key.name,
            };
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(
                    "{msg:9} {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let told = bar.clone();
            let record = FileRecord {
                path: &file,
                content_type: &content_type,
                title: &title,
                date,
                category,
            };
            let issued = runtime()?.block_on(issue_file(
                &source,
                &clinic,
                &patient,
                &record,
                now_ms(),
                &mut rand::rng(),
                Arc::new(move |p| {
                    let (stage, done, of) = match p {
                        FileProgress::Sealing { done, of } => ("sealing", done, of),
                        FileProgress::Uploading { done, of } => ("uploading", done, of),
                    };
                    told.set_message(stage);
                    told.set_length(of);
                    told.set_position(done);
                }),
            ));
            bar.finish_and_clear();
            println!("{}", serde_json::to_string_pretty(&issued?)?);
        }
        Command::Demo { ledger, fhir } => {
            let (key, source) = open(&ledger)?;
            let mut documents = Vec::new();
            for path in &fhir {
                let bytes = read_fhir(path)?;
                // Refuse bad input before watching the chain, not at the first patient.
                medwallet_fhir::records_from(&bytes, true)?;
                documents.push(bytes);
            }
            let keys = key.keys();
            let clinic = Clinic {
                keys: &keys,
                name: &key.name,
            };
            runtime()?.block_on(demo::run(&source, &clinic, &documents))?;
        }
    }
    Ok(())
}
