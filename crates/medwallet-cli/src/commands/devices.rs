//! Devices: `device add` on an unlocked wallet shows a code (and its QR) for a new device and
//! sends it the wallet once the person types the check code the new device shows; `device
//! join CODE` on the new device answers and, once the wallet arrives, keeps it under the
//! password given. The exchange runs through the nodes' mailbox and is authenticated by the
//! code ([`medwallet_core::device_join`]).

use std::io::BufRead;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Subcommand;
use medwallet_core::SystemClock;
use medwallet_core::clock::Clock;
use medwallet_core::device_join::{JoinAnswer, JoinOffer};
use medwallet_crypto::device_join::JoinCode;
use medwallet_crypto::{AccountKeys, KdfParams, Keystore};
use medwallet_store::WalletDir;
use serde_json::json;

use crate::output::Output;
use crate::session::Context;

/// How often the nodes' mailbox is looked at while waiting.
const POLL: Duration = Duration::from_secs(1);

#[derive(Subcommand)]
pub enum DeviceCommand {
    /// On the unlocked wallet: show a code for a new device, wait for its answer, then type the
    /// check code it shows; only then is the wallet sent to it (needs the password).
    Add {
        /// Seconds to wait for the new device (a code works for 10 minutes).
        #[arg(long, default_value_t = 600)]
        wait: u64,
    },
    /// On the new device: join the wallet whose code the unlocked device shows. The wallet is
    /// kept here under the password given (--password-file or MEDWALLET_PASSWORD).
    Join {
        /// The code, as shown ("31874-ocean-velvet-ranch").
        code: String,
        /// Seconds to wait for the wallet once answered.
        #[arg(long, default_value_t = 600)]
        wait: u64,
        /// A name for this wallet file.
        #[arg(long, default_value = "medwallet")]
        label: String,
    },
}

pub fn run(ctx: &Context<'_>, command: DeviceCommand, out: &Output) -> anyhow::Result<()> {
    match command {
        DeviceCommand::Add { wait } => add(ctx, wait, out),
        DeviceCommand::Join { code, wait, label } => join(ctx, &code, wait, &label, out),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Runtime::new().context("cannot start the runtime")
}

fn add(ctx: &Context<'_>, wait: u64, out: &Output) -> anyhow::Result<()> {
    let password = ctx.password.read()?;
    let phrase = WalletDir::new(ctx.wallet)
        .load_keystore()?
        .unlock(&password)?;
    let source = ctx.source()?;
    let runtime = runtime()?;
    let mut offer = runtime.block_on(JoinOffer::open(
        &source,
        SystemClock.now_ms(),
        &mut rand::rng(),
    ))?;
    let code = offer.code().clone();
    let qr = qrcode::QrCode::new(code.qr_text().as_bytes())
        .map(|q| {
            q.render::<qrcode::render::unicode::Dense1x2>()
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    eprintln!("{qr}");
    eprintln!("Code: {code}");
    eprintln!(
        "On the new device: Welcome → \"Join from another device\", or `medwallet device join {code}`. Waiting for it (the code works for 10 minutes)…"
    );
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        if runtime
            .block_on(offer.check_code(&source, SystemClock.now_ms()))?
            .is_some()
        {
            break;
        }
        if Instant::now() >= deadline {
            anyhow::bail!("no device answered within {wait} s; run `medwallet device add` again");
        }
        std::thread::sleep(POLL);
    }
    eprintln!(
        "A device answered. Type the check code it shows (six digits), or anything else to stop:"
    );
    let mut typed = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut typed)
        .context("cannot read the check code")?;
    runtime.block_on(offer.send(
        &source,
        &phrase,
        typed.trim(),
        SystemClock.now_ms(),
        &mut rand::rng(),
    ))?;
    out.print(
        "Sent: the new device holds your wallet now (under its own password).",
        json!({ "sent": true }),
    );
    Ok(())
}

fn join(ctx: &Context<'_>, code: &str, wait: u64, label: &str, out: &Output) -> anyhow::Result<()> {
    let dir = WalletDir::new(ctx.wallet);
    if dir.keystore_path().exists() {
        anyhow::bail!(
            "a wallet already exists in {}; it was not overwritten",
            ctx.wallet.display()
        );
    }
    let password = ctx.password.read_new()?;
    let code = JoinCode::parse(code)?;
    let source = ctx.source()?;
    let runtime = runtime()?;
    let answer = runtime.block_on(JoinAnswer::answer(
        &source,
        &code,
        SystemClock.now_ms(),
        &mut rand::rng(),
    ))?;
    eprintln!("Check code: {}", answer.check_code());
    eprintln!("Type it on the unlocked device. Waiting for the wallet…");
    let deadline = Instant::now() + Duration::from_secs(wait);
    let phrase = loop {
        if let Some(phrase) = runtime.block_on(answer.phrase(&source, SystemClock.now_ms()))? {
            break phrase;
        }
        if Instant::now() >= deadline {
            anyhow::bail!(
                "the wallet did not arrive within {wait} s; start again on the unlocked device"
            );
        }
        std::thread::sleep(POLL);
    };
    let keystore = Keystore::create(
        &phrase,
        &password,
        label,
        KdfParams::RFC9106_SECOND,
        &mut rand::rng(),
    )?;
    dir.create_keystore(&keystore)?;
    let public = AccountKeys::derive(&phrase).public();
    out.print(
        &format!(
            "The wallet is on this device now, in {}.\nAddress: {}\n(`medwallet sync` brings its records and accounts)",
            ctx.wallet.display(),
            public.address()
        ),
        json!({ "address": public.address().to_string(), "share_code": public.share_code().to_string() }),
    );
    Ok(())
}
