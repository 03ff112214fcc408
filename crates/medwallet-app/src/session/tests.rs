//! Creating, confirming, restoring, unlocking and auto-locking, without a window or a network.

use std::sync::atomic::{AtomicU64, Ordering};

use super::*;

fn defaults() -> Settings {
    Settings {
        nodes: vec![],
        genesis_path: None,
        chain_id: None,
        auto_lock_minutes: 5,
        devnet: false,
    }
}

struct Fixture {
    app: App,
    time: Arc<AtomicU64>,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let time = Arc::new(AtomicU64::new(1_000_000));
    let t = time.clone();
    let app = App::new(
        dir.path().join("wallet"),
        defaults(),
        KdfParams::INSECURE_FOR_TESTS,
        Arc::new(move || t.load(Ordering::SeqCst)),
    )
    .expect("app");
    Fixture {
        app,
        time,
        _dir: dir,
    }
}

const PASSWORD: &str = "correct horse battery";

#[test]
fn a_new_wallet_shows_24_words_once_and_confirms_only_the_right_ones() {
    let f = fixture();
    assert!(!f.app.status().wallet_exists);
    let created = f.app.create(PASSWORD).expect("create");
    assert_eq!(created.words.len(), 24);
    assert_eq!(created.confirm_positions.len(), 3);
    let status = f.app.status();
    assert!(status.wallet_exists && status.unlocked);
    assert_eq!(status.address.as_deref(), Some(created.address.as_str()));
    let right: Vec<String> = created
        .confirm_positions
        .iter()
        .map(|p| created.words[p - 1].clone())
        .collect();
    let mut wrong = right.clone();
    wrong[1] = if wrong[1] == "abandon" {
        "zoo".into()
    } else {
        "abandon".into()
    };
    assert_eq!(
        f.app.confirm_backup(&wrong).expect_err("wrong word").code,
        ErrorCode::BackupMismatch
    );
    assert_eq!(
        f.app.confirm_backup(&right[..2]).expect_err("too few").code,
        ErrorCode::BackupMismatch
    );
    let typed: Vec<String> = right
        .iter()
        .map(|w| format!(" {} ", w.to_uppercase()))
        .collect();
    f.app
        .confirm_backup(&typed)
        .expect("case and spaces do not matter");
    assert_eq!(
        f.app
            .confirm_backup(&right)
            .expect_err("already confirmed")
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        f.app.create(PASSWORD).expect_err("second wallet").code,
        ErrorCode::WalletExists
    );
}

#[test]
fn unlock_needs_the_right_password_and_lock_forgets_the_keys() {
    let f = fixture();
    let created = f.app.create(PASSWORD).expect("create");
    f.app.lock();
    assert!(!f.app.status().unlocked);
    assert_eq!(f.app.keys().err().map(|e| e.code), Some(ErrorCode::Locked));
    assert_eq!(
        f.app.unlock("not the password").expect_err("wrong").code,
        ErrorCode::WrongPassword
    );
    let status = f.app.unlock(PASSWORD).expect("unlock");
    assert!(status.unlocked);
    assert_eq!(status.address, Some(created.address));
}

#[tokio::test]
async fn a_key_rotation_needs_the_password_and_keeps_one_new_phrase_until_it_is_done() {
    let f = fixture();
    f.app.create(PASSWORD).expect("create");
    let next = f.app.root().join(medwallet_store::NEXT_KEYSTORE_FILE);
    let err = f
        .app
        .rotate_keys("not the password")
        .await
        .expect_err("wrong");
    assert_eq!(err.code, ErrorCode::WrongPassword);
    assert!(!next.exists(), "nothing is written for a wrong password");
    // No node to rotate on: the new phrase is kept for the next try, the old keystore stays.
    let before = std::fs::read(f.app.dir.keystore_path()).expect("keystore");
    assert!(f.app.rotate_keys(PASSWORD).await.is_err());
    let kept = std::fs::read(&next).expect("the new phrase is kept");
    assert!(f.app.rotate_keys(PASSWORD).await.is_err());
    assert_eq!(
        std::fs::read(&next).expect("kept"),
        kept,
        "a retry resumes with the same new phrase"
    );
    assert_eq!(
        std::fs::read(f.app.dir.keystore_path()).expect("keystore"),
        before
    );
}

