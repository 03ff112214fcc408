//! An in-memory ledger for the service's tests: the real state machine (`medledger-state`'s
//! rules) over a map, one transaction per block. Values are served as proven (the light client
//! is tested on its own); blobs are served by hash to anyone, so the tests see the wallet's own
//! checks; a blob fetched under a grant gets an AccessReceipt signed by a validator, as a node
//! writes one.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::certified::certify;
use medledger_client::padded::seal_padded;
use medledger_client::transaction::sign;
use medledger_client::{
    BlobRequest, BlobUpload, Incident, LedgerSource, Mailbox, NetError, SourceError,
};
use medledger_state::StoreError;
use medledger_state::rules::{BlockContext, Execution, StateRead};
use medledger_types::blob_request::{NONCE_LEN, Target};
use medledger_types::block::{Header, tx_root};
use medledger_types::category::Category;
use medledger_types::codec::Canonical;
use medledger_types::emergency::{EmergencyRequest, EmergencyRequestId, EmergencySet};
use medledger_types::genesis::ValidatorSet;
use medledger_types::hash::{
    Address, BlockHash, ChainId, PublicKey, ReceivingKey, RecordId, Sha256Digest, StateRoot,
};
use medledger_types::state::{Account, AccountKind, StateKey};
use medledger_types::tx::{SignedTx, TxBody};
use medledger_types::validators::{Validator, Validators};
use medwallet_crypto::device_join::JOIN_TTL_MS;
use medwallet_crypto::envelope::{ContentKey, Recipient, X25519Recipient};
use medwallet_crypto::{AccountKeys, RecoveryPhrase, SigningKey, X25519PublicKey};
use medwallet_verify::{Invalid, VerifiedHeader};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sha2::{Digest, Sha256};

struct Snapshot<'a>(&'a BTreeMap<StateKey, Vec<u8>>);

impl StateRead for Snapshot<'_> {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.get(key).cloned())
    }
}

/// Mailbox slots: what each holds and when it was written.
type MailboxSlots = HashMap<[u8; 32], (Vec<u8>, u64)>;

pub struct MemoryLedger {
    chain: ChainId,
    validator: SigningKey,
    validators: ValidatorSet,
    /// The validators the rules run with and the chain's epochs: the genesis's set and none,
    /// until a test makes the set change ([`MemoryLedger::run_validators`]).
    running: Mutex<(ValidatorSet, medledger_types::epoch::Epochs)>,
    /// The genesis's shortest guardian-recovery delay ([`MEMORY_RECOVERY_MIN_DELAY_MS`]).
    recovery_min_delay_ms: u64,
    state: Mutex<BTreeMap<StateKey, Vec<u8>>>,
    blobs: Mutex<HashMap<Sha256Digest, Vec<u8>>>,
    /// The device-join mailbox: write-once slots and when each was written.
    mailbox: Mutex<MailboxSlots>,
    height: AtomicU64,
    /// The block time (the tests' clock).
    pub now: Arc<AtomicU64>,
    /// Serve every blob with one byte flipped.
    pub corrupt_blobs: AtomicBool,
    /// Refuse every blob download.
    pub no_blobs: AtomicBool,
    /// What the nodes were "caught doing" (a test sets it).
    pub incidents: Mutex<Vec<Incident>>,
    /// The heights of the trust floors the wallet handed over.
    pub floors: Mutex<Vec<u64>>,
    rng: Mutex<StdRng>,
}

/// The memory chain's shortest guardian-recovery delay (a minute of the tests' clock).
pub const MEMORY_RECOVERY_MIN_DELAY_MS: u64 = 60_000;

pub fn keys(seed: u8) -> AccountKeys {
    AccountKeys::derive(&RecoveryPhrase::from_entropy(&[seed; 32]))
}

pub fn address(keys: &AccountKeys) -> Address {
    crate::account_of(keys)
}

impl MemoryLedger {
    /// A chain with one validator and one clinic registered at genesis.
    pub fn new(clinic: &AccountKeys) -> Self {
        Self::with_chain(clinic, ChainId([0x42; 32]))
    }

