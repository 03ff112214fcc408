//! What a transaction changes in the state, so a writer can prove it took effect instead of
//! taking a node's "committed at height N". Pure: the checks run on values the light client
//! proved at a verified header.
//!
//! Every transaction advances its author's nonce past its own, and only the author can sign at
//! that nonce; each kind also leaves a key of its own (the grant, the revocation, the account,
//! the record), which tells this transaction apart from any other the author signed at the
//! same nonce.

use medledger_types::codec::Canonical;
use medledger_types::emergency::{EmergencyRequestId, emergency_set_id};
use medledger_types::hash::{Address, GrantId, PublicKey};
use medledger_types::link::{LinkEntry, LinkFile};
use medledger_types::state::{MAX_VALUE_LEN, RecordEntry, StateKey, decode_u64};
use medledger_types::tx::{SignedTx, TxBody, WrappedKey};

/// One proven fact a transaction's success implies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The counter at `key` is above `nonce` (the author's nonce moved past this transaction).
    NonceAbove { key: StateKey, nonce: u64 },
    /// `key` is present.
    Present(StateKey),
    /// The link at `key` is revoked (its entry says so).
    LinkRevoked(StateKey),
    /// The link at `key` lists exactly these files.
    LinkFiles { key: StateKey, files: Vec<LinkFile> },
    /// The record at `key` has exactly this wrapped key.
    RecordWrapped {
        key: StateKey,
        wrapped_key: WrappedKey,
    },
}

impl Effect {
    /// The key to prove.
    pub fn key(&self) -> &StateKey {
        match self {
            Effect::NonceAbove { key, .. }
            | Effect::Present(key)
            | Effect::LinkRevoked(key)
            | Effect::LinkFiles { key, .. }
            | Effect::RecordWrapped { key, .. } => key,
        }
    }

    /// Whether the proven `value` at [`Effect::key`] shows the effect.
    pub fn holds(&self, value: Option<&[u8]>) -> bool {
        match (self, value) {
            (Effect::NonceAbove { nonce, .. }, Some(v)) => {
                decode_u64(v).is_ok_and(|next| next > *nonce)
            }
            (Effect::Present(_), Some(_)) => true,
            (Effect::LinkRevoked(_), Some(v)) => {
                LinkEntry::decode(v, MAX_VALUE_LEN).is_ok_and(|e| e.revoked_at_ms.is_some())
            }
            (Effect::LinkFiles { files, .. }, Some(v)) => {
                LinkEntry::decode(v, MAX_VALUE_LEN).is_ok_and(|e| e.files == *files)
            }
            (Effect::RecordWrapped { wrapped_key, .. }, Some(v)) => {
                RecordEntry::decode(v, MAX_VALUE_LEN).is_ok_and(|e| e.wrapped_key == *wrapped_key)
            }
            _ => false,
        }
    }
}

/// What `tx` leaves in the state once it applied.
pub fn effects(tx: &SignedTx) -> Vec<Effect> {
    let author = tx.tx.author_address();
    let mut out = vec![Effect::NonceAbove {
        key: StateKey::nonce(&author),
        nonce: tx.tx.nonce,
    }];
    let account = |key: &PublicKey| Effect::Present(StateKey::account(&Address::of(key)));
    match &tx.tx.body {
        TxBody::RegisterPatient { .. } => out.push(Effect::Present(StateKey::account(&author))),
        TxBody::RegisterClinic { clinic, .. } => out.push(account(clinic)),
        TxBody::RegisterDoctor { doctor, .. } => out.push(account(doctor)),
        TxBody::IssueRecord { record, .. } => out.push(Effect::Present(StateKey::record(record))),
        TxBody::Grant { .. } => out.push(Effect::Present(StateKey::grant(&GrantId::derive(
            &author,
            tx.tx.nonce,
        )))),
        TxBody::GrantKeys { grant, keys } => out.extend(
            keys.iter()
                .map(|k| Effect::Present(StateKey::grant_key(grant, &k.record))),
        ),
        TxBody::Revoke { grant } => out.push(Effect::Present(StateKey::revocation(grant))),
        TxBody::CreateLink { link, .. } => out.push(Effect::Present(StateKey::link(link))),
        TxBody::UpdateLinkFiles { link, files } => out.push(Effect::LinkFiles {
            key: StateKey::link(link),
            files: files.clone(),
        }),
        TxBody::RevokeLink { link } => out.push(Effect::LinkRevoked(StateKey::link(link))),
        TxBody::RotateKeys { signing, .. } => {
            out.push(Effect::Present(StateKey::key_owner(&Address::of(signing))))
        }
        TxBody::RewrapRecords { keys } => out.extend(keys.iter().map(|k| Effect::RecordWrapped {
            key: StateKey::record(&k.record),
            wrapped_key: k.wrapped_key,
        })),
        TxBody::EraseRecords { records } => {
            out.extend(records.iter().map(|r| Effect::Present(StateKey::erased(r))))
        }
        TxBody::CloseAccount { account } => out.push(Effect::Present(StateKey::closed(account))),
        TxBody::StartRecovery { account, .. } => {
            out.push(Effect::Present(StateKey::recovery(account)))
        }
        TxBody::SetEmergency { ciphertext_len, .. } if *ciphertext_len > 0 => {
            out.push(Effect::Present(StateKey::emergency_set(&emergency_set_id(
                &author,
                tx.tx.nonce,
            ))))
        }
        TxBody::EmergencyRequest { .. } => out.push(Effect::Present(StateKey::emergency_request(
            &EmergencyRequestId::derive(&author, tx.tx.nonce),
        ))),
        // The nonce is the receipt's own trace, and the notice's (its key signs only it). A
        // recovery's steps rewrite one value per account whose earlier form is present too:
        // the author's nonce (only its key signs) is what proves its own step applied.
        TxBody::AccessReceipt { .. }
        | TxBody::LinkAccess { .. }
        | TxBody::Notify { .. }
        | TxBody::ErasureReceipt { .. }
        | TxBody::SetGuardians { .. }
        | TxBody::ApproveRecovery { .. }
        | TxBody::DeclineRecovery { .. }
        | TxBody::CancelRecovery { .. }
        | TxBody::ReleaseShare { .. }
        | TxBody::SetEmergency { .. }
        | TxBody::EmergencyShare { .. } => {}
        // The chain's governance counter moved past the change's: a change applied at it
        // (only one can), and the author's nonce says it was this author's.
        TxBody::ChangeValidators { seq, .. } => out.push(Effect::NonceAbove {
            key: StateKey::governance_seq(),
            nonce: *seq,
        }),
    }
    out
}

