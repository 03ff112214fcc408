//! Local envelope operations: what a clinic does to issue a record (seal, wrap to the patient),
//! what a patient does to grant it (re-wrap to a doctor), and what either does to read it.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use medwallet_crypto::ShareCode;
use medwallet_crypto::envelope::{
    ContentKey, Identity, Recipient, WrappedKey, X25519Recipient, open_payload, seal_payload,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::commands::keys::unlock;
use crate::output::Output;
use crate::password;

#[derive(Subcommand)]
pub enum EnvelopeCommand {
    /// Encrypt a file to one or more recipients (no wallet needed).
    Seal(SealArgs),
    /// Wrap a record's key, which this wallet can open, to another recipient (a grant).
    Wrap(WrapArgs),
    /// Decrypt a record with this wallet's key. The output appears only if it is authentic.
    Open(OpenArgs),
}

#[derive(Args)]
pub struct SealArgs {
    /// Recipient share code (repeatable).
    #[arg(long = "to", required = true)]
    to: Vec<String>,
    /// The record's id; the wrapped keys are bound to it.
    #[arg(long)]
    record_id: String,
    /// Plaintext file.
    #[arg(long = "in")]
    input: PathBuf,
    /// Envelope file to write.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct WrapArgs {
    /// This wallet's wrapped key for the record (hex).
    #[arg(long)]
    wrapped_key: String,
    /// The record's id.
    #[arg(long)]
    record_id: String,
    /// The new recipient's share code.
    #[arg(long = "to")]
    to: String,
}

#[derive(Args)]
pub struct OpenArgs {
    /// This wallet's wrapped key for the record (hex).
    #[arg(long)]
    wrapped_key: String,
    /// The record's id.
    #[arg(long)]
    record_id: String,
    /// Envelope file.
    #[arg(long = "in")]
    input: PathBuf,
    /// Where to write the plaintext (created only on success).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(
    wallet: &Path,
    password: &password::Source,
    cmd: EnvelopeCommand,
    out: &Output,
) -> anyhow::Result<()> {
    match cmd {
        EnvelopeCommand::Seal(args) => seal(args, out),
        EnvelopeCommand::Wrap(args) => wrap(wallet, password, args, out),
        EnvelopeCommand::Open(args) => open(wallet, password, args, out),
    }
}

fn parse_share_code(text: &str) -> anyhow::Result<ShareCode> {
    text.parse()
        .with_context(|| format!("invalid share code {text:?}"))
}

fn parse_wrapped(hex_text: &str) -> anyhow::Result<WrappedKey> {
    let bytes = hex::decode(hex_text.trim()).context("wrapped key is not hex")?;
    Ok(WrappedKey::from_bytes(&bytes)?)
}

/// Counts and hashes what passes through, so the ledger entry can name the ciphertext.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn temp_beside(path: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".partial")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))
}

fn seal(args: SealArgs, out: &Output) -> anyhow::Result<()> {
    let recipients = args
        .to
        .iter()
        .map(|s| parse_share_code(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut rng = rand::rng();
    let key = ContentKey::generate(&mut rng);
    let input =
        File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?;
    let tmp = temp_beside(&args.out)?;
    let (size, digest) = {
        let file: &File = tmp.as_file();
        let mut writer = HashingWriter {
            inner: BufWriter::new(file),
            hasher: Sha256::new(),
        };
        let size = seal_payload(&key, &mut rng, BufReader::new(input), &mut writer)?;
        let HashingWriter { inner, hasher } = writer;
        inner.into_inner().map_err(|e| e.into_error())?;
        (size, hex::encode(hasher.finalize()))
    };
    tmp.as_file().sync_all()?;
    tmp.persist(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;

    let mut wrapped = Vec::new();
    for code in &recipients {
        let w = X25519Recipient::new(code.public_keys().receiving).wrap(
            &key,
            args.record_id.as_bytes(),
            &mut rng,
        )?;
        wrapped.push((code.address().to_string(), hex::encode(w.as_bytes())));
    }
    let human = std::iter::once(format!(
        "Sealed {} ({size} bytes, sha256 {digest})",
        args.out.display()
    ))
    .chain(
        wrapped
            .iter()
            .map(|(a, w)| format!("wrapped key for {a}: {w}")),
    )
    .collect::<Vec<_>>()
    .join("\n");
    out.print(
        &human,
        json!({
            "envelope": args.out,
            "size": size,
            "sha256": digest,
            "wrapped_keys": wrapped.iter().map(|(a, w)| json!({"address": a, "wrapped_key": w})).collect::<Vec<_>>(),
        }),
    );
    Ok(())
}

fn wrap(
    wallet: &Path,
    password: &password::Source,
    args: WrapArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let recipient = parse_share_code(&args.to)?;
    let keys = unlock(wallet, password)?;
    let key = keys
        .identity()
        .unwrap(
            &parse_wrapped(&args.wrapped_key)?,
            args.record_id.as_bytes(),
        )
        .context("this wallet cannot open that wrapped key")?;
    let wrapped = X25519Recipient::new(recipient.public_keys().receiving).wrap(
        &key,
        args.record_id.as_bytes(),
        &mut rand::rng(),
    )?;
    let hex_key = hex::encode(wrapped.as_bytes());
    out.print(
        &format!("wrapped key for {}: {hex_key}", recipient.address()),
        json!({ "address": recipient.address().to_string(), "wrapped_key": hex_key }),
    );
    Ok(())
}

fn open(
    wallet: &Path,
    password: &password::Source,
    args: OpenArgs,
    out: &Output,
) -> anyhow::Result<()> {
    if args.out.exists() {
        bail!("{} exists; refusing to overwrite it", args.out.display());
    }
    let keys = unlock(wallet, password)?;
    let key = keys.identity().unwrap(
        &parse_wrapped(&args.wrapped_key)?,
        args.record_id.as_bytes(),
    )?;
    let input =
        File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?;
    let tmp = temp_beside(&args.out)?;
    let size = open_payload(&key, BufReader::new(input), BufWriter::new(tmp.as_file()))?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    out.print(
        &format!("Opened {} ({size} bytes)", args.out.display()),
        json!({ "out": args.out, "size": size }),
    );
    Ok(())
}
