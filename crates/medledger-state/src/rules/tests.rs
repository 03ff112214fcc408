use std::collections::BTreeMap;

use medledger_types::grant::SealedTerms;
use medledger_types::hash::{ReceivingKey, Sha256Digest};
use medledger_types::tx::{Approval, Tx, WRAPPED_KEY_LEN, WrappedKey};
use medwallet_crypto::SigningKey;

use super::*;

mod emergency;
mod erasure;
mod links;
mod receipts;
mod recovery;
mod rotation;

#[derive(Default)]
struct Mem(BTreeMap<StateKey, Vec<u8>>);

impl StateRead for Mem {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.get(key).cloned())
    }
}

struct World {
    state: Mem,
    chain: ChainId,
    validator_keys: Vec<SigningKey>,
    validators: ValidatorSet,
    height: u64,
    now_ms: u64,
    /// Whether the genesis names emergency keys.
    emergency_access: bool,
    epochs: medledger_types::epoch::Epochs,
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn public(k: &SigningKey) -> PublicKey {
    PublicKey(k.verifying_key().to_bytes())
}

/// A clinic's RegisterDoctor, with the doctor's consent signed by `doctor`'s key.
fn doctor_body(
    clinic: u8,
    doctor: u8,
    receiving: ReceivingKey,
    name: &str,
    licence: &str,
) -> TxBody {
    let message = medledger_types::tx::doctor_consent_message(
        &TEST_CHAIN,
        &addr(&key(clinic)),
        &public(&key(doctor)),
        &receiving,
        name,
        licence,
    );
    TxBody::RegisterDoctor {
        doctor: public(&key(doctor)),
        receiving,
        display_name: name.into(),
        licence: licence.into(),
        consent: medwallet_crypto::sign(&key(doctor), Namespace::DOCTOR_CONSENT, &message)
            .to_bytes(),
    }
}

const TEST_CHAIN: ChainId = ChainId([7; 32]);
/// The test chain's shortest guardian-recovery delay.
const RECOVERY_MIN_DELAY_MS: u64 = 10_000;

fn addr(k: &SigningKey) -> Address {
    Address::of(&public(k))
}

const CLINIC: u8 = 10;
const PATIENT: u8 = 20;
const OTHER_PATIENT: u8 = 21;
const DOCTOR: u8 = 30;

impl World {
    /// Four validators, one clinic and its doctor, two patients.
    fn new() -> Self {
        let validator_keys: Vec<SigningKey> = (1..=4).map(key).collect();
        let validators =
            ValidatorSet::new(validator_keys.iter().map(public).collect()).expect("set");
        let mut w = World {
            state: Mem::default(),
            chain: TEST_CHAIN,
            validator_keys,
            validators,
            height: 1,
            now_ms: 1_000,
            emergency_access: true,
            epochs: medledger_types::epoch::Epochs::NONE,
        };
        let clinic = Account {
            kind: AccountKind::Clinic {
                name: "Clinic".into(),
            },
            signing: public(&key(CLINIC)),
            receiving: ReceivingKey([1; 32]),
            registered_height: 0,
        };
        w.state
            .0
            .insert(StateKey::account(&addr(&key(CLINIC))), clinic.encode());
        w.ok(
            PATIENT,
            TxBody::RegisterPatient {
                receiving: ReceivingKey([2; 32]),
            },
        );
        w.ok(
            OTHER_PATIENT,
            TxBody::RegisterPatient {
                receiving: ReceivingKey([3; 32]),
            },
        );
        w.ok(
            CLINIC,
            doctor_body(CLINIC, DOCTOR, ReceivingKey([4; 32]), "Dr. Grey", "MD-1"),
        );
        w
    }

    fn nonce(&self, author: &SigningKey) -> u64 {
        self.state
            .0
            .get(&StateKey::nonce(&addr(author)))
            .map(|b| decode_u64(b).expect("u64"))
            .unwrap_or(0)
    }

