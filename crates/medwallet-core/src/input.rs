//! What people type, checked once for every front end: an account (a share code or an
//! address), a grant's expiry and a recovery's delay.

use medledger_types::hash::Address;

use crate::error::WalletError;

/// A ledger account from a share code (`mdwshare1…`) or an address (`mdw1…`).
pub fn account(text: &str) -> Result<Address, WalletError> {
    let text = text.trim();
    if let Ok(code) = text.parse::<medwallet_crypto::ShareCode>() {
        return Ok(code.account());
    }
    text.parse::<medwallet_crypto::Bech32Address>()
        .map(|a| a.account())
        .map_err(|_| {
            WalletError::InvalidInput(
                "that is neither a share code (mdwshare1…) nor an address (mdw1…)".into(),
            )
        })
}

/// An expiry typed as an RFC 3339 time (`2027-01-31T00:00:00Z`; blank means none), which must
/// lie after `now_ms`.
pub fn expiry(text: Option<&str>, now_ms: u64) -> Result<Option<u64>, WalletError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let at = humantime::parse_rfc3339_weak(text).map_err(|_| {
        WalletError::InvalidInput("the expiry must be a date and time (RFC 3339)".into())
    })?;
    let ms = at
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    if ms <= now_ms {
        return Err(WalletError::InvalidInput(
            "the expiry is in the past".into(),
        ));
    }
    Ok(Some(ms))
}

/// A recovery delay typed as a duration (`72h`, `3days`, `5s`), in milliseconds.
pub fn delay(text: &str) -> Result<u64, WalletError> {
    humantime::parse_duration(text.trim())
        .map(|d| d.as_millis() as u64)
        .map_err(|_| {
            WalletError::InvalidInput("the delay must be a duration, such as 72h or 3days".into())
        })
}

/// The bech32 form (`mdw1…`) of a ledger address.
pub fn display_address(address: &Address) -> String {
    medwallet_crypto::Bech32Address::from_account(*address).to_string()
}

#[cfg(test)]
mod tests {
    use medwallet_crypto::{AccountKeys, RecoveryPhrase};

    use super::*;

    #[test]
    fn accounts_come_from_share_codes_or_addresses_and_nothing_else() {
        let public = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[4; 32])).public();
        let address = public.account();
        assert_eq!(
            account(&public.share_code().to_string()).ok(),
            Some(address)
        );
        assert_eq!(
            account(&format!("  {}\n", public.address())).ok(),
            Some(address)
        );
        assert_eq!(display_address(&address), public.address().to_string());
        assert!(matches!(
            account("mdw1nope"),
            Err(WalletError::InvalidInput(_))
        ));
    }

    #[test]
    fn an_expiry_is_a_future_rfc3339_time() {
        let now = 1_700_000_000_000;
        assert_eq!(expiry(None, now).ok(), Some(None));
        assert_eq!(expiry(Some("  "), now).ok(), Some(None));
        assert_eq!(
            expiry(Some("2030-01-01T00:00:00Z"), now).ok(),
            Some(Some(1_893_456_000_000))
        );
        assert!(matches!(
            expiry(Some("2001-01-01T00:00:00Z"), now),
            Err(WalletError::InvalidInput(m)) if m.contains("past")
        ));
        assert!(matches!(
            expiry(Some("next tuesday"), now),
            Err(WalletError::InvalidInput(_))
        ));
    }
}
