//! The wire format of transaction bodies: a tag per kind (retired tags are refused with the
//! reason), every list and byte string bounded.

use super::{
    APPROVALS_MAX, Approval, KEYS_MAX, LICENCE_MAX, METADATA_MAX, NAME_MAX, RecordKey, Scope,
    TxBody, WrappedKey,
};
use crate::blob_request::Auth;
use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::emergency::{
    EmergencyRequestId, SEALED_EMERGENCY_SHARE_MAX, SEALED_REASON_MAX, read_slots, write_slots,
};
use crate::grant::SealedTerms;
use crate::hash::{Address, GrantId, LinkId, PublicKey, ReceivingKey, RecordId, Sha256Digest};
use crate::link::{
    LinkOutcome, MAX_RECIPIENT_SEALED_LEN, MAX_SEALED_LEN, PasscodeVerifier, read_files,
    write_files,
};
use crate::recovery::{SEALED_NOTE_MAX, SEALED_SHARE_MAX, read_guardians, write_guardians};
use crate::validators::ValidatorChange;

fn write_keys(w: &mut Writer, keys: &[RecordKey]) {
    w.list(keys, |w, k| {
        k.record.write(w);
        w.fixed(&k.wrapped_key.0);
    });
}

fn read_keys(r: &mut Reader<'_>) -> Result<Vec<RecordKey>, CodecError> {
    r.list("keys", KEYS_MAX, |r| {
        Ok(RecordKey {
            record: RecordId::read(r)?,
            wrapped_key: WrappedKey(r.array("wrapped key")?),
        })
    })
}

