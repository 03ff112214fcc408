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
    about = "A full node of the Medwallet consortium ledger",
    after_help = "Exit status: 0 done (a node stopped by SIGTERM or SIGINT included), 1 failure, 2 usage, 3 a genesis, config or key file that cannot be read or fails its checks, 4 a listener that cannot be opened, 5 a store that cannot be opened or written.\nLogs go to stderr; RUST_LOG filters them (default: info)."
)]
struct Cli {
    /// How log lines are written: `text` for people, `json` (one object per line) for a log
    /// collector.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Write a local network (genesis, one home per node), all on 127.0.0.1.
    Testnet {
        /// Nodes in the genesis validator set.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Nodes that follow the chain without voting (they serve wallets).
        #[arg(long, default_value_t = 0)]
        followers: usize,
        /// The directory to write (one `nodeI` home per node); must not exist yet.
        #[arg(long)]
        out: PathBuf,
        /// Node i listens on base+2i (p2p) and base+2i+1 (HTTP API), and serves its metrics on
        /// base+2n+i (n nodes in all).
        #[arg(long, default_value_t = 26600)]
        base_port: u16,
        /// The chain's name (part of its id: two networks of one name still differ).
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
        /// The node's directory: config.toml, genesis.json, node.key and data/.
        #[arg(long)]
        home: PathBuf,
    },
    /// Create this node's key in HOME (never replacing one) and print its public key: what the
    /// consortium lists in the genesis validator set or in other nodes' peers.
    Keygen {
        /// The node's directory (created, readable by its owner only, if it does not exist).
        #[arg(long)]
        home: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,jmt=warn,commonware_p2p=warn")
    });
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            let code = e
                .downcast_ref::<medledger_node::error::NodeError>()
                .map_or(medledger_node::error::exit::FAILURE, |e| e.exit_code());
            ExitCode::from(code)
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
        Command::Keygen { home } => {
            let public = Home::new(home).keygen(&mut rand::rng())?;
            println!("{}", hex::encode(public));
            Ok(())
        }
        Command::Start { home } => Ok(medledger_node::run::start_until(
            &Home::new(home),
            medledger_node::run::termination(),
        )?),
    }
}
