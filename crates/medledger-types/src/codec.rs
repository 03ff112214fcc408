//! A small canonical binary codec with a bound on every length.
//!
//! Integers are fixed-width big-endian; byte strings, strings and lists carry a `u32` length or
//! count that the decoder checks against an explicit maximum *before* allocating; options are a
//! `0x00`/`0x01` tag. There is exactly one encoding per value, so `encode(decode(b)) == b` for
//! every accepted `b`, and hashes over encodings are well defined.

use thiserror::Error;

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodecError {
    #[error("input ends early while reading {0}")]
    Truncated(&'static str),
    #[error("{field} has length {len}, more than the limit {max}")]
    TooLong {
        field: &'static str,
        len: u64,
        max: usize,
    },
    #[error("unknown {field} tag {tag}")]
    UnknownTag { field: &'static str, tag: u8 },
    #[error("{0} is not valid UTF-8")]
    NotUtf8(&'static str),
    #[error("{0} trailing bytes after the value")]
    Trailing(usize),
    #[error("invalid {0}")]
    Invalid(&'static str),
}

/// Appends canonical encodings to a buffer.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    /// Fixed-size bytes, no prefix.
    pub fn fixed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Length-prefixed bytes. Callers keep lengths within their declared maxima, all far
    /// below `u32::MAX`.
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.u32(bytes.len() as u32);
        self.fixed(bytes);
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    /// A list: `u32` count, then each item.
    pub fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.u32(items.len() as u32);
        for item in items {
            each(self, item);
        }
    }

    pub fn option<T>(&mut self, value: Option<&T>, each: impl FnOnce(&mut Self, &T)) {
        match value {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                each(self, v);
            }
        }
    }
}

/// Reads canonical encodings; every read is bounds-checked.
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Fails unless everything was read.
    pub fn finish(self) -> Result<(), CodecError> {
        match self.rest.len() {
            0 => Ok(()),
            n => Err(CodecError::Trailing(n)),
        }
    }

    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        if self.rest.len() < n {
            return Err(CodecError::Truncated(what));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, CodecError> {
        Ok(self.take(1, what)?[0])
    }

    pub fn u16(&mut self, what: &'static str) -> Result<u16, CodecError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32, CodecError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    pub fn u64(&mut self, what: &'static str) -> Result<u64, CodecError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    pub fn bool(&mut self, what: &'static str) -> Result<bool, CodecError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(CodecError::UnknownTag { field: what, tag }),
        }
    }

    fn length(&mut self, what: &'static str, max: usize) -> Result<usize, CodecError> {
        let len = self.u32(what)?;
        if len as u64 > max as u64 {
            return Err(CodecError::TooLong {
                field: what,
                len: len.into(),
                max,
            });
        }
        Ok(len as usize)
    }

    /// Length-prefixed bytes of at most `max` bytes.
    pub fn bytes(&mut self, what: &'static str, max: usize) -> Result<Vec<u8>, CodecError> {
        let len = self.length(what, max)?;
        Ok(self.take(len, what)?.to_vec())
    }

    /// A UTF-8 string of at most `max` bytes.
    pub fn string(&mut self, what: &'static str, max: usize) -> Result<String, CodecError> {
        String::from_utf8(self.bytes(what, max)?).map_err(|_| CodecError::NotUtf8(what))
    }

    /// A list of at most `max` items. The count is checked before anything is allocated, and
    /// the allocation is also capped by the bytes actually left.
    pub fn list<T>(
        &mut self,
        what: &'static str,
        max: usize,
        mut each: impl FnMut(&mut Self) -> Result<T, CodecError>,
    ) -> Result<Vec<T>, CodecError> {
        let count = self.length(what, max)?;
        let mut out = Vec::with_capacity(count.min(self.rest.len()));
        for _ in 0..count {
            out.push(each(self)?);
        }
        Ok(out)
    }

    pub fn option<T>(
        &mut self,
        what: &'static str,
        each: impl FnOnce(&mut Self) -> Result<T, CodecError>,
    ) -> Result<Option<T>, CodecError> {
        match self.u8(what)? {
            0 => Ok(None),
            1 => each(self).map(Some),
            tag => Err(CodecError::UnknownTag { field: what, tag }),
        }
    }
}

/// A value with one canonical encoding.
pub trait Canonical: Sized {
    /// Appends the encoding.
    fn write(&self, w: &mut Writer);
    /// Reads one value (not necessarily consuming the input).
    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError>;

    /// The encoding.
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.write(&mut w);
        w.finish()
    }

    /// Decodes a value that must span all of `bytes`, refusing inputs over `max_len`.
    fn decode(bytes: &[u8], max_len: usize) -> Result<Self, CodecError> {
        if bytes.len() > max_len {
            return Err(CodecError::TooLong {
                field: "input",
                len: bytes.len() as u64,
                max: max_len,
            });
        }
        let mut r = Reader::new(bytes);
        let value = Self::read(&mut r)?;
        r.finish()?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_checked_before_allocating() {
        let mut w = Writer::new();
        w.u32(u32::MAX);
        let bytes = w.finish();
        let err = Reader::new(&bytes).bytes("blob", 10).expect_err("too long");
        assert_eq!(
            err,
            CodecError::TooLong {
                field: "blob",
                len: u32::MAX.into(),
                max: 10
            }
        );
        let err = Reader::new(&bytes)
            .list("items", 10, |r| r.u8("x"))
            .expect_err("too many");
        assert!(matches!(err, CodecError::TooLong { .. }));
    }

    #[test]
    fn a_count_larger_than_the_input_fails_without_a_huge_allocation() {
        let mut w = Writer::new();
        w.u32(1_000_000);
        let bytes = w.finish();
        let err = Reader::new(&bytes)
            .list("items", 2_000_000, |r| r.u64("x"))
            .expect_err("truncated");
        assert_eq!(err, CodecError::Truncated("x"));
    }

    #[test]
    fn tags_and_utf8_are_validated() {
        assert_eq!(
            Reader::new(&[2]).bool("flag"),
            Err(CodecError::UnknownTag {
                field: "flag",
                tag: 2
            })
        );
        assert_eq!(
            Reader::new(&[7]).option("opt", |r| r.u8("v")),
            Err(CodecError::UnknownTag {
                field: "opt",
                tag: 7
            })
        );
        let mut w = Writer::new();
        w.bytes(&[0xff, 0xfe]);
        assert_eq!(
            Reader::new(&w.finish()).string("name", 10),
            Err(CodecError::NotUtf8("name"))
        );
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let r = Reader::new(&[1, 2]);
        assert_eq!(r.finish(), Err(CodecError::Trailing(2)));
    }
}
