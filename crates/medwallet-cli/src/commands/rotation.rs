//! `rotate-keys`: moves every account of the wallet to the keys of a new recovery phrase (for a
//! phrase or a device that may have leaked), and prints the new phrase.
//!
//! The new phrase is kept (in `keystore.next.mdw`, under the same password) before any account
//! moves, and replaces the wallet's keystore only once the rotation is done; a rotation that
//! was interrupted is finished by running the command again, with the same new phrase.

use std::sync::Arc;

use anyhow::Context as _;
use medwallet_crypto::{AccountKeys, KdfParams, Keystore, RecoveryPhrase};
use medwallet_store::WalletDir;
use serde_json::json;

use crate::output::Output;
use crate::session::Context;

pub fn rotate_keys(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let dir = WalletDir::new(ctx.wallet);
    let keystore = dir.load_keystore()?;
    let password = ctx.password.read()?;
    // The password is checked before anything is written.
    keystore.unlock(&password)?;
    let (phrase, resumed) = match dir.load_next_keystore()? {
        Some(kept) => (
            kept.unlock(&password)
                .context("the rotation under way was kept under another password")?,
            true,
        ),
        None => {
            let phrase = RecoveryPhrase::generate(&mut rand::rng());
            let params = keystore.params().at_least(KdfParams::RFC9106_SECOND);
            let kept = Keystore::create(
                &phrase,
                &password,
                keystore.label(),
                params,
                &mut rand::rng(),
            )?;
            dir.keep_next_keystore(&kept)?;
            (phrase, false)
        }
    };
    let next = Arc::new(AccountKeys::derive(&phrase));
    // Interrupted after the last step (the cache already sealed to the new keys): only the
    // keystore is left to replace.
    let finished = match dir.load_cache()? {
        Some(bytes) => medwallet_core::cache::open_cache(&next, &bytes).is_ok(),
        None => false,
    };
    let rotation = if finished {
        medwallet_core::Rotation::default()
    } else {
        ctx.run(async |wallet, source| {
            wallet
                .rotate_keys(source, next.clone(), &mut rand::rng())
                .await
        })?
    };
    dir.finish_rotation()?;
    let words = phrase.words();
    out.print(
        &format!(
            "{}Your accounts are under new keys: {} account(s) moved, {} record key(s) wrapped anew, {} share(s) made again (their old grants revoked), {} link(s) revoked (make them again if you still need them).\nThe old recovery phrase and any device holding it can no longer sign for you.\n\nNew recovery phrase (write it down now; the old one no longer restores this wallet):\n{}",
            if resumed {
                "Finished the rotation that was under way. "
            } else {
                ""
            },
            rotation.accounts,
            rotation.records_rewrapped,
            rotation.shares_moved,
            rotation.links_revoked,
            words.as_str()
        ),
        json!({
            "accounts": rotation.accounts,
            "records_rewrapped": rotation.records_rewrapped,
            "shares_moved": rotation.shares_moved,
            "links_revoked": rotation.links_revoked,
            "height": rotation.height,
            "resumed": resumed,
            "mnemonic": words.as_str(),
        }),
    );
    Ok(())
}
