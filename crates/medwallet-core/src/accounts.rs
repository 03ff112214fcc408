//! Accounts as the ledger proves them: who a doctor is before a patient grants them anything,
//! and what a clinic is called.

use medledger_client::{LedgerSource, reads};
use medledger_types::hash::Address;
use medledger_types::state::{Account, AccountKind};
use medwallet_verify::VerifiedHeader;

use crate::error::WalletError;

/// A registered doctor, as the ledger proves them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doctor {
    pub address: Address,
    pub name: String,
    pub licence: String,
    /// The clinic that registered them.
    pub clinic: Address,
    /// Where keys shared with them are wrapped to.
    pub receiving: [u8; 32],
}

/// A registered account (`None`: not registered).
pub async fn account<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    address: &Address,
) -> Result<Option<Account>, WalletError> {
    Ok(reads::account(source, at, address).await?)
}

/// A doctor, or [`WalletError::NotADoctor`].
pub async fn doctor<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    address: &Address,
) -> Result<Doctor, WalletError> {
    match account(source, at, address).await? {
        Some(Account {
            kind:
                AccountKind::Doctor {
                    clinic,
                    display_name,
                    licence,
                },
            receiving,
            ..
        }) => Ok(Doctor {
            address: *address,
            name: display_name,
            licence,
            clinic,
            receiving: receiving.0,
        }),
        _ => Err(WalletError::NotADoctor(address.to_hex())),
    }
}

/// The registered name of a clinic or doctor (`None` for patients and unknown accounts).
pub async fn display_name<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    address: &Address,
) -> Result<Option<String>, WalletError> {
    Ok(match account(source, at, address).await?.map(|a| a.kind) {
        Some(AccountKind::Clinic { name }) => Some(name),
        Some(AccountKind::Doctor { display_name, .. }) => Some(display_name),
        _ => None,
    })
}
