//! What the sync benchmarks share: a chain built offline with the ledger's own execution, its
//! tip finalized by a quorum of four validators in Simplex's certificate format, served by
//! [`NODES`] real API listeners on loopback.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};
use medledger_client::RecordMetadata;
use medledger_client::padded::seal_padded;
use medledger_client::transaction::sign;
use medledger_node::api::{ApiState, router};
use medledger_node::blobs::BlobStore;
use medledger_node::mempool::Mempool;
use medledger_state::store::Ledger;
use medledger_types::category::Category;
use medledger_types::certificate::{Finalization, Proposal, consensus_namespace, quorum};
use medledger_types::genesis::{Genesis, GenesisClinic, ValidatorSet};
use medledger_types::hash::{PublicKey, ReceivingKey, RecordId, Sha256Digest};
use medledger_types::tx::{SignedTx, TxBody};
use medwallet_crypto::envelope::{ContentKey, Recipient, X25519Recipient};
use medwallet_crypto::{AccountKeys, RecoveryPhrase};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Records of the patient, spread over the chain.
pub const RECORDS: u64 = 100;
/// Full nodes the wallet asks (all honest here; they serve one ledger).
pub const NODES: usize = 3;
const BLOCK_INTERVAL_MS: u64 = 10;

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub fn account(seed: u8) -> AccountKeys {
    AccountKeys::derive(&RecoveryPhrase::from_entropy(&[seed; 32]))
}

pub fn signed(keys: &AccountKeys, ledger: &Ledger, nonce: u64, body: TxBody) -> SignedTx {
    sign(keys.signing_key(), ledger.chain_id(), nonce, body)
}

pub struct Chain {
    pub genesis: Genesis,
    /// The patient's phrase (its account 0 and the others derive from it).
    pub phrase: RecoveryPhrase,
    pub urls: Vec<String>,
    _dir: tempfile::TempDir,
}

/// Builds a `blocks`-long chain offline with the ledger's own execution, finalizes its tip with
/// a quorum of the four validators in Simplex's certificate format, and serves it from
/// [`NODES`] API listeners.
pub fn chain(blocks: u64, accounts: u32, runtime: &tokio::runtime::Runtime) -> Chain {
    chain_of(blocks, RECORDS, accounts, runtime)
}

