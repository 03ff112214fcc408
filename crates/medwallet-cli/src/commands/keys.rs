//! Creating, restoring and inspecting a wallet's keys.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use medwallet_crypto::{AccountKeys, KdfParams, Keystore, RecoveryPhrase};
use medwallet_files::read_bounded;
use medwallet_store::WalletDir;
use serde_json::json;
use zeroize::Zeroizing;

use crate::output::Output;
use crate::password;

#[derive(Args)]
pub struct InitArgs {
    /// A name for this account, shown on the unlock screen (not sent anywhere).
    #[arg(long, default_value = "")]
    label: String,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// File holding the 24 words.
    #[arg(long)]
    mnemonic_file: PathBuf,
    /// A name for this account.
    #[arg(long, default_value = "")]
    label: String,
}

#[derive(Args)]
pub struct PasswdArgs {
    /// File whose first line is the new password.
    #[arg(long)]
    new_password_file: PathBuf,
}

fn create_wallet(
    wallet: &Path,
    password: &password::Source,
    phrase: &RecoveryPhrase,
    label: &str,
) -> anyhow::Result<AccountKeys> {
    let dir = WalletDir::new(wallet);
    let password = password.read_new()?;
    let keystore = Keystore::create(
        phrase,
        &password,
        label,
        KdfParams::RFC9106_SECOND,
        &mut rand::rng(),
    )?;
    dir.create_keystore(&keystore)?;
    Ok(AccountKeys::derive(phrase))
}

pub fn init(
    wallet: &Path,
    password: &password::Source,
    args: InitArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let phrase = RecoveryPhrase::generate(&mut rand::rng());
    let public = create_wallet(wallet, password, &phrase, &args.label)?.public();
    let words = phrase.words();
    let numbered = Zeroizing::new(
        words
            .split(' ')
            .enumerate()
            .map(|(i, w)| format!("{:>2}. {w}", i + 1))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    out.print(
        &format!(
            "Wallet created in {}\nAddress:    {}\nShare code: {}\n(for your first clinic, or a doctor; give each other clinic its own: `medwallet share-code --for CLINIC`)\n\nRecovery phrase (write it down now; it is shown only this once and is the only way to restore this wallet):\n{}",
            wallet.display(),
            public.address(),
            public.share_code(),
            numbered.as_str()
        ),
        json!({
            "address": public.address().to_string(),
            "share_code": public.share_code().to_string(),
            "mnemonic": words.as_str(),
        }),
    );
    Ok(())
}

pub fn restore(
    wallet: &Path,
    password: &password::Source,
    args: RestoreArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let bytes = Zeroizing::new(
        read_bounded(&args.mnemonic_file, 4096)
            .with_context(|| format!("cannot read {}", args.mnemonic_file.display()))?,
    );
    let text = std::str::from_utf8(&bytes).context("the mnemonic file is not UTF-8 text")?;
    let phrase = RecoveryPhrase::parse(text)?;
    let public = create_wallet(wallet, password, &phrase, &args.label)?.public();
    out.print(
        &format!(
            "Wallet restored in {}\nAddress:    {}\nShare code: {}\n(`medwallet sync` finds your other accounts, one per clinic, on the ledger)",
            wallet.display(),
            public.address(),
            public.share_code()
        ),
        json!({ "address": public.address().to_string(), "share_code": public.share_code().to_string() }),
    );
    Ok(())
}

pub fn address(wallet: &Path, out: &Output) -> anyhow::Result<()> {
    let keystore = WalletDir::new(wallet).load_keystore()?;
    let public = keystore.public_keys()?;
    out.print(
        &format!(
            "Address:    {}\nShare code: {}",
            public.address(),
            public.share_code()
        ),
        json!({
            "address": public.address().to_string(),
            "share_code": public.share_code().to_string(),
            "label": keystore.label(),
        }),
    );
    Ok(())
}

pub fn passwd(
    wallet: &Path,
    password: &password::Source,
    args: PasswdArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let dir = WalletDir::new(wallet);
    let keystore = dir.load_keystore()?;
    let old = password.read()?;
    let new = password::read_first_line(&args.new_password_file)?;
    let params = keystore.params().at_least(KdfParams::RFC9106_SECOND);
    let updated = keystore.change_password(&old, &new, params, &mut rand::rng())?;
    dir.replace_keystore(&updated)?;
    out.print("Password changed.", json!({ "changed": true }));
    Ok(())
}

/// Unlocks the wallet's keys with the configured password.
pub fn unlock(wallet: &Path, password: &password::Source) -> anyhow::Result<AccountKeys> {
    let keystore = WalletDir::new(wallet).load_keystore()?;
    let password = password.read()?;
    let phrase = keystore.unlock(&password)?;
    Ok(AccountKeys::derive(&phrase))
}
