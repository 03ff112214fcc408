//! Joining a device: an unlocked device offers ([`JoinOffer`]), showing a code (and its QR);
//! the new device answers it ([`JoinAnswer`]) and shows a check code, which the person types on
//! the unlocked device; only if it is the one the unlocked device computed is the recovery
//! phrase sent. The exchange runs through
//! the nodes' mailbox ([`Mailbox`]) and is authenticated by the code
//! ([`medwallet_crypto::device_join`]); nothing of it touches the ledger. The new device then
//! opens the wallet as a restore from the words does, and checks it against the ledger.

use medledger_client::{Mailbox, NetError, SourceError};
use medwallet_crypto::RecoveryPhrase;
use medwallet_crypto::device_join::{
    JOIN_TTL_MS, JoinCode, JoinError, JoinSession, OldDevice, Slot, answer,
};
use rand_core::CryptoRng;
use thiserror::Error;

use crate::error::WalletError;

/// Why a join went no further. Each ends the exchange: start again with a new code.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinFault {
    #[error("the code is older than 10 minutes: start again on the unlocked device")]
    Expired,
    #[error("no device offers that code: check it, or start again on the unlocked device")]
    NoOffer,
    #[error("another device already answered that code: start again on the unlocked device")]
    Answered,
    #[error(
        "more than one device answered: someone else may have the code; start again, and keep the new code to yourself"
    )]
    ManyAnswers,
    #[error("that is not the check code this device shows: nothing was sent; start again")]
    NotConfirmed,
    #[error("the other device has not proved the code yet")]
    NotReady,
    #[error("{0}")]
    Exchange(#[from] JoinError),
}

fn taken(e: &SourceError) -> bool {
    matches!(e.refusal(), Some(NetError::Refused { code, .. }) if code == "slot_taken")
}

/// The single value the nodes hold in `slot`, if any.
async fn single<M: Mailbox>(
    mailbox: &M,
    slot: &[u8; 32],
    many: JoinFault,
) -> Result<Option<Vec<u8>>, WalletError> {
    let mut values = mailbox.read(slot).await?;
    match values.len() {
        0 => Ok(None),
        1 => Ok(values.pop()),
        _ => Err(many.into()),
    }
}

/// The unlocked device's side of a join.
pub struct JoinOffer {
    code: JoinCode,
    pending: Option<OldDevice>,
    session: Option<JoinSession>,
    expires_at_ms: u64,
}

impl JoinOffer {
    /// Opens an exchange at `now_ms`: a fresh code, its first message on the nodes (another
    /// code if its slot is taken).
    pub async fn open<M: Mailbox, R: CryptoRng + ?Sized>(
        mailbox: &M,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Self, WalletError> {
        let mut last = None;
        for _ in 0..4 {
            let code = JoinCode::generate(rng);
            let (pending, message) = OldDevice::start(&code, rng);
            match mailbox.post(&code.slot(Slot::Old), &message).await {
                Ok(()) => {
                    return Ok(Self {
                        code,
                        pending: Some(pending),
                        session: None,
                        expires_at_ms: now_ms.saturating_add(JOIN_TTL_MS),
                    });
                }
                Err(e) if taken(&e) => last = Some(e),
                Err(e) => return Err(e.into()),
            }
        }
        Err(last.map_or(JoinFault::Answered.into(), WalletError::from))
    }

    /// The code the person carries to the new device.
    pub fn code(&self) -> &JoinCode {
        &self.code
    }

    /// When the code stops working.
    pub fn expires_at_ms(&self) -> u64 {
        self.expires_at_ms
    }

    /// The check code, once the new device answered and proved it holds the code (`None`:
    /// no answer yet). A wrong answer ends the exchange.
    pub async fn check_code<M: Mailbox>(
        &mut self,
        mailbox: &M,
        now_ms: u64,
    ) -> Result<Option<String>, WalletError> {
        if let Some(session) = &self.session {
            return Ok(Some(session.check_code()));
        }
        if now_ms >= self.expires_at_ms {
            return Err(JoinFault::Expired.into());
        }
        let Some(answer) =
            single(mailbox, &self.code.slot(Slot::New), JoinFault::ManyAnswers).await?
        else {
            return Ok(None);
        };
        let pending = self.pending.take().ok_or(JoinFault::NotConfirmed)?;
        let session = pending.finish(&answer).map_err(JoinFault::from)?;
        let code = session.check_code();
        self.session = Some(session);
        Ok(Some(code))
    }

    /// Sends `phrase` (this wallet's, unlocked by its password) to the new device, once the
    /// person typed here the check code the new device shows (`shown`): another code means
    /// another device answered (or a typo); nothing is sent, and the exchange is over.
    pub async fn send<M: Mailbox, R: CryptoRng + ?Sized>(
        self,
        mailbox: &M,
        phrase: &RecoveryPhrase,
        shown: &str,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<(), WalletError> {
        let session = self.session.as_ref().ok_or(JoinFault::NotReady)?;
        if now_ms >= self.expires_at_ms {
            return Err(JoinFault::Expired.into());
        }
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        if digits(shown) != digits(&session.check_code()) {
            return Err(JoinFault::NotConfirmed.into());
        }
        let sealed = session.seal_phrase(phrase, rng).map_err(JoinFault::from)?;
        mailbox
            .post(&self.code.slot(Slot::Phrase), &sealed)
            .await
            .map_err(|e| {
                if taken(&e) {
                    JoinFault::ManyAnswers.into()
                } else {
                    WalletError::from(e)
                }
            })
    }
}

/// The new device's side of a join.
pub struct JoinAnswer {
    code: JoinCode,
    session: JoinSession,
    expires_at_ms: u64,
}

impl JoinAnswer {
    /// Answers the offer of `code` (typed or scanned) at `now_ms`.
    pub async fn answer<M: Mailbox, R: CryptoRng + ?Sized>(
        mailbox: &M,
        code: &JoinCode,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Self, WalletError> {
        let offer = single(mailbox, &code.slot(Slot::Old), JoinFault::ManyAnswers)
            .await?
            .ok_or(JoinFault::NoOffer)?;
        let (session, message) = answer(code, &offer, rng).map_err(JoinFault::from)?;
        mailbox
            .post(&code.slot(Slot::New), &message)
            .await
            .map_err(|e| {
                if taken(&e) {
                    JoinFault::Answered.into()
                } else {
                    WalletError::from(e)
                }
            })?;
        Ok(Self {
            code: code.clone(),
            session,
            expires_at_ms: now_ms.saturating_add(JOIN_TTL_MS),
        })
    }

    /// The check code to show: the person compares it with the unlocked device's.
    pub fn check_code(&self) -> String {
        self.session.check_code()
    }

    /// The phrase, once the unlocked device sent it (`None`: not yet).
    pub async fn phrase<M: Mailbox>(
        &self,
        mailbox: &M,
        now_ms: u64,
    ) -> Result<Option<RecoveryPhrase>, WalletError> {
        let sealed = single(
            mailbox,
            &self.code.slot(Slot::Phrase),
            JoinFault::ManyAnswers,
        )
        .await?;
        match sealed {
            Some(sealed) => Ok(Some(
                self.session.open_phrase(&sealed).map_err(JoinFault::from)?,
            )),
            None if now_ms >= self.expires_at_ms => Err(JoinFault::Expired.into()),
            None => Ok(None),
        }
    }
}
