//! Following validator-set changes by proof, against a chain the ledger's own rules built: a
//! wallet offline across three changes catches up from its trust anchor one epoch at a time,
//! and every lie about a set (a removed set still signing, a wrong next set, a header that is
//! not an epoch's last, a certificate from another epoch) is refused.

use std::collections::BTreeMap;

use ed25519_dalek::Signer;
use medledger_client::governance;
use medledger_state::store::Ledger;
use medledger_types::block::Header;
use medledger_types::certificate::{Finalization, Proposal, consensus_namespace, quorum};
use medledger_types::codec::Canonical;
use medledger_types::epoch::Epochs;
use medledger_types::genesis::{Genesis, ValidatorSet};
use medledger_types::hash::{ChainId, PublicKey};
use medledger_types::tx::SignedTx;
use medledger_types::validators::{Validator, ValidatorChange};
use medwallet_crypto::SigningKey;
use medwallet_verify::{Invalid, LightClient, TrustAnchor};

const EPOCH: u64 = 4;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn public(seed: u8) -> PublicKey {
    PublicKey(key(seed).verifying_key().to_bytes())
}

/// A certificate for `header` signed by a quorum of `signers` (seeds) as the set `set`, in
/// `epoch`.
fn certificate(chain: ChainId, header: &Header, set: &[u8], signers: &[u8], epoch: u64) -> Vec<u8> {
    let ordered = ValidatorSet::new(set.iter().map(|s| public(*s)).collect()).expect("set");
    let proposal = Proposal {
        epoch,
        view: header.height,
        parent_view: header.height.saturating_sub(1),
        block: header.hash(),
    };
    let message = proposal.finalize_message(&consensus_namespace(&chain));
    let mut signed: Vec<(usize, [u8; 64])> = signers
        .iter()
        .map(|s| {
            let at = ordered
                .keys()
                .iter()
                .position(|k| *k == public(*s))
                .expect("member");
            (at, key(*s).sign(&message).to_bytes())
        })
        .collect();
    signed.sort_by_key(|(at, _)| *at);
    Finalization {
        proposal,
        validator_count: set.len(),
        signers: signed.iter().map(|(at, _)| *at).collect(),
        signatures: signed.iter().map(|(_, s)| *s).collect(),
    }
    .encode()
}

fn change(
    chain: ChainId,
    author: u8,
    nonce: u64,
    seq: u64,
    change: ValidatorChange,
    approvers: &[u8],
) -> SignedTx {
    let approvals = approvers
        .iter()
        .map(|s| governance::approve(&key(*s), &chain, seq, &change))
        .collect();
    governance::change_tx(&key(author), chain, nonce, seq, change, approvals)
}

fn joining(seed: u8) -> Validator {
    Validator {
        key: public(seed),
        emergency: None,
        address: format!("10.0.0.{seed}:9000"),
    }
}

/// A chain of four epochs: 4 is replaced by 5 in epoch 0, 6 joins in epoch 1, 1 leaves in
/// epoch 2; epoch 3 runs {2, 3, 5, 6}. Every block's certificate is signed by its epoch's set.
struct Chain {
    _dir: tempfile::TempDir,
    ledger: Ledger,
    genesis: Genesis,
    /// Each epoch's set, by seed.
    sets: BTreeMap<u64, Vec<u8>>,
    /// Each height's encoded header and certificate.
    blocks: BTreeMap<u64, (Vec<u8>, Vec<u8>)>,
}

impl Chain {
    fn build() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let genesis = Genesis {
            chain_name: "epochs".into(),
            timestamp_ms: 1_000,
            validators: ValidatorSet::new((1..=4).map(public).collect()).expect("set"),
            clinics: Vec::new(),
            recovery_min_delay_ms: 1_000,
            emergency_keys: Vec::new(),
            epochs: Epochs::new(EPOCH).expect("epochs"),
        };
        let ledger = Ledger::open(&dir.path().join("l.redb"), genesis.clone()).expect("open");
        let chain = ledger.chain_id();
        let sets = BTreeMap::from([
            (0, vec![1, 2, 3, 4]),
            (1, vec![1, 2, 3, 5]),
            (2, vec![1, 2, 3, 5, 6]),
            (3, vec![2, 3, 5, 6]),
        ]);
        let changes = BTreeMap::from([
            (
                1,
                change(
                    chain,
                    5,
                    0,
                    0,
                    ValidatorChange::Replace {
                        old: public(4),
                        new: joining(5),
                    },
                    &[1, 2, 3],
                ),
            ),
            (
                5,
                change(chain, 6, 0, 1, ValidatorChange::Add(joining(6)), &[1, 2, 5]),
            ),
            (
                9,
                change(
                    chain,
                    2,
                    0,
                    2,
                    ValidatorChange::Remove(public(1)),
                    &[2, 3, 5, 6],
                ),
            ),
        ]);
        let mut blocks = BTreeMap::new();
        for height in 1..EPOCH * 4 - 1 {
            let parent = ledger.tip();
            let txs: Vec<SignedTx> = changes.get(&height).into_iter().cloned().collect();
            let block = ledger
                .build(&parent, parent.timestamp_ms + 1, &txs, &|_| false)
                .expect("build");
            assert_eq!(block.txs.len(), txs.len(), "the change at {height} applies");
            ledger.commit(&block, None).expect("commit");
            let epoch = height / EPOCH;
            let set = &sets[&epoch];
            let cert = certificate(chain, &block.header, set, &set[..quorum(set.len())], epoch);
            blocks.insert(height, (block.header.encode(), cert));
        }
        Chain {
            _dir: dir,
            ledger,
            genesis,
            sets,
            blocks,
        }
    }

    /// What a node serves for "how did epoch `e` begin": the last block of `e − 1` with its
    /// certificate, and the set of `e` (read from the ledger's state).
    fn epoch_start(&self, epoch: u64) -> (Vec<u8>, Vec<u8>, ValidatorSet) {
        let (header, cert) = self.blocks[&(epoch * EPOCH - 1)].clone();
        let set = self
            .ledger
            .validators_of_epoch(epoch)
            .expect("read")
            .expect("begun")
            .set();
        (header, cert, set)
    }
}

