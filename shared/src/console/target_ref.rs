//! How the console names a target in its URLs and lists: `{symbol}-{number}-{id}`, the insured
//! person's card (記号-番号) and the target's id. With the staff member's union and its current
//! survey year that is the target's whole key, so the console reaches a target with one GetItem
//! and needs no pointer item; another union's target is simply not under this union's keys.

use crate::campaign::TARGET_ID_BYTES;
use crate::domain::{CardNumber, CardSymbol, InsurerCode};
use crate::store::Key;
use crate::store::records::Target;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRef {
    pub symbol: CardSymbol,
    pub number: CardNumber,
    pub id: String,
}

impl TargetRef {
    pub fn of(target: &Target) -> Self {
        Self {
            symbol: target.symbol.clone(),
            number: target.number.clone(),
            id: target.id.clone(),
        }
    }

    /// The reference in a path, or `None` for anything that cannot name a target (answered as a
    /// missing one, without reading the table).
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('-');
        let (symbol, number, id) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let is_id = id.len() == 2 * TARGET_ID_BYTES && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        // Only the canonical form: the parsers would accept full-width digits and spaces.
        let canonical = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !is_id || !canonical(symbol) || !canonical(number) {
            return None;
        }
        Some(Self {
            symbol: CardSymbol::parse(symbol).ok()?,
            number: CardNumber::parse(number).ok()?,
            id: id.to_string(),
        })
    }

    pub fn key(&self, insurer: &InsurerCode, year: i32) -> Key {
        Target::key(insurer, year, &self.symbol, &self.number, &self.id)
    }
}

impl fmt::Display for TargetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.symbol.as_str(), self.number.as_str(), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_reads_back_as_written_and_nothing_else_is_one() {
        let id = "0123456789abcdef0123456789abcdef";
        let text = format!("1001-23-{id}");
        let parsed = TargetRef::parse(&text).unwrap();
        assert_eq!(parsed.to_string(), text);
        for wrong in [
            String::new(),
            format!("1001-{id}"),
            format!("1001-23-{id}-1"),
            format!("１００１-23-{id}"),
            format!("1001-23-{}", id.to_uppercase()),
            "1001-23-abc".to_string(),
            format!("-23-{id}"),
        ] {
            assert_eq!(TargetRef::parse(&wrong), None, "{wrong}");
        }
    }
}