#[test]
fn an_unlocked_wallet_refuses_a_second_writer_with_a_clear_error() {
    let f = fixture();
    f.app.create(PASSWORD).expect("create");
    // A `medwallet` command on the same folder while the app has it unlocked.
    let cli = WalletDir::new(f.app.root()).lock();
    assert!(
        matches!(cli, Err(medwallet_store::StoreError::InUse(_))),
        "{cli:?}"
    );
    // Another copy of the app on the same folder: its unlock says why, and nothing is lost.
    let other = App::new(
        f.app.root(),
        defaults(),
        KdfParams::INSECURE_FOR_TESTS,
        Arc::new(|| 1_000_000),
    )
    .expect("app");
    let refused = other.unlock(PASSWORD).expect_err("in use");
    assert_eq!(refused.code, ErrorCode::WalletInUse);
    assert!(
        refused.message.contains("open in another"),
        "{}",
        refused.message
    );
    assert!(!other.status().unlocked);
    assert!(f.app.status().unlocked);
    // A session started again while unlocked (new keys after a rotation or a recovery) keeps
    // the lock it holds rather than being refused it.
    f.app
        .start_session(AccountKeys::derive(&RecoveryPhrase::from_entropy(&[7; 32])))
        .expect("a new session in the same app");
    assert!(matches!(
        WalletDir::new(f.app.root()).lock(),
        Err(medwallet_store::StoreError::InUse(_))
    ));
    // Locked in the first app, the folder is free for the other writer.
    f.app.lock();
    other
        .unlock(PASSWORD)
        .expect("free once the first app locked");
    assert!(matches!(
        WalletDir::new(f.app.root()).lock(),
        Err(medwallet_store::StoreError::InUse(_))
    ));
}

#[test]
fn an_idle_wallet_locks_itself_and_activity_keeps_it_open() {
    let f = fixture();
    f.app.create(PASSWORD).expect("create");
    f.time.fetch_add(4 * 60_000, Ordering::SeqCst);
    f.app.touch().expect("still unlocked after 4 minutes");
    f.time.fetch_add(4 * 60_000, Ordering::SeqCst);
    assert!(!f.app.check_idle(), "activity reset the timer");
    f.time.fetch_add(60_000, Ordering::SeqCst);
    assert!(f.app.check_idle(), "5 idle minutes lock it");
    assert!(!f.app.status().unlocked);
    assert_eq!(f.app.touch().expect_err("locked").code, ErrorCode::Locked);
}

#[test]
fn restoring_from_the_words_gives_the_same_account() {
    let first = fixture();
    let created = first.app.create(PASSWORD).expect("create");
    let second = fixture();
    assert_eq!(
        second
            .app
            .restore("not words at all", PASSWORD)
            .expect_err("bad words")
            .code,
        ErrorCode::InvalidInput
    );
    assert!(
        !second.app.status().wallet_exists,
        "nothing written for bad words"
    );
    let status = second
        .app
        .restore(&created.words.join(" "), "another password")
        .expect("restore");
    assert_eq!(status.address, Some(created.address));
    assert_eq!(status.share_code, Some(created.share_code));
}

#[test]
fn a_short_password_is_refused_before_anything_is_written() {
    let f = fixture();
    assert_eq!(
        f.app.create("short").expect_err("short").code,
        ErrorCode::InvalidInput
    );
    assert!(!f.app.status().wallet_exists);
}

/// A chain whose only node accepts connections and never answers.
fn silent_node(f: &Fixture) -> std::net::TcpListener {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let validator = AccountKeys::derive(&RecoveryPhrase::generate(&mut rand::rng())).public();
    let genesis = medledger_api::GenesisFile {
        chain_name: "silent".into(),
        timestamp_ms: 0,
        validators: vec![hex::encode(validator.signing.as_bytes())],
        clinics: vec![],
        recovery_min_delay_ms: 1_000,
        emergency_keys: Vec::new(),
        epoch_length: None,
    };
    let path = f._dir.path().join("genesis.json");
    std::fs::write(&path, serde_json::to_vec(&genesis).expect("json")).expect("write");
    WalletDir::new(f.app.root())
        .adopt_genesis(&path, medwallet_store::ChainSwitch::Refuse)
        .expect("adopt");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    f.app.save_settings(vec![url], 5).expect("settings");
    listener
}

#[tokio::test]
async fn unlocking_opens_the_wallet_past_the_deadline_when_nodes_do_not_answer() {
    let f = fixture();
    f.app.create(PASSWORD).expect("create");
    f.app.lock();
    let _node = silent_node(&f);
    f.app.unlock(PASSWORD).expect("unlock");
    // The node never answers (the client's own timeout is 30 s): the deadline, already
    // passed, decides. A generous bound catches a wallet that waits for the node instead.
    let status = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        f.app.status_verified_within(futures::future::ready(())),
    )
    .await
    .expect("unlock waited on a silent node");
    assert!(status.unlocked);
    assert_eq!(status.role, Role::Unknown, "the role is not guessed");
}