    fn signed(&self, author: u8, body: TxBody) -> SignedTx {
        let k = key(author);
        let tx = Tx {
            chain: self.chain,
            author: public(&k),
            nonce: self.nonce(&k),
            body,
        };
        let signature = medwallet_crypto::sign(&k, Namespace::TX, &tx.signing_bytes()).to_bytes();
        SignedTx { tx, signature }
    }

    /// Executes one transaction in its own block and commits its writes.
    fn run(&mut self, tx: &SignedTx) -> Result<(), TxError> {
        self.height += 1;
        let ctx = BlockContext {
            chain: self.chain,
            height: self.height,
            timestamp_ms: self.now_ms,
            validators: &self.validators,
            epochs: self.epochs,
            recovery_min_delay_ms: RECOVERY_MIN_DELAY_MS,
            emergency_access: self.emergency_access,
        };
        let mut exec = Execution::new(&self.state, ctx);
        exec.apply(tx)?;
        let writes = exec.into_writes();
        for (k, v) in writes {
            match v {
                Some(v) => self.state.0.insert(k, v),
                None => self.state.0.remove(&k),
            };
        }
        Ok(())
    }

    fn ok(&mut self, author: u8, body: TxBody) -> SignedTx {
        let tx = self.signed(author, body);
        self.run(&tx)
            .unwrap_or_else(|e| panic!("{} failed: {e}", tx.tx.body.kind()));
        tx
    }

    fn err(&mut self, author: u8, body: TxBody) -> TxError {
        let tx = self.signed(author, body);
        let before = self.state.0.clone();
        let err = self.run(&tx).expect_err("must be rejected");
        assert_eq!(
            self.state.0, before,
            "a rejected transaction writes nothing (not even its nonce)"
        );
        err
    }

    fn issue(&mut self, patient: u8) -> RecordId {
        let record = RecordId::derive(&addr(&key(CLINIC)), self.nonce(&key(CLINIC)));
        self.ok(CLINIC, issue_body(record, addr(&key(patient))));
        record
    }

    fn grant(&mut self, scope: Scope, keys: Vec<RecordKey>, expires_at_ms: Option<u64>) -> GrantId {
        let id = GrantId::derive(&addr(&key(PATIENT)), self.nonce(&key(PATIENT)));
        self.ok(
            PATIENT,
            TxBody::Grant {
                grantee: addr(&key(DOCTOR)),
                scope,
                expires_at_ms,
                keys,
                terms: SealedTerms::default(),
            },
        );
        id
    }
}

fn issue_body(record: RecordId, patient: Address) -> TxBody {
    TxBody::IssueRecord {
        record,
        patient,
        ciphertext_sha256: Sha256Digest([9; 32]),
        ciphertext_len: 4096,
        wrapped_key: WrappedKey([1; WRAPPED_KEY_LEN]),
        metadata: vec![1; 1024],
    }
}

fn rk(record: RecordId) -> RecordKey {
    RecordKey {
        record,
        wrapped_key: WrappedKey([5; WRAPPED_KEY_LEN]),
    }
}

#[test]
fn registration_and_replay_rules() {
    let mut w = World::new();
    assert_eq!(
        w.err(
            PATIENT,
            TxBody::RegisterPatient {
                receiving: ReceivingKey([2; 32])
            }
        ),
        TxError::AlreadyRegistered
    );
    let tx = w.signed(
        50,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([5; 32]),
        },
    );
    w.run(&tx).expect("first");
    assert!(
        matches!(
            w.run(&tx),
            Err(TxError::WrongNonce {
                expected: 1,
                got: 0
            })
        ),
        "a replay is refused"
    );
}

