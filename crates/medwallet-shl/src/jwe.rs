//! SMART Health Link files: JWE compact serialization (RFC 7516) with `alg: dir` and
//! `enc: A256GCM` (RFC 7518 §5.3) under the link's key, a `cty` naming the content, and
//! optionally `zip: DEF` (raw DEFLATE, RFC 1951) applied before encryption.
//!
//! ```text
//! BASE64URL(header) . "" . BASE64URL(iv, 12 bytes) . BASE64URL(ciphertext) . BASE64URL(tag, 16 bytes)
//! AAD = ASCII(BASE64URL(header))
//! ```
//!
//! One key encrypts every file of a link, over time too, so no two different files share an
//! IV: each gets a fresh random one ([`encrypt`]) or one derived from its content
//! ([`encrypt_synthetic_iv`]).
//! No well-kept pure-Rust JOSE crate covers `dir` + A256GCM + `zip: DEF` without OpenSSL, so
//! the (small) compact format is written here over RustCrypto's AES-GCM.

use std::io::{Read, Write};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use hmac::{Hmac, Mac};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::{LinkKey, ShlError};

/// The largest file (compact form) this decoder reads.
pub const MAX_FILE_LEN: usize = 64 * 1024 * 1024;
/// The largest plaintext a file may inflate to (a DEFLATE bomb stops here).
pub const MAX_PLAINTEXT_LEN: usize = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    enc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cty: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zip: Option<String>,
}

/// A decrypted file.
#[derive(Debug)]
pub struct Opened {
    /// The content type the file declares (`application/fhir+json`, …).
    pub content_type: Option<String>,
    pub plaintext: Vec<u8>,
}

/// Encrypts `plaintext` as a link file (compressed first with `deflate`) under a fresh random IV.
pub fn encrypt<R: CryptoRng + ?Sized>(
    key: &LinkKey,
    rng: &mut R,
    content_type: &str,
    plaintext: &[u8],
    deflate: bool,
) -> Result<String, ShlError> {
    let (header, body) = prepare(content_type, plaintext, deflate)?;
    let mut iv = [0u8; 12];
    rng.fill_bytes(&mut iv);
    seal(key, iv, &header, &body)
}

/// Encrypts like [`encrypt`], with the IV derived from the key and the content (HMAC-SHA256,
/// as a synthetic IV): the same file under the same key encrypts to the same bytes, so a
/// long-term link's wallet sees whether a file changed by its hash alone; an IV repeats only
/// for identical files, which then reveals nothing but that they are identical.
pub fn encrypt_synthetic_iv(
    key: &LinkKey,
    content_type: &str,
    plaintext: &[u8],
    deflate: bool,
) -> Result<String, ShlError> {
    let (header, body) = prepare(content_type, plaintext, deflate)?;
    let iv = synthetic_iv(key, &header, &body)?;
    seal(key, iv, &header, &body)
}

/// [`encrypt_synthetic_iv`] of a deflated file whose body (and so ciphertext) length is
/// `bucket(n)` for the `n` bytes deflate needs plus 5: what the ledger and a node see of the
/// file's size is its bucket. The padding is stored DEFLATE blocks of spaces after the
/// compressed data, so the file inflates to the plaintext followed by whitespace (which JSON
/// ignores); any RFC 1951 inflater reads it.
pub fn encrypt_padded(
    key: &LinkKey,
    content_type: &str,
    plaintext: &[u8],
    bucket: impl Fn(usize) -> usize,
) -> Result<String, ShlError> {
    let (header, _) = prepare(content_type, &[], true)?;
    let body = padded_deflate(plaintext, bucket)?;
    let iv = synthetic_iv(key, &header, &body)?;
    seal(key, iv, &header, &body)
}

/// Largest stored DEFLATE block.
const STORED_MAX: usize = 65_535;

fn padded_deflate(
    plaintext: &[u8],
    bucket: impl Fn(usize) -> usize,
) -> Result<Zeroizing<Vec<u8>>, ShlError> {
    if plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(ShlError::TooLarge(MAX_PLAINTEXT_LEN));
    }
    // A sync flush ends the compressed data on a byte boundary with no final block, so stored
    // blocks can follow. `Write::flush` on the encoder runs the sync flush until the compressor
    // has nothing left to write (one call to the raw compressor may stop short of that).
    let failed = |e: std::io::Error| ShlError::NotAFile(e.to_string());
    let mut deflate = DeflateEncoder::new(
        Vec::with_capacity(plaintext.len() / 4 + 1024),
        Compression::default(),
    );
    deflate.write_all(plaintext).map_err(failed)?;
    deflate.flush().map_err(failed)?;
    // Taken before the encoder is dropped (which writes its final block into what is left).
    let mut out = Zeroizing::new(std::mem::take(deflate.get_mut()));
    drop(deflate);
    let target = bucket(out.len() + 5).max(out.len() + 5);
    let mut left = target - out.len();
    while left > 0 {
        let mut n = (left - 5).min(STORED_MAX);
        // Leave either nothing or room for one more block (5 bytes of header at least).
        if (1..5).contains(&(left - 5 - n)) {
            n -= 5;
        }
        let last = left - 5 - n == 0;
        out.push(u8::from(last));
        out.extend_from_slice(&(n as u16).to_le_bytes());
        out.extend_from_slice(&(!(n as u16)).to_le_bytes());
        let end = out.len() + n;
        out.resize(end, b' ');
        left -= 5 + n;
    }
    Ok(out)
}

