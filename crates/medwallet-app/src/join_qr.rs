//! The device-join code read from a QR code in a camera frame or a picture. The webview decodes
//! the picture or grabs the frame and sends its greyscale pixels; here `rqrr` finds the QR
//! codes in them and the first that holds a Medwallet join code wins. Nothing but the code's
//! text comes out.

use medwallet_crypto::device_join::JoinCode;

use crate::error::AppError;

/// Largest frame or picture side read (a downscaled photo is plenty for a QR on a screen).
pub const MAX_SIDE: u32 = 4096;

/// The join code in a `width` × `height` greyscale image (`luma`, row by row).
pub(crate) fn join_code_in(width: u32, height: u32, luma: &[u8]) -> Result<JoinCode, AppError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(AppError::invalid(format!(
            "a picture of 1 to {MAX_SIDE} pixels a side, not {width} × {height}"
        )));
    }
    let (w, h) = (width as usize, height as usize);
    if luma.len() != w * h {
        return Err(AppError::invalid(format!(
            "{} bytes of pixels for a {width} × {height} picture",
            luma.len()
        )));
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
    image
        .detect_grids()
        .iter()
        .filter_map(|grid| grid.decode().ok())
        .find_map(|(_, text)| JoinCode::parse(&text).ok())
        .ok_or_else(|| {
            AppError::invalid(
                "no Medwallet device code in this picture: hold the other device's code steady and closer, or type it",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as a QR code, `scale` pixels a module, with a white quiet zone (what a camera
    /// sees of the other device's screen, without the blur).
    fn picture(text: &str, scale: usize) -> (u32, u32, Vec<u8>) {
        let qr = qrcode::QrCode::new(text.as_bytes()).expect("qr");
        let modules = qr.width();
        let colors = qr.to_colors();
        let side = (modules + 8) * scale;
        let mut luma = vec![255u8; side * side];
        for (i, color) in colors.iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (mx, my) = (i % modules + 4, i / modules + 4);
                for dy in 0..scale {
                    for dx in 0..scale {
                        luma[(my * scale + dy) * side + mx * scale + dx] = 0;
                    }
                }
            }
        }
        (side as u32, side as u32, luma)
    }

    #[test]
    fn a_join_code_is_read_from_its_qr_and_anything_else_is_refused() {
        let code = JoinCode::parse("31874-ocean-velvet-ranch").expect("code");
        let (w, h, luma) = picture(&code.qr_text(), 6);
        assert_eq!(join_code_in(w, h, &luma).expect("read"), code);
        // A QR code that is not a join code (a share code, a link): not taken for one.
        let (w, h, luma) = picture("https://example.org/not-a-join-code", 6);
        assert!(join_code_in(w, h, &luma).is_err());
        // No QR code at all.
        assert!(join_code_in(64, 64, &[200; 64 * 64]).is_err());
        // Pixels that do not match the size, or a size past the bound: refused before reading.
        assert!(join_code_in(64, 64, &[0; 10]).is_err());
        assert!(join_code_in(MAX_SIDE + 1, 1, &[0; MAX_SIDE as usize + 1]).is_err());
        assert!(join_code_in(0, 0, &[]).is_err());
    }
}
