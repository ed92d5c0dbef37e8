//! JSON reading for the loaders, on serde_json, keeping the byte offset of every value.
//!
//! The loaders need exact number text (numbers never go through a float) and the position of every
//! value (for labelled diagnostics). serde_json gives both through [`RawValue`] with borrowed
//! deserialization: a `&RawValue` is a slice of the input, so its pointer minus the input's pointer is
//! its byte offset. A document (a whole `.json` file or one JSON Lines line) is validated once by
//! [`JsonText::document`]; the loaders then open one level at a time with [`members`] and
//! [`elements`], and read scalars with [`datum`]. Skipping a nested value is iterative in serde_json,
//! so deep nesting cannot overflow the stack; opening values one level at a time never recurses
//! deeper than the loader's own (bounded) shape.
//!
//! Invariant: every `&RawValue` handed out points into the [`JsonText`] it came from.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{Deserializer as _, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

pub(crate) use super::convert::JsonDatum;

/// A syntax error, located in the file's bytes.
#[derive(Clone, Debug)]
pub(crate) struct SyntaxError {
    pub at: Range<usize>,
    pub message: String,
    pub label: String,
}

/// A JSON scalar read from the text, with its span; nested arrays and objects are reported as
/// [`JsonDatum::Array`] or [`JsonDatum::Object`].
pub(crate) struct Datum<'a> {
    pub datum: JsonDatum<'a>,
    /// The string's decoded content when it had escapes (then `datum` is `String("")`, see [`Datum::get`]).
    pub owned: Option<String>,
    pub span: Range<usize>,
}

impl Datum<'_> {
    pub fn get(&self) -> JsonDatum<'_> {
        match (&self.datum, &self.owned) {
            (JsonDatum::String(_), Some(s)) => JsonDatum::String(s),
            (d, _) => d.clone(),
        }
    }
}

/// A JSON text (a file, or one line of a JSON Lines file) that starts at byte `offset` of its file.
#[derive(Clone, Copy)]
pub(crate) struct JsonText<'a> {
    pub text: &'a str,
    pub offset: usize,
    /// What the end of the text is called in messages: `the file` or `the line`.
    pub end_name: &'static str,
}

impl<'a> JsonText<'a> {
    /// The byte range, in the file, of a value of this text.
    pub fn span(&self, raw: &RawValue) -> Range<usize> {
        let start = (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        self.offset + start..self.offset + start + raw.get().len()
    }

    /// Validates the whole text as one JSON value and returns it.
    pub fn document(&self) -> Result<&'a RawValue, SyntaxError> {
        serde_json::from_str::<&RawValue>(self.text).map_err(|e| self.error(&e))
    }