#[test]
fn wrong_chain_and_bad_signatures_are_refused() {
    let mut w = World::new();
    let mut tx = w.signed(
        60,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([5; 32]),
        },
    );
    tx.signature[0] ^= 1;
    assert_eq!(w.run(&tx), Err(TxError::BadSignature));
    let mut other_chain = w.signed(
        60,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([5; 32]),
        },
    );
    other_chain.tx.chain = ChainId([8; 32]);
    let k = key(60);
    other_chain.signature =
        medwallet_crypto::sign(&k, Namespace::TX, &other_chain.tx.signing_bytes()).to_bytes();
    assert_eq!(w.run(&other_chain), Err(TxError::WrongChain));
    // A signature made in another namespace does not verify.
    let mut wrong_ns = w.signed(
        60,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([5; 32]),
        },
    );
    wrong_ns.signature =
        medwallet_crypto::sign(&k, Namespace::BLOB_REQUEST, &wrong_ns.tx.signing_bytes())
            .to_bytes();
    assert_eq!(w.run(&wrong_ns), Err(TxError::BadSignature));
}

#[test]
fn clinics_need_a_two_thirds_quorum_of_distinct_validator_approvals() {
    let mut w = World::new();
    let clinic = public(&key(11));
    let receiving = ReceivingKey([6; 32]);
    let message = clinic_approval_message(&w.chain, &clinic, &receiving, "New Clinic");
    let approve = |k: &SigningKey| Approval {
        validator: public(k),
        signature: medwallet_crypto::sign(k, Namespace::GOVERNANCE, &message).to_bytes(),
    };
    let two = vec![approve(&w.validator_keys[0]), approve(&w.validator_keys[1])];
    let body = |approvals: Vec<Approval>| TxBody::RegisterClinic {
        clinic,
        receiving,
        name: "New Clinic".into(),
        approvals,
    };
    assert_eq!(
        w.err(PATIENT, body(two.clone())),
        TxError::NotEnoughApprovals { got: 2, needed: 3 }
    );
    let mut repeated = two.clone();
    repeated.push(two[0]);
    assert_eq!(
        w.err(PATIENT, body(repeated)),
        TxError::NotEnoughApprovals { got: 2, needed: 3 }
    );
    let mut outsider = two.clone();
    outsider.push(approve(&key(99)));
    assert_eq!(
        w.err(PATIENT, body(outsider)),
        TxError::NotEnoughApprovals { got: 2, needed: 3 }
    );
    let three: Vec<Approval> = w.validator_keys[..3].iter().map(approve).collect();
    w.ok(PATIENT, body(three.clone()));
    assert_eq!(w.err(PATIENT, body(three)), TxError::AlreadyRegistered);
    // The new clinic can register doctors.
    w.ok(11, doctor_body(11, 31, receiving, "Dr. B", "X"));
}

