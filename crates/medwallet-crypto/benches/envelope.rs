//! Sealing and opening records against raw ChaCha20-Poly1305 over the same bytes, in the same
//! run. `make bench` prints the ratios (raw time / envelope time; 1.0 = no overhead).
//!
//! seal = content key + STREAM payload (64 KiB chunks) + HPKE wrap to one recipient, in memory.
//! open = HPKE unwrap + commitment check + STREAM payload, in memory.
//! seal_stream / open_stream = the same through `Read`/`Write` in constant memory.
//! raw  = one-shot ChaCha20-Poly1305 encrypt/decrypt of the whole buffer (allocating output,
//!        like the envelope), i.e. the floor any envelope built on this AEAD can reach.

use std::hint::black_box;

use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use medwallet_crypto::envelope::{self, ContentKey, Identity, Recipient, X25519Identity};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn bench_envelope(c: &mut Criterion) {
    let identity = X25519Identity::new([9u8; 32].into());
    let recipient = identity.to_recipient();
    for (label, size) in [("1MiB", 1usize << 20), ("64MiB", 64usize << 20)] {
        let plaintext: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let mut group = c.benchmark_group(format!("envelope_{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        if size > (8 << 20) {
            group.sample_size(10);
        }
        let mut rng = StdRng::seed_from_u64(1);

        let raw = ChaCha20Poly1305::new(&[7u8; 32].into());
        let nonce = [0u8; 12].into();
        group.bench_function(BenchmarkId::new("raw_encrypt", label), |b| {
            b.iter(|| {
                raw.encrypt(&nonce, black_box(&plaintext[..]))
                    .expect("encrypt")
            })
        });
        group.bench_function(BenchmarkId::new("seal", label), |b| {
            b.iter(|| {
                let key = ContentKey::generate(&mut rng);
                let out =
                    envelope::seal_to_vec(&key, &mut rng, black_box(&plaintext[..])).expect("seal");
                let wrapped = recipient.wrap(&key, b"record", &mut rng).expect("wrap");
                (out, wrapped)
            })
        });
        group.bench_function(BenchmarkId::new("seal_stream", label), |b| {
            b.iter(|| {
                let key = ContentKey::generate(&mut rng);
                let mut out =
                    Vec::with_capacity(envelope::payload::sealed_len(size as u64) as usize);
                envelope::seal_payload(&key, &mut rng, black_box(&plaintext[..]), &mut out)
                    .expect("seal");
                let wrapped = recipient.wrap(&key, b"record", &mut rng).expect("wrap");
                (out, wrapped)
            })
        });

        let raw_ct = raw.encrypt(&nonce, &plaintext[..]).expect("encrypt");
        group.bench_function(BenchmarkId::new("raw_decrypt", label), |b| {
            b.iter(|| {
                raw.decrypt(&nonce, black_box(&raw_ct[..]))
                    .expect("decrypt")
            })
        });
        let key = ContentKey::generate(&mut rng);
        let mut sealed = Vec::new();
        envelope::seal_payload(&key, &mut rng, &plaintext[..], &mut sealed).expect("seal");
        let wrapped = recipient.wrap(&key, b"record", &mut rng).expect("wrap");
        group.bench_function(BenchmarkId::new("open", label), |b| {
            b.iter(|| {
                let key = identity.unwrap(&wrapped, b"record").expect("unwrap");
                envelope::open_to_vec(&key, black_box(&sealed[..])).expect("open")
            })
        });
        group.bench_function(BenchmarkId::new("open_stream", label), |b| {
            b.iter(|| {
                let key = identity.unwrap(&wrapped, b"record").expect("unwrap");
                let mut out = Vec::with_capacity(size);
                envelope::open_payload(&key, black_box(&sealed[..]), &mut out).expect("open");
                out
            })
        });
        group.finish();
    }
}

/// The per-record cost a sync pays before any payload: unwrapping one content key (X25519 +
/// HKDF + ChaCha20-Poly1305 of 32 bytes), and wrapping one (what an issuer pays per recipient).
fn bench_key_wrap(c: &mut Criterion) {
    let identity = X25519Identity::new([9u8; 32].into());
    let recipient = identity.to_recipient();
    let mut rng = StdRng::seed_from_u64(2);
    let key = ContentKey::generate(&mut rng);
    let wrapped = recipient.wrap(&key, b"record", &mut rng).expect("wrap");
    let mut group = c.benchmark_group("content_key");
    group.bench_function("wrap", |b| {
        b.iter(|| recipient.wrap(&key, b"record", &mut rng).expect("wrap"))
    });
    group.bench_function("unwrap", |b| {
        b.iter(|| {
            identity
                .unwrap(black_box(&wrapped), b"record")
                .expect("unwrap")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_envelope, bench_key_wrap);
criterion_main!(benches);