#[test]
fn a_wallet_offline_across_three_changes_catches_up_epoch_by_epoch() {
    let chain = Chain::build();
    let mut client = LightClient::new(TrustAnchor::from_genesis(&chain.genesis).expect("anchor"));
    let (newest, newest_cert) = chain.blocks.last_key_value().expect("blocks").1.clone();
    // The newest header is in epoch 3: the client cannot check it with genesis's set.
    assert_eq!(
        client.verify(&newest, &newest_cert),
        Err(Invalid::UnknownValidatorSet)
    );
    let mut steps = 0;
    while let Some(epoch) = client.epoch_needed(&newest).expect("header") {
        let (boundary, cert, set) = chain.epoch_start(epoch);
        let learned = client
            .verify_epoch_change(&boundary, &cert, set)
            .expect("a proven change");
        assert_eq!(learned.epoch, epoch);
        client.apply_epoch_change(learned);
        steps += 1;
    }
    assert_eq!(steps, 3);
    for (epoch, seeds) in &chain.sets {
        let expected = ValidatorSet::new(seeds.iter().map(|s| public(*s)).collect()).expect("set");
        assert_eq!(
            client.validators_of(*epoch).expect("known").set(),
            &expected
        );
    }
    let verified = client
        .verify(&newest, &newest_cert)
        .expect("verified under epoch 3's set");
    client.apply(verified).expect("newer");
    // Older heights verify under their own epoch's set.
    let (h, c) = &chain.blocks[&6];
    assert!(client.verify(h, c).is_ok());
}

#[test]
fn a_removed_set_still_signing_is_refused() {
    let chain = Chain::build();
    let mut client = LightClient::new(TrustAnchor::from_genesis(&chain.genesis).expect("anchor"));
    for epoch in 1..=3 {
        let (boundary, cert, set) = chain.epoch_start(epoch);
        let learned = client
            .verify_epoch_change(&boundary, &cert, set)
            .expect("proven");
        client.apply_epoch_change(learned);
    }
    let height = EPOCH * 3 + 1;
    let (header_bytes, _) = chain.blocks[&height].clone();
    let header = Header::decode(&header_bytes, 1024).expect("header");
    // The genesis validators (4 replaced, 1 removed since) sign the real epoch-3 block.
    let by_old = certificate(
        chain.ledger.chain_id(),
        &header,
        &[1, 2, 3, 4],
        &[1, 2, 3, 4],
        3,
    );
    assert!(matches!(
        client.verify(&header_bytes, &by_old),
        Err(Invalid::WrongValidatorCount { .. } | Invalid::BadSignature)
    ));
    // Or a block of their own that names their old set, at an epoch-3 height.
    let mut forged = header;
    forged.validator_set = chain.genesis.validators.hash();
    forged.next_validator_set = chain.genesis.validators.hash();
    let forged_cert = certificate(
        chain.ledger.chain_id(),
        &forged,
        &[1, 2, 3, 4],
        &[1, 2, 3, 4],
        3,
    );
    assert_eq!(
        client.verify(&forged.encode(), &forged_cert),
        Err(Invalid::UnknownValidatorSet)
    );
}

#[test]
fn a_wrong_next_set_a_non_boundary_or_another_epochs_certificate_is_refused() {
    let chain = Chain::build();
    let client = LightClient::new(TrustAnchor::from_genesis(&chain.genesis).expect("anchor"));
    let (boundary, cert, set) = chain.epoch_start(1);
    // A node claims another set for epoch 1.
    let other = ValidatorSet::new([1, 2, 7, 8].map(public).to_vec()).expect("set");
    assert_eq!(
        client.verify_epoch_change(&boundary, &cert, other),
        Err(Invalid::WrongValidatorChange)
    );
    // A header in the middle of epoch 0 announces nothing.
    let (middle, middle_cert) = chain.blocks[&1].clone();
    assert_eq!(
        client.verify_epoch_change(&middle, &middle_cert, set.clone()),
        Err(Invalid::NotABoundary { height: 1 })
    );
    // Epoch 0's set signing the boundary as if in epoch 1.
    let header = Header::decode(&boundary, 1024).expect("header");
    let misdated = certificate(
        chain.ledger.chain_id(),
        &header,
        &[1, 2, 3, 4],
        &[1, 2, 3],
        1,
    );
    assert_eq!(
        client.verify_epoch_change(&boundary, &misdated, set),
        Err(Invalid::WrongEpoch {
            height: EPOCH - 1,
            got: 1,
            expected: 0
        })
    );
}