    /// [`MemoryLedger::new`] on the chain `chain`.
    pub fn with_chain(clinic: &AccountKeys, chain: ChainId) -> Self {
        let validator = SigningKey::from_bytes(&[0x77; 32]);
        let validators =
            ValidatorSet::new(vec![PublicKey(validator.verifying_key().to_bytes())]).expect("set");
        let mut state = BTreeMap::new();
        let public = clinic.public();
        state.insert(
            StateKey::account(&address(clinic)),
            Account {
                kind: AccountKind::Clinic {
                    name: "Memory Clinic".into(),
                },
                signing: PublicKey(public.signing.to_bytes()),
                receiving: ReceivingKey(public.receiving.to_bytes()),
                registered_height: 0,
            }
            .encode(),
        );
        Self {
            chain,
            validator,
            running: Mutex::new((validators.clone(), medledger_types::epoch::Epochs::NONE)),
            validators,
            recovery_min_delay_ms: MEMORY_RECOVERY_MIN_DELAY_MS,
            state: Mutex::new(state),
            blobs: Mutex::default(),
            mailbox: Mutex::default(),
            height: AtomicU64::new(1),
            now: Arc::new(AtomicU64::new(1_000_000)),
            corrupt_blobs: AtomicBool::new(false),
            no_blobs: AtomicBool::new(false),
            incidents: Mutex::default(),
            floors: Mutex::default(),
            rng: Mutex::new(StdRng::seed_from_u64(99)),
        }
    }

    /// Applies one transaction as a block of its own, through the ledger's rules.
    pub fn apply(&self, tx: &SignedTx) -> Result<u64, String> {
        let mut state = self.state.lock().expect("lock");
        let height = self.height.load(Ordering::SeqCst) + 1;
        let (validators, epochs) = self.running.lock().expect("lock").clone();
        let ctx = BlockContext {
            chain: self.chain,
            height,
            timestamp_ms: self.now.load(Ordering::SeqCst),
            validators: &validators,
            epochs,
            recovery_min_delay_ms: self.recovery_min_delay_ms,
            emergency_access: true,
        };
        let snapshot = Snapshot(&state);
        let mut execution = Execution::new(&snapshot, ctx);
        execution.apply(tx).map_err(|e| e.to_string())?;
        let writes = execution.into_writes();
        for (key, value) in writes {
            match value {
                Some(v) => state.insert(key, v),
                None => state.remove(&key),
            };
        }
        self.height.store(height, Ordering::SeqCst);
        Ok(height)
    }

    pub fn nonce(&self, account: &Address) -> u64 {
        self.state
            .lock()
            .expect("lock")
            .get(&StateKey::nonce(account))
            .map(|v| medledger_types::state::decode_u64(v).expect("nonce"))
            .unwrap_or(0)
    }

    /// Another clinic joins (as if founded at genesis).
    pub fn add_clinic(&self, clinic: &AccountKeys, name: &str) {
        let public = clinic.public();
        self.state.lock().expect("lock").insert(
            StateKey::account(&address(clinic)),
            Account {
                kind: AccountKind::Clinic { name: name.into() },
                signing: PublicKey(public.signing.to_bytes()),
                receiving: ReceivingKey(public.receiving.to_bytes()),
                registered_height: 0,
            }
            .encode(),
        );
    }

    /// `patient` registers itself (as another device of the same phrase would).
    pub fn register_patient(&self, patient: &AccountKeys) {
        let tx = sign(
            patient.signing_key(),
            self.chain,
            self.nonce(&address(patient)),
            TxBody::RegisterPatient {
                receiving: ReceivingKey(patient.public().receiving.to_bytes()),
            },
        );
        self.apply(&tx).expect("register patient");
    }