#[test]
fn only_clinics_issue_and_only_to_registered_patients() {
    let mut w = World::new();
    let by_patient = doctor_body(CLINIC, 32, ReceivingKey([1; 32]), "x", "y");
    assert_eq!(w.err(PATIENT, by_patient), TxError::NotAClinic);
    let mut doctor_again = doctor_body(CLINIC, DOCTOR, ReceivingKey([1; 32]), "x", "y");
    assert_eq!(
        w.err(CLINIC, doctor_again.clone()),
        TxError::AlreadyRegistered
    );
    if let TxBody::RegisterDoctor { doctor, .. } = &mut doctor_again {
        *doctor = public(&key(PATIENT));
    }
    assert_eq!(
        w.err(CLINIC, doctor_again),
        TxError::AlreadyRegistered,
        "a patient's key cannot become a doctor"
    );

    let clinic = addr(&key(CLINIC));
    let next = RecordId::derive(&clinic, w.nonce(&key(CLINIC)));
    assert_eq!(
        w.err(PATIENT, issue_body(next, addr(&key(PATIENT)))),
        TxError::NotAClinic
    );
    assert_eq!(
        w.err(CLINIC, issue_body(RecordId([0; 32]), addr(&key(PATIENT)))),
        TxError::RecordIdMismatch
    );
    assert!(matches!(
        w.err(CLINIC, issue_body(next, addr(&key(77)))),
        TxError::UnknownPatient(_)
    ));
    assert!(matches!(
        w.err(CLINIC, issue_body(next, addr(&key(DOCTOR)))),
        TxError::UnknownPatient(_)
    ));
    let mut empty = issue_body(next, addr(&key(PATIENT)));
    if let TxBody::IssueRecord { ciphertext_len, .. } = &mut empty {
        *ciphertext_len = 0;
    }
    assert_eq!(
        w.err(CLINIC, empty),
        TxError::OutOfRange("ciphertext length")
    );
    // Exact lengths are refused: only size buckets reach the ledger.
    for (ciphertext, metadata, what) in [(4097, 1024, "ciphertext"), (4096, 1000, "metadata")] {
        let mut exact = issue_body(next, addr(&key(PATIENT)));
        if let TxBody::IssueRecord {
            ciphertext_len,
            metadata: m,
            ..
        } = &mut exact
        {
            *ciphertext_len = ciphertext;
            *m = vec![1; metadata];
        }
        assert!(matches!(
            w.err(CLINIC, exact),
            TxError::NotASizeBucket { what: w, .. } if w == what
        ));
    }
    w.state.0.insert(StateKey::record(&next), vec![0]);
    assert_eq!(
        w.err(CLINIC, issue_body(next, addr(&key(PATIENT)))),
        TxError::DuplicateRecord
    );
}

#[test]
fn issuing_appends_to_the_patients_list() {
    let mut w = World::new();
    let a = w.issue(PATIENT);
    let b = w.issue(PATIENT);
    let patient = addr(&key(PATIENT));
    assert_eq!(
        w.state.0.get(&StateKey::patient_record_count(&patient)),
        Some(&encode_u64(2))
    );
    assert_eq!(
        w.state.0.get(&StateKey::patient_record(&patient, 0)),
        Some(&a.0.to_vec())
    );
    assert_eq!(
        w.state.0.get(&StateKey::patient_record(&patient, 1)),
        Some(&b.0.to_vec())
    );
}

#[test]
fn grants_check_grantee_expiry_and_records() {
    let mut w = World::new();
    let mine = w.issue(PATIENT);
    let theirs = w.issue(OTHER_PATIENT);
    let also_mine = w.issue(PATIENT);
    let grant = |grantee: Address,
                 scope: Scope,
                 expires_at_ms: Option<u64>,
                 keys: Vec<RecordKey>| TxBody::Grant {
        grantee,
        scope,
        expires_at_ms,
        keys,
        terms: SealedTerms::default(),
    };
    let doctor = addr(&key(DOCTOR));
    assert_eq!(
        w.err(
            PATIENT,
            grant(addr(&key(OTHER_PATIENT)), Scope::Open, None, vec![])
        ),
        TxError::NotADoctor
    );
    assert_eq!(
        w.err(DOCTOR, grant(doctor, Scope::Open, None, vec![])),
        TxError::NotAPatient
    );
    assert_eq!(
        w.err(PATIENT, grant(doctor, Scope::Open, Some(w.now_ms), vec![])),
        TxError::ExpiryInPast
    );
    assert!(matches!(
        w.err(
            PATIENT,
            grant(
                doctor,
                Scope::Records(vec![RecordId([3; 32])]),
                None,
                vec![]
            )
        ),
        TxError::UnknownRecord(_)
    ));
    assert!(matches!(
        w.err(
            PATIENT,
            grant(doctor, Scope::Records(vec![theirs]), None, vec![])
        ),
        TxError::NotYourRecord(_)
    ));
    assert!(matches!(
        w.err(
            PATIENT,
            grant(doctor, Scope::Records(vec![mine, mine]), None, vec![])
        ),
        TxError::DuplicateKey(_)
    ));
    assert!(matches!(
        w.err(
            PATIENT,
            grant(
                doctor,
                Scope::Records(vec![also_mine]),
                None,
                vec![rk(mine)]
            )
        ),
        TxError::OutsideScope(_)
    ));
    assert!(matches!(
        w.err(PATIENT, grant(doctor, Scope::Open, None, vec![rk(theirs)])),
        TxError::NotYourRecord(_)
    ));
    assert!(matches!(
        w.err(
            PATIENT,
            grant(doctor, Scope::Open, None, vec![rk(mine), rk(mine)])
        ),
        TxError::DuplicateKey(_)
    ));

    let id = w.grant(Scope::Open, vec![rk(mine)], None);
    assert!(w.state.0.contains_key(&StateKey::grant_key(&id, &mine)));
    assert_eq!(
        w.state.0.get(&StateKey::grant_to(&doctor, 0)),
        Some(&id.0.to_vec())
    );
    assert_eq!(
        w.state
            .0
            .get(&StateKey::grant_by_patient(&addr(&key(PATIENT)), 0)),
        Some(&id.0.to_vec())
    );
}

