//! Where a policy file may be cut into pieces that parse on their own, so that a large file parses on
//! every core; and [`code_bytes`], the walk over a text's code (outside strings and comments) that
//! the cut and the parser's nesting guard share.
//!
//! A cut goes right after a `.` that ends a top-level statement: outside strings and comments, outside
//! parentheses and braces, and followed by whitespace (a decimal's `.` is followed by a digit, `..` by
//! a `.`). Every statement of the grammar ends with such a `.` or a `}`, and none holds one elsewhere,
//! so the pieces' statements are exactly the file's. The caller still parses the whole file when any
//! piece fails, so an error is always reported as the whole file gives it.

use std::ops::Range;

/// The bytes of `text` that are code, with their offsets: everything outside strings (which end at
/// their closing quote or, unterminated, at the line's end; `\\` escapes the next byte) and `//`
/// comments. The parser's nesting guard and [`pieces`] both read the text through it.
pub(super) fn code_bytes(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let bytes = text.as_bytes();
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    bytes.iter().enumerate().filter_map(move |(i, &b)| {
        if in_comment {
            in_comment = b != b'\n';
        } else if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"' | b'\n') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            in_comment = true;
        } else {
            return Some((i, b));
        }
        None
    })
}

/// Byte ranges covering `text`, each at least `target` bytes long (but the last), cut as the module
/// doc says. One range when the text is short or has no cut.
pub(super) fn pieces(text: &str, target: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = vec![];
    let (mut start, mut depth) = (0usize, 0usize);
    for (i, b) in code_bytes(text) {
        match b {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth = depth.saturating_sub(1),
            b'.' if depth == 0
                && i + 1 - start >= target
                && bytes
                    .get(i + 1)
                    .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')) =>
            {
                out.push(start..i + 1);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(start..bytes.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str, target: usize) -> Vec<&str> {
        pieces(text, target).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn cuts_only_after_top_level_statement_ends() {
        let text = "a(X). b(2.5). relation r(a: text, ..).\nc(\"x. y\"). // d. e\nsubject S { f(x). }\ng(Y).";
        assert_eq!(
            cut(text, 1),
            [
                "a(X).",
                " b(2.5).",
                " relation r(a: text, ..).",
                "\nc(\"x. y\").",
                " // d. e\nsubject S { f(x). }\ng(Y).",
            ]
        );
        assert_eq!(cut(text, 1).concat(), text);
        assert_eq!(cut(text, 30), [&text[..38], &text[38..]]);
        assert_eq!(cut(text, 1000), [text]);
        assert_eq!(cut("", 1), [""]);
    }
}
