//! `medledger`: run and operate a node of the Medwallet consortium ledger.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use medledger_node::clinic_key::ClinicKey;
use medledger_node::config::Home;
use medwallet_crypto::RecoveryPhrase;

#[derive(Parser)]
#[command(
    name = "medledger",
    version,
    about = "A full node of the Medwallet consortium ledger"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a local network (genesis, one home per node, the demo clinic's key), all on 127.0.0.1.
    Testnet {
        #[arg(long, default_value_t = 4)]
        validators: usize,
        #[arg(long, default_value_t = 0)]
        followers: usize,
        #[arg(long)]
        out: PathBuf,
        /// Node i listens on base+2i (p2p) and base+2i+1 (HTTP API).
        #[arg(long, default_value_t = 26600)]
        base_port: u16,
        #[arg(long, default_value = "medledger-devnet")]
        chain_name: String,
    },
    /// Run the node in HOME: a validator if its key is in the genesis validator set, else a follower.
    Start {
        #[arg(long)]
        home: PathBuf,
    },
    /// Load-test a local validator network and report finalized tx/s and finality latency.
    Bench {
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Transactions in the throughput phase.
        #[arg(long, default_value_t = 20_000)]
        txs: usize,
        #[arg(long, default_value_t = 500)]
        patients: usize,
        /// Length of the half-load latency phase.
        #[arg(long, default_value_t = 10)]
        latency_seconds: u64,
        #[arg(long, default_value_t = 28600)]
        base_port: u16,
        /// Working directory (default: a new temporary one).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Clinic tools.
    #[command(subcommand)]
    Clinic(ClinicCommand),
}

#[derive(Subcommand)]
enum ClinicCommand {
    /// Create a clinic key file (never overwrites).
    Keygen {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "Clinic")]
        name: String,
    },
    /// Register a doctor with this clinic.
    AddDoctor {
        #[arg(long)]
        key: PathBuf,
        #[arg(long)]
        node: String,
        /// The doctor's share code (`medwallet address`).
        #[arg(long)]
        doctor: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        licence: String,
    },
    /// Devnet demo: issue these FHIR documents (one record per visit) to every patient who
    /// registers, as they register. Runs until stopped.
    Demo {
        #[arg(long)]
        key: PathBuf,
        #[arg(long)]
        node: String,
        /// A FHIR R4 transaction Bundle (repeatable).
        #[arg(long, required = true)]
        fhir: Vec<PathBuf>,
    },
    /// Issue a FHIR R4 document to a patient: validate, encrypt to the patient, upload, submit,
    /// wait for finality, print the record ids.
    Issue {
        #[arg(long)]
        key: PathBuf,
        #[arg(long)]
        node: String,
        /// The patient's share code.
        #[arg(long)]
        patient: String,
        #[arg(long)]
        fhir: PathBuf,
        /// Split a transaction Bundle into one record per Encounter plus one for the rest.
        #[arg(long)]
        per_encounter: bool,
    },
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,jmt=warn,commonware_p2p=warn")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Testnet {
            validators,
            followers,
            out,
            base_port,
            chain_name,
        } => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_millis() as u64;
            let summary = medledger_node::testnet::generate(
                &out,
                validators,
                followers,
                base_port,
                &chain_name,
                now,
            )?;
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(())
        }
        Command::Start { home } => medledger_node::run::start(&Home::new(home)),
        Command::Bench {
            validators,
            txs,
            patients,
            latency_seconds,
            base_port,
            dir,
        } => {
            let tmp = tempfile::tempdir()?;
            let dir = dir.unwrap_or_else(|| tmp.path().to_path_buf());
            let config = medledger_node::bench::BenchConfig {
                validators,
                txs,
                patients,
                base_port,
                dir,
                latency_seconds,
            };
            let report = medledger_node::bench::run(&config)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Clinic(ClinicCommand::AddDoctor {
            key,
            node,
            doctor,
            name,
            licence,
        }) => {
            let clinic = ClinicKey::read(&key)?;
            let doctor: medwallet_crypto::ShareCode = doctor
                .parse()
                .map_err(|e| anyhow::anyhow!("invalid doctor share code: {e}"))?;
            let node = medwallet_net::NodeClient::new(node);
            let (address, height) = tokio::runtime::Runtime::new()?.block_on(
                medledger_node::clinic::add_doctor(&clinic.keys(), &node, &doctor, &name, &licence),
            )?;
            println!(
                "{}",
                serde_json::json!({ "doctor": address, "name": name, "height": height })
            );
            Ok(())
        }
        Command::Clinic(ClinicCommand::Issue {
            key,
            node,
            patient,
            fhir,
            per_encounter,
        }) => {
            let clinic = ClinicKey::read(&key)?;
            let patient: medwallet_crypto::ShareCode = patient
                .parse()
                .map_err(|e| anyhow::anyhow!("invalid patient share code: {e}"))?;
            let bytes = medwallet_store::read_bounded(&fhir, medwallet_fhir::MAX_DOCUMENT_LEN)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", fhir.display()))?;
            let node = medwallet_net::NodeClient::new(node);
            let issued =
                tokio::runtime::Runtime::new()?.block_on(medledger_node::clinic::issue(
                    &clinic.keys(),
                    &clinic.name,
                    &node,
                    &patient,
                    &bytes,
                    per_encounter,
                ))?;
            println!("{}", serde_json::to_string_pretty(&issued)?);
            Ok(())
        }
        Command::Clinic(ClinicCommand::Demo { key, node, fhir }) => {
            let clinic = ClinicKey::read(&key)?;
            let mut documents = Vec::new();
            for path in &fhir {
                let bytes = medwallet_store::read_bounded(path, medwallet_fhir::MAX_DOCUMENT_LEN)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                // Refuse bad input before watching the chain, not at the first patient.
                medwallet_fhir::records_from(&bytes, true)?;
                documents.push(bytes);
            }
            let node = medwallet_net::NodeClient::new(node);
            tokio::runtime::Runtime::new()?.block_on(medledger_node::demo_clinic::run(
                &clinic.keys(),
                &clinic.name,
                &node,
                &documents,
            ))?;
            Ok(())
        }
        Command::Clinic(ClinicCommand::Keygen { out, name }) => {
            let key = ClinicKey {
                version: 1,
                name,
                phrase: RecoveryPhrase::generate(&mut rand::rng()),
            };
            key.write_new(&out)?;
            let public = key.keys().public();
            println!(
                "{}",
                serde_json::json!({ "key_file": out, "address": public.address().to_string(), "share_code": public.share_code().to_string() })
            );
            Ok(())
        }
    }
}
