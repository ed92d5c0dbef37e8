//! Comment recovery for the formatter.
//!
//! The grammar discards comments (a comment is silent), so the AST has none. The formatter scans the
//! source text once more, here, for `//` comments outside text literals and re-attaches them to the
//! statements around them by position. This is the only place besides the grammar that knows the
//! lexical shape of a comment: `//` up to the end of the line, never inside `"…"`.
//!
//! Invariant: for text that parses, the comments found here are exactly the ones pest skipped, in
//! source order.

/// A `//` comment found in a source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Byte offset of the first `/`.
    pub start: usize,
    /// Byte offset just past the comment's last character (before the line break).
    pub end: usize,
    /// The comment as written, from `//` on, trailing white space removed.
    pub text: String,
    /// Only white space precedes the comment on its line.
    pub own_line: bool,
}

/// Every `//` comment of `text` outside text literals, in source order.
pub fn scan(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut comments = vec![];
    let (mut i, mut in_string, mut line_start) = (0, false, 0);
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' {
            // A text literal cannot span lines (the grammar forbids it), so a line break ends one.
            in_string = false;
            line_start = i + 1;
            i += 1;
            continue;
        }
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                let own_line = text[line_start..i]
                    .chars()
                    .all(|c| c.is_whitespace() || c == '\u{FEFF}');
                comments.push(Comment {
                    start: i,
                    end,
                    text: text[i..end].trim_end().to_string(),
                    own_line,
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    comments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_strings() {
        let text = "// head\na(\"x // not\"). // tail \r\n  // own\nb(\"q\\\"//\"). c(X).//x";
        let found: Vec<(String, bool)> = scan(text)
            .into_iter()
            .map(|c| (c.text, c.own_line))
            .collect();
        assert_eq!(
            found,
            vec![
                ("// head".to_string(), true),
                ("// tail".to_string(), false),
                ("// own".to_string(), true),
                ("//x".to_string(), false),
            ]
        );
    }

    #[test]
    fn spans_cover_the_comment() {
        let text = "a(X).  // why\n";
        let c = &scan(text)[0];
        assert_eq!(&text[c.start..c.end], "// why");
    }
}
