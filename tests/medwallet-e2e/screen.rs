//! Screenshots of the real window as the X server shows it (Xvfb's root window, cropped to the
//! app). WebKitWebDriver's own screenshot command waits for a presentation update that, under
//! Xvfb with no compositor, sometimes never comes (seen here: the command hung for minutes on
//! an idle page), so the pixels are read from the display instead: what a user would see.

use anyhow::{Context, Result, bail};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat, ImageOrder};

/// A rectangle of the screen, in pixels.
#[derive(Clone, Copy, Debug)]
pub struct Area {
    pub x: i16,
    pub y: i16,
    pub width: u16,
    pub height: u16,
}

/// Captures `area` (clipped to the screen; the whole screen when `None`) as a PNG.
pub fn capture_png(area: Option<Area>) -> Result<Vec<u8>> {
    let (conn, screen_num) = x11rb::connect(None).context("connecting to the X display")?;
    let setup = conn.setup();
    let screen = &setup.roots[screen_num];
    let (sw, sh) = (screen.width_in_pixels, screen.height_in_pixels);
    let a = area.unwrap_or(Area {
        x: 0,
        y: 0,
        width: sw,
        height: sh,
    });
    let x = a.x.clamp(0, sw as i16);
    let y = a.y.clamp(0, sh as i16);
    let width = a.width.min(sw - x as u16);
    let height = a.height.min(sh - y as u16);
    if width == 0 || height == 0 {
        bail!("nothing to capture at {a:?} on a {sw}x{sh} screen");
    }
    let bpp = setup
        .pixmap_formats
        .iter()
        .find(|f| f.depth == screen.root_depth)
        .map(|f| f.bits_per_pixel)
        .context("no pixmap format for the root depth")?;
    if bpp != 32 || setup.image_byte_order != ImageOrder::LSB_FIRST {
        bail!(
            "unsupported X image layout: {bpp} bits per pixel, {:?}",
            setup.image_byte_order
        );
    }
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, screen.root, x, y, width, height, !0)?
        .reply()
        .context("reading the screen")?;
    // 32-bit little-endian pixels: blue, green, red, padding.
    let rgb: Vec<u8> = image
        .data
        .chunks_exact(4)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect();
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, u32::from(width), u32::from(height));
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&rgb)?;
    Ok(png)
}
