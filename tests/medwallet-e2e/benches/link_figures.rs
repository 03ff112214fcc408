//! SMART Health Link figures on a real node: making a link to a whole history (about 500
//! records from the Synthea fixtures, one record per visit and category), and a browser's
//! open-to-rendered time for it in the viewer. `make bench-links` runs this (Chromium and
//! chromedriver from Debian; a one-validator devnet in this process).
//!
//! Timed, per run (median of `MEDWALLET_FIGURES_RUNS`, default 5):
//! - create: `Wallet::create_link` of all records (each opened from the kept ciphertext, one
//!   Bundle per category built, deflated and encrypted, uploaded, CreateLink proven final);
//! - the same for the allergies and medications alone, side by side;
//! - viewer: from the click on Open (manifest request, LinkAccess recorded, files fetched,
//!   decrypted with WebCrypto, inflated, FHIR rendered) to every file's resources on the page.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{ClientBuilder, Locator};
use medledger_types::category::Category;
use medwallet_core::links::{LinkRequest, Selection, VIEWER_PATH};
use medwallet_core::{SystemClock, Wallet, clock::Clock};
use medwallet_crypto::{AccountKeys, RecoveryPhrase};
use medwallet_store::WalletDir;
use serde_json::json;

#[path = "common/figures.rs"]
mod figures;
use figures::{run_count, synthea_files};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<()> {
    let work = tempfile::tempdir()?;
    let devnet = medledger_devnet::Devnet::start(work.path(), 1);
    let source = devnet.source();
    let rt = tokio::runtime::Runtime::new()?;
    let mut entropy = [0u8; 32];
    rand::Rng::fill_bytes(&mut rand::rng(), &mut entropy);
    let keys = Arc::new(AccountKeys::derive(&RecoveryPhrase::from_entropy(&entropy)));
    std::fs::create_dir_all(work.path().join("w"))?;
    let wallet = Wallet::open(
        keys.clone(),
        WalletDir::new(work.path().join("w")).lock()?,
        SystemClock,
    )?;
    rt.block_on(wallet.register_patient(&source, &mut rand::rng()))?;
    let code = keys.public().share_code();
    for file in synthea_files()? {
        if wallet.records().len() >= 500 {
            break;
        }
        rt.block_on(devnet.issue(&code, &std::fs::read(&file)?));
        let mut quiet = |_: medwallet_core::SyncEvent<'_>| Ok(());
        rt.block_on(wallet.sync(&source, &mut quiet, &mut rand::rng()))?;
    }
    let records = wallet.records().len();
    let request = |selection: Selection| LinkRequest {
        selection,
        label: Some("Everything".into()),
        expires_at_ms: SystemClock.now_ms() + 3_600_000,
        passcode: None,
        attempts: 0,
        long_term: false,
        server: devnet.api().to_owned(),
    };
    let mut out = Vec::new();
    let mut last = None;
    for (label, selection) in [
        ("all records", Selection::All),
        (
            "allergies and medications",
            Selection::Categories(vec![Category::Allergies, Category::Medications]),
        ),
    ] {
        let mut times = Vec::new();
        for _ in 0..run_count() {
            let start = Instant::now();
            let created = rt.block_on(wallet.create_link(
                &source,
                request(selection.clone()),
                &mut rand::rng(),
            ))?;
            times.push(start.elapsed());
            if label == "all records" {
                last = Some(created);
            }
        }
        out.push(format!(
            "create a link to {label} of a {records}-record history: median {:.0} ms over {} runs",
            median(times).as_secs_f64() * 1000.0,
            run_count()
        ));
    }
    let created = last.context("a link")?;
    out.push(format!("  (files: {})", created.files.join(", ")));

    let viewer = created
        .link
        .viewer_url(&format!("{}{VIEWER_PATH}", devnet.api()));
    let mut driver = std::process::Command::new("chromedriver")
        .arg("--port=9516")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("chromedriver (Debian's chromium-driver)")?;
    let timed = rt.block_on(async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": "/usr/bin/chromium", "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", work.path().join("chromium").display()),
            ]}),
        );
        let b = ClientBuilder::rustls()?
            .capabilities(caps)
            .connect("http://127.0.0.1:9516")
            .await?;
        let mut times = Vec::new();
        for _ in 0..run_count() {
            b.goto("about:blank").await?;
            b.goto(&viewer).await?;
            let name = b.find(Locator::Css("[data-testid='viewer-recipient']")).await?;
            name.send_keys("Figures").await?;
            let open = b.find(Locator::Css("[data-testid='viewer-open']")).await?;
            let start = Instant::now();
            open.click().await?;
            loop {
                let files = b.find_all(Locator::Css("[data-testid='viewer-file']")).await?;
                if files.len() == created.files.len() {
                    break;
                }
                if start.elapsed() > Duration::from_secs(120) {
                    bail!("the viewer did not render the files");
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            times.push(start.elapsed());
        }
        b.close().await?;
        Ok::<_, anyhow::Error>(times)
    });
    let _ = driver.kill();
    out.push(format!(
        "viewer, open to rendered ({} files, {records} records): median {:.0} ms over {} runs",
        created.files.len(),
        median(timed?).as_secs_f64() * 1000.0,
        run_count()
    ));
    for line in out {
        println!("{line}");
    }
    Ok(())
}