impl Canonical for Scope {
    fn write(&self, w: &mut Writer) {
        match self {
            Scope::Records(ids) => {
                w.u8(1);
                w.list(ids, |w, id| id.write(w));
            }
            // Tags 2 (a category in the clear) and 3 (all) are retired.
            Scope::Open => w.u8(4),
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        match r.u8("scope")? {
            1 => Ok(Scope::Records(r.list(
                "scope records",
                KEYS_MAX,
                RecordId::read,
            )?)),
            2 | 3 => Err(CodecError::Invalid(
                "a grant scope in the clear (tags 2 and 3) is retired: scopes are sealed",
            )),
            4 => Ok(Scope::Open),
            tag => Err(CodecError::UnknownTag {
                field: "scope",
                tag,
            }),
        }
    }
}

impl Canonical for TxBody {
    fn write(&self, w: &mut Writer) {
        match self {
            TxBody::RegisterPatient { receiving } => {
                w.u8(1);
                receiving.write(w);
            }
            TxBody::RegisterClinic {
                clinic,
                receiving,
                name,
                approvals,
            } => {
                w.u8(2);
                clinic.write(w);
                receiving.write(w);
                w.str(name);
                write_approvals(w, approvals);
            }
            TxBody::RegisterDoctor {
                doctor,
                receiving,
                display_name,
                licence,
                consent,
            } => {
                // Tag 3 was the first form, without the doctor's consent; it is retired.
                w.u8(9);
                doctor.write(w);
                receiving.write(w);
                w.str(display_name);
                w.str(licence);
                w.fixed(consent);
            }
            TxBody::IssueRecord {
                record,
                patient,
                ciphertext_sha256,
                ciphertext_len,
                wrapped_key,
                metadata,
            } => {
                w.u8(11);
                record.write(w);
                patient.write(w);
                ciphertext_sha256.write(w);
                w.u64(*ciphertext_len);
                w.fixed(&wrapped_key.0);
                w.bytes(metadata);
            }
            TxBody::Grant {
                grantee,
                scope,
                expires_at_ms,
                keys,
                terms,
            } => {
                // Tag 5 was the first form, without sealed terms; it is retired.
                w.u8(16);
                grantee.write(w);
                scope.write(w);
                w.option(expires_at_ms.as_ref(), |w, t| w.u64(*t));
                write_keys(w, keys);
                terms.write(w);
            }
            TxBody::GrantKeys { grant, keys } => {
                w.u8(6);
                grant.write(w);
                write_keys(w, keys);
            }
            TxBody::Revoke { grant } => {
                w.u8(7);
                grant.write(w);
            }
            TxBody::Notify { doctor, sealed } => {
                w.u8(17);
                doctor.write(w);
                w.bytes(sealed);
            }
            TxBody::AccessReceipt {
                grant,
                record,
                request,
            } => {
                w.u8(10);
                grant.write(w);
                record.write(w);
                request.write(w);
            }
            TxBody::CreateLink {
                link,
                expires_at_ms,
                passcode,
                attempts,
                long_term,
                files,
                sealed,
            } => {
                w.u8(12);
                link.write(w);
                w.u64(*expires_at_ms);
                w.option(passcode.as_ref(), |w, p| p.write(w));
                w.u32(*attempts);
                w.bool(*long_term);
                write_files(w, files);
                w.bytes(sealed);
            }
            TxBody::UpdateLinkFiles { link, files } => {
                w.u8(13);
                link.write(w);
                write_files(w, files);
            }
            TxBody::RevokeLink { link } => {
                w.u8(14);
                link.write(w);
            }
            TxBody::LinkAccess {
                link,
                outcome,
                recipient_sealed,
                at_ms,
            } => {
                w.u8(15);
                link.write(w);
                outcome.write(w);
                w.bytes(recipient_sealed);
                w.u64(*at_ms);
            }
            TxBody::RotateKeys {
                signing,
                receiving,
                consent,
            } => {
                w.u8(18);
                signing.write(w);
                receiving.write(w);
                w.fixed(consent);
            }
            TxBody::RewrapRecords { keys } => {
                w.u8(19);
                write_keys(w, keys);
            }
            TxBody::EraseRecords { records } => {
                w.u8(20);
                w.list(records, |w, id| id.write(w));
            }
            TxBody::ErasureReceipt { record } => {
                w.u8(21);
                record.write(w);
            }
            TxBody::CloseAccount { account } => {
                w.u8(22);
                account.write(w);
            }
            TxBody::SetGuardians {
                guardians,
                threshold,
                delay_ms,
                sealed_note,
            } => {
                w.u8(23);
                write_guardians(w, guardians);
                w.u8(*threshold);
                w.u64(*delay_ms);
                w.bytes(sealed_note);
            }
            TxBody::StartRecovery {
                account,
                device_receiving,
            } => {
                w.u8(24);
                account.write(w);
                device_receiving.write(w);
            }
            TxBody::ApproveRecovery { account, device } => {
                w.u8(25);
                account.write(w);
                device.write(w);
            }
            TxBody::CancelRecovery { account } => {
                w.u8(26);
                account.write(w);
            }
            TxBody::DeclineRecovery { account, device } => {
                w.u8(28);
                account.write(w);
                device.write(w);
            }
            TxBody::ReleaseShare {
                account,
                device,
                sealed,
            } => {
                w.u8(27);
                account.write(w);
                device.write(w);
                w.bytes(sealed);
            }
            TxBody::SetEmergency {
                ciphertext_sha256,
                ciphertext_len,
                shares,
                own_key,
                watch,
            } => {
                w.u8(29);
                ciphertext_sha256.write(w);
                w.u64(*ciphertext_len);
                write_slots(w, shares);
                w.fixed(&own_key.0);
                w.option(watch.as_ref(), |w, k| w.fixed(&k.0));
            }
            TxBody::EmergencyRequest { patient, reason } => {
                w.u8(30);
                patient.write(w);
                w.bytes(reason);
            }
            TxBody::EmergencyShare { request, sealed } => {
                w.u8(31);
                w.fixed(&request.0);
                w.bytes(sealed);
            }
            TxBody::ChangeValidators {
                seq,
                change,
                approvals,
            } => {
                w.u8(32);
                w.u64(*seq);
                change.write(w);
                write_approvals(w, approvals);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(match r.u8("transaction kind")? {
            1 => TxBody::RegisterPatient {
                receiving: ReceivingKey::read(r)?,
            },
            2 => TxBody::RegisterClinic {
                clinic: PublicKey::read(r)?,
                receiving: ReceivingKey::read(r)?,
                name: r.string("clinic name", NAME_MAX)?,
                approvals: read_approvals(r)?,
            },
            3 => {
                return Err(CodecError::Invalid(
                    "RegisterDoctor without the doctor's consent (tag 3) is retired",
                ));
            }
            9 => TxBody::RegisterDoctor {
                doctor: PublicKey::read(r)?,
                receiving: ReceivingKey::read(r)?,
                display_name: r.string("display name", NAME_MAX)?,
                licence: r.string("licence", LICENCE_MAX)?,
                consent: r.array("doctor's consent")?,
            },
            4 => {
                return Err(CodecError::Invalid(
                    "IssueRecord with its category in the clear (tag 4) is retired",
                ));
            }
            11 => TxBody::IssueRecord {
                record: RecordId::read(r)?,
                patient: Address::read(r)?,
                ciphertext_sha256: Sha256Digest::read(r)?,
                ciphertext_len: r.u64("ciphertext length")?,
                wrapped_key: WrappedKey(r.array("wrapped key")?),
                metadata: r.bytes("metadata", METADATA_MAX)?,
            },
            5 => {
                return Err(CodecError::Invalid(
                    "Grant without sealed terms (tag 5) is retired",
                ));
            }
            16 => TxBody::Grant {
                grantee: Address::read(r)?,
                scope: Scope::read(r)?,
                expires_at_ms: r.option("expiry", |r| r.u64("expiry"))?,
                keys: read_keys(r)?,
                terms: SealedTerms::read(r)?,
            },
            6 => TxBody::GrantKeys {
                grant: GrantId::read(r)?,
                keys: read_keys(r)?,
            },
            7 => TxBody::Revoke {
                grant: GrantId::read(r)?,
            },
            17 => TxBody::Notify {
                doctor: Address::read(r)?,
                sealed: r.bytes("sealed notice", crate::grant::MAX_NOTICE_LEN)?,
            },
            8 => {
                return Err(CodecError::Invalid(
                    "AccessReceipt without the grantee's signed request (tag 8) is retired",
                ));
            }
            10 => TxBody::AccessReceipt {
                grant: GrantId::read(r)?,
                record: RecordId::read(r)?,
                request: Auth::read(r)?,
            },
            12 => TxBody::CreateLink {
                link: LinkId::read(r)?,
                expires_at_ms: r.u64("expiry")?,
                passcode: r.option("passcode", PasscodeVerifier::read)?,
                attempts: r.u32("attempts")?,
                long_term: r.bool("long-term")?,
                files: read_files(r)?,
                sealed: r.bytes("sealed description", MAX_SEALED_LEN)?,
            },
            13 => TxBody::UpdateLinkFiles {
                link: LinkId::read(r)?,
                files: read_files(r)?,
            },
            14 => TxBody::RevokeLink {
                link: LinkId::read(r)?,
            },
            15 => TxBody::LinkAccess {
                link: LinkId::read(r)?,
                outcome: LinkOutcome::read(r)?,
                recipient_sealed: r.bytes("sealed recipient", MAX_RECIPIENT_SEALED_LEN)?,
                at_ms: r.u64("at")?,
            },
            18 => TxBody::RotateKeys {
                signing: PublicKey::read(r)?,
                receiving: ReceivingKey::read(r)?,
                consent: r.array("rotation consent")?,
            },
            19 => TxBody::RewrapRecords {
                keys: read_keys(r)?,
            },
            20 => TxBody::EraseRecords {
                records: r.list("erased records", KEYS_MAX, RecordId::read)?,
            },
            21 => TxBody::ErasureReceipt {
                record: RecordId::read(r)?,
            },
            22 => TxBody::CloseAccount {
                account: Address::read(r)?,
            },
            23 => TxBody::SetGuardians {
                guardians: read_guardians(r)?,
                threshold: r.u8("threshold")?,
                delay_ms: r.u64("delay")?,
                sealed_note: r.bytes("sealed note", SEALED_NOTE_MAX)?,
            },
            24 => TxBody::StartRecovery {
                account: Address::read(r)?,
                device_receiving: ReceivingKey::read(r)?,
            },
            25 => TxBody::ApproveRecovery {
                account: Address::read(r)?,
                device: PublicKey::read(r)?,
            },
            26 => TxBody::CancelRecovery {
                account: Address::read(r)?,
            },
            28 => TxBody::DeclineRecovery {
                account: Address::read(r)?,
                device: PublicKey::read(r)?,
            },
            27 => TxBody::ReleaseShare {
                account: Address::read(r)?,
                device: PublicKey::read(r)?,
                sealed: r.bytes("released share", SEALED_SHARE_MAX)?,
            },
            29 => TxBody::SetEmergency {
                ciphertext_sha256: Sha256Digest::read(r)?,
                ciphertext_len: r.u64("emergency set length")?,
                shares: read_slots(r)?,
                own_key: WrappedKey(r.array("own key")?),
                watch: r.option("watch key", |r| Ok(ReceivingKey(r.array("watch key")?)))?,
            },
            30 => TxBody::EmergencyRequest {
                patient: Address::read(r)?,
                reason: r.bytes("sealed reason", SEALED_REASON_MAX)?,
            },
            31 => TxBody::EmergencyShare {
                request: EmergencyRequestId(r.array("emergency request")?),
                sealed: r.bytes("released emergency share", SEALED_EMERGENCY_SHARE_MAX)?,
            },
            32 => TxBody::ChangeValidators {
                seq: r.u64("governance counter")?,
                change: ValidatorChange::read(r)?,
                approvals: read_approvals(r)?,
            },
            tag => {
                return Err(CodecError::UnknownTag {
                    field: "transaction kind",
                    tag,
                });
            }
        })
    }
}

fn write_approvals(w: &mut Writer, approvals: &[Approval]) {
    w.list(approvals, |w, a| {
        a.validator.write(w);
        w.fixed(&a.signature);
    });
}

fn read_approvals(r: &mut Reader<'_>) -> Result<Vec<Approval>, CodecError> {
    r.list("approvals", APPROVALS_MAX, |r| {
        Ok(Approval {
            validator: PublicKey::read(r)?,
            signature: r.array("approval signature")?,
        })
    })
}
