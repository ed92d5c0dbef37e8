//! A forgiving lexer for what is being typed: token classes for syntax highlighting, and the word under
//! the cursor for completion.
//!
//! It never fails: an unfinished line (an open string, a stray character) still gets classes for what
//! can be recognised. It is not a parser: the grammar in `syntax` decides what an input means; this
//! only colours it, with the grammar's rules for names (upper-case first letter: a constant; a name
//! followed by `(`: a relation).

use std::ops::Range;

/// What a token is, for colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `:help`, `:load`, … at the start of the line.
    Command,
    /// `relation`, `rule`, `fact`, `source`, `subject`, `today`, …
    Keyword,
    /// `∧ ∨ ¬ ⇒` and their ASCII spellings, comparisons.
    Connective,
    /// Upper-case names, strings, numbers, dates, booleans.
    Constant,
    /// Lower-case names inside arguments, `_`.
    Variable,
    /// A name followed by `(`.
    Relation,
    Comment,
    Bracket,
    Other,
}

const KEYWORDS: &[&str] = &[
    "relation",
    "symmetric",
    "import",
    "rule",
    "fact",
    "source",
    "effective",
    "from",
    "until",
    "on",
    "exception",
    "to",
    "subject",
    "test",
    "expect",
    "load",
    "today",
    "count",
    "sum",
    "min",
    "max",
];

const CONNECTIVES: &[&str] = &[
    "∧", "∨", "¬", "⇒", "=>", "≠", "!=", "≤", "<=", "≥", ">=", "=", "<", ">", "+", "-", "*", "/",
];

/// The tokens of `line` with their byte ranges, in order; whitespace is left out.
pub fn tokens(line: &str) -> Vec<(Range<usize>, TokenKind)> {
    let mut out = vec![];
    let mut i = 0;
    if line.trim_start().starts_with(':') {
        let start = line.len() - line.trim_start().len();
        let end = line[start..]
            .find(char::is_whitespace)
            .map_or(line.len(), |e| start + e);
        out.push((start..end, TokenKind::Command));
        i = end;
    }
    while i < line.len() {
        let rest = &line[i..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if rest.starts_with("//") {
            out.push((i..line.len(), TokenKind::Comment));
            break;
        }
        if c == '"' {
            let mut end = i + 1;
            let mut escaped = false;
            for (j, ch) in line[i + 1..].char_indices() {
                end = i + 1 + j + ch.len_utf8();
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == '"' {
                    break;
                }
            }
            out.push((i..end.max(i + 1), TokenKind::Constant));
            i = end.max(i + 1);
            continue;
        }
        if c.is_ascii_digit() {
            let len = rest
                .find(|ch: char| !(ch.is_ascii_digit() || ch == '-' || ch == '.'))
                .unwrap_or(rest.len());
            out.push((i..i + len, TokenKind::Constant));
            i += len;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let len = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..len];
            let followed_by_paren = rest[len..].trim_start().starts_with('(');
            let kind = if matches!(word, "and" | "or" | "not") {
                TokenKind::Connective
            } else if matches!(word, "true" | "false") {
                TokenKind::Constant
            } else if followed_by_paren {
                TokenKind::Relation
            } else if KEYWORDS.contains(&word) {
                TokenKind::Keyword
            } else if c.is_ascii_uppercase() {
                TokenKind::Constant
            } else {
                TokenKind::Variable
            };
            out.push((i..i + len, kind));
            i += len;
            continue;
        }
        if let Some(op) = CONNECTIVES.iter().find(|op| rest.starts_with(**op)) {
            out.push((i..i + op.len(), TokenKind::Connective));
            i += op.len();
            continue;
        }
        let kind = if matches!(c, '(' | ')' | '{' | '}') {
            TokenKind::Bracket
        } else {
            TokenKind::Other
        };
        out.push((i..i + c.len_utf8(), kind));
        i += c.len_utf8();
    }
    out
}

/// The byte offset where the word ending at `pos` starts (a name, a number, or a path after `:load`).
pub fn word_start(line: &str, pos: usize, path: bool) -> usize {
    let before = &line[..pos.min(line.len())];
    before
        .char_indices()
        .rev()
        .find(|(_, c)| {
            if path {
                c.is_whitespace()
            } else {
                !(c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '"')
            }
        })
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The bracket matching the one at byte `pos` (either direction), if any.
pub fn matching_bracket(line: &str, pos: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let b = *bytes.get(pos)?;
    let (open, close, forward) = match b {
        b'(' => (b'(', b')', true),
        b'{' => (b'{', b'}', true),
        b')' => (b'(', b')', false),
        b'}' => (b'{', b'}', false),
        _ => return None,
    };
    let mut depth = 0i32;
    if forward {
        for (i, &c) in bytes.iter().enumerate().skip(pos) {
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
        }
    } else {
        for i in (0..=pos).rev() {
            let c = bytes[i];
            if c == close {
                depth += 1;
            } else if c == open {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(&str, TokenKind)> {
        tokens(line)
            .into_iter()
            .map(|(r, k)| (&line[r], k))
            .collect()
    }

    #[test]
    fn classifies_a_rule() {
        use TokenKind::*;
        assert_eq!(
            kinds("certified(c, NEEC) ∧ ¬ s(c, \"x y\") ⇒ ok(c, 2025-01-01). // note"),
            [
                ("certified", Relation),
                ("(", Bracket),
                ("c", Variable),
                (",", Other),
                ("NEEC", Constant),
                (")", Bracket),
                ("∧", Connective),
                ("¬", Connective),
                ("s", Relation),
                ("(", Bracket),
                ("c", Variable),
                (",", Other),
                ("\"x y\"", Constant),
                (")", Bracket),
                ("⇒", Connective),
                ("ok", Relation),
                ("(", Bracket),
                ("c", Variable),
                (",", Other),
                ("2025-01-01", Constant),
                (")", Bracket),
                (".", Other),
                ("// note", Comment),
            ]
        );
    }

    #[test]
    fn commands_keywords_and_open_strings() {
        use TokenKind::*;
        assert_eq!(kinds(":facts shipment")[0], (":facts", Command));
        assert_eq!(kinds("rule r source \"ab")[0], ("rule", Keyword));
        assert_eq!(kinds("rule r source \"ab")[3], ("\"ab", Constant));
        assert_eq!(kinds("x and y")[1], ("and", Connective));
    }

    #[test]
    fn words_and_brackets() {
        let line = "fewer_exams(s) ∧ ship";
        assert_eq!(word_start(line, line.len(), false), 19);
        assert_eq!(word_start(":fa", 3, false), 0);
        assert_eq!(word_start(":load examples/us", 17, true), 6);
        assert_eq!(matching_bracket("a(b(c))", 1), Some(6));
        assert_eq!(matching_bracket("a(b(c))", 5), Some(3));
        assert_eq!(matching_bracket("a(b", 1), None);
    }
}
