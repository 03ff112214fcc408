//! `medwallet`: the patient's and doctor's wallet without a window, for scripts and tests.
//!
//! Every command takes `--wallet DIR`, reads the password from `--password-file F` or
//! `MEDWALLET_PASSWORD`, prints human text by default and JSON with `--json`, and exits
//! non-zero with a clear message on any failure.

mod commands;
mod output;
mod password;
mod session;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::Output;

#[derive(Parser)]
#[command(
    name = "medwallet",
    version,
    about = "Medwallet: your medical records, under your keys"
)]
struct Cli {
    /// Wallet directory.
    #[arg(
        long,
        global = true,
        env = "MEDWALLET_WALLET",
        default_value = "medwallet-data"
    )]
    wallet: PathBuf,
    /// File whose first line is the wallet password (else MEDWALLET_PASSWORD).
    #[arg(long, global = true)]
    password_file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// A full node's API URL (repeatable; none is trusted: answers are verified).
    #[arg(
        long = "node",
        global = true,
        env = "MEDWALLET_NODES",
        value_delimiter = ','
    )]
    nodes: Vec<String>,
    /// The chain's genesis file: checked, then kept as the wallet's trust anchor (needed once,
    /// before the first command that reads the ledger).
    #[arg(long, global = true)]
    genesis: Option<PathBuf>,
    /// Trust `--genesis` even though the wallet trusts another chain (the records verified on
    /// that chain are set aside: they are not proven on the new one).
    #[arg(long, global = true, requires = "genesis")]
    switch_chain: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new wallet: prints the address, the share code and the 24 words (once).
    Init(commands::keys::InitArgs),
    /// Recreate a wallet from its 24 words.
    Restore(commands::keys::RestoreArgs),
    /// Print the wallet's address and share code (no password needed).
    Address,
    /// Change the wallet password.
    Passwd(commands::keys::PasswdArgs),
    /// Move every account to the keys of a new recovery phrase (for a phrase or device that
    /// may have leaked): records, shares and clinics follow; the old keys are refused; prints
    /// the new 24 words. Run it again to finish one that was interrupted.
    RotateKeys,
    /// Erase records for good: their keys leave the ledger and every node deletes its copy
    /// (needs --yes; the ledger keeps that they existed).
    Erase(commands::erasure::EraseArgs),
    /// Close one account: revoke its grants, erase its records, take no more (needs --yes).
    CloseAccount(commands::erasure::CloseArgs),
    /// Erased records, and which nodes proved they deleted them.
    Erasures,
    /// Your guardians, and any recovery of this wallet (pending ones with a warning).
    Guardians,
    /// Name guardians who can together recover this wallet if you lose your words: K of the
    /// share codes given, after a delay during which your devices can cancel (needs the
    /// password: your phrase is split among them).
    SetGuardians(commands::recovery::SetGuardiansArgs),
    /// Remove your guardians.
    RemoveGuardians,
    /// Cancel a recovery of this wallet you did not ask for.
    CancelRecovery,
    /// As a guardian: the recovery shares you hold, and what each patient's recovery asks.
    Guarding,
    /// As a guardian: approve a patient's recovery to the device whose code they read you.
    ApproveRecovery(commands::recovery::AnswerArgs),
    /// As a guardian: decline a recovery that is not the patient's own.
    DeclineRecovery(commands::recovery::AnswerArgs),
    /// As a guardian: release your share to each recovery you approved, once in effect.
    ReleaseShares,
    /// On a new device: recover a wallet with your guardians (start, status, finish).
    #[command(subcommand)]
    Recover(commands::recovery::RecoverCommand),
    /// Emergency access: your emergency set and who opened it (set, show, remove, log); as a
    /// clinician, ask for a patient's and open it (request, open).
    #[command(subcommand)]
    Emergency(commands::emergency::EmergencyCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell), e.g.
    /// `medwallet completions bash > /etc/bash_completion.d/medwallet`.
    Completions { shell: clap_complete::Shell },
    /// Devices: add one to this wallet by a code (add), or join a wallet on a new device (join).
    #[command(subcommand)]
    Device(commands::devices::DeviceCommand),
    /// Register this wallet as a patient on the ledger (RegisterPatient, account 0).
    Register,
    /// A share code for one clinic: a fresh account of this wallet, registered, so no two
    /// clinics hold the same address for you (`--for` names the clinic, for you only).
    ShareCode(commands::relationships::ShareCodeArgs),
    /// This wallet's accounts (one per clinic it gave a share code), with their records.
    Accounts,
    /// Fetch and verify new records from the nodes; keep them in the encrypted local cache.
    Sync,
    /// List the records in the local cache (id, date, clinic, category, verified height).
    Records,
    /// Decrypt a record: the FHIR JSON, byte-identical to what the clinic issued (a doctor's
    /// wallet opens records shared with it).
    Show(commands::records::ShowArgs),
    /// My summary: an International Patient Summary (HL7 IPS) of the verified records, each
    /// entry with its clinic and verified height; `--out` saves the IPS Bundle, `--html` a page
    /// to print.
    Summary(commands::summary::SummaryArgs),
    /// Export every record exactly as issued, with the certificate and proofs that let anyone
    /// check them offline (a zip; also holds the summary to print).
    Export(commands::export::ExportArgs),
    /// Check an export with the chain's genesis alone (`--genesis G`): certificate, proofs,
    /// ciphertexts, FHIR.
    VerifyExport(commands::export::VerifyExportArgs),
    /// Grant a doctor access to records, a category, or everything (optionally until a time).
    Grant(commands::consent::GrantArgs),
    /// List the grants this wallet made, with their verified status.
    Grants,
    /// Revoke a grant (stops future access; downloaded copies cannot be taken back).
    Revoke(commands::consent::RevokeArgs),
    /// SMART Health Links: share with anyone by a link or QR code (create, list, revoke), or
    /// open a link someone shared.
    #[command(subcommand)]
    Link(commands::links::LinkCommand),
    /// Who fetched which of my records (AccessReceipts, verified by proof).
    AccessLog,
    /// For doctors: records patients shared with me.
    Shared,
    /// For doctors: sign your consent to a clinic registering this wallet as a doctor (the
    /// clinic passes it to `medclinic add-doctor --consent`).
    DoctorConsent(commands::consent::DoctorConsentArgs),
    /// After proven equivocation (two finalized blocks at one height) the wallet shows no new
    /// ledger data until you acknowledge it: this does, after printing what happened.
    AcknowledgeEquivocation,
    /// Seal, re-wrap and open record envelopes locally.
    #[command(subcommand)]
    Envelope(commands::envelope::EnvelopeCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output::new(cli.json);
    let password = password::Source::new(cli.password_file);
    let ctx = session::Context {
        wallet: &cli.wallet,
        password: &password,
        nodes: &cli.nodes,
        genesis: cli.genesis.as_ref(),
        switch_chain: cli.switch_chain,
    };
    let result = match cli.command {
        Command::Init(args) => commands::keys::init(&cli.wallet, &password, args, &out),
        Command::Restore(args) => commands::keys::restore(&cli.wallet, &password, args, &out),
        Command::Address => commands::keys::address(&cli.wallet, &out),
        Command::Passwd(args) => commands::keys::passwd(&cli.wallet, &password, args, &out),
        Command::Register => commands::records::register(&ctx, &out),
        Command::RotateKeys => commands::rotation::rotate_keys(&ctx, &out),
        Command::Erase(args) => commands::erasure::erase(&ctx, args, &out),
        Command::CloseAccount(args) => commands::erasure::close_account(&ctx, args, &out),
        Command::Erasures => commands::erasure::erasures(&ctx, &out),
        Command::Guardians => commands::recovery::guardians(&ctx, &out),
        Command::SetGuardians(args) => commands::recovery::set_guardians(&ctx, args, &out),
        Command::RemoveGuardians => commands::recovery::remove_guardians(&ctx, &out),
        Command::CancelRecovery => commands::recovery::cancel_recovery(&ctx, &out),
        Command::Guarding => commands::recovery::guarding(&ctx, &out),
        Command::ApproveRecovery(args) => commands::recovery::answer(&ctx, args, true, &out),
        Command::DeclineRecovery(args) => commands::recovery::answer(&ctx, args, false, &out),
        Command::ReleaseShares => commands::recovery::release_shares(&ctx, &out),
        Command::Recover(cmd) => commands::recovery::recover(&ctx, cmd, &out),
        Command::Emergency(cmd) => commands::emergency::run(&ctx, cmd, &out),
        Command::Device(cmd) => commands::devices::run(&ctx, cmd, &out),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "medwallet",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::ShareCode(args) => commands::relationships::share_code(&ctx, args, &out),
        Command::Accounts => commands::relationships::accounts(&ctx, &out),
        Command::Sync => commands::records::sync(&ctx, &out),
        Command::Records => commands::records::list(&ctx, &out),
        Command::Show(args) => commands::records::show(&ctx, args, &out),
        Command::Summary(args) => commands::summary::summary(&ctx, args, &out),
        Command::Export(args) => commands::export::export(&ctx, args, &out),
        Command::VerifyExport(args) => {
            commands::export::verify_export(cli.genesis.as_deref(), args, &out)
        }
        Command::Grant(args) => commands::consent::grant(&ctx, args, &out),
        Command::Grants => commands::consent::grants(&ctx, &out),
        Command::Revoke(args) => commands::consent::revoke(&ctx, args, &out),
        Command::Link(cmd) => commands::links::run(&ctx, cmd, &out),
        Command::AccessLog => commands::consent::access(&ctx, &out),
        Command::Shared => commands::consent::shared(&ctx, &out),
        Command::DoctorConsent(args) => commands::consent::doctor_consent(&ctx, args, &out),
        Command::AcknowledgeEquivocation => commands::records::acknowledge(&ctx, &out),
        Command::Envelope(cmd) => commands::envelope::run(&cli.wallet, &password, cmd, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            out.error(&err);
            ExitCode::FAILURE
        }
    }
}
