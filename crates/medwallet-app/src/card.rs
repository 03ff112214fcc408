//! My card: what a patient shows a clinic so it can issue records to them.

use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::{AppError, ErrorCode};
use crate::session::App;
use crate::views::Card;

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
    /// Address, share code, and the share code as a QR code (SVG).
    pub fn card(&self) -> Result<Card, AppError> {
        let public = self.keys()?.public();
        let share_code = public.share_code().to_string();
        let qr_svg = qr_svg(&share_code.to_uppercase())?;
        Ok(Card {
            address: public.address().to_string(),
            share_code,
            qr_svg,
        })
    }
}
