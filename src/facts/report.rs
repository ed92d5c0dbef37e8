//! A data file's problems, collected while it loads and turned into located diagnostics afterwards.
//!
//! Loaders record a [`Problem`] per bad value or row with a [`Place`] in the file's bytes. Only when a
//! file has problems is its text read (again, for CSV) and added to the [`SourceMap`]; the success path
//! keeps no text. At most [`MAX_REPORTED`] problems of a file become diagnostics; the rest are counted
//! in one summary diagnostic.

use std::ops::Range;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::syntax::{SourceMap, Span};

/// How many problems of one file are reported in full.
pub(crate) const MAX_REPORTED: usize = 20;

/// Where in a data file's bytes a problem is.
#[derive(Clone, Debug)]
pub(crate) enum Place {
    /// Nowhere in particular (the file as a whole).
    File,
    /// A byte range.
    Bytes(Range<usize>),
    /// Field `field` (0-based) of the CSV record that starts at byte `record`; resolved against the raw
    /// bytes when the diagnostic is built.
    CsvField { record: usize, field: usize },
    /// The whole CSV record that starts at byte `record`.
    CsvRecord { record: usize },
}

/// One problem in a data file, before it has a [`Span`].
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub code: &'static str,
    pub message: String,
    pub place: Place,
    pub label: String,
    pub help: String,
    /// Secondary labels.
    pub also: Vec<(Place, String)>,
}

impl Problem {
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        place: Place,
        label: impl Into<String>,
    ) -> Problem {
        Problem {
            code,
            message: message.into(),
            place,
            label: label.into(),
            help: String::new(),
            also: vec![],
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = help.into();
        self
    }

    pub fn also(mut self, place: Place, label: impl Into<String>) -> Problem {
        self.also.push((place, label.into()));
        self
    }
}

/// The problems of one data file.
#[derive(Debug, Default)]
pub(crate) struct FileReport {
    problems: Vec<Problem>,
    total: usize,
}

impl FileReport {
    pub fn new() -> FileReport {
        FileReport::default()
    }

    pub fn push(&mut self, problem: Problem) {
        self.total += 1;
        if self.problems.len() < MAX_REPORTED {
            self.problems.push(problem);
        }
    }

    /// Counts `n` more problems that are not reported in full.
    pub fn count_more(&mut self, n: usize) {
        self.total += n;
    }

    pub fn is_clean(&self) -> bool {
        self.total == 0
    }

    /// Turns the problems into diagnostics. `bytes` is the file's content when the loader still has it;
    /// otherwise the file is read again. The text (lossily decoded when it is not UTF-8) is added to
    /// `sources` under `name` when some problem points into it.
    pub fn finish(
        self,
        path: &Path,
        name: &str,
        bytes: Option<&[u8]>,
        sources: &mut SourceMap,
    ) -> Vec<Diagnostic> {
        let reread;
        let bytes = match bytes {
            Some(b) => Some(b),
            None if self
                .problems
                .iter()
                .any(|p| !matches!(p.place, Place::File)) =>
            {
                reread = std::fs::read(path).ok();
                reread.as_deref()
            }
            None => None,
        };
        let mut file = None;
        let mut out = Vec::with_capacity(self.problems.len() + 1);
        for p in &self.problems {
            let mut d = Diagnostic::error(p.code, p.message.clone());
            if let Some(bytes) = bytes {
                let places = std::iter::once((&p.place, &p.label))
                    .chain(p.also.iter().map(|(pl, l)| (pl, l)));
                for (place, label) in places {
                    if let Some(range) = resolve(place, bytes) {
                        let (id, valid) = *file.get_or_insert_with(|| {
                            let valid = std::str::from_utf8(bytes).is_ok();
                            let text = String::from_utf8_lossy(bytes).into_owned();
                            (sources.add(name, Some(path.to_path_buf()), text), valid)
                        });
                        let source = &sources.get(id).text;
                        let start = to_text_offset(range.start, bytes, valid, source);
                        let end = to_text_offset(range.end, bytes, valid, source).max(start);
                        d = d.label(Span::new(id, start, end), label.clone());
                    }
                }
            }
            if !p.help.is_empty() {
                d = d.help(p.help.clone());
            }
            out.push(d);
        }
        let rest = self.total - self.problems.len();
        if rest > 0 {
            let noun = if rest == 1 { "error" } else { "errors" };
            out.push(
                Diagnostic::error("too_many_errors", format!("{rest} more {noun} in `{name}` not shown"))
                    .help(format!("only the first {MAX_REPORTED} errors of a file are shown; fix them and load again")),
            );
        }
        out
    }
}

/// The byte range a place covers, if it can be found.
fn resolve(place: &Place, bytes: &[u8]) -> Option<Range<usize>> {
    match place {
        Place::File => None,
        Place::Bytes(r) => Some(r.start.min(bytes.len())..r.end.min(bytes.len())),
        Place::CsvField { record, field } => csv_raw_fields(bytes, *record).1.get(*field).cloned(),
        Place::CsvRecord { record } => Some(csv_raw_fields(bytes, *record).0),
    }
}

/// Maps a byte offset in the raw file to an offset in its (possibly lossily decoded) text, on a char
/// boundary.
fn to_text_offset(offset: usize, bytes: &[u8], valid: bool, text: &str) -> usize {
    let offset = offset.min(bytes.len());
    let mut o = if valid {
        offset
    } else {
        String::from_utf8_lossy(&bytes[..offset]).len()
    };
    o = o.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// The raw byte ranges of the CSV record starting at `start`: the whole record (without its line
/// terminator) and each field (quotes included). Follows RFC 4180 quoting with `"` doubled inside quotes.
pub(crate) fn csv_raw_fields(bytes: &[u8], start: usize) -> (Range<usize>, Vec<Range<usize>>) {
    let mut fields = vec![];
    let mut i = start.min(bytes.len());
    let mut field_start = i;
    let mut in_quotes = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_quotes {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else if b == b'"' {
            in_quotes = true;
        } else if b == b',' {
            fields.push(field_start..i);
            field_start = i + 1;
        } else if b == b'\n' || b == b'\r' {
            break;
        }
        i += 1;
    }
    fields.push(field_start..i);
    (start.min(bytes.len())..i, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_csv_fields_keep_quotes() {
        let text = b"a,b\n\"x,\"\"y\",z\r\nlast";
        let (record, fields) = csv_raw_fields(text, 4);
        assert_eq!(&text[record], b"\"x,\"\"y\",z");
        assert_eq!(fields, vec![4..11, 12..13]);
        let (_, fields) = csv_raw_fields(text, 15);
        assert_eq!(fields, vec![15..19]);
    }

    #[test]
    fn offsets_map_into_lossy_text() {
        let bytes = b"ab\xffcd";
        let text = String::from_utf8_lossy(bytes).into_owned();
        assert_eq!(to_text_offset(3, bytes, false, &text), 5);
        assert_eq!(&text[to_text_offset(3, bytes, false, &text)..], "cd");
    }
}
