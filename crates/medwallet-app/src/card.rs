//! My card: what a patient shows a clinic so it can issue records to them, and a share code of
//! its own for each further clinic (a fresh account, registered on the ledger).

use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::{AppError, ErrorCode};
use crate::session::App;
use crate::views::{Card, ShareCodeItem};

/// `text` as a QR code (SVG), drawn by the `qrcode` crate.
pub(crate) fn qr_svg(text: &str) -> Result<String, AppError> {
    let qr = QrCode::new(text.as_bytes())
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("QR code: {e}")))?;
    Ok(qr
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

impl App {
    /// Address, share code, and the share code as a QR code (SVG). The address is account 0's
    /// on the ledger, which stays its first key's after a rotation; the share code carries the
    /// current keys (clinics find the account from them by proof).
    pub fn card(&self) -> Result<Card, AppError> {
        let public = self.keys()?.public();
        let share_code = public.share_code().to_string();
        let qr_svg = qr_svg(&share_code.to_uppercase())?;
        Ok(Card {
            address: medwallet_core::input::display_address(&self.wallet()?.address()),
            share_code,
            qr_svg,
        })
    }

    /// The patient's share codes, one per relationship, as the wallet keeps them.
    pub fn share_codes(&self) -> Result<Vec<ShareCodeItem>, AppError> {
        let wallet = self.wallet()?;
        wallet
            .relationships()
            .iter()
            .map(|r| share_code_item(r, wallet.share_code(r.account)))
            .collect()
    }

    /// A share code for one more clinic: a fresh account, registered on the ledger first.
    pub async fn new_share_code(&self, label: &str) -> Result<ShareCodeItem, AppError> {
        let wallet = self.wallet()?;
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
        let (relationship, code) = self
            .with_ledger(async |source| wallet.new_relationship(source, label, &mut rng).await)
            .await?;
        share_code_item(&relationship, code)
    }
}

fn share_code_item(
    relationship: &medwallet_core::Relationship,
    code: medwallet_crypto::ShareCode,
) -> Result<ShareCodeItem, AppError> {
    let share_code = code.to_string();
    Ok(ShareCodeItem {
        account: relationship.account,
        label: relationship.label.clone(),
        qr_svg: qr_svg(&share_code.to_uppercase())?,
        address: code.address().to_string(),
        share_code,
    })
}
