use super::*;
use proptest::prelude::*;

pub fn arb_body() -> impl Strategy<Value = TxBody> {
    let id = any::<[u8; 32]>();
    let wk = any::<[u8; 32]>().prop_map(|b| {
        let mut k = [0u8; WRAPPED_KEY_LEN];
        k[..32].copy_from_slice(&b);
        k[80] = b[0];
        WrappedKey(k)
    });
    let keys = proptest::collection::vec((id, wk.clone()), 0..4).prop_map(|v| {
        v.into_iter()
            .map(|(r, k)| RecordKey {
                record: RecordId(r),
                wrapped_key: k,
            })
            .collect::<Vec<_>>()
    });
    let scope = prop_oneof![
        proptest::collection::vec(id, 0..4)
            .prop_map(|v| Scope::Records(v.into_iter().map(RecordId).collect())),
        Just(Scope::Open),
    ];
    let terms = (
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(to_grantee, to_patient)| SealedTerms {
            to_grantee,
            to_patient,
        });
    prop_oneof![
        id.prop_map(|k| TxBody::RegisterPatient {
            receiving: ReceivingKey(k)
        }),
        (
            id,
            id,
            "[a-zA-Z ]{0,64}",
            proptest::collection::vec((id, any::<[u8; 32]>()), 0..3)
        )
            .prop_map(|(c, k, name, a)| {
                TxBody::RegisterClinic {
                    clinic: PublicKey(c),
                    receiving: ReceivingKey(k),
                    name,
                    approvals: a
                        .into_iter()
                        .map(|(v, s)| {
                            let mut sig = [0u8; 64];
                            sig[..32].copy_from_slice(&s);
                            Approval {
                                validator: PublicKey(v),
                                signature: sig,
                            }
                        })
                        .collect(),
                }
            }),
        (id, id, "[a-zA-Z. ]{0,64}", "[A-Z0-9-]{0,64}").prop_map(|(d, k, n, l)| {
            TxBody::RegisterDoctor {
                doctor: PublicKey(d),
                receiving: ReceivingKey(k),
                display_name: n,
                licence: l,
                consent: [d[0]; 64],
            }
        }),
        (
            id,
            id,
            id,
            any::<u64>(),
            wk.clone(),
            proptest::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(r, p, h, len, wk, metadata)| {
                TxBody::IssueRecord {
                    record: RecordId(r),
                    patient: Address(p),
                    ciphertext_sha256: Sha256Digest(h),
                    ciphertext_len: len,
                    wrapped_key: wk,
                    metadata,
                }
            }),
        (
            id,
            scope,
            proptest::option::of(any::<u64>()),
            keys.clone(),
            terms
        )
            .prop_map(|(g, scope, exp, keys, terms)| TxBody::Grant {
                grantee: Address(g),
                scope,
                expires_at_ms: exp,
                keys,
                terms,
            }),
        (id, keys).prop_map(|(g, keys)| TxBody::GrantKeys {
            grant: GrantId(g),
            keys
        }),
        id.prop_map(|g| TxBody::Revoke { grant: GrantId(g) }),
        (id, proptest::collection::vec(any::<u8>(), 0..64)).prop_map(|(d, sealed)| {
            TxBody::Notify {
                doctor: Address(d),
                sealed,
            }
        }),
        (id, id, id, any::<u64>(), any::<[u8; 16]>()).prop_map(|(g, r, e, t, n)| {
            TxBody::AccessReceipt {
                grant: GrantId(g),
                record: RecordId(r),
                request: crate::blob_request::Auth {
                    key: PublicKey(e),
                    timestamp_ms: t,
                    nonce: n,
                    signature: [7; 64],
                },
            }
        }),
        (
            id,
            any::<u64>(),
            proptest::option::of((any::<[u8; 16]>(), id)),
            any::<u32>(),
            any::<bool>(),
            files(),
            proptest::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(l, exp, pass, attempts, long_term, files, sealed)| {
                TxBody::CreateLink {
                    link: LinkId(l),
                    expires_at_ms: exp,
                    passcode: pass.map(|(salt, hash)| PasscodeVerifier { salt, hash }),
                    attempts,
                    long_term,
                    files,
                    sealed,
                }
            }),
        (id, files()).prop_map(|(l, files)| TxBody::UpdateLinkFiles {
            link: LinkId(l),
            files
        }),
        id.prop_map(|l| TxBody::RevokeLink { link: LinkId(l) }),
        (
            id,
            any::<bool>(),
            proptest::collection::vec(any::<u8>(), 0..64),
            any::<u64>()
        )
            .prop_map(|(l, wrong, recipient_sealed, at_ms)| TxBody::LinkAccess {
                link: LinkId(l),
                outcome: if wrong {
                    LinkOutcome::WrongPasscode
                } else {
                    LinkOutcome::Opened
                },
                recipient_sealed,
                at_ms,
            }),
        (
            id,
            any::<u64>(),
            proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..64), id), 0..5),
            wk,
            proptest::option::of(id)
        )
            .prop_map(|(h, len, shares, own_key, watch)| TxBody::SetEmergency {
                ciphertext_sha256: Sha256Digest(h),
                ciphertext_len: len,
                shares: shares
                    .into_iter()
                    .map(|(sealed, c)| EmergencyShareSlot {
                        sealed,
                        commitment: Sha256Digest(c),
                    })
                    .collect(),
                own_key,
                watch: watch.map(ReceivingKey),
            }),
        (id, proptest::collection::vec(any::<u8>(), 0..64)).prop_map(|(p, reason)| {
            TxBody::EmergencyRequest {
                patient: Address(p),
                reason,
            }
        }),
        (id, proptest::collection::vec(any::<u8>(), 0..64)).prop_map(|(q, sealed)| {
            TxBody::EmergencyShare {
                request: EmergencyRequestId(q),
                sealed,
            }
        }),
        (
            any::<u64>(),
            0u8..3,
            id,
            id,
            proptest::option::of(id),
            "[a-z0-9.:]{0,40}",
            proptest::collection::vec((id, any::<[u8; 32]>()), 0..3)
        )
            .prop_map(|(seq, kind, old, key, emergency, address, a)| {
                use crate::validators::{Validator, ValidatorChange};
                let new = Validator {
                    key: PublicKey(key),
                    emergency: emergency.map(ReceivingKey),
                    address,
                };
                TxBody::ChangeValidators {
                    seq,
                    change: match kind {
                        0 => ValidatorChange::Add(new),
                        1 => ValidatorChange::Remove(PublicKey(old)),
                        _ => ValidatorChange::Replace {
                            old: PublicKey(old),
                            new,
                        },
                    },
                    approvals: a
                        .into_iter()
                        .map(|(v, s)| {
                            let mut sig = [0u8; 64];
                            sig[32..].copy_from_slice(&s);
                            Approval {
                                validator: PublicKey(v),
                                signature: sig,
                            }
                        })
                        .collect(),
                }
            }),
    ]
}

