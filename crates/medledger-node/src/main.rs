//! `medledger`: run and operate a node of the Medwallet consortium ledger.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use medledger_node::config::Home;
use medledger_node::testnet::FoundingClinic;

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
    /// Write a local network (genesis, one home per node), all on 127.0.0.1.
    Testnet {
        #[arg(long, default_value_t = 4)]
        validators: usize,
        #[arg(long, default_value_t = 0)]
        followers: usize,
        #[arg(long)]
        out: PathBuf,
        /// Node i listens on base+2i (p2p) and base+2i+1 (HTTP API), and serves its metrics on
        /// base+2n+i (n nodes in all).
        #[arg(long, default_value_t = 26600)]
        base_port: u16,
        #[arg(long, default_value = "medledger-devnet")]
        chain_name: String,
        /// A clinic registered at genesis, as NAME=SHARECODE (repeatable; `medclinic keygen`
        /// prints the share code; the clinic's key never leaves the clinic).
        #[arg(long = "clinic")]
        clinics: Vec<FoundingClinic>,
        /// The shortest guardian-recovery delay patients may set, in milliseconds (a day by
        /// default; a local test network may shorten it).
        #[arg(long, default_value_t = medledger_api::DEFAULT_RECOVERY_MIN_DELAY_MS)]
        recovery_min_delay_ms: u64,
    },
    /// Run the node in HOME: a validator if its key is in the genesis validator set, else a
    /// follower. SIGTERM or SIGINT stop it gracefully (the API drains, consensus stops; exit 0).
    Start {
        #[arg(long)]
        home: PathBuf,
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
            clinics,
            recovery_min_delay_ms,
        } => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_millis() as u64;
            let summary = medledger_node::testnet::generate(
                &out,
                validators,
                followers,
                base_port,
                medledger_node::testnet::ChainSettings {
                    name: &chain_name,
                    recovery_min_delay_ms,
                },
                &clinics,
                now,
            )?;
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(())
        }
        Command::Start { home } => Ok(medledger_node::run::start_until(
            &Home::new(home),
            medledger_node::run::termination(),
        )?),
    }
}
