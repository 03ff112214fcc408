//! `rotate-keys`: moves every account of the wallet to the keys of a new recovery phrase (for a
//! phrase or a device that may have leaked), and prints the new phrase.
//!
//! The new phrase is kept (in `keystore.next.mdw`, under the same password) before any account
//! moves, and replaces the wallet's keystore only once the rotation is done; a rotation that
//! was interrupted is finished by running the command again, with the same new phrase.

use medwallet_crypto::KdfParams;
use medwallet_store::WalletDir;
use serde_json::json;

use crate::output::Output;
use crate::session::Context;

pub fn rotate_keys(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let dir = WalletDir::new(ctx.wallet);
    let password = ctx.password.read()?;
    let prepared = dir.prepare_rotation(&password, KdfParams::RFC9106_SECOND, &mut rand::rng())?;
    let rotation = if prepared.finished {
        // Interrupted after the last step: only the keystore is left to replace.
        medwallet_core::Rotation::default()
    } else {
        ctx.run(async |wallet, source| {
            wallet
                .rotate_keys(source, &prepared.phrase, &mut rand::rng())
                .await
        })?
    };
    dir.finish_rotation()?;
    let resumed = prepared.resumed;
    let words = prepared.phrase.words();
    out.print(
        &format!(
            "{}Your accounts are under new keys: {} account(s) moved, {} record key(s) wrapped anew, {} share(s) made again (their old grants revoked), {} link(s) revoked (make them again if you still need them){}.\nThe old recovery phrase and any device holding it can no longer sign for you.\n\nNew recovery phrase (write it down now; the old one no longer restores this wallet):\n{}",
            if resumed {
                "Finished the rotation that was under way. "
            } else {
                ""
            },
            rotation.accounts,
            rotation.records_rewrapped,
            rotation.shares_moved,
            rotation.links_revoked,
            if rotation.guardians_kept > 0 {
                format!(
                    "; your {} guardian(s) now hold shares of the new phrase",
                    rotation.guardians_kept
                )
            } else {
                String::new()
            },
            words.as_str()
        ),
        json!({
            "accounts": rotation.accounts,
            "records_rewrapped": rotation.records_rewrapped,
            "shares_moved": rotation.shares_moved,
            "links_revoked": rotation.links_revoked,
            "guardians_kept": rotation.guardians_kept,
            "height": rotation.height,
            "resumed": resumed,
            "mnemonic": words.as_str(),
        }),
    );
    Ok(())
}
