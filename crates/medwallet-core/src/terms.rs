//! Sealing a grant's terms ([`GrantTerms`]) to its two readers: the grantee (what they were
//! shared, by whom) and the patient's own account (so a restored wallet reads its grants from
//! the ledger alone). Each copy is `medwallet_crypto::envelope::seal_to` under a context bound
//! to the grant's id, over the terms padded to one length.

use medledger_types::grant::{GrantTerms, SealedTerms, terms_context};
use medledger_types::hash::GrantId;
use medwallet_crypto::envelope::{Identity, X25519Recipient, open_sealed, seal_to};
use medwallet_crypto::{AccountKeys, X25519PublicKey};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::error::WalletError;

/// Seals `terms` of `grant` to the grantee's receiving key and to `patient`'s own.
pub fn seal_terms<R: CryptoRng + ?Sized>(
    terms: &GrantTerms,
    grant: &GrantId,
    grantee_receiving: &[u8; 32],
    patient: &AccountKeys,
    rng: &mut R,
) -> Result<SealedTerms, WalletError> {
    let padded = Zeroizing::new(
        terms
            .to_padded()
            .map_err(|e| WalletError::InvalidInput(e.to_string()))?,
    );
    let context = terms_context(grant);
    let seal = |to: X25519Recipient, rng: &mut R| {
        seal_to(&to, &context, &padded, rng)
            .map_err(|_| WalletError::InvalidInput("the grant's terms cannot be sealed".into()))
    };
    Ok(SealedTerms {
        to_grantee: seal(
            X25519Recipient::new(X25519PublicKey::from(*grantee_receiving)),
            rng,
        )?,
        to_patient: seal(patient.identity().to_recipient(), rng)?,
    })
}

/// Opens one sealed copy of `grant`'s terms with `identity` (`None`: not sealed to it, or
/// damaged).
pub fn open_terms(identity: &impl Identity, grant: &GrantId, sealed: &[u8]) -> Option<GrantTerms> {
    let padded = Zeroizing::new(open_sealed(identity, &terms_context(grant), sealed).ok()?);
    GrantTerms::from_padded(&padded).ok()
}

#[cfg(test)]
mod tests {
    use medledger_types::category::Category;
    use medledger_types::grant::Coverage;
    use medwallet_crypto::RecoveryPhrase;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn each_party_opens_its_copy_and_no_copy_moves_to_another_grant() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let patient = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[1; 32])).account(3);
        let doctor = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[2; 32]));
        let stranger = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[3; 32]));
        let terms = GrantTerms {
            coverage: Coverage::Category(Category::Allergies),
            label: "Ana Ruiz, born 1984".into(),
            handle: [5; 16],
            share: [6; 16],
            doctor: medledger_types::hash::Address([4; 32]),
        };
        let grant = GrantId([9; 32]);
        let sealed = seal_terms(
            &terms,
            &grant,
            &doctor.public().receiving.to_bytes(),
            &patient,
            &mut rng,
        )
        .expect("seals");
        assert_eq!(sealed.to_grantee.len(), sealed.to_patient.len());
        assert_eq!(
            open_terms(&doctor.identity(), &grant, &sealed.to_grantee),
            Some(terms.clone())
        );
        assert_eq!(
            open_terms(&patient.identity(), &grant, &sealed.to_patient),
            Some(terms.clone())
        );
        assert_eq!(
            open_terms(&stranger.identity(), &grant, &sealed.to_grantee),
            None
        );
        assert_eq!(
            open_terms(&doctor.identity(), &GrantId([8; 32]), &sealed.to_grantee),
            None
        );
        let other = GrantTerms {
            label: String::new(),
            ..terms
        };
        let short = seal_terms(&other, &grant, &[7; 32], &patient, &mut rng).expect("seals");
        assert_eq!(
            short.to_grantee.len(),
            sealed.to_grantee.len(),
            "the label's length does not show"
        );
    }
}
