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
        let emergency_keys = ctx.genesis()?.emergency_keys;
        ctx.run(async |wallet, source| {
            wallet
                .rotate_keys(source, &prepared.phrase, &emergency_keys, &mut rand::rng())
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
            [
                (rotation.guardians_kept > 0).then(|| format!(
                    "; your {} guardian(s) now hold shares of the new phrase",
                    rotation.guardians_kept
                )),
                rotation
                    .emergency_set_kept
                    .then(|| "; your emergency set is sealed again under the new keys".to_owned()),
            ]
            .into_iter()
            .flatten()
            .collect::<String>(),
            words.as_str()
        ),
        json!({
            "accounts": rotation.accounts,
            "records_rewrapped": rotation.records_rewrapped,
            "shares_moved": rotation.shares_moved,
            "links_revoked": rotation.links_revoked,
            "guardians_kept": rotation.guardians_kept,
            "emergency_set_kept": rotation.emergency_set_kept,
            "height": rotation.height,
            "resumed": resumed,
            "mnemonic": words.as_str(),
        }),
    );
    Ok(())
}