    /// Reads a scalar (or notes a nested value) with its span.
    pub fn datum(&self, raw: &'a RawValue) -> Datum<'a> {
        let span = self.span(raw);
        let text = raw.get();
        let plain = |datum| Datum {
            datum,
            owned: None,
            span: span.clone(),
        };
        match text.as_bytes().first() {
            // Validated already: without a backslash, the content is the text between the quotes.
            Some(b'"') if !text.as_bytes().contains(&b'\\') => {
                plain(JsonDatum::String(&text[1..text.len() - 1]))
            }
            Some(b'"') => match serde_json::from_str::<&str>(text) {
                Ok(s) => plain(JsonDatum::String(s)),
                Err(_) => match serde_json::from_str::<String>(text) {
                    Ok(s) => Datum {
                        datum: JsonDatum::String(""),
                        owned: Some(s),
                        span,
                    },
                    // A `\u` escape of a lone surrogate: valid JSON syntax, but not a text.
                    Err(_) => plain(JsonDatum::BadString),
                },
            },
            Some(b'[') => plain(JsonDatum::Array),
            Some(b'{') => plain(JsonDatum::Object),
            Some(b't') => plain(JsonDatum::Bool(true)),
            Some(b'f') => plain(JsonDatum::Bool(false)),
            Some(b'n') => plain(JsonDatum::Null),
            _ => plain(JsonDatum::Number(text)),
        }
    }

    /// A serde_json error as a [`SyntaxError`] in the words of the loaders.
    pub fn error(&self, e: &serde_json::Error) -> SyntaxError {
        let at = position(self.text, e.line(), e.column());
        let full = e.to_string();
        let what = full
            .rfind(" at line ")
            .map_or(full.as_str(), |i| &full[..i])
            .to_string();
        if e.is_eof() || at >= self.text.trim_end().len() {
            let before = self.text.trim_end_matches([' ', '\t', '\n', '\r']);
            let start = before.char_indices().next_back().map_or(0, |(i, _)| i);
            let last = before.as_bytes().last().copied();
            let expected = match (what.as_str(), last) {
                ("EOF while parsing a string", _) => "the end of the string (`\"`)",
                (_, Some(b'[')) => "a value or `]`",
                (_, Some(b'{')) => "a key (a string) or `}`",
                (_, Some(b':')) => "a value",
                ("EOF while parsing an object", Some(b',')) => "a key (a string)",
                ("EOF while parsing a list", _) => "`,` or `]`",
                ("EOF while parsing an object", _) => "`,` or `}`",
                _ => "a value",
            };
            return SyntaxError {
                at: self.offset + start..self.offset + before.len(),
                message: format!("expected {expected}, found the end of {}", self.end_name),
                label: format!("{} ends here", self.end_name),
            };
        }
        let c = self.text[at..].chars().next().unwrap_or(' ');
        let (message, label) = match what.as_str() {
            "expected `,` or `]`" | "expected `,` or `}`" | "expected `:`" | "expected value" => {
                let what = what.strip_prefix("expected ").unwrap_or(&what);
                let what = if what == "value" { "a value" } else { what };
                (
                    format!("expected {what}, found `{c}`"),
                    format!("expected {what}"),
                )
            }
            "key must be a string" => (
                format!("expected a key (a string), found `{c}`"),
                "expected a string".to_string(),
            ),
            "trailing characters" => (
                format!("expected the end of {}, found `{c}`", self.end_name),
                format!("expected the end of {}", self.end_name),
            ),
            "trailing comma" => (
                "a comma before a closing bracket".to_string(),
                "no value follows this comma".to_string(),
            ),
            "invalid number" => (
                "invalid number".to_string(),
                "not a JSON number".to_string(),
            ),
            "expected ident" => (
                "invalid literal".to_string(),
                "not `true`, `false` or `null`".to_string(),
            ),
            "invalid escape"
            | "invalid unicode code point"
            | "lone leading surrogate in hex escape" => (
                "invalid escape in a string".to_string(),
                "invalid escape".to_string(),
            ),
            m if m.starts_with("control character") => (
                "control character in a string (write it as an escape such as `\\n`)".to_string(),
                "control character".to_string(),
            ),
            m => (m.to_lowercase(), "here".to_string()),
        };
        let len = c.len_utf8();
        // serde_json reports some errors one character after the culprit; a comma before `]` is
        // reported at the bracket, so move back to the comma.
        let at = if what == "trailing comma" {
            self.text[..at].rfind(',').unwrap_or(at)
        } else {
            at
        };
        SyntaxError {
            at: self.offset + at..self.offset + at + len,
            message,
            label,
        }
    }
}

/// The byte offset of serde_json's 1-based line and column (the column counts bytes; serde_json
/// reports the position just after the offending byte, so step back one).
fn position(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The members of an object, in order and with repeated keys kept: `(key, value)`, the key as its raw
/// string literal (quotes included, so its span is exact).
pub(crate) fn members<'a>(
    raw: &'a RawValue,
    out: &mut Vec<(&'a RawValue, &'a RawValue)>,
) -> Result<(), serde_json::Error> {
    out.clear();
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de.deserialize_map(MembersVisitor(out))
}

/// The members of the object that is the whole of `text` (nothing but whitespace around it), read in
/// one pass; `Err` when `text` is anything else (the caller then finds out what, with
/// [`JsonText::document`]).
pub(crate) fn line_members(text: &str) -> Result<Vec<(&RawValue, &RawValue)>, serde_json::Error> {
    let mut out = Vec::with_capacity(8);
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(MembersVisitor(&mut out))?;
    de.end()?;
    Ok(out)
}

/// The elements of an array.
pub(crate) fn elements<'a>(
    raw: &'a RawValue,
    out: &mut Vec<&'a RawValue>,
) -> Result<(), serde_json::Error> {
    out.clear();
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de.deserialize_seq(ElementsVisitor(out))
}