    /// The clinic registers `doctor`.
    pub fn register_doctor(&self, clinic: &AccountKeys, doctor: &AccountKeys, name: &str) {
        let public = doctor.public();
        let tx = sign(
            clinic.signing_key(),
            self.chain,
            self.nonce(&address(clinic)),
            TxBody::RegisterDoctor {
                doctor: PublicKey(public.signing.to_bytes()),
                receiving: ReceivingKey(public.receiving.to_bytes()),
                display_name: name.into(),
                licence: "MD-1".into(),
                consent: medledger_client::doctor_consent::sign_as(
                    doctor,
                    self.chain,
                    &address(clinic),
                    name,
                    "MD-1",
                ),
            },
        );
        self.apply(&tx).expect("register doctor");
    }

    /// The clinic issues `fhir` to `patient`; returns the record's id.
    pub fn issue(
        &self,
        clinic: &AccountKeys,
        patient: &AccountKeys,
        fhir: &[u8],
        category: Category,
        title: &str,
    ) -> RecordId {
        self.issue_wrapped_to(clinic, patient, patient, fhir, category, title)
    }

    /// The clinic issues `fhir` to `patient` with its key wrapped to `wrap_to`'s receiving key
    /// (a clinic's mistake or a hostile issuer when they differ).
    pub fn issue_wrapped_to(
        &self,
        clinic: &AccountKeys,
        patient: &AccountKeys,
        wrap_to: &AccountKeys,
        fhir: &[u8],
        category: Category,
        title: &str,
    ) -> RecordId {
        let receiving = wrap_to.public().receiving;
        self.issue_sealed(clinic, address(patient), receiving, fhir, category, title)
    }

    /// The clinic issues `fhir` to the account at `patient`, wrapped to the receiving key the
    /// ledger holds for it now (as a clinic reads it, by proof).
    pub fn issue_to_account(
        &self,
        clinic: &AccountKeys,
        patient: Address,
        fhir: &[u8],
        category: Category,
        title: &str,
    ) -> RecordId {
        let account: Account = self
            .state_values_at(&StateKey::account(&patient))
            .map(|v| Canonical::decode(&v, 65536).expect("account"))
            .expect("a registered patient");
        let receiving = X25519PublicKey::from(account.receiving.0);
        self.issue_sealed(clinic, patient, receiving, fhir, category, title)
    }

    /// The clinic issues `bytes` to `patient` as a file record described by `file`.
    pub fn issue_file(
        &self,
        clinic: &AccountKeys,
        patient: &AccountKeys,
        bytes: &[u8],
        file: medledger_client::Attachment,
    ) -> RecordId {
        let receiving = patient.public().receiving;
        self.issue_described(
            clinic,
            address(patient),
            receiving,
            bytes,
            Category::Reports,
            &file.name.clone(),
            Some(file),
        )
    }