fn files() -> impl Strategy<Value = Vec<LinkFile>> {
    proptest::collection::vec(
        (any::<[u8; 32]>(), any::<u64>()).prop_map(|(h, len)| LinkFile {
            sha256: Sha256Digest(h),
            len,
        }),
        0..4,
    )
}

pub fn arb_signed() -> impl Strategy<Value = SignedTx> {
    (
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
        any::<u64>(),
        arb_body(),
        any::<[u8; 32]>(),
    )
        .prop_map(|(c, a, n, body, s)| {
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&s);
            SignedTx {
                tx: Tx {
                    chain: ChainId(c),
                    author: PublicKey(a),
                    nonce: n,
                    body,
                },
                signature,
            }
        })
}

proptest! {
    #[test]
    fn signed_transactions_round_trip(tx in arb_signed()) {
        let bytes = tx.encode();
        prop_assert!(bytes.len() <= MAX_TX_LEN);
        prop_assert_eq!(SignedTx::decode(&bytes, MAX_TX_LEN), Ok(tx));
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(tx) = SignedTx::decode(&bytes, MAX_TX_LEN) {
            prop_assert_eq!(tx.encode(), bytes);
        }
    }

    #[test]
    fn truncation_is_always_detected(tx in arb_signed(), cut in any::<prop::sample::Index>()) {
        let bytes = tx.encode();
        let cut = cut.index(bytes.len());
        prop_assert!(SignedTx::decode(&bytes[..cut], MAX_TX_LEN).is_err());
    }
}

