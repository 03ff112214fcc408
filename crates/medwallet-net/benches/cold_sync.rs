//! Cold sync: a new wallet, trusting only the genesis file, syncs a patient's records from
//! three full nodes (real `medledger` API handlers on loopback) serving a chain of 100,000
//! finalized blocks with an unchanged validator set. It verifies the newest certificate only
//! (skipping), cross-checks the nodes, and proves every record against the verified root.
//!
//! The same sync against a 1,000-block chain runs beside it: the ratio shows that the cost does
//! not grow with the chain. `make bench` prints both; the target is <= 1 s at 100k blocks.

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use medledger_client::LedgerSource;
use medwallet_core::SyncEvent;
use medwallet_core::sync::sync_records;
use medwallet_net::NodeClient;
use medwallet_net::source::NetworkSource;
use medwallet_verify::{LightClient, TrustAnchor};

mod common;

use common::{Chain, RECORDS, chain, chain_of, now_ms};

/// What a new wallet does on first start: trust genesis, verify, fetch every record.
async fn cold_sync(chain: &Chain) -> usize {
    cold_sync_within(chain, 60_000).await
}

/// [`cold_sync`], taking a newest header up to `max_age_ms` old (a long measurement outlives
/// the standard minute).
async fn cold_sync_within(chain: &Chain, max_age_ms: u64) -> usize {
    let source = NetworkSource::new(
        chain.urls.iter().map(NodeClient::new).collect(),
        LightClient::new(TrustAnchor::from_genesis(&chain.genesis).expect("anchor")),
        max_age_ms,
    );
    let (_, records) = sync_records(
        &source,
        &[medwallet_core::relationships::OwnAccount::first(Arc::new(
            medwallet_crypto::AccountKeys::derive(&chain.phrase),
        ))],
        &[],
        source.latest(now_ms()).await.expect("header"),
        &mut |_: SyncEvent<'_>| Ok(()),
    )
    .await
    .expect("sync");
    assert!(source.incidents().is_empty(), "no node lied");
    records.len()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // "A lifetime in one sync": a chronic patient's 10,000 records (MEDWALLET_BENCH_LIFETIME=1;
    // minutes per run, so not part of `make bench`).
    if std::env::var_os("MEDWALLET_BENCH_LIFETIME").is_some() {
        let records = 10_000;
        let chain = chain_of(records + 2_000, records, 1, &runtime);
        let start = std::time::Instant::now();
        let hour = 3_600_000;
        assert_eq!(
            runtime.block_on(cold_sync_within(&chain, hour)),
            records as usize
        );
        eprintln!(
            "lifetime: {records} records synced in {:.2} s",
            start.elapsed().as_secs_f64()
        );
        let mut group = c.benchmark_group("lifetime_sync");
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(60));
        group.bench_function(format!("{records}_records"), |b| {
            b.iter(|| runtime.block_on(cold_sync_within(&chain, hour)))
        });
        group.finish();
        return;
    }
    let mut group = c.benchmark_group("cold_sync");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    for blocks in [1_000u64, 100_000] {
        let built = std::time::Instant::now();
        let chain = chain(blocks, 1, &runtime);
        eprintln!(
            "built a {blocks}-block chain in {:.1} s",
            built.elapsed().as_secs_f64()
        );
        assert_eq!(runtime.block_on(cold_sync(&chain)), RECORDS as usize);
        group.bench_function(format!("{blocks}_blocks_{RECORDS}_records"), |b| {
            b.iter(|| runtime.block_on(cold_sync(&chain)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
