use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;
use crate::AccountKeys;

fn phrase(seed: u8) -> RecoveryPhrase {
    RecoveryPhrase::from_entropy(&[seed; 32])
}

#[test]
fn any_threshold_of_shares_gives_the_phrase_back_and_fewer_do_not() {
    let mut rng = StdRng::seed_from_u64(1);
    let phrase = phrase(7);
    let shares = split_entropy(&phrase, 2, 3, &mut rng).expect("split");
    assert_eq!(shares.len(), 3);
    assert_eq!(
        shares.iter().map(EntropyShare::index).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    for pair in [[0, 1], [1, 2], [0, 2], [2, 0]] {
        let two = [shares[pair[0]].clone(), shares[pair[1]].clone()];
        let back = combine_entropy(2, &two).expect("combine");
        assert_eq!(back.entropy(), phrase.entropy());
    }
    // One share, or the same share twice, is not two.
    assert_eq!(
        combine_entropy(2, &[shares[0].clone(), shares[0].clone()]).err(),
        Some(GuardianError::TooFewShares { got: 1, needed: 2 })
    );
    // A share is not the secret: no single byte of it equals the entropy's, for this split.
    assert_ne!(&shares[0].as_bytes()[1..], phrase.entropy());
    // Shares of another split give some other phrase, which the caller's check refuses.
    let other = split_entropy(&phrase, 2, 3, &mut rng).expect("split");
    let mixed = combine_entropy(2, &[shares[0].clone(), other[1].clone()]).expect("combine");
    assert_ne!(mixed.entropy(), phrase.entropy());
    assert!(split_entropy(&phrase, 0, 3, &mut rng).is_err());
    assert!(split_entropy(&phrase, 4, 3, &mut rng).is_err());
    assert!(split_entropy(&phrase, 2, GUARDIANS_MAX + 1, &mut rng).is_err());
    assert!(
        EntropyShare::from_bytes(&[0; SHARE_LEN]).is_err(),
        "x = 0 is the secret"
    );
    assert!(EntropyShare::from_bytes(&[1; SHARE_LEN - 1]).is_err());
}

#[test]
fn a_share_opens_for_its_guardian_account_and_position_only() {
    let mut rng = StdRng::seed_from_u64(2);
    let guardian = AccountKeys::derive(&phrase(1));
    let stranger = AccountKeys::derive(&phrase(2));
    let account = Address([9; 32]);
    let shares = split_entropy(&phrase(3), 2, 3, &mut rng).expect("split");
    let patient = AccountKeys::derive(&phrase(3));
    let share = GuardianShare {
        account,
        position: 1,
        threshold: 2,
        share: shares[1].clone(),
        label: "Ana, your sister".into(),
        watch: patient.emergency_watch(),
    };
    let sealed =
        seal_guardian_share(&guardian.identity().to_recipient(), &share, &mut rng).expect("seal");
    let opened = open_guardian_share(&guardian.identity(), &account, 1, &sealed).expect("open");
    assert_eq!(opened.label, "Ana, your sister");
    assert_eq!(opened.threshold, 2);
    assert_eq!(opened.share.as_bytes(), shares[1].as_bytes());
    assert_eq!(
        opened.watch.public(),
        patient.emergency_watch().public(),
        "the guardian watches the patient's emergency set"
    );
    assert!(open_guardian_share(&stranger.identity(), &account, 1, &sealed).is_err());
    assert!(open_guardian_share(&guardian.identity(), &account, 0, &sealed).is_err());
    assert!(open_guardian_share(&guardian.identity(), &Address([8; 32]), 1, &sealed).is_err());
    let long = GuardianShare {
        label: "x".repeat(LABEL_MAX + 1),
        ..share
    };
    assert!(seal_guardian_share(&guardian.identity().to_recipient(), &long, &mut rng).is_err());
}

#[test]
fn a_released_share_opens_on_its_device_for_its_recovery_only() {
    let mut rng = StdRng::seed_from_u64(3);
    let device = AccountKeys::derive(&phrase(4));
    let device_key = PublicKey(device.public().signing.to_bytes());
    let account = Address([9; 32]);
    let shares = split_entropy(&phrase(5), 2, 2, &mut rng).expect("split");
    let sealed = seal_release(
        &device.identity().to_recipient(),
        &account,
        &device_key,
        0,
        &shares[0],
        &mut rng,
    )
    .expect("seal");
    let opened = open_release(&device.identity(), &account, &device_key, 0, &sealed).expect("open");
    assert_eq!(opened.as_bytes(), shares[0].as_bytes());
    // Another device's recovery, another position, another account: none open.
    assert!(
        open_release(
            &device.identity(),
            &account,
            &PublicKey([1; 32]),
            0,
            &sealed
        )
        .is_err()
    );
    assert!(open_release(&device.identity(), &account, &device_key, 1, &sealed).is_err());
    assert!(
        open_release(
            &device.identity(),
            &Address([1; 32]),
            &device_key,
            0,
            &sealed
        )
        .is_err()
    );
    // A guardian that seals its share under another position is caught.
    let misplaced = seal_release(
        &device.identity().to_recipient(),
        &account,
        &device_key,
        1,
        &shares[0],
        &mut rng,
    )
    .expect("seal");
    assert!(open_release(&device.identity(), &account, &device_key, 1, &misplaced).is_err());
}