#[cfg(test)]
mod tests {
    use medledger_types::hash::ChainId;
    use medledger_types::state::encode_u64;
    use medwallet_crypto::SigningKey;

    use super::*;
    use crate::transaction::sign;

    #[test]
    fn a_revoke_is_done_only_when_its_revocation_and_the_advanced_nonce_are_proven() {
        let key = SigningKey::from_bytes(&[4; 32]);
        let grant = GrantId([9; 32]);
        let tx = sign(&key, ChainId([1; 32]), 3, TxBody::Revoke { grant });
        let effects = effects(&tx);
        assert_eq!(effects.len(), 2);
        assert_eq!(effects[1], Effect::Present(StateKey::revocation(&grant)));
        assert!(!effects[0].holds(Some(&encode_u64(3))), "nonce not moved");
        assert!(effects[0].holds(Some(&encode_u64(4))));
        assert!(!effects[0].holds(None));
        assert!(!effects[0].holds(Some(b"junk")));
        assert!(!effects[1].holds(None), "no revocation");
        assert!(effects[1].holds(Some(b"x")));
    }

    #[test]
    fn a_link_revocation_is_done_only_when_the_proven_entry_says_revoked() {
        use medledger_types::hash::{LinkId, Sha256Digest};
        let key = SigningKey::from_bytes(&[4; 32]);
        let link = LinkId([5; 32]);
        let tx = sign(&key, ChainId([1; 32]), 1, TxBody::RevokeLink { link });
        let effect = &effects(&tx)[1];
        let mut entry = LinkEntry {
            patient: Address([1; 32]),
            expires_at_ms: 10,
            passcode: None,
            attempts_left: 0,
            long_term: false,
            files: vec![LinkFile {
                sha256: Sha256Digest([2; 32]),
                len: 3,
            }],
            sealed: vec![],
            created_height: 1,
            created_at_ms: 1,
            revoked_at_ms: None,
        };
        assert!(
            !effect.holds(Some(&entry.encode())),
            "a node that swallowed the revoke"
        );
        entry.revoked_at_ms = Some(5);
        assert!(effect.holds(Some(&entry.encode())));
        assert!(!effect.holds(Some(b"junk")) && !effect.holds(None));
    }

    #[test]
    fn a_grant_is_found_under_the_id_its_author_and_nonce_derive() {
        let key = SigningKey::from_bytes(&[4; 32]);
        let tx = sign(
            &key,
            ChainId([1; 32]),
            7,
            TxBody::Grant {
                grantee: Address([2; 32]),
                scope: medledger_types::tx::Scope::Open,
                expires_at_ms: None,
                keys: vec![],
                terms: Default::default(),
            },
        );
        let id = GrantId::derive(&tx.tx.author_address(), 7);
        assert!(effects(&tx).contains(&Effect::Present(StateKey::grant(&id))));
    }
}