#[tokio::test]
async fn a_recovering_device_keeps_its_own_keys_across_retries_and_never_overwrites_a_wallet() {
    let account = medwallet_core::input::display_address(&medledger_types::hash::Address([7; 32]));
    // A profile holding a wallet is never turned into a recovering device.
    let holder = fixture();
    holder.app.create(PASSWORD).expect("create");
    let before = std::fs::read(holder.app.dir.keystore_path()).expect("keystore");
    let err = holder
        .app
        .start_recovery(&account, PASSWORD)
        .await
        .expect_err("a wallet exists");
    assert_eq!(err.code, ErrorCode::WalletExists);
    assert_eq!(
        std::fs::read(holder.app.dir.keystore_path()).expect("keystore"),
        before
    );

    // A fresh profile: a mistyped account writes nothing.
    let f = fixture();
    let err = f
        .app
        .start_recovery("not an account", PASSWORD)
        .await
        .expect_err("bad account");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(!f.app.status().wallet_exists);

    // No node answers (its port is closed): the device's keys and the account it recovers are
    // kept, so the next try asks with the same device (the code the guardians were read stays
    // right).
    drop(silent_node(&f));
    assert!(f.app.start_recovery(&account, PASSWORD).await.is_err());
    let status = f.app.status();
    assert_eq!(status.recovering.as_deref(), Some(account.as_str()));
    let device = f.app.keys().expect("unlocked").public();
    f.app.lock();
    f.app.unlock(PASSWORD).expect("unlock");
    assert_eq!(f.app.keys().expect("unlocked").public(), device);
    assert!(f.app.start_recovery(&account, PASSWORD).await.is_err());
    assert_eq!(f.app.keys().expect("unlocked").public(), device);
    let other = medwallet_core::input::display_address(&medledger_types::hash::Address([8; 32]));
    let err = f
        .app
        .start_recovery(&other, PASSWORD)
        .await
        .expect_err("another account");
    assert_eq!(err.code, ErrorCode::WalletExists);
}

#[tokio::test]
async fn guardians_need_the_password_and_only_a_recovering_device_finishes_a_recovery() {
    let f = fixture();
    f.app.create(PASSWORD).expect("create");
    let err = f
        .app
        .set_guardians("not the password", &["mdwshare1x".into()], 1, 1_000, "Ned")
        .await
        .expect_err("a share code that does not parse");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let code = f
        .app
        .keys()
        .expect("unlocked")
        .public()
        .share_code()
        .to_string();
    let err = f
        .app
        .set_guardians("not the password", &[code], 1, 1_000, "Ned")
        .await
        .expect_err("wrong password");
    assert_eq!(err.code, ErrorCode::WrongPassword);
    let err = f
        .app
        .finish_recovery(PASSWORD)
        .await
        .expect_err("not recovering");
    assert_eq!(err.code, ErrorCode::NotFound);
    assert_eq!(
        f.app.recovering().await.expect_err("not recovering").code,
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn joining_a_device_never_overwrites_a_wallet_and_sends_nothing_without_an_answer() {
    // A profile holding a wallet answers no code: its keystore is never replaced.
    let holder = fixture();
    holder.app.create(PASSWORD).expect("create");
    let before = std::fs::read(holder.app.dir.keystore_path()).expect("keystore");
    for err in [
        holder
            .app
            .answer_device_join("31874-ocean-velvet-ranch")
            .await
            .expect_err("a wallet exists"),
        holder
            .app
            .finish_device_join(PASSWORD)
            .await
            .expect_err("a wallet exists"),
    ] {
        assert_eq!(err.code, ErrorCode::WalletExists);
    }
    assert_eq!(
        std::fs::read(holder.app.dir.keystore_path()).expect("keystore"),
        before
    );
    // Sending needs the password, then an answered offer.
    let err = holder
        .app
        .confirm_device_join("not the password", "482 913")
        .await
        .expect_err("wrong password");
    assert_eq!(err.code, ErrorCode::WrongPassword);
    let err = holder
        .app
        .confirm_device_join(PASSWORD, "482 913")
        .await
        .expect_err("no offer");
    assert_eq!(err.code, ErrorCode::DeviceJoin);

    // A fresh profile: a mistyped code is refused before any node is asked; nothing written.
    let f = fixture();
    let err = f
        .app
        .answer_device_join("31874-ocean-velvet")
        .await
        .expect_err("two words");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = f
        .app
        .finish_device_join(PASSWORD)
        .await
        .expect_err("nothing answered");
    assert_eq!(err.code, ErrorCode::DeviceJoin);
    assert!(!f.app.status().wallet_exists);
}
