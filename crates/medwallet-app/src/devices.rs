//! Devices: an unlocked wallet adds a device by showing a code (and its QR) that the new
//! device answers ([`medwallet_core::device_join`]); the new device shows a check code, and the
//! phrase is sent only once the person typed it on the unlocked device, with the password. The new device
//! then holds the wallet under a password of its own, as a restore from the words would.
//!
//! The code crosses to the UI because the person must see it; it works once, for ten minutes.
//! The phrase never does: it goes from the keystore to the sealed message, and from the
//! opened message to the new keystore.

use medwallet_core::device_join::{JoinAnswer, JoinFault, JoinOffer};
use medwallet_crypto::AccountKeys;
use medwallet_crypto::device_join::JoinCode;

use crate::card::qr_svg;
use crate::device_views::{DeviceOffer, JoinedDevice};
use crate::error::{AppError, ErrorCode};
use crate::session::{App, lock};

/// A join under way on this device: offering (unlocked) or answering (new).
#[derive(Default)]
pub(crate) struct Join {
    offer: Option<JoinOffer>,
    answer: Option<JoinAnswer>,
}

impl App {
    /// Starts adding a device: a fresh code, its first message on the nodes.
    pub async fn offer_device_join(&self) -> Result<DeviceOffer, AppError> {
        self.wallet()?;
        let offer = self
            .with_ledger(async |source| JoinOffer::open(source, self.now(), &mut send_rng()).await)
            .await?;
        let view = offer_view(&offer, false)?;
        lock(&self.join).offer = Some(offer);
        Ok(view)
    }

    /// Where adding a device stands: whether the new device answered.
    pub async fn device_join_status(&self) -> Result<DeviceOffer, AppError> {
        self.wallet()?;
        let mut offer = lock(&self.join).offer.take().ok_or_else(no_offer)?;
        let checked = self
            .with_ledger(async |source| offer.check_code(source, self.now()).await)
            .await;
        // A wrong answer or an expired code ends this offer (it is not put back).
        let check = checked?;
        let view = offer_view(&offer, check.is_some())?;
        lock(&self.join).offer = Some(offer);
        Ok(view)
    }

    /// The person typed the check code the new device shows (`check_code`): if it is this
    /// device's, the phrase (unlocked by `password`) goes to the new device. A wrong password
    /// keeps the offer; anything else ends it.
    pub async fn confirm_device_join(
        &self,
        password: &str,
        check_code: &str,
    ) -> Result<(), AppError> {
        self.wallet()?;
        let phrase = self.dir.load_keystore()?.unlock(password)?;
        let offer = lock(&self.join).offer.take().ok_or_else(no_offer)?;
        self.with_ledger(async |source| {
            offer
                .send(source, &phrase, check_code, self.now(), &mut send_rng())
                .await
        })
        .await
    }

    /// Stops adding a device (the code stops working when its slots expire; nothing was sent).
    pub fn cancel_device_join(&self) {
        let mut join = lock(&self.join);
        join.offer = None;
        join.answer = None;
    }

    /// The join code in a camera frame or a picture the person chose (`luma`: its greyscale
    /// pixels, row by row), as text for the code field.
    pub fn read_join_qr(&self, width: u32, height: u32, luma: &[u8]) -> Result<String, AppError> {
        Ok(crate::join_qr::join_code_in(width, height, luma)?.to_string())
    }

    /// The new device answers `code` (typed, or read from the QR): its check code to show.
    pub async fn answer_device_join(&self, code: &str) -> Result<JoinedDevice, AppError> {
        self.refuse_existing_wallet()?;
        let code = JoinCode::parse(code).map_err(|e| AppError::invalid(e.to_string()))?;
        let answer = self
            .with_ledger(async |source| {
                JoinAnswer::answer(source, &code, self.now(), &mut send_rng()).await
            })
            .await?;
        let view = JoinedDevice {
            check_code: answer.check_code(),
            done: false,
            status: None,
        };
        lock(&self.join).answer = Some(answer);
        Ok(view)
    }

    /// Once the other device sent the phrase, this device holds the wallet under `password`
    /// and is unlocked; until then, `done: false`.
    pub async fn finish_device_join(&self, password: &str) -> Result<JoinedDevice, AppError> {
        self.refuse_existing_wallet()?;
        let answer = lock(&self.join).answer.take().ok_or_else(no_offer)?;
        let phrase = self
            .with_ledger(async |source| answer.phrase(source, self.now()).await)
            .await;
        let phrase = match phrase {
            Ok(Some(phrase)) => phrase,
            Ok(None) => {
                let view = JoinedDevice {
                    check_code: answer.check_code(),
                    done: false,
                    status: None,
                };
                lock(&self.join).answer = Some(answer);
                return Ok(view);
            }
            Err(e) => return Err(e),
        };
        self.create_keystore(&phrase, password)?;
        self.start_session(AccountKeys::derive(&phrase))?;
        Ok(JoinedDevice {
            check_code: answer.check_code(),
            done: true,
            status: Some(self.status()),
        })
    }

    fn refuse_existing_wallet(&self) -> Result<(), AppError> {
        if self.dir.keystore_path().exists() {
            return Err(AppError::new(
                ErrorCode::WalletExists,
                "a wallet already exists on this device; it was not overwritten",
            ));
        }
        Ok(())
    }
}

/// A generator that may cross an `await` on the shell's thread pool (the thread-local one
/// may not), seeded from it.
fn send_rng() -> rand::rngs::StdRng {
    <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng())
}

fn no_offer() -> AppError {
    AppError::from(medwallet_core::WalletError::DeviceJoin(JoinFault::NotReady))
}

fn offer_view(offer: &JoinOffer, answered: bool) -> Result<DeviceOffer, AppError> {
    Ok(DeviceOffer {
        code: offer.code().to_string(),
        qr_svg: qr_svg(&offer.code().qr_text())?,
        expires_at_ms: offer.expires_at_ms(),
        answered,
    })
}