/// [`chain`] with `records` records (at most one per block after the first two).
pub fn chain_of(
    blocks: u64,
    records: u64,
    accounts: u32,
    runtime: &tokio::runtime::Runtime,
) -> Chain {
    let validators: Vec<SigningKey> = (1..=4u8)
        .map(|i| SigningKey::from_bytes(&[i; 32]))
        .collect();
    let set = ValidatorSet::new(
        validators
            .iter()
            .map(|k| PublicKey(k.verifying_key().to_bytes()))
            .collect(),
    )
    .expect("validator set");
    let clinic = account(20);
    let phrase = RecoveryPhrase::from_entropy(&[30; 32]);
    let patient = AccountKeys::derive(&phrase);
    // The patient's accounts, one per relationship; record k goes to account k % accounts.
    let relationships: Vec<AccountKeys> = (0..accounts).map(|i| patient.account(i)).collect();
    let start = now_ms() - blocks * BLOCK_INTERVAL_MS - 1_000;
    let genesis = Genesis {
        chain_name: format!("cold-sync-{blocks}"),
        timestamp_ms: start,
        validators: set.clone(),
        clinics: vec![GenesisClinic {
            signing: PublicKey(clinic.signing_key().verifying_key().to_bytes()),
            receiving: ReceivingKey(clinic.public().receiving.to_bytes()),
            name: "Bench Clinic".into(),
        }],
        recovery_min_delay_ms: 1_000,
        emergency_keys: Vec::new(),
        epochs: medledger_types::epoch::Epochs::NONE,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger =
        Arc::new(Ledger::open(&dir.path().join("ledger.redb"), genesis.clone()).expect("open"));
    ledger.set_bulk_load(true);
    let blobs = BlobStore::open(&dir.path().join("blobs"), 1 << 20).expect("blobs");
    let clinic_address = clinic.public().account();
    let mut rng = StdRng::seed_from_u64(blocks);
    let spacing = ((blocks - 2) / records).max(1);
    let mut issued = 0;
    for height in 1..=blocks {
        let txs = if height == 1 {
            relationships
                .iter()
                .map(|keys| {
                    signed(
                        keys,
                        &ledger,
                        0,
                        TxBody::RegisterPatient {
                            receiving: ReceivingKey(keys.public().receiving.to_bytes()),
                        },
                    )
                })
                .collect()
        } else if issued < records && (height - 2) % spacing == 0 {
            let record = RecordId::derive(&clinic_address, issued);
            let key = ContentKey::generate(&mut rng);
            let ciphertext = seal_padded(&key, &mut rng, &[b'{'; 2048]).expect("seal");
            let hash = Sha256Digest(<sha2::Sha256 as sha2::Digest>::digest(&ciphertext).into());
            // The nodes hold the ciphertext, as a clinic's upload leaves it.
            let chunk: Result<axum::body::Bytes, std::convert::Infallible> =
                Ok(ciphertext.clone().into());
            runtime
                .block_on(blobs.put(&hash, futures::stream::iter([chunk])))
                .expect("stored");
            let metadata = RecordMetadata::new(
                format!("Visit {issued}"),
                Some("2024-05-01".into()),
                Category::Encounter,
                1,
                "Bench Clinic",
            );
            let to = &relationships[(issued % u64::from(accounts)) as usize];
            let wrapped = X25519Recipient::new(to.public().receiving)
                .wrap(&key, &record.0, &mut rng)
                .expect("wrap");
            let body = TxBody::IssueRecord {
                record,
                patient: to.public().account(),
                ciphertext_sha256: hash,
                ciphertext_len: ciphertext.len() as u64,
                wrapped_key: wrapped,
                metadata: metadata.seal(&key, &mut rng).expect("seal"),
            };
            issued += 1;
            vec![signed(&clinic, &ledger, issued - 1, body)]
        } else {
            Vec::new()
        };
        let tip = ledger.tip();
        let block = ledger
            .build(&tip, start + height * BLOCK_INTERVAL_MS, &txs, &|_| false)
            .expect("build");
        assert_eq!(block.txs.len(), txs.len(), "every transaction applies");
        let finalization =
            (height == blocks).then(|| finalize(&ledger, &validators, &set, &block.header.hash()));
        ledger
            .commit(&block, finalization.as_deref())
            .expect("commit");
    }
    ledger.set_bulk_load(false);
    assert_eq!(issued, records);
    let urls = runtime.block_on(serve(ledger, &dir));
    Chain {
        genesis,
        phrase,
        urls,
        _dir: dir,
    }
}

/// A quorum certificate for `block`, signed as Simplex validators sign a finalize vote.
pub fn finalize(
    ledger: &Ledger,
    validators: &[SigningKey],
    set: &ValidatorSet,
    block: &medledger_types::hash::BlockHash,
) -> Vec<u8> {
    let height = ledger.tip().height + 1;
    let proposal = Proposal {
        epoch: 0,
        view: height + 3,
        parent_view: height + 2,
        block: *block,
    };
    let message = proposal.finalize_message(&consensus_namespace(&ledger.chain_id()));
    let q = quorum(set.len());
    let signatures = set.keys()[..q]
        .iter()
        .map(|public| {
            let signer = validators
                .iter()
                .find(|k| k.verifying_key().to_bytes() == public.0)
                .expect("validator key");
            signer.sign(&message).to_bytes()
        })
        .collect();
    Finalization {
        proposal,
        validator_count: set.len(),
        signers: (0..q).collect(),
        signatures,
    }
    .encode()
}

pub async fn serve(ledger: Arc<Ledger>, dir: &tempfile::TempDir) -> Vec<String> {
    let height = ledger.tip().height;
    let (heights_tx, heights) = tokio::sync::watch::channel(height);
    // The sender lives as long as the servers (events streams would end without it).
    std::mem::forget(heights_tx);
    let state = ApiState {
        mempool: Arc::new(Mempool::new(ledger.chain_id(), 1_000)),
        ledger,
        heights,
        node_key: [1; 32],
        blobs: Arc::new(BlobStore::open(&dir.path().join("blobs"), 1 << 20).expect("blobs")),
        peers: Arc::new(BTreeSet::new()),
        receipts: Arc::new(medledger_node::receipts::ReceiptIssuer::new(
            &[1; 32],
            Vec::new(),
        )),
        seen: Arc::default(),
        links: Arc::new(medledger_node::links::LinkDesk::new(false)),
        mailbox: Arc::default(),
        reads: Default::default(),
    };
    let mut urls = Vec::new();
    for _ in 0..NODES {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        urls.push(format!("http://{}", listener.local_addr().expect("addr")));
        let app = router(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    urls
}
