//! Where a policy file may be cut into pieces that parse on their own, so that a large file parses on
//! every core; [`scan`] finds the cuts and, in the same walk over the text's code (outside strings
//! and comments, as [`code_bytes`] defines it), the parser's nesting guard and which pieces the
//! grammar's fast entry may read: those whose code holds no letter (`XID_CONTINUE`), space
//! (`WHITE_SPACE`) or byte-order mark beyond ASCII, and no comment inside parentheses or braces. The
//! fast entry reads such letters in names and such spaces in atoms, where the reference entry
//! rejects them, and no byte-order mark or comment in an atom, where the reference takes them as
//! whitespace. Outside strings and comments a policy's characters beyond ASCII are its operators
//! (`∧`, `⇒`, `≤`…), which are none of these.
//!
//! A cut goes right after a `.` that ends a top-level statement: outside strings and comments, outside
//! parentheses and braces, and followed by whitespace (a decimal's `.` is followed by a digit, `..` by
//! a `.`). Every statement of the grammar ends with such a `.` or a `}`, and none holds one elsewhere,
//! so the pieces' statements are exactly the file's. The caller still parses the whole file when any
//! piece fails, so an error is always reported as the whole file gives it.

use std::ops::Range;

/// A piece of a file: its byte range, and whether the fast entry may read it (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Piece {
    pub range: Range<usize>,
    pub fast: bool,
}

/// The bytes of `text` that are code, with their offsets: everything outside strings (which end at
/// their closing quote or, unterminated, at the line's end; `\\` escapes the next byte) and `//`
/// comments (`Some(byte)`); and where each comment starts (`None`). The definition [`scan`] is held
/// to.
#[cfg(test)]
pub(super) fn code_bytes(text: &str) -> impl Iterator<Item = (usize, Option<u8>)> + '_ {
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
            return Some((i, None));
        } else {
            return Some((i, Some(b)));
        }
        None
    })
}

/// Byte ranges covering `text`, each at least `target` bytes long (but the last), cut as the module
/// doc says. One range when the text is short or has no cut.
#[cfg(test)]
pub(super) fn pieces(text: &str, target: usize) -> Vec<Range<usize>> {
    let pieces = scan(text, target, usize::MAX).unwrap_or_default();
    pieces.into_iter().map(|piece| piece.range).collect()
}

/// Whether the fast entry may read `text` whole (see the module doc).
#[cfg(test)]
pub(super) fn fast_entry_reads(text: &str) -> bool {
    let pieces = scan(text, usize::MAX, usize::MAX).unwrap_or_default();
    pieces.iter().all(|piece| piece.fast)
}

/// One walk over `text` for both the parser's nesting guard and the cut: the pieces (as [`pieces`]
/// gives them), or `Err` with the offset of the first `(` or `{` that nests deeper than `max_depth`.
pub(super) fn scan(text: &str, target: usize, max_depth: usize) -> Result<Vec<Piece>, usize> {
    let mut out = vec![];
    scan_with(text, target, max_depth, |piece| out.push(piece))?;
    Ok(out)
}

/// [`scan`], handing each piece to `on_piece` as soon as it is found, in order (the parser starts
/// on the first pieces while the walk goes on). On `Err` the pieces handed so far are whole
/// statements, but the file is not. It reads the code as [`code_bytes`] gives it, in a loop that
/// skips strings and comments whole (a test holds the two to the same result).
pub(super) fn scan_with(
    text: &str,
    target: usize,
    max_depth: usize,
    mut on_piece: impl FnMut(Piece),
) -> Result<(), usize> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut cuts = Cuts::new(target, max_depth);
    let mut i = 0usize;
    while i < n {
        // Most bytes of a policy change nothing here: a tight loop passes over them.
        i += bytes[i..]
            .iter()
            .position(|b| SPECIAL[usize::from(*b)])
            .unwrap_or(n - i);
        if i >= n {
            break;
        }
        match bytes[i] {
            b'"' => {
                // To the closing quote or the line's end, which end the string; `\` escapes a byte.
                i += 1;
                while i < n {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' | b'\n' => break,
                        _ => i += 1,
                    }
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                // To the line's end, which ends the comment.
                cuts.comment();
                i += 2;
                while i < n && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            0xC0.. => {
                // The first byte of a character beyond ASCII (`i` is always at a character's start).
                if let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) {
                    cuts.beyond_ascii(c);
                    i += c.len_utf8() - 1;
                }
            }
            b => {
                if let Some(piece) = cuts.code(bytes, i, b)? {
                    on_piece(piece);
                }
            }
        }
        i += 1;
    }
    on_piece(cuts.end(n));
    Ok(())
}