#[test]
fn retired_forms_are_refused_by_name() {
    // 3: RegisterDoctor without consent; 4: IssueRecord with its category in the clear;
    // 8: AccessReceipt without the grantee's request.
    let tx = SignedTx {
        tx: Tx {
            chain: ChainId([0; 32]),
            author: PublicKey([1; 32]),
            nonce: 0,
            body: TxBody::Revoke {
                grant: GrantId([2; 32]),
            },
        },
        signature: [0; 64],
    };
    let mut bytes = tx.encode();
    // version, chain, author, nonce, then the body's tag.
    let tag = 1 + 32 + 32 + 8;
    assert_eq!(bytes[tag], 7);
    // 5: Grant without sealed terms.
    for retired in [3, 4, 5, 8] {
        bytes[tag] = retired;
        assert!(matches!(
            SignedTx::decode(&bytes, MAX_TX_LEN),
            Err(CodecError::Invalid(m)) if m.contains("retired")
        ));
    }
}

#[test]
fn a_grant_scope_in_the_clear_is_refused() {
    let grant = TxBody::Grant {
        grantee: Address([1; 32]),
        scope: Scope::Open,
        expires_at_ms: None,
        keys: vec![],
        terms: SealedTerms::default(),
    };
    let mut bytes = grant.encode();
    // The body's tag, the grantee, then the scope's tag.
    let scope = 1 + 32;
    assert_eq!(bytes[scope], 4);
    // 2: a category in the clear; 3: "all records" in the clear.
    for clear in [2, 3] {
        bytes[scope] = clear;
        assert!(matches!(
            TxBody::decode(&bytes, MAX_TX_LEN),
            Err(CodecError::Invalid(m)) if m.contains("retired")
        ));
    }
}

#[test]
fn oversized_fields_and_inputs_are_refused() {
    let tx = SignedTx {
        tx: Tx {
            chain: ChainId([0; 32]),
            author: PublicKey([1; 32]),
            nonce: 0,
            body: TxBody::RegisterDoctor {
                doctor: PublicKey([2; 32]),
                receiving: ReceivingKey([3; 32]),
                display_name: "x".repeat(NAME_MAX + 1),
                licence: String::new(),
                consent: [0; 64],
            },
        },
        signature: [0; 64],
    };
    assert!(matches!(
        SignedTx::decode(&tx.encode(), MAX_TX_LEN),
        Err(CodecError::TooLong {
            field: "display name",
            ..
        })
    ));
    assert!(matches!(
        SignedTx::decode(&vec![0u8; MAX_TX_LEN + 1], MAX_TX_LEN),
        Err(CodecError::TooLong { field: "input", .. })
    ));
}

#[test]
fn unknown_kinds_and_versions_are_named() {
    let mut bytes = SignedTx {
        tx: Tx {
            chain: ChainId([0; 32]),
            author: PublicKey([1; 32]),
            nonce: 0,
            body: TxBody::Revoke {
                grant: GrantId([0; 32]),
            },
        },
        signature: [0; 64],
    }
    .encode();
    bytes[1 + 32 + 32 + 8] = 99;
    assert_eq!(
        SignedTx::decode(&bytes, MAX_TX_LEN),
        Err(CodecError::UnknownTag {
            field: "transaction kind",
            tag: 99
        })
    );
    bytes[0] = 2;
    assert_eq!(
        SignedTx::decode(&bytes, MAX_TX_LEN),
        Err(CodecError::UnknownTag {
            field: "transaction version",
            tag: 2
        })
    );
}

#[test]
fn the_id_changes_with_the_signature() {
    let mut tx = SignedTx {
        tx: Tx {
            chain: ChainId([0; 32]),
            author: PublicKey([1; 32]),
            nonce: 0,
            body: TxBody::Revoke {
                grant: GrantId([0; 32]),
            },
        },
        signature: [0; 64],
    };
    let a = tx.id();
    tx.signature[0] = 1;
    assert_ne!(a, tx.id());
}
