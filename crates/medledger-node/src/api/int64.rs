//! Integers in requests are JSON Schema `int64` with `minimum: 0` (what the OpenAPI document
//! says of every height, offset and time): these read a query's number as `u64` and refuse one
//! above `i64::MAX`, so a client is never told a number is fine that the document rules out.

use serde::{Deserialize, Deserializer};

fn bounded<E: serde::de::Error>(n: u64) -> Result<u64, E> {
    if n > i64::MAX as u64 {
        return Err(E::custom(format!("{n} is over the largest int64")));
    }
    Ok(n)
}

/// A required query number.
pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    bounded(u64::deserialize(d)?)
}

/// An optional query number (`#[serde(default, deserialize_with = "int64::optional")]`).
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Option::<u64>::deserialize(d)?.map(bounded).transpose()
}

/// A number in a path (`/v1/headers/{height}`), or why it is not one.
pub fn parse(text: &str) -> Option<u64> {
    text.parse::<u64>().ok().filter(|&n| n <= i64::MAX as u64)
}
