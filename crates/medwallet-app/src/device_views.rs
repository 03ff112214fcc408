//! What the Devices screens show: the code an unlocked wallet offers and the check code once a
//! new device answered; on the new device, its check code and whether the wallet arrived.

use serde::Serialize;
use ts_rs::TS;

use crate::views::WalletStatus;

/// An unlocked wallet adding a device.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceOffer {
    /// What the person types on the new device ("31874-ocean-velvet-ranch").
    pub code: String,
    /// The code as a QR code (SVG).
    pub qr_svg: String,
    pub expires_at_ms: u64,
    /// A device answered and proved it holds the code: ask the person for the check code it
    /// shows (this device never shows its own, so it cannot just be copied across).
    pub answered: bool,
}

/// A new device joining a wallet.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinedDevice {
    /// The code to compare with the unlocked device's.
    pub check_code: String,
    /// The wallet arrived and this device holds it now.
    pub done: bool,
    pub status: Option<WalletStatus>,
}
