//! State sync: a store restored from chunks holds the same state as the one it came from,
//! executes the next block to the same root, and refuses a chunk that lies.

use medledger_types::hash::Address;
use medledger_types::snapshot::StateChunk;
use medledger_types::state::StateKey;

use super::tests::{build, genesis, key, register, verify_proof};
use super::*;

/// A ledger with 200 patients registered over two blocks.
fn source(dir: &Path) -> Ledger {
    let ledger = Ledger::open(&dir.join("source.redb"), genesis("devnet")).expect("open");
    for seeds in [20u8..120, 120..220] {
        let txs: Vec<_> = seeds.map(|s| register(&ledger, s, 0)).collect();
        let block = build(&ledger, &ledger.tip(), &txs);
        ledger.commit(&block, Some(b"cert")).expect("commit");
    }
    ledger
}

/// Every chunk of `from`'s state at its tip, `limit` leaves at a time.
fn chunks(from: &Ledger, limit: usize) -> Vec<StateChunk> {
    let height = from.tip().height;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let chunk = from.state_chunk(height, after, limit).expect("chunk");
        after = chunk.entries.last().map(|(k, _)| *k);
        let last = chunk.last;
        out.push(chunk);
        if last {
            return out;
        }
    }
}

fn restore(from: &Ledger, path: &Path) -> Restore {
    let tip = from.tip().height;
    Restore::begin(
        path,
        genesis("devnet"),
        from.block(tip).expect("read").expect("tip block"),
        b"cert".to_vec(),
    )
    .expect("begin")
}

#[test]
fn a_restored_store_proves_and_executes_as_the_one_it_came_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = source(dir.path());
    let chunks = chunks(&from, 64);
    assert!(chunks.len() > 3, "several chunks ({})", chunks.len());
    let mut restore = restore(&from, &dir.path().join("joined.redb"));
    for chunk in chunks {
        restore.add_chunk(chunk).expect("a true chunk");
    }
    assert!(restore.leaves() >= 400, "{}", restore.leaves());
    let joined = restore.finish().expect("finish");
    assert_eq!(joined.tip(), from.tip());
    assert_eq!(
        joined.finalization(2).expect("read"),
        Some(b"cert".to_vec())
    );
    // The same values and proofs, present and absent.
    for key in [
        StateKey::account(&Address::of(&super::tests::public(&key(77)))),
        StateKey::account(&Address([0xee; 32])),
    ] {
        let (a, b) = (
            from.prove(&key, None).expect("prove"),
            joined.prove(&key, None).expect("prove"),
        );
        assert_eq!(
            (&a.value, &a.proof, a.state_root),
            (&b.value, &b.proof, b.state_root)
        );
        assert_eq!(verify_proof(&b, &key), Ok(()));
    }
    // No history below the restored block.
    assert!(matches!(
        joined.prove(&StateKey::account(&Address([1; 32])), Some(1)),
        Err(StoreError::Unavailable(1))
    ));
    // The next block executes to the same state on both.
    let txs: Vec<_> = (220u8..230).map(|s| register(&from, s, 0)).collect();
    let next = build(&from, &from.tip(), &txs);
    let again = build(&joined, &joined.tip(), &txs);
    assert_eq!(next.header, again.header);
    joined
        .commit(&again, None)
        .expect("commit on the restored store");
    from.commit(&next, None).expect("commit");
    assert_eq!(joined.tip().state_root, from.tip().state_root);
    // And it opens again as a ledger at its new tip.
    drop(joined);
    let reopened =
        Ledger::open(&dir.path().join("joined.redb"), genesis("devnet")).expect("reopen");
    assert_eq!(reopened.tip(), from.tip());
}

#[test]
fn a_chunk_that_lies_is_refused_and_the_restore_goes_on_with_a_true_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = source(dir.path());
    let chunks = chunks(&from, 64);
    let mut restore = restore(&from, &dir.path().join("joined.redb"));
    restore.add_chunk(chunks[0].clone()).expect("first");

    let mut changed = chunks[1].clone();
    changed.entries[3].1.push(0);
    let mut skipped = chunks[1].clone();
    skipped.entries.remove(5);
    let mut foreign_proof = chunks[1].clone();
    foreign_proof.proof = chunks[2].proof.clone();
    for (lie, what) in [
        (changed, "a changed value"),
        (skipped, "a leaf left out"),
        (foreign_proof, "another chunk's proof"),
        (chunks[2].clone(), "a chunk out of order"),
    ] {
        assert!(
            matches!(restore.add_chunk(lie), Err(StoreError::BadChunk(_))),
            "{what} is refused"
        );
    }
    // The restore goes on from where it stands, with true chunks from there.
    let height = from.tip().height;
    loop {
        let chunk = from
            .state_chunk(height, restore.resume_after(), 64)
            .expect("chunk");
        let last = chunk.last;
        restore.add_chunk(chunk).expect("a true chunk");
        if last {
            break;
        }
    }
    assert_eq!(restore.finish().expect("finish").tip(), from.tip());
}

#[test]
fn a_restore_missing_its_last_chunks_does_not_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = source(dir.path());
    let chunks = chunks(&from, 64);
    let path = dir.path().join("joined.redb");
    let mut restore = restore(&from, &path);
    let keep = chunks.len() - 2;
    for chunk in chunks.into_iter().take(keep) {
        restore.add_chunk(chunk).expect("a true chunk");
    }
    assert!(matches!(restore.finish(), Err(StoreError::BadChunk(_))));
    // The store left behind is refused as a target for another restore.
    assert!(matches!(
        Restore::begin(
            &path,
            genesis("devnet"),
            from.block(2).expect("read").expect("block"),
            Vec::new()
        ),
        Err(StoreError::Invariant(_))
    ));
}
