//! A wallet's keystore survives `kill -9` in the middle of a write.
//!
//! The test re-runs its own binary as a child that rewrites the keystore in a tight loop (new
//! label each generation), kills it with SIGKILL at random moments, and checks after every kill
//! that the keystore still opens with the password and holds a generation at least as new as
//! the last one seen: either the old file or the new one, never a torn one.

use std::process::{Command, Stdio};
use std::time::Duration;

use medwallet_crypto::{KdfParams, Keystore, RecoveryPhrase};
use medwallet_store::WalletDir;
use rand::{RngExt, SeedableRng};

const CHILD_ENV: &str = "MEDWALLET_CRASH_TEST_CHILD_DIR";
const TEST_NAME: &str = "keystore_survives_kill_during_write";
const PASSWORD: &str = "crash test password";

fn keystore(generation: u64, rng: &mut rand::rngs::StdRng) -> Keystore {
    Keystore::create(
        &RecoveryPhrase::from_entropy(&[0x11; 32]),
        PASSWORD,
        &generation.to_string(),
        KdfParams::INSECURE_FOR_TESTS,
        rng,
    )
    .expect("create keystore")
}

/// The child: rewrite the keystore forever, until killed.
fn rewrite_forever(dir: &str) -> ! {
    let wallet = WalletDir::new(dir);
    let mut rng = rand::rngs::StdRng::seed_from_u64(std::process::id().into());
    let mut generation: u64 = wallet
        .load_keystore()
        .expect("child loads")
        .label()
        .parse()
        .expect("numeric label");
    loop {
        generation += 1;
        wallet
            .replace_keystore(&keystore(generation, &mut rng))
            .expect("child writes");
    }
}

#[test]
fn keystore_survives_kill_during_write() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        rewrite_forever(&dir);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let wallet = WalletDir::new(dir.path());
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    wallet
        .create_keystore(&keystore(0, &mut rng))
        .expect("create");

    let exe = std::env::current_exe().expect("test binary path");
    let mut last_seen = 0u64;
    let mut torn_writes_interrupted = 0;
    for _round in 0..40 {
        let mut child = Command::new(&exe)
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        std::thread::sleep(Duration::from_millis(rng.random_range(30..120)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");

        let leftovers = std::fs::read_dir(dir.path())
            .expect("ls")
            .filter(|e| {
                e.as_ref()
                    .map(|e| e.file_name() != "keystore.mdw")
                    .unwrap_or(false)
            })
            .count();
        if leftovers > 0 {
            torn_writes_interrupted += 1;
        }
        let keystore = wallet
            .load_keystore()
            .expect("keystore must still parse after kill -9");
        let generation: u64 = keystore.label().parse().expect("numeric label");
        assert!(
            generation >= last_seen,
            "went back from {last_seen} to {generation}"
        );
        keystore
            .unlock(PASSWORD)
            .expect("keystore must still open after kill -9");
        last_seen = generation;
    }
    assert!(
        last_seen > 0,
        "the child never completed a write; the test proved nothing"
    );
    eprintln!(
        "40 kills, {last_seen} generations written, {torn_writes_interrupted} kills left a temporary file behind"
    );
}