/// The text of an object key (a raw string literal).
pub(crate) fn key(raw: &RawValue) -> Cow<'_, str> {
    match serde_json::from_str::<&str>(raw.get()) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(serde_json::from_str::<String>(raw.get()).unwrap_or_default()),
    }
}

struct MembersVisitor<'o, 'a>(&'o mut Vec<(&'a RawValue, &'a RawValue)>);

impl<'a> Visitor<'a> for MembersVisitor<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'a>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(k) = map.next_key::<&'a RawValue>()? {
            let v = map.next_value::<&'a RawValue>()?;
            self.0.push((k, v));
        }
        Ok(())
    }
}

struct ElementsVisitor<'o, 'a>(&'o mut Vec<&'a RawValue>);

impl<'a> Visitor<'a> for ElementsVisitor<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<S: SeqAccess<'a>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(v) = seq.next_element::<&'a RawValue>()? {
            self.0.push(v);
        }
        Ok(())
    }
}

/// Whether a raw value is an object, an array, or something else.
pub(crate) fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

pub(crate) fn is_array(raw: &RawValue) -> bool {
    raw.get().starts_with('[')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> JsonText<'_> {
        JsonText {
            text: s,
            offset: 0,
            end_name: "the file",
        }
    }

    #[test]
    fn scalars_and_spans() {
        let t = text(
            " [\"ab\", -12.50e3, null, \"a\\n\\u00e9\\ud83d\\ude00\", [1, {\"a\": [true]}], {}]",
        );
        let doc = t.document().unwrap();
        let mut out = vec![];
        elements(doc, &mut out).unwrap();
        let d: Vec<Datum> = out.iter().map(|r| t.datum(r)).collect();
        assert_eq!(d[0].get(), JsonDatum::String("ab"));
        assert_eq!(d[0].span, 2..6);
        assert_eq!(d[1].get(), JsonDatum::Number("-12.50e3"));
        assert_eq!(&t.text[d[1].span.clone()], "-12.50e3");
        assert_eq!(d[2].get(), JsonDatum::Null);
        assert_eq!(d[3].get(), JsonDatum::String("a\né😀"));
        assert_eq!(d[4].get(), JsonDatum::Array);
        assert_eq!(&t.text[d[4].span.clone()], "[1, {\"a\": [true]}]");
        assert_eq!(d[5].get(), JsonDatum::Object);
    }

    #[test]
    fn members_keep_order_and_repeats() {
        let t = text("{\"b\": 1, \"a\": 2, \"b\": 3, \"\\u0061\": 4}");
        let mut out = vec![];
        members(t.document().unwrap(), &mut out).unwrap();
        let keys: Vec<Cow<str>> = out.iter().map(|(k, _)| key(k)).collect();
        assert_eq!(keys, ["b", "a", "b", "a"]);
        assert_eq!(t.span(out[1].0), 9..12);
    }

    #[test]
    fn syntax_errors_never_panic() {
        for bad in [
            "\"abc",
            "01",
            "1.",
            "-",
            "tru",
            "[1,",
            "[1 2]",
            "{\"a\" 1}",
            "\"\\u12\"",
            "",
            "]",
            "\"\\",
            "[1,]",
            "{\"a\":1,}",
            "{1: 2}",
            "\"a\u{1}\"",
            "[1] x",
        ] {
            let e = text(bad).document().unwrap_err();
            assert!(e.at.end <= bad.len().max(1), "{bad}: {e:?}");
            assert!(!e.message.is_empty());
        }
        let deep = "[".repeat(100_000);
        assert!(text(&deep).document().is_err());
        let deep_ok = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let t = text(&deep_ok);
        assert_eq!(t.datum(t.document().unwrap()).get(), JsonDatum::Array);
    }

    #[test]
    fn error_messages_point_at_the_culprit() {
        let e = text("[1 2]").document().unwrap_err();
        assert_eq!(e.message, "expected `,` or `]`, found `2`");
        assert_eq!(e.at, 3..4);
        let e = text("[1,]").document().unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.at),
            ("expected a value, found `]`", 3..4)
        );
        let t = text("\"\\ud800\"");
        assert_eq!(t.datum(t.document().unwrap()).get(), JsonDatum::BadString);
        let e = text("{\"a\": [1,").document().unwrap_err();
        assert_eq!(e.message, "expected a value, found the end of the file");
    }
}
