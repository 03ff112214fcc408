//! Size buckets: the lengths a record's ciphertext (and its sealed metadata) may have on the
//! ledger, so that a length says roughly how big a record is and not which record it is.
//!
//! Padmé (Nikitin, Barman, Lueks, Underwood, Hubaux, Ford: "Reducing Metadata Leakage from
//! Encrypted Files and Communication with PURBs", PoPETs 2019): a length `L` is rounded up so
//! that only its top `⌊log₂ ⌊log₂ L⌋⌋ + 1` bits may be set. The overhead is at most 12 % and a
//! bucket leaks O(log log L) bits, against O(log L) for exact lengths. Below [`MIN_BUCKET`]
//! every length is that one bucket.
//!
//! ```
//! use medledger_types::size_bucket::{bucket, is_bucket};
//! assert_eq!(bucket(10), 1024);
//! assert_eq!(bucket(1025), 1088);
//! assert!(is_bucket(bucket(123_456)) && !is_bucket(123_456));
//! ```

/// The smallest bucket.
pub const MIN_BUCKET: u64 = 1024;

/// The smallest bucket that holds `len` bytes (`len` itself if it is one; saturates at the top).
pub const fn bucket(len: u64) -> u64 {
    if len <= MIN_BUCKET {
        return MIN_BUCKET;
    }
    let e = 63 - len.leading_zeros() as u64; // ⌊log₂ L⌋ (≥ 10 here)
    let s = 64 - e.leading_zeros() as u64; // ⌊log₂ E⌋ + 1
    let mask = (1u64 << (e - s)) - 1;
    match len.checked_add(mask) {
        Some(up) => up & !mask,
        None => !mask,
    }
}

/// Whether `len` is a bucket (what the ledger's rules require of a record's lengths).
pub const fn is_bucket(len: u64) -> bool {
    len >= MIN_BUCKET && bucket(len) == len
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_lengths_share_the_smallest_bucket_and_powers_of_two_are_buckets() {
        assert_eq!(bucket(0), MIN_BUCKET);
        assert_eq!(bucket(MIN_BUCKET), MIN_BUCKET);
        for e in 10..63 {
            assert!(is_bucket(1 << e), "2^{e}");
        }
        assert!(!is_bucket(MIN_BUCKET - 1) && !is_bucket(0));
        assert_eq!(bucket(1_000_001), 1_015_808);
    }

    proptest! {
        #[test]
        fn a_bucket_holds_the_length_costs_at_most_12_percent_and_is_stable(len in 0u64..1 << 40) {
            let b = bucket(len);
            prop_assert!(b >= len && is_bucket(b) && bucket(b) == b);
            if len > MIN_BUCKET {
                prop_assert!((b - len) as f64 <= 0.12 * len as f64);
            }
        }
    }
}