#[test]
fn later_records_join_an_open_grant_until_it_is_revoked() {
    let mut w = World::new();
    let id = w.grant(Scope::Open, vec![], None);
    let lab = w.issue(PATIENT);
    let listed = w.grant(Scope::Records(vec![lab]), vec![], None);
    let unlisted = w.issue(PATIENT);
    // A category is sealed in each record's metadata: the patient's wallet picks the records of
    // the category; the ledger holds a listed grant to its list.
    assert!(matches!(
        w.err(
            PATIENT,
            TxBody::GrantKeys {
                grant: listed,
                keys: vec![rk(unlisted)]
            }
        ),
        TxError::OutsideScope(_)
    ));
    assert_eq!(
        w.err(
            OTHER_PATIENT,
            TxBody::GrantKeys {
                grant: id,
                keys: vec![rk(lab)]
            }
        ),
        TxError::NotYourGrant
    );
    assert_eq!(
        w.err(
            PATIENT,
            TxBody::GrantKeys {
                grant: GrantId([1; 32]),
                keys: vec![rk(lab)]
            }
        ),
        TxError::UnknownGrant
    );
    w.ok(
        PATIENT,
        TxBody::GrantKeys {
            grant: id,
            keys: vec![rk(lab)],
        },
    );
    assert!(matches!(
        w.err(
            PATIENT,
            TxBody::GrantKeys {
                grant: id,
                keys: vec![rk(lab)]
            }
        ),
        TxError::DuplicateKey(_)
    ));

    assert_eq!(
        w.err(OTHER_PATIENT, TxBody::Revoke { grant: id }),
        TxError::NotYourGrant
    );
    assert_eq!(
        w.err(
            PATIENT,
            TxBody::Revoke {
                grant: GrantId([1; 32])
            }
        ),
        TxError::UnknownGrant
    );
    w.ok(PATIENT, TxBody::Revoke { grant: id });
    assert!(w.state.0.contains_key(&StateKey::revocation(&id)));
    assert_eq!(
        w.err(PATIENT, TxBody::Revoke { grant: id }),
        TxError::GrantRevoked
    );
    let later = w.issue(PATIENT);
    assert_eq!(
        w.err(
            PATIENT,
            TxBody::GrantKeys {
                grant: id,
                keys: vec![rk(later)]
            }
        ),
        TxError::GrantRevoked
    );
}

#[test]
fn expired_grants_take_no_new_keys() {
    let mut w = World::new();
    let id = w.grant(Scope::Open, vec![], Some(w.now_ms + 10));
    let record = w.issue(PATIENT);
    w.now_ms += 10;
    assert_eq!(
        w.err(
            PATIENT,
            TxBody::GrantKeys {
                grant: id,
                keys: vec![rk(record)]
            }
        ),
        TxError::GrantExpired
    );
}

