//! A small JSON reader that keeps byte offsets, for the JSON loaders.
//!
//! serde_json's values carry no positions and go through `f64` or need crate-wide features for exact
//! numbers; the loaders need both exact number text and the span of every value (for diagnostics), and
//! read only a fixed shape (objects of arrays of rows of scalars). So this module offers the pieces:
//! whitespace, punctuation, strings (with escapes), scalars as [`JsonDatum`] with their span, and
//! skipping a nested value without recursion (so deep nesting cannot overflow the stack). It never
//! panics on any input; syntax errors are [`SyntaxError`]s with the offending byte range.

use std::borrow::Cow;
use std::ops::Range;

use super::convert::JsonDatum;

/// A JSON syntax error at a byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub at: Range<usize>,
    pub message: String,
    /// The label on `at` (short; the message says the rest).
    pub label: String,
}

/// A scalar read by [`Scanner::datum`], with its span; nested arrays and objects are skipped and reported
/// as [`JsonDatum::Array`] or [`JsonDatum::Object`].
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

/// A cursor over a JSON text, limited to `pos..end`.
pub(crate) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pub pos: usize,
    end: usize,
    /// What the end of the range is called in messages: `the file` or `the line`.
    end_name: &'static str,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str, start: usize, end: usize) -> Scanner<'a> {
        let end_name = if end >= text.len() {
            "the file"
        } else {
            "the line"
        };
        Scanner {
            end_name,
            text,
            bytes: text.as_bytes(),
            pos: start,
            end: end.min(text.len()),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Skips whitespace and returns the next byte, if any.
    pub fn peek(&mut self) -> Option<u8> {
        while self.pos < self.end && matches!(self.bytes[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        (self.pos < self.end).then(|| self.bytes[self.pos])
    }

    /// Consumes `b` if it is next.
    pub fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `b`, or fails saying what was expected.
    pub fn expect(&mut self, b: u8, what: &str) -> Result<usize, SyntaxError> {
        self.peek();
        let at = self.pos;
        if self.eat(b) {
            Ok(at)
        } else {
            Err(self.unexpected(what))
        }
    }

    /// An error "expected X, found Y" at the next token.
    pub fn unexpected(&mut self, what: &str) -> SyntaxError {
        if self.peek().is_none() {
            // Point at the last character before the end, which a renderer can show.
            let before = self.text[..self.end].trim_end_matches([' ', '\t', '\n', '\r']);
            let start = before.char_indices().next_back().map_or(0, |(i, _)| i);
            return SyntaxError {
                at: start..before.len(),
                message: format!("expected {what}, found the end of {}", self.end_name),
                label: format!("{} ends here", self.end_name),
            };
        }
        let c = self.text[self.pos..self.end].chars().next().unwrap_or(' ');
        SyntaxError {
            at: self.pos..self.pos + c.len_utf8(),
            message: format!("expected {what}, found `{c}`"),
            label: format!("expected {what}"),
        }
    }

    /// Whether only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// Reads a string, returning its content (borrowed when it has no escapes) and its span.
    pub fn string(&mut self) -> Result<(Cow<'a, str>, Range<usize>), SyntaxError> {
        let start = self.expect(b'"', "a string")?;
        let mut owned: Option<String> = None;
        let mut chunk = self.pos;
        loop {
            let Some(&b) = self.bytes[..self.end].get(self.pos) else {
                return Err(SyntaxError {
                    at: start..self.end,
                    message: "unterminated string".into(),
                    label: "this string is not closed".into(),
                });
            };
            match b {
                b'"' => {
                    let last = &self.text[chunk..self.pos];
                    self.pos += 1;
                    let content = match owned {
                        Some(mut s) => {
                            s.push_str(last);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(last),
                    };
                    return Ok((content, start..self.pos));
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[chunk..self.pos]);
                    let escape_at = self.pos;
                    self.pos += 1;
                    let Some(&e) = self.bytes[..self.end].get(self.pos) else {
                        return Err(SyntaxError {
                            at: start..self.end,
                            message: "unterminated string".into(),
                            label: "this string is not closed".into(),
                        });
                    };
                    self.pos += 1;
                    match e {
                        b'"' => s.push('"'),
                        b'\\' => s.push('\\'),
                        b'/' => s.push('/'),
                        b'b' => s.push('\u{8}'),
                        b'f' => s.push('\u{c}'),
                        b'n' => s.push('\n'),
                        b'r' => s.push('\r'),
                        b't' => s.push('\t'),
                        b'u' => {
                            let c = self.unicode_escape(escape_at)?;
                            s.push(c);
                        }
                        _ => {
                            let len = self.text[escape_at + 1..]
                                .chars()
                                .next()
                                .map_or(0, char::len_utf8);
                            return Err(SyntaxError {
                                at: escape_at..escape_at + 1 + len,
                                message: "invalid escape in a string".into(),
                                label: "invalid escape".into(),
                            });
                        }
                    }
                    chunk = self.pos;
                }
                0..=0x1f => {
                    return Err(SyntaxError {
                        at: self.pos..self.pos + 1,
                        message:
                            "control character in a string (write it as an escape such as `\\n`)"
                                .into(),
                        label: "control character".into(),
                    })
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Reads the four hex digits after `\u` (and a low surrogate after a high one).
    fn unicode_escape(&mut self, escape_at: usize) -> Result<char, SyntaxError> {
        let bad = |end: usize| SyntaxError {
            at: escape_at..end,
            message: "invalid unicode escape".into(),
            label: "invalid escape".into(),
        };
        let hi = self.hex4().ok_or_else(|| bad(self.pos.min(self.end)))?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.bytes[..self.end].get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Err(bad(self.pos));
            }
            self.pos += 2;
            let lo = self.hex4().ok_or_else(|| bad(self.pos.min(self.end)))?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(bad(self.pos));
            }
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return char::from_u32(c).ok_or_else(|| bad(self.pos));
        }
        char::from_u32(hi).ok_or_else(|| bad(self.pos))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes[..self.end].get(self.pos..self.pos + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + (d as char).to_digit(16)?;
        }
        self.pos += 4;
        Some(n)
    }

    /// Reads a number's text, checked against JSON's grammar.
    fn number(&mut self) -> Result<Range<usize>, SyntaxError> {
        let start = self.pos;
        let b = &self.bytes[..self.end];
        let mut i = self.pos;
        let digits = |i: &mut usize| {
            let s = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i - s
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        let n = digits(&mut i);
        let mut ok = n > 0 && !(n > 1 && b[int_start] == b'0');
        if ok && b.get(i) == Some(&b'.') {
            i += 1;
            ok = digits(&mut i) > 0;
        }
        if ok && matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            ok = digits(&mut i) > 0;
        }
        // A number runs into the next delimiter; anything else glued to it is an error.
        while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'-' | b'+')) {
            ok = false;
            i += 1;
        }
        self.pos = i;
        if ok {
            Ok(start..i)
        } else {
            Err(SyntaxError {
                at: start..i,
                message: "invalid number".into(),
                label: "not a JSON number".into(),
            })
        }
    }

    /// Reads the next value: a scalar, or a nested array or object (skipped).
    pub fn datum(&mut self) -> Result<Datum<'a>, SyntaxError> {
        let plain = |datum, span| Datum {
            datum,
            owned: None,
            span,
        };
        match self.peek() {
            Some(b'"') => {
                let (s, span) = self.string()?;
                Ok(match s {
                    Cow::Borrowed(s) => plain(JsonDatum::String(s), span),
                    Cow::Owned(s) => Datum {
                        datum: JsonDatum::String(""),
                        owned: Some(s),
                        span,
                    },
                })
            }
            Some(b'-' | b'0'..=b'9') => {
                let span = self.number()?;
                Ok(plain(JsonDatum::Number(&self.text[span.clone()]), span))
            }
            Some(b'[') => {
                let span = self.skip()?;
                Ok(plain(JsonDatum::Array, span))
            }
            Some(b'{') => {
                let span = self.skip()?;
                Ok(plain(JsonDatum::Object, span))
            }
            Some(b't' | b'f' | b'n') => {
                let at = self.pos;
                let mut i = at;
                while i < self.end && self.bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                let datum = match &self.text[at..i] {
                    "true" => JsonDatum::Bool(true),
                    "false" => JsonDatum::Bool(false),
                    "null" => JsonDatum::Null,
                    _ => {
                        return Err(SyntaxError {
                            at: at..i,
                            message: "invalid literal".into(),
                            label: "not `true`, `false` or `null`".into(),
                        })
                    }
                };
                self.pos = i;
                Ok(plain(datum, at..i))
            }
            _ => Err(self.unexpected("a value")),
        }
    }

    /// Skips one value of any depth, iteratively (a stack of closing brackets, no recursion), and returns
    /// its span.
    pub fn skip(&mut self) -> Result<Range<usize>, SyntaxError> {
        self.peek();
        let start = self.pos;
        let mut open: Vec<u8> = vec![];
        loop {
            // Expecting a value.
            match self.peek() {
                Some(b'[') => {
                    self.pos += 1;
                    if !self.eat(b']') {
                        open.push(b']');
                        continue;
                    }
                }
                Some(b'{') => {
                    self.pos += 1;
                    if !self.eat(b'}') {
                        open.push(b'}');
                        self.string()?;
                        self.expect(b':', "`:`")?;
                        continue;
                    }
                }
                _ => {
                    self.datum()?;
                }
            }
            // After a value: close containers, or move to the next member.
            loop {
                let Some(&close) = open.last() else {
                    return Ok(start..self.pos);
                };
                if self.eat(close) {
                    open.pop();
                    continue;
                }
                self.expect(
                    b',',
                    if close == b']' {
                        "`,` or `]`"
                    } else {
                        "`,` or `}`"
                    },
                )?;
                if close == b'}' {
                    self.string()?;
                    self.expect(b':', "`:`")?;
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datum(text: &str) -> Result<(JsonDatum<'static>, Range<usize>), SyntaxError> {
        let text: &'static str = Box::leak(text.to_string().into_boxed_str());
        let mut s = Scanner::new(text, 0, text.len());
        let d = s.datum()?;
        let owned = d
            .owned
            .clone()
            .map(|o| JsonDatum::String(Box::leak(o.into_boxed_str())));
        Ok((owned.unwrap_or(d.datum), d.span))
    }

    #[test]
    fn scalars_and_spans() {
        assert_eq!(datum(" \"ab\"").unwrap(), (JsonDatum::String("ab"), 1..5));
        assert_eq!(
            datum("\"a\\n\\u00e9\\ud83d\\ude00\"").unwrap().0,
            JsonDatum::String("a\né😀")
        );
        assert_eq!(
            datum("-12.50e3,").unwrap(),
            (JsonDatum::Number("-12.50e3"), 0..8)
        );
        assert_eq!(datum("null").unwrap().0, JsonDatum::Null);
        assert_eq!(
            datum("[1, {\"a\": [true]}, []]").unwrap(),
            (JsonDatum::Array, 0..22)
        );
        assert_eq!(datum("{}").unwrap().0, JsonDatum::Object);
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
            "\"\\ud800\"",
            "\"\\u12\"",
            "",
            "]",
            "\"\\",
        ] {
            assert!(datum(bad).is_err(), "{bad}");
        }
        let deep = "[".repeat(100_000);
        assert!(datum(&deep).is_err());
        let deep_ok = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(datum(&deep_ok).unwrap().0, JsonDatum::Array);
    }
}