/// The bytes [`scan`] acts on: those that start a string or a comment, nest, or may end a statement,
/// and the first bytes of characters beyond ASCII.
const SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    let mut first = 0xC0;
    while first <= 0xFF {
        special[first] = true;
        first += 1;
    }
    let mut k = 0;
    let bytes = *b"\"/({)}.";
    while k < bytes.len() {
        special[bytes[k] as usize] = true;
        k += 1;
    }
    special
};

/// The state of a walk over code bytes: the nesting depth, where the current piece starts, and
/// whether the fast entry may read it so far.
struct Cuts {
    target: usize,
    max_depth: usize,
    start: usize,
    depth: usize,
    fast: bool,
}

impl Cuts {
    fn new(target: usize, max_depth: usize) -> Cuts {
        Cuts {
            target,
            max_depth,
            start: 0,
            depth: 0,
            fast: true,
        }
    }

    /// Takes the start of a comment: one inside parentheses or braces leaves the piece to the
    /// reference entry (the fast entry's atoms read no comment).
    fn comment(&mut self) {
        if self.depth > 0 {
            self.fast = false;
        }
    }

    /// Takes a character beyond ASCII of the code: a letter (`XID_CONTINUE`), a space (`WHITE_SPACE`)
    /// or a byte-order mark leaves the piece to the reference entry.
    fn beyond_ascii(&mut self, c: char) {
        if pest::unicode::XID_CONTINUE(c) || pest::unicode::WHITE_SPACE(c) || c == '\u{FEFF}' {
            self.fast = false;
        }
    }

    /// Takes the code byte `b` at offset `i` of `bytes`: the piece it ends, if it ends one; `Err(i)`
    /// when it nests too deep.
    fn code(&mut self, bytes: &[u8], i: usize, b: u8) -> Result<Option<Piece>, usize> {
        match b {
            b'(' | b'{' => {
                self.depth += 1;
                if self.depth > self.max_depth {
                    return Err(i);
                }
            }
            b')' | b'}' => self.depth = self.depth.saturating_sub(1),
            b'.' if self.depth == 0
                && i + 1 - self.start >= self.target
                && bytes
                    .get(i + 1)
                    .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')) =>
            {
                let piece = Piece {
                    range: self.start..i + 1,
                    fast: self.fast,
                };
                self.start = i + 1;
                self.fast = true;
                return Ok(Some(piece));
            }
            _ => {}
        }
        Ok(None)
    }

    /// The last piece, running to `n`.
    fn end(self, n: usize) -> Piece {
        Piece {
            range: self.start..n,
            fast: self.fast,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`scan`] as the plain walk over [`code_bytes`].
    fn scan_reference(text: &str, target: usize, max_depth: usize) -> Result<Vec<Piece>, usize> {
        let mut cuts = Cuts::new(target, max_depth);
        let mut out = vec![];
        for (i, b) in code_bytes(text) {
            match b {
                None => cuts.comment(),
                Some(0xC0..) => {
                    cuts.beyond_ascii(text[i..].chars().next().expect("a character starts here"))
                }
                Some(b) => out.extend(cuts.code(text.as_bytes(), i, b)?),
            }
        }
        out.push(cuts.end(text.len()));
        Ok(out)
    }

    #[test]
    fn the_scan_equals_the_walk_over_code_bytes() {
        // With a letter beyond ASCII (`é`, which `XID_CONTINUE` holds) and an operator (`∧`).
        let alphabet: Vec<char> = "\"\\\n/(){}. \ta1é∧".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            for (target, depth) in [(1, usize::MAX), (4, 2), (usize::MAX, 1), (3, 0)] {
                assert_eq!(
                    scan(&text, target, depth),
                    scan_reference(&text, target, depth),
                    "{text:?} {target} {depth}"
                );
            }
        }
    }

    #[test]
    fn the_scan_finds_the_first_place_nested_too_deep() {
        let text = "a(\"((\"). // ((\nb({(x)}).";
        assert_eq!(scan(text, 1, 2), Err(18));
        assert_eq!(scan(text, 1, 3).map(|p| p.len()), Ok(pieces(text, 1).len()));
        assert_eq!(pieces(text, 1).len(), 2);
    }

    #[test]
    fn a_piece_whose_code_holds_a_letter_beyond_ascii_is_not_for_the_fast_entry() {
        let text = "a(x) ⇒ b(x).\nc(\"é\") ∧ d ⇒ e. // é\nfé(x) ⇒ g(x).\nh(x) ≤ 1 ⇒ i(x).\n\
                    j(x, // a comment in an atom\n y) ⇒ k(x).\nl(x) // ok\n ⇒ m(x).";
        let fast: Vec<bool> = scan(text, 1, usize::MAX)
            .expect("scans")
            .iter()
            .map(|piece| piece.fast)
            .collect();
        assert_eq!(fast, [true, true, false, true, false, true]);
    }

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