#[test]
fn corrupt_state_is_a_state_error_not_a_panic() {
    let mut w = World::new();
    w.state
        .0
        .insert(StateKey::nonce(&addr(&key(PATIENT))), vec![1, 2, 3]);
    let tx = SignedTx {
        tx: Tx {
            chain: w.chain,
            author: public(&key(PATIENT)),
            nonce: 0,
            body: TxBody::Revoke {
                grant: GrantId([0; 32]),
            },
        },
        signature: [0; 64],
    };
    let ctx = BlockContext {
        chain: w.chain,
        height: 9,
        timestamp_ms: 0,
        validators: &w.validators,
        epochs: w.epochs,
        recovery_min_delay_ms: RECOVERY_MIN_DELAY_MS,
        emergency_access: true,
    };
    let err = Execution::new(&w.state, ctx)
        .apply_checked(&tx)
        .expect_err("corrupt");
    assert_eq!(err.code().as_str(), "state_error");
    w.state
        .0
        .insert(StateKey::nonce(&addr(&key(PATIENT))), encode_u64(0));
}

#[test]
fn a_clinic_cannot_register_a_key_as_a_doctor_without_its_holders_consent() {
    let mut w = World::new();
    // An unregistered key (a patient-to-be's, from their share code): the clinic signs for it.
    let squatted = TxBody::RegisterDoctor {
        doctor: public(&key(40)),
        receiving: ReceivingKey([5; 32]),
        display_name: "Dr. Fake".into(),
        licence: "X".into(),
        consent: [0; 64],
    };
    assert_eq!(w.err(CLINIC, squatted), TxError::NoDoctorConsent);
    // A consent given to another clinic, or for another name, is no consent to this one.
    assert_eq!(
        w.err(
            CLINIC,
            doctor_body(11, 40, ReceivingKey([5; 32]), "Dr. Real", "X")
        ),
        TxError::NoDoctorConsent
    );
    let mut renamed = doctor_body(CLINIC, 40, ReceivingKey([5; 32]), "Dr. Real", "X");
    if let TxBody::RegisterDoctor { display_name, .. } = &mut renamed {
        *display_name = "Dr. Other".into();
    }
    assert_eq!(w.err(CLINIC, renamed), TxError::NoDoctorConsent);
    w.ok(
        CLINIC,
        doctor_body(CLINIC, 40, ReceivingKey([5; 32]), "Dr. Real", "X"),
    );
}

#[test]
fn a_grant_names_an_unregistered_grantee_and_a_notice_goes_only_to_a_doctor() {
    const GRANTEE: u8 = 77;
    const NOTICE_KEY: u8 = 78;
    let mut w = World::new();
    let mine = w.issue(PATIENT);
    let pairwise = addr(&key(GRANTEE));
    w.ok(
        PATIENT,
        TxBody::Grant {
            grantee: pairwise,
            scope: Scope::Records(vec![mine]),
            expires_at_ms: None,
            keys: vec![],
            terms: SealedTerms::default(),
        },
    );
    assert_eq!(
        w.err(
            PATIENT,
            TxBody::Grant {
                grantee: addr(&key(CLINIC)),
                scope: Scope::Open,
                expires_at_ms: None,
                keys: vec![],
                terms: SealedTerms::default(),
            },
        ),
        TxError::NotADoctor,
        "a public identity is never a grantee"
    );
    let doctor = addr(&key(DOCTOR));
    // A key registered nowhere signs the notice (at its first nonce).
    w.ok(
        NOTICE_KEY,
        TxBody::Notify {
            doctor,
            sealed: vec![5; 200],
        },
    );
    let notice = w.state.0.get(&StateKey::doctor_notice(&doctor, 0)).cloned();
    assert_eq!(notice, Some(vec![5; 200]));
    for (to, sealed) in [(addr(&key(PATIENT)), vec![5; 200]), (doctor, vec![])] {
        assert!(matches!(
            w.err(NOTICE_KEY, TxBody::Notify { doctor: to, sealed }),
            TxError::NotADoctor | TxError::OutOfRange(_)
        ));
    }
}
