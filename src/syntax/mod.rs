//! Syntax: source files, spans, the grammar binding and the AST.
//!
//! The first stage of the pipeline: text → [`ast::SourceFile`]. [`parse`] is the only place that sees
//! pest's pairs; everything downstream works on the AST and reaches source text only through
//! [`SourceMap`] (for rendering diagnostics), never to re-parse it.

pub mod ast;
pub mod comments;
pub mod format;
mod parse;

pub use parse::{is_incomplete, parse_file, parse_query, parse_repl_line, ReplLine};

use std::fmt;
use std::path::{Path, PathBuf};

/// Identifies a source text in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source text.
///
/// Spans compare equal to every other span, so that two ASTs are equal when they mean the same thing
/// wherever they were written. Use [`Span::same_as`] to compare positions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl std::hash::Hash for Span {
    /// Consistent with equality: all spans are equal, so they all hash alike.
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn same_as(&self, other: &Span) -> bool {
        (self.file, self.start, self.end) == (other.file, other.start, other.end)
    }

    /// The smallest span covering both (which must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// A source text and the name it is shown under.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name shown in diagnostics (a path as given on the command line, or `<repl>`).
    pub name: String,
    /// The file on disk, when there is one.
    pub path: Option<PathBuf>,
    pub text: String,
}

/// Every source text of a run, by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    sources: Vec<Source>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, path: Option<PathBuf>, text: String) -> FileId {
        self.sources.push(Source {
            name: name.into(),
            path,
            text,
        });
        FileId(self.sources.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &Source {
        &self.sources[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.sources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Shows every source whose name starts with `from` with `to` in its place (for files written to a
    /// temporary directory, e.g. a policy version read from git).
    pub fn rename_prefix(&mut self, from: &str, to: &str) {
        for source in &mut self.sources {
            if let Some(rest) = source.name.strip_prefix(from) {
                source.name = format!("{to}{rest}");
            }
        }
    }

    pub fn find_path(&self, path: &Path) -> Option<FileId> {
        self.sources
            .iter()
            .position(|s| s.path.as_deref() == Some(path))
            .map(|i| FileId(i as u32))
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file)
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// 1-based line and column (in characters) of a span's start.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        let text = &self.get(span.file).text;
        let start = (span.start as usize).min(text.len());
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }

    /// `name:line`, as explanations and rule listings show a place.
    pub fn location(&self, span: Span) -> Location<'_> {
        let (line, _) = self.line_col(span);
        Location {
            name: &self.get(span.file).name,
            line,
        }
    }
}

/// A file name and a line, displayed as `name:line`.
pub struct Location<'a> {
    pub name: &'a str,
    pub line: usize,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.line)
    }
}