    fn issue_sealed(
        &self,
        clinic: &AccountKeys,
        patient: Address,
        receiving: X25519PublicKey,
        fhir: &[u8],
        category: Category,
        title: &str,
    ) -> RecordId {
        self.issue_described(clinic, patient, receiving, fhir, category, title, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn issue_described(
        &self,
        clinic: &AccountKeys,
        patient: Address,
        receiving: X25519PublicKey,
        fhir: &[u8],
        category: Category,
        title: &str,
        file: Option<medledger_client::Attachment>,
    ) -> RecordId {
        let mut rng = self.rng.lock().expect("lock");
        let nonce = self.nonce(&address(clinic));
        let record = RecordId::derive(&address(clinic), nonce);
        let key = ContentKey::generate(&mut *rng);
        let sealed = seal_padded(&key, &mut *rng, fhir).expect("seal");
        let hash = Sha256Digest(Sha256::digest(&sealed).into());
        let metadata = medledger_client::RecordMetadata::new(
            title,
            Some("2020-02-02".into()),
            category,
            1,
            "Memory Clinic",
        );
        let metadata = match file {
            Some(file) => metadata.carrying(file),
            None => metadata,
        }
        .seal(&key, &mut *rng)
        .expect("metadata");
        let wrapped = X25519Recipient::new(receiving)
            .wrap(&key, &record.0, &mut *rng)
            .expect("wrap");
        drop(rng);
        self.blobs
            .lock()
            .expect("lock")
            .insert(hash, sealed.clone());
        let tx = sign(
            clinic.signing_key(),
            self.chain,
            nonce,
            TxBody::IssueRecord {
                record,
                patient,
                ciphertext_sha256: hash,
                ciphertext_len: sealed.len() as u64,
                wrapped_key: wrapped,
                metadata,
            },
        );
        self.apply(&tx).expect("issue");
        record
    }

    /// Every value in the state (for tests that search it).
    pub fn state_values(&self) -> Vec<Vec<u8>> {
        self.state.lock().expect("lock").values().cloned().collect()
    }

    /// One state value.
    pub fn state_values_at(&self, key: &StateKey) -> Option<Vec<u8>> {
        self.state.lock().expect("lock").get(key).cloned()
    }

    /// A blob as stored (a link's file, say).
    pub fn stored_blob(&self, hash: &Sha256Digest) -> Option<Vec<u8>> {
        self.blobs.lock().expect("lock").get(hash).cloned()
    }

    /// A node's LinkAccess: it answered a manifest request for `link` from `recipient`.
    pub fn link_access(
        &self,
        link: medledger_types::hash::LinkId,
        outcome: medledger_types::link::LinkOutcome,
        recipient: &str,
    ) -> Result<u64, String> {
        let entry: medledger_types::link::LinkEntry = self
            .state
            .lock()
            .expect("lock")
            .get(&StateKey::link(&link))
            .map(|v| Canonical::decode(v, 65536).expect("entry"))
            .ok_or("no such link")?;
        let account: Account = self
            .state
            .lock()
            .expect("lock")
            .get(&StateKey::account(&entry.patient))
            .map(|v| Canonical::decode(v, 65536).expect("account"))
            .ok_or("no patient")?;
        let recipient_sealed = medwallet_crypto::envelope::seal_to(
            &X25519Recipient::new(account.receiving.0.into()),
            &medledger_types::link::recipient_context(&link),
            recipient.as_bytes(),
            &mut *self.rng.lock().expect("lock"),
        )
        .expect("seal");
        let node = PublicKey(self.validator.verifying_key().to_bytes());
        let tx = sign(
            &self.validator,
            self.chain,
            self.nonce(&Address::of(&node)),
            TxBody::LinkAccess {
                link,
                outcome,
                recipient_sealed,
                at_ms: self.now.load(Ordering::SeqCst),
            },
        );
        self.apply(&tx)
    }

    /// The validator's node deleted an erased record's ciphertext and says so.
    pub fn erasure_receipt(&self, record: RecordId) -> Result<u64, String> {
        let node = PublicKey(self.validator.verifying_key().to_bytes());
        let tx = sign(
            &self.validator,
            self.chain,
            self.nonce(&Address::of(&node)),
            TxBody::ErasureReceipt { record },
        );
        self.apply(&tx)
    }

    /// Makes this a chain whose validator set changes in epochs of `length`, and starts the
    /// next epoch with `validators` running, as an epoch's last block does on a real chain
    /// (whose switch `medledger-state` tests): the state names them as the running set and
    /// as the next epoch's, and the earlier epochs keep the genesis's validator.
    pub fn run_validators(&self, validators: &Validators, length: u64) {
        let epochs = medledger_types::epoch::Epochs::new(length).expect("epoch length");
        let mut state = self.state.lock().expect("lock");
        let height = self.height.load(Ordering::SeqCst);
        let genesis_set = Validators::new(vec![Validator {
            key: PublicKey(self.validator.verifying_key().to_bytes()),
            emergency: self.emergency_keys().first().copied(),
            address: String::new(),
        }])
        .expect("set");
        for epoch in 0..=epochs.of(height) {
            state
                .entry(StateKey::validators_of_epoch(epoch))
                .or_insert_with(|| genesis_set.encode());
        }
        // The next block begins the next epoch.
        let next = epochs.of(height) + 1;
        let first = epochs.first(next).expect("a next epoch");
        self.height.store(first - 1, Ordering::SeqCst);
        state.insert(StateKey::validators_of_epoch(next), validators.encode());
        state.insert(StateKey::validators_current(), validators.encode());
        state.insert(StateKey::validators_next(), validators.encode());
        *self.running.lock().expect("lock") = (validators.set(), epochs);
    }

    /// The validator's emergency key, as the genesis names it.
    pub fn emergency_keys(&self) -> Vec<ReceivingKey> {
        let identity = medwallet_crypto::emergency::validator_identity(&self.validator.to_bytes());
        vec![ReceivingKey(identity.to_recipient().public_bytes())]
    }

    /// The validator's node releases its share of `request`'s set to the clinician, as a node
    /// does ([`medledger_node::emergency`]); `forge` releases a share of its own making.
    pub fn release_emergency_share(
        &self,
        request: &EmergencyRequestId,
        forge: bool,
    ) -> Result<u64, String> {
        let value = |key: &StateKey| self.state_values_at(key).ok_or("missing state");
        let req = EmergencyRequest::decode(&value(&StateKey::emergency_request(request))?, 1 << 20)
            .map_err(|e| e.to_string())?;
        let set = EmergencySet::decode(&value(&StateKey::emergency(&req.patient))?, 1 << 20)
            .map_err(|e| e.to_string())?;
        let clinician = Account::decode(&value(&StateKey::account(&req.clinician))?, 1 << 20)
            .map_err(|e| e.to_string())?;
        let identity = medwallet_crypto::emergency::validator_identity(&self.validator.to_bytes());
        let slot = &set.shares[0];
        let share = if forge {
            medwallet_crypto::shamir::SecretShare::from_bytes(&[1; 33])
                .map_err(|e| e.to_string())?
        } else {
            medwallet_crypto::emergency::open_share(
                &identity,
                &req.patient,
                &set.id,
                0,
                &slot.sealed,
                &slot.commitment,
            )
            .map_err(|e| e.to_string())?
        };
        let mut rng = self.rng.lock().expect("lock");
        let sealed = medwallet_crypto::emergency::seal_release(
            &X25519Recipient::new(X25519PublicKey::from(clinician.receiving.0)),
            request,
            0,
            &share,
            &mut *rng,
        )
        .map_err(|e| e.to_string())?;
        drop(rng);
        let node = PublicKey(self.validator.verifying_key().to_bytes());
        let tx = sign(
            &self.validator,
            self.chain,
            self.nonce(&Address::of(&node)),
            TxBody::EmergencyShare {
                request: *request,
                sealed,
            },
        );
        self.apply(&tx)
    }

    /// A node's AccessReceipt for a grantee's fetch.
    fn receipt(&self, request: &BlobRequest<'_>) {
        let Some(grant) = request.grant else {
            return;
        };
        let node = PublicKey(self.validator.verifying_key().to_bytes());
        let author = Address::of(&node);
        let nonce = self.nonce(&author);
        let target = Target {
            chain: self.chain,
            node,
        };
        let mut request_nonce = [0u8; NONCE_LEN];
        request_nonce[..8].copy_from_slice(&nonce.to_be_bytes());
        let tx = sign(
            &self.validator,
            self.chain,
            nonce,
            TxBody::AccessReceipt {
                grant,
                record: request.record,
                request: request.signed_for(&target, request_nonce),
            },
        );
        let _ = self.apply(&tx);
    }
}

fn refused(code: &str, message: String) -> NetError {
    NetError::Refused {
        node: "memory".into(),
        status: 400,
        code: code.into(),
        message,
    }
}

/// The nodes' mailbox as `medledger_node::mailbox` keeps it: write-once, ten minutes of the
/// tests' clock.
impl Mailbox for MemoryLedger {
    async fn post(&self, slot: &[u8; 32], bytes: &[u8]) -> Result<(), SourceError> {
        let now = self.now.load(Ordering::SeqCst);
        let mut slots = self.mailbox.lock().expect("lock");
        match slots.get(slot) {
            Some((held, at)) if now < at + JOIN_TTL_MS && held != bytes => {
                Err(SourceError::NotPosted(vec![refused(
                    "slot_taken",
                    "the slot holds another value".into(),
                )]))
            }
            _ => {
                slots.insert(*slot, (bytes.to_vec(), now));
                Ok(())
            }
        }
    }

    async fn read(&self, slot: &[u8; 32]) -> Result<Vec<Vec<u8>>, SourceError> {
        let now = self.now.load(Ordering::SeqCst);
        let slots = self.mailbox.lock().expect("lock");
        Ok(slots
            .get(slot)
            .filter(|(_, at)| now < at + JOIN_TTL_MS)
            .map(|(bytes, _)| vec![bytes.clone()])
            .unwrap_or_default())
    }
}

impl BlobUpload for MemoryLedger {
    async fn upload(
        &self,
        blob: &Sha256Digest,
        bytes: Vec<u8>,
        _key: &SigningKey,
        _now_ms: u64,
    ) -> Result<(), SourceError> {
        if Sha256Digest(Sha256::digest(&bytes).into()) != *blob {
            return Err(SourceError::NotUploaded(vec![refused(
                "hash_mismatch",
                "the bytes do not hash to the name".into(),
            )]));
        }
        self.blobs.lock().expect("lock").insert(*blob, bytes);
        Ok(())
    }

    /// Held in memory, as every blob here is: this ledger is for tests.
    async fn upload_file(
        &self,
        blob: &Sha256Digest,
        path: &std::path::Path,
        len: u64,
        key: &SigningKey,
        now_ms: u64,
        sent: std::sync::Arc<dyn Fn(u64) + Send + Sync>,
    ) -> Result<(), SourceError> {
        let bytes = std::fs::read(path).map_err(SourceError::Local)?;
        if bytes.len() as u64 != len {
            return Err(SourceError::Local(std::io::Error::other(
                "the file is not the length given",
            )));
        }
        self.upload(blob, bytes, key, now_ms).await?;
        sent(len);
        Ok(())
    }
}

impl LedgerSource for MemoryLedger {
    fn chain(&self) -> ChainId {
        self.chain
    }

    async fn latest(&self, now_ms: u64) -> Result<VerifiedHeader, SourceError> {
        let set = self.validators.hash();
        let header = Header {
            height: self.height.load(Ordering::SeqCst),
            parent: BlockHash([1; 32]),
            timestamp_ms: now_ms,
            state_root: StateRoot([2; 32]),
            tx_root: tx_root(&[]),
            tx_count: 0,
            validator_set: set,
            next_validator_set: set,
        };
        Ok(certify(&self.validator, self.chain, header))
    }

    async fn value(
        &self,
        _at: &VerifiedHeader,
        key: &StateKey,
    ) -> Result<Option<Vec<u8>>, SourceError> {
        Ok(self.state.lock().expect("lock").get(key).cloned())
    }

    async fn blob(&self, request: &BlobRequest<'_>, _len: u64) -> Result<Vec<u8>, SourceError> {
        if self.no_blobs.load(Ordering::SeqCst) {
            return Err(SourceError::NoBlob(vec![NetError::Unreachable {
                node: "memory".into(),
                message: "down".into(),
            }]));
        }
        let blob = self.blobs.lock().expect("lock").get(&request.blob).cloned();
        let Some(mut bytes) = blob else {
            return Err(SourceError::NoBlob(vec![refused(
                "not_found",
                "no such blob".into(),
            )]));
        };
        if self.corrupt_blobs.load(Ordering::SeqCst) {
            bytes[0] ^= 1;
        }
        self.receipt(request);
        Ok(bytes)
    }

    async fn submit(&self, tx: &SignedTx) -> Result<u64, SourceError> {
        self.apply(tx)
            .map_err(|e| SourceError::NotAccepted(vec![refused("rejected", e)]))
    }

    fn incidents(&self) -> Vec<Incident> {
        self.incidents.lock().expect("lock").clone()
    }

    fn adopt_floor(&self, header: &[u8], _certificate: &[u8]) -> Result<(), Invalid> {
        let header =
            Header::decode(header, 1024).map_err(|e| Invalid::MalformedHeader(e.to_string()))?;
        self.floors.lock().expect("lock").push(header.height);
        Ok(())
    }
}
