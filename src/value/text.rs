//! How a text becomes a [`Value`](super::Value): short ASCII texts are packed into the value itself,
//! every other text is interned in the store's [`TextInterner`](crate::intern::TextInterner).
//!
//! A text of at most [`INLINE_MAX`] bytes, all ASCII and none NUL, is *inline*: bit 63 is set and the
//! characters sit in the other 63 bits, seven bits each, the first character highest, unused places
//! zero. Any other text is interned and its value is its interner id (below 2³², so bit 63 is clear).
//!
//! Invariants: the encoding is canonical — a text that fits inline is never interned — so equal texts
//! have equal bits whichever way they came in; two inline texts order by their raw bits exactly as
//! their strings order (a shorter prefix pads with zeros, and every character is above zero).
//!
//! Why: identifiers (company ids, shipment ids, country and program codes) are short. Packing them
//! skips a hash-table lookup per field when facts are loaded — on the issue-9 workload that lookup
//! was half the batch time, one cache miss in a table of a million shipment ids each — and makes
//! sorting them an integer comparison.

use std::fmt;
use std::ops::Deref;

/// The most bytes an inline text holds (9 × 7 bits = 63 bits).
pub const INLINE_MAX: usize = 9;

/// Bit 63: set in an inline text, clear in an interned one.
pub const INLINE_TAG: u64 = 1 << 63;

/// The raw bits of `s` packed inline, when it fits.
pub fn pack(s: &str) -> Option<u64> {
    pack_bytes(s.as_bytes())
}

/// The raw bits of the text `bytes` packed inline, when they are a text that fits (ASCII, so valid
/// UTF-8, without NUL).
pub fn pack_bytes(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > INLINE_MAX {
        return None;
    }
    let mut raw = INLINE_TAG;
    for (i, &b) in bytes.iter().enumerate() {
        if b == 0 || b > 0x7f {
            return None;
        }
        raw |= u64::from(b) << shift(i);
    }
    Some(raw)
}

/// Whether `raw` is an inline text.
pub fn is_inline(raw: u64) -> bool {
    raw & INLINE_TAG != 0
}

fn shift(i: usize) -> u32 {
    (7 * (INLINE_MAX - 1 - i)) as u32
}

/// The characters of an inline text.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct InlineText {
    bytes: [u8; INLINE_MAX],
    len: u8,
}

impl InlineText {
    /// Unpacks `raw`, which must be an inline text.
    pub fn unpack(raw: u64) -> InlineText {
        let mut bytes = [0; INLINE_MAX];
        let mut len = 0;
        for (i, slot) in bytes.iter_mut().enumerate() {
            let b = ((raw >> shift(i)) & 0x7f) as u8;
            if b == 0 {
                break;
            }
            *slot = b;
            len += 1;
        }
        InlineText { bytes, len }
    }

    pub fn as_str(&self) -> &str {
        // Seven-bit bytes are ASCII, so always valid UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

/// A text value's characters: borrowed from the store when interned, carried when inline.
/// Dereferences to `str`.
#[derive(Clone, Copy)]
pub enum Text<'a> {
    Interned(&'a str),
    Inline(InlineText),
}

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Interned(s) => s,
            Text::Inline(t) => t.as_str(),
        }
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ascii_texts_pack_and_unpack() {
        for s in [
            "",
            "A",
            "MX",
            "C0079174",
            "S00000000",
            "GOLDEN-LI",
            "a b~\x7f",
        ] {
            let raw = pack(s).unwrap_or_else(|| panic!("{s:?} fits inline"));
            assert!(is_inline(raw));
            assert_eq!(InlineText::unpack(raw).as_str(), s);
        }
    }

    #[test]
    fn long_non_ascii_or_nul_texts_do_not_pack() {
        for s in ["GOLDEN-LIST", "Überseer", "é", "a\0b", "0123456789"] {
            assert_eq!(pack(s), None, "{s:?}");
        }
    }

    #[test]
    fn inline_bits_order_as_the_texts_do() {
        let mut texts = vec![
            "",
            "A",
            "AA",
            "AB",
            "B",
            "Z",
            "a",
            "MX",
            "MXA",
            "~",
            "!",
            "S00000001",
        ];
        texts.sort();
        let raws: Vec<u64> = texts.iter().map(|s| pack(s).unwrap_or(0)).collect();
        let mut sorted = raws.clone();
        sorted.sort();
        assert_eq!(raws, sorted);
    }

    proptest::proptest! {
        /// Canonical and order-preserving: any text round-trips through the store, inline exactly
        /// when it fits, and two texts compare as their strings do whichever way each is stored.
        #[test]
        fn texts_round_trip_and_order_as_strings(a in "[\\x00-\\x7f]{0,11}|\\PC{0,4}", b in "[ -~]{0,10}") {
            let mut store = crate::value::ValueStore::new();
            let (va, vb) = (store.text(&a), store.text(&b));
            proptest::prop_assert_eq!(is_inline(va.raw()), pack(&a).is_some());
            proptest::prop_assert_eq!(&*store.text_of(va), a.as_str());
            proptest::prop_assert_eq!(&*store.text_of(vb), b.as_str());
            proptest::prop_assert_eq!(va == vb, a == b);
            proptest::prop_assert_eq!(
                store.compare(crate::value::ValueType::Text, va, vb),
                a.as_str().cmp(b.as_str())
            );
        }
    }
}