fn synthetic_iv(key: &LinkKey, header: &str, body: &[u8]) -> Result<[u8; 12], ShlError> {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key.as_bytes())
        .map_err(|_| ShlError::NotAFile("HMAC key".into()))?;
    mac.update(b"medwallet/shl-file-iv/v1\0");
    mac.update(header.as_bytes());
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut iv = [0u8; 12];
    iv.copy_from_slice(&tag[..12]);
    Ok(iv)
}

/// The protected header (base64url) and the body to encrypt (deflated if asked).
fn prepare(
    content_type: &str,
    plaintext: &[u8],
    deflate: bool,
) -> Result<(String, Zeroizing<Vec<u8>>), ShlError> {
    if plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(ShlError::TooLarge(MAX_PLAINTEXT_LEN));
    }
    let header = Header {
        alg: "dir".into(),
        enc: "A256GCM".into(),
        cty: Some(content_type.to_owned()),
        zip: deflate.then(|| "DEF".to_owned()),
    };
    let header = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&header).map_err(|e| ShlError::NotAFile(e.to_string()))?);
    let body = if deflate {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
        encoder
            .write_all(plaintext)
            .map_err(|e| ShlError::NotAFile(e.to_string()))?;
        Zeroizing::new(
            encoder
                .finish()
                .map_err(|e| ShlError::NotAFile(e.to_string()))?,
        )
    } else {
        Zeroizing::new(plaintext.to_vec())
    };
    Ok((header, body))
}

fn seal(key: &LinkKey, iv: [u8; 12], header: &str, body: &[u8]) -> Result<String, ShlError> {
    let sealed = cipher(key)
        .encrypt(
            &Nonce::from(iv),
            Payload {
                msg: body,
                aad: header.as_bytes(),
            },
        )
        .map_err(|_| ShlError::TooLarge(MAX_PLAINTEXT_LEN))?;
    let (ciphertext, tag) = sealed.split_at(sealed.len() - 16);
    Ok(format!(
        "{header}..{}.{}.{}",
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(ciphertext),
        URL_SAFE_NO_PAD.encode(tag)
    ))
}

/// Decrypts a link file: checks its header is this profile's, opens it, inflates it (bounded).
pub fn decrypt(key: &LinkKey, compact: &str) -> Result<Opened, ShlError> {
    if compact.len() > MAX_FILE_LEN {
        return Err(ShlError::TooLarge(MAX_FILE_LEN));
    }
    let parts: Vec<&str> = compact.trim().split('.').collect();
    let [header_b64, encrypted_key, iv, ciphertext, tag] = parts[..] else {
        return Err(ShlError::NotAFile("a compact JWE has five parts".into()));
    };
    let b64 = |part: &str, what: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| ShlError::NotAFile(format!("the {what} is not base64url")))
    };
    let header: Header = serde_json::from_slice(&b64(header_b64, "header")?)
        .map_err(|e| ShlError::NotAFile(format!("the header is not valid: {e}")))?;
    if header.alg != "dir" || header.enc != "A256GCM" {
        return Err(ShlError::NotAFile(format!(
            "{} + {} is not the SMART Health Links profile (dir + A256GCM)",
            header.alg, header.enc
        )));
    }
    if !encrypted_key.is_empty() {
        return Err(ShlError::NotAFile("dir carries no encrypted key".into()));
    }
    let iv: [u8; 12] = b64(iv, "IV")?
        .try_into()
        .map_err(|_| ShlError::NotAFile("the IV is not 12 bytes".into()))?;
    let tag = b64(tag, "tag")?;
    if tag.len() != 16 {
        return Err(ShlError::NotAFile("the tag is not 16 bytes".into()));
    }
    let mut sealed = b64(ciphertext, "ciphertext")?;
    sealed.extend_from_slice(&tag);
    let body = Zeroizing::new(
        cipher(key)
            .decrypt(
                &Nonce::from(iv),
                Payload {
                    msg: &sealed,
                    aad: header_b64.as_bytes(),
                },
            )
            .map_err(|_| ShlError::Decrypt)?,
    );
    let plaintext = match header.zip.as_deref() {
        None => body.to_vec(),
        Some("DEF") => inflate(&body)?,
        Some(other) => {
            return Err(ShlError::NotAFile(format!("unknown compression {other:?}")));
        }
    };
    Ok(Opened {
        content_type: header.cty,
        plaintext,
    })
}

fn cipher(key: &LinkKey) -> Aes256Gcm {
    Aes256Gcm::new(key.as_bytes().into())
}

fn inflate(body: &[u8]) -> Result<Vec<u8>, ShlError> {
    let mut out = Vec::new();
    DeflateDecoder::new(body)
        .take(MAX_PLAINTEXT_LEN as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| ShlError::NotAFile("the compressed contents are damaged".into()))?;
    if out.len() > MAX_PLAINTEXT_LEN {
        return Err(ShlError::TooLarge(MAX_PLAINTEXT_LEN));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
