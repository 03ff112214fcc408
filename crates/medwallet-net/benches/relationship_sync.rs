//! Pairwise accounts cost a sync almost nothing: a wallet restored from its words syncs a
//! patient whose 100 records came from 20 relationships (20 accounts, 5 records each) about as
//! fast as one whose 100 records are under a single account. Both are full `Wallet::sync`
//! runs: the accounts found by proof (scanning to the gap limit), every record proven,
//! every ciphertext downloaded and kept, the grants checked. They run against three nodes on
//! loopback, side by side in one run. The target is 20 relationships within 1.5x of one.

use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use medwallet_core::{SyncEvent, SystemClock, Wallet};
use medwallet_crypto::AccountKeys;
use medwallet_net::NetworkSource;
use medwallet_store::WalletDir;
use rand::SeedableRng;
use rand::rngs::StdRng;

mod common;

use common::{Chain, RECORDS, chain};

/// A chain this long: long enough that the sync proves against a real tree, short enough to
/// build in seconds.
const BLOCKS: u64 = 1_000;

/// A wallet restored from the chain's patient's words, in a fresh folder, syncs everything.
async fn restore_and_sync(chain: &Chain, dir: &std::path::Path) -> usize {
    let source = NetworkSource::anchored(&chain.urls, &chain.genesis).expect("source");
    let keys = Arc::new(AccountKeys::derive(&chain.phrase));
    let wallet =
        Wallet::open(keys, WalletDir::new(dir).lock().expect("lock"), SystemClock).expect("open");
    let mut rng = StdRng::seed_from_u64(1);
    let report = wallet
        .sync(&source, &mut |_: SyncEvent<'_>| Ok(()), &mut rng)
        .await
        .expect("sync");
    assert_eq!(report.ciphertexts_missing, 0);
    assert!(report.incidents.is_empty(), "no node lied");
    report.total_records
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("relationship_sync");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    for accounts in [1u32, 20] {
        let chain = chain(BLOCKS, accounts, &runtime);
        let check = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            runtime.block_on(restore_and_sync(&chain, check.path())),
            RECORDS as usize
        );
        group.bench_function(format!("{RECORDS}_records_{accounts}_accounts"), |b| {
            b.iter_batched(
                || tempfile::tempdir().expect("tempdir"),
                |dir| runtime.block_on(restore_and_sync(&chain, dir.path())),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
