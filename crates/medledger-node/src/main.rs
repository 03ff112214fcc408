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
        /// Heights per epoch: governance changes to the validator set take effect at the end of
        /// the epoch they are approved in (at least 3; none: the set never changes).
        #[arg(long)]
        epoch_length: Option<u64>,
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
    /// Join a running chain without replaying it: verify the newest finalized block the nodes
    /// serve (from HOME's genesis, following validator-set changes by proof) and restore the
    /// state at it into HOME's empty store, every chunk checked against that block's state
    /// root. Then `start` runs the node from that block. Prints what it restored (JSON).
    StateSync {
        /// The node's directory (config.toml, genesis.json, node.key; data/ without a ledger).
        #[arg(long)]
        home: PathBuf,
        /// A node's API to restore from (repeat: chunks are spread over them, and a node whose
        /// chunk does not prove out is named and the next one asked).
        #[arg(long = "from", required = true)]
        from: Vec<String>,
    },
    /// Change the validator set: approve a change with this node's key, or submit one with
    /// two thirds of the running validators' approvals. It takes effect at the epoch's end.
    #[command(subcommand)]
    Validators(ValidatorsCommand),
}

#[derive(Subcommand)]
enum ValidatorsCommand {
    /// Print this node's validator identity (key and, where the chain offers emergency access,
    /// emergency key): what the approvers of its joining name.
    Identity {
        /// The node's directory.
        #[arg(long)]
        home: PathBuf,
    },
    /// Approve a change with this validator's key, at the chain's current governance counter
    /// (read from NODE); prints the approval (JSON) for whoever submits the change.
    Approve {
        /// The approving validator's directory.
        #[arg(long)]
        home: PathBuf,
        /// A node's API (the operator's own), e.g. http://127.0.0.1:26601.
        #[arg(long)]
        node: String,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Submit a change with its approvals to NODE (a validator's API); this node's key signs
    /// it (to add or replace, the joining node's). Waits until it is final and prints its height.
    Submit {
        /// The submitting node's directory.
        #[arg(long)]
        home: PathBuf,
        /// A node's API.
        #[arg(long)]
        node: String,
        /// An approval file (`validators approve` output); repeat for each.
        #[arg(long = "approval", required = true)]
        approvals: Vec<PathBuf>,
        #[command(flatten)]
        change: ChangeArgs,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ChangeKind {
    Add,
    Remove,
    Replace,
}

/// A validator-set change.
#[derive(clap::Args)]
struct ChangeArgs {
    /// What to do.
    #[arg(long, value_enum)]
    change: ChangeKind,
    /// The joining key (add, replace) or the leaving one (remove), hex.
    #[arg(long)]
    key: String,
    /// The key a replacement takes the place of (replace), hex.
    #[arg(long)]
    old: Option<String>,
    /// Where peers reach the joining node's p2p listener, HOST:PORT (add, replace).
    #[arg(long)]
    address: Option<String>,
    /// The joining node's emergency key, hex (add, replace; on a chain with emergency access;
    /// `validators identity` prints it).
    #[arg(long)]
    emergency: Option<String>,
}

impl ChangeArgs {
    fn change(&self) -> anyhow::Result<medledger_types::validators::ValidatorChange> {
        use medledger_types::hash::{PublicKey, ReceivingKey};
        use medledger_types::validators::{Validator, ValidatorChange};
        let key = |hex: &str| PublicKey::from_hex(hex).map_err(|e| anyhow::anyhow!("{e}"));
        let joining = || -> anyhow::Result<Validator> {
            Ok(Validator {
                key: key(&self.key)?,
                emergency: self
                    .emergency
                    .as_deref()
                    .map(|e| ReceivingKey::from_hex(e).map_err(|e| anyhow::anyhow!("{e}")))
                    .transpose()?,
                address: self.address.clone().ok_or_else(|| {
                    anyhow::anyhow!("--address names where peers reach the joining node")
                })?,
            })
        };
        Ok(match self.change {
            ChangeKind::Add => ValidatorChange::Add(joining()?),
            ChangeKind::Remove => ValidatorChange::Remove(key(&self.key)?),
            ChangeKind::Replace => ValidatorChange::Replace {
                old: key(self
                    .old
                    .as_deref()
                    .ok_or_else(|| anyhow::anyhow!("--old names the key being replaced"))?)?,
                new: joining()?,
            },
        })
    }
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
            epoch_length,
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
                    epoch_length,
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
        Command::StateSync { home, from } => {
            let home = Home::new(home);
            let genesis = home.genesis()?.to_genesis()?;
            std::fs::create_dir_all(home.data_dir())?;
            let path = home.ledger_path();
            let nodes: Vec<_> = from.iter().map(medledger_client::NodeClient::new).collect();
            let started = std::time::Instant::now();
            let synced = tokio::runtime::Runtime::new()?.block_on(
                medledger_node::state_sync::state_sync(genesis, &path, &nodes),
            )?;
            println!(
                "{}",
                serde_json::json!({
                    "height": synced.height,
                    "leaves": synced.leaves,
                    "lying": synced.lying,
                    "seconds": started.elapsed().as_secs_f64(),
                })
            );
            Ok(())
        }
        Command::Validators(command) => validators(command),
    }
}

fn validators(command: ValidatorsCommand) -> anyhow::Result<()> {
    use medledger_node::governance;
    match command {
        ValidatorsCommand::Identity { home } => {
            let home = Home::new(home);
            let genesis = home.genesis()?.to_genesis()?;
            let me = governance::identity(&*home.key()?, !genesis.emergency_keys.is_empty());
            println!(
                "{}",
                serde_json::json!({
                    "key": me.key.to_hex(),
                    "emergency": me.emergency.map(|e| e.to_hex()),
                })
            );
            Ok(())
        }
        ValidatorsCommand::Approve { home, node, change } => {
            let home = Home::new(home);
            let chain = home.genesis()?.to_genesis()?.chain_id();
            let change = change.change()?;
            let node = medledger_client::NodeClient::new(node);
            let runtime = tokio::runtime::Runtime::new()?;
            let seq = runtime.block_on(governance::governance_seq(&node))?;
            let approval = governance::approve(&*home.key()?, chain, seq, &change);
            println!("{}", serde_json::to_string(&approval)?);
            Ok(())
        }
        ValidatorsCommand::Submit {
            home,
            node,
            approvals,
            change,
        } => {
            let home = Home::new(home);
            let chain = home.genesis()?.to_genesis()?.chain_id();
            let change = change.change()?;
            let approvals = approvals
                .iter()
                .map(|path| {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                    serde_json::from_str(&text)
                        .map_err(|e| anyhow::anyhow!("{}: not an approval: {e}", path.display()))
                })
                .collect::<anyhow::Result<Vec<governance::ApprovalFile>>>()?;
            let seed = home.key()?;
            let node = medledger_client::NodeClient::new(node);
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async {
                let nonce = governance::next_nonce(&node, &seed).await?;
                let tx = governance::change_tx(&seed, chain, nonce, change, &approvals)?;
                let id = node.submit(&tx).await?;
                let mut status = node.wait_tx(&id, 10_000).await?;
                for _ in 0..5 {
                    if status.height.is_some() {
                        break;
                    }
                    status = node.wait_tx(&id, 10_000).await?;
                }
                let height = status.height.ok_or_else(|| {
                    anyhow::anyhow!("the change is not final after a minute: {status:?}")
                })?;
                println!(
                    "{}",
                    serde_json::json!({ "tx": id.to_hex(), "height": height })
                );
                Ok(())
            })
        }
    }
}
