//! One running app per wallet folder (the single-instance plugin, over the session bus): a
//! second start of the same folder hands its arguments to the first and exits 0 at once; a
//! start on another folder runs beside it. The test runs its own private session bus
//! (`dbus-daemon`), so it needs no desktop session, only the display `make e2e` provides.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Kills a child on drop (the bus, an app), so a failing test leaves nothing behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private session bus; its address.
fn private_bus() -> Result<(Running, String)> {
    let mut child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("dbus-daemon (Debian package dbus-daemon) is needed")?;
    let stdout = child.stdout.take().context("bus stdout")?;
    let mut address = String::new();
    BufReader::new(stdout).read_line(&mut address)?;
    Ok((Running(child), address.trim().to_owned()))
}

/// The app's instance names on the bus (`org.medwallet.desktop…`).
fn instance_names(bus: &str) -> Result<Vec<String>> {
    let out = Command::new("dbus-send")
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ])
        .output()
        .context("dbus-send (Debian package dbus-bin) is needed")?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("string \""))
        .map(|l| l.trim_end_matches('"').to_owned())
        .filter(|n| n.starts_with("org.medwallet.desktop"))
        .collect())
}

fn start(app: &str, bus: &str, home: &Path) -> Result<Child> {
    Ok(Command::new(app)
        .args(["--home".as_ref(), home.as_os_str()])
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

/// Waits until `count` instance names are on the bus.
fn wait_for_names(bus: &str, count: usize) -> Result<Vec<String>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let names = instance_names(bus)?;
        if names.len() >= count {
            return Ok(names);
        }
        if Instant::now() > deadline {
            bail!("expected {count} app instances on the bus, found {names:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
#[ignore = "needs a display and the built app: run `make e2e`"]
fn a_second_start_of_one_wallet_hands_over_and_another_wallet_runs_beside_it() -> Result<()> {
    let app = super::env("MEDWALLET_E2E_APP")?;
    let work = tempfile::tempdir()?;
    let (_bus, bus) = private_bus()?;
    let first = Running(start(&app, &bus, &work.path().join("a"))?);
    let names = wait_for_names(&bus, 1)?;

    // The same folder again: handed over to the first, exit 0, and still one instance.
    let mut second = start(&app, &bus, &work.path().join("a"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = second.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            bail!("a second start of the same wallet kept running");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "the second start failed: {status}");
    assert_eq!(instance_names(&bus)?, names);

    // Another folder is another wallet: it runs beside the first, under its own name.
    let _other = Running(start(&app, &bus, &work.path().join("b"))?);
    let both = wait_for_names(&bus, 2)?;
    assert!(
        both.iter()
            .all(|n| n.starts_with("org.medwallet.desktop.wallet_"))
    );
    assert_ne!(both[0], both[1]);
    drop(first);
    Ok(())
}
