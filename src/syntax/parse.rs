//! Lowering from pest's parse tree to the AST: the entry points and what every lowering shares.
//!
//! The only module (with its children) that sees [`Pair<Rule>`]. It assumes the grammar's shape (each
//! `match` mirrors one grammar rule); a shape it does not expect is a bug in the parser, reported as an
//! internal syntax error rather than a panic. This file holds the entry points (a file, a query, a REPL
//! line, and whether a REPL input is unfinished), the nesting guard that runs before pest, and the
//! `Lower` helpers; the children lower one part of the grammar each: `statements`, `annotations`
//! (rule and fact headers), `formulas`, `expressions`, `records`; `errors` turns pest's errors into
//! diagnostics in an author's words.
//!
//! A file is read from the grammar's fast entry `file_fast` (the same language as `file`, read with
//! less backtracking; see the grammar) and, when that fails, from the reference entry `file`, which
//! alone gives syntax diagnostics. The lowerings take each `*_fast` pair as its twin.
//!
//! Invariants: input nested deeper than [`MAX_NESTING`] is rejected before the recursive parser sees
//! it; `file_fast` and `file` lower every input whose code holds no letter, space or byte-order mark
//! beyond ASCII and no comment inside parentheses to the same statements, spans included, or
//! `file_fast` fails (both fail, or a comment stands between a relation's name and its `(`); a test
//! holds them to it on every policy in the repository and mutations of them. `parse_file` gives
//! `file_fast` no other input, and reads a file whose pieces it fails from `file`.

use std::sync::Mutex;

use pest::error::InputLocation;
use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use super::ast::*;
use super::{FileId, Span};
use crate::diagnostic::Diagnostic;
use errors::syntax_error;

mod annotations;
mod errors;
mod expressions;
mod formulas;
mod pieces;
mod records;
mod statements;

#[derive(Parser)]
#[grammar = "../grammar/accord.pest"]
struct AccordParser;

/// Parses a whole policy file. The file is cut into pieces of whole statements that parse on every
/// core (see `pieces`), each read from the grammar's fast entry `file_fast` as soon as the scan for
/// cuts finds it (or from `file`, for a piece whose code holds a letter, space or byte-order mark
/// beyond ASCII or a comment inside parentheses, which the fast entry would read otherwise); when
/// any piece fails, the whole file is read again from the reference entry `file`, which gives the
/// diagnostic (or, should the fast entry ever miss a form the reference reads, the statements).
pub fn parse_file(file: FileId, text: &str) -> Result<SourceFile, Diagnostic> {
    // Each piece's statements, with the piece's place in the file.
    let parsed: Mutex<Vec<(usize, Result<Vec<Item>>)>> = Mutex::default();
    let scanned = rayon::scope(|scope| {
        let mut place = 0;
        pieces::scan_with(text, PIECE_BYTES, MAX_NESTING, |piece| {
            let (parsed, at) = (&parsed, place);
            place += 1;
            let entry = if piece.fast {
                Rule::file_fast
            } else {
                Rule::file
            };
            scope.spawn(move |_| {
                let items = parse_items(file, text, piece.range, entry);
                // A poisoned lock only means another piece panicked, which the scope passes on.
                if let Ok(mut parsed) = parsed.lock() {
                    parsed.push((at, items));
                }
            });
        })
    });
    scanned.map_err(|i| too_deep(file, i))?;
    let mut pieces = parsed.into_inner().unwrap_or_default();
    pieces.sort_unstable_by_key(|(at, _)| *at);
    if let Ok(pieces) = pieces
        .into_iter()
        .map(|(_, items)| items)
        .collect::<Result<Vec<_>>>()
    {
        // Sized first: growing the vector would copy the statements again.
        let mut items = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
        pieces.into_iter().for_each(|piece| items.extend(piece));
        return Ok(SourceFile { items });
    }
    let items = parse_items(file, text, 0..text.len(), Rule::file)?;
    Ok(SourceFile { items })
}

/// How long a piece of a file is (but the last). Small pieces keep pest's token queue, which holds
/// about 60 bytes per byte of input until the piece is lowered, small and warm in the cache, and
/// share the work evenly between the cores. On the 10 000-rule policy 16 KiB took 5 % fewer page
/// faults than 64 KiB (10.4 k against 11.0 k) for the same instructions; the whole file in four
/// pieces per core took a quarter more.
const PIECE_BYTES: usize = 16 << 10;

/// The statements of `text[range]`, read from `entry` (`file` or `file_fast`).
fn parse_items(
    file: FileId,
    text: &str,
    range: std::ops::Range<usize>,
    entry: Rule,
) -> Result<Vec<Item>> {
    let piece = text.get(range.clone()).unwrap_or_default();
    let mut pairs = AccordParser::parse(entry, piece).map_err(|e| {
        // Diagnostics are only ever built for the whole text (see `parse_file`).
        syntax_error(file, piece, e)
    })?;
    let root = pairs.next().ok_or_else(|| internal(file, "empty parse"))?;
    let lower = Lower {
        file,
        offset: range.start,
    };
    let mut items = vec![];
    for pair in root.into_inner() {
        if pair.as_rule() == Rule::EOI {
            continue;
        }
        items.push(lower.item(pair)?);
    }
    Ok(items)
}

/// Parses a query: premises without a conclusion, e.g. `fewer_exams(s) ∧ shipment(s, e, US, d)`.
pub fn parse_query(file: FileId, text: &str) -> Result<Formula, Diagnostic> {
    let root = parse_root(file, text, Rule::query)?;
    let lower = Lower { file, offset: 0 };
    let formula = root
        .into_inner()
        .next()
        .ok_or_else(|| internal(file, "empty query"))?;
    lower.formula(formula)
}

/// Parses `text` from the grammar rule `entry`, once the nesting guard has passed it; the root pair.
fn parse_root(file: FileId, text: &str, entry: Rule) -> Result<Pair<'_, Rule>> {
    check_nesting(file, text)?;
    let mut pairs = AccordParser::parse(entry, text).map_err(|e| syntax_error(file, text, e))?;
    pairs.next().ok_or_else(|| internal(file, "empty parse"))
}

/// What a line typed at the REPL is.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplLine {
    Item(Item),
    Query(Formula),
}

/// Parses a REPL input: a statement (fact, rule, declaration) or a query.
pub fn parse_repl_line(file: FileId, text: &str) -> Result<ReplLine, Diagnostic> {
    let root = parse_root(file, text, Rule::repl_line)?;
    let lower = Lower { file, offset: 0 };
    let inner = root
        .into_inner()
        .next()
        .ok_or_else(|| internal(file, "empty input"))?;
    if inner.as_rule() == Rule::query_body {
        let formula = inner
            .into_inner()
            .next()
            .ok_or_else(|| internal(file, "empty query"))?;
        return Ok(ReplLine::Query(lower.formula(formula)?));
    }
    Ok(ReplLine::Item(lower.item(inner)?))
}

/// Whether a REPL input is an unfinished statement: it does not parse, and the only problem is that it
/// stops too early (the parser wanted more at the end of the text). The REPL then asks for more lines.
/// An input that starts with a statement keyword (`rule name`, `relation`, …) must be a whole
/// statement, even when its first line alone would read as a query.
pub fn is_incomplete(text: &str) -> bool {
    let trimmed = text.trim_start();
    let word_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    let keyword = &trimmed[..word_len];
    let statement = matches!(
        keyword,
        "rule" | "fact" | "relation" | "symmetric" | "subject" | "test" | "import"
    ) && !trimmed[word_len..].trim_start().starts_with('(');
    let entry = if statement {
        Rule::file
    } else {
        Rule::repl_line
    };
    match AccordParser::parse(entry, text) {
        Ok(_) => false,
        Err(e) => {
            let pos = match e.location {
                InputLocation::Pos(p) => p,
                InputLocation::Span((s, _)) => s,
            };
            !text.trim().is_empty() && pos >= text.trim_end().len()
        }
    }
}

/// How deeply parentheses and braces may nest. The parser and every later pass recurse over the
/// nesting, so a bound keeps any input from exhausting the stack; real policies nest a few levels.
pub const MAX_NESTING: usize = 128;

/// Rejects input nested deeper than [`MAX_NESTING`], before the recursive parser sees it.
fn check_nesting(file: FileId, text: &str) -> Result<(), Diagnostic> {
    pieces::scan(text, usize::MAX, MAX_NESTING)
        .map(|_| ())
        .map_err(|i| too_deep(file, i))
}

/// The error for a `(` or `{` at byte `at` that nests deeper than [`MAX_NESTING`].
fn too_deep(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::error(
        "too_deeply_nested",
        format!("parentheses and braces nest more than {MAX_NESTING} deep here"),
    )
    .label(Span::new(file, at, at + 1), "too deep")
    .help("split the rule into smaller rules, each naming a part of it")
}

type Result<T, E = Diagnostic> = std::result::Result<T, E>;

fn internal(file: FileId, what: &str) -> Diagnostic {
    Diagnostic::error("syntax", format!("internal parser error: {what}"))
        .label(Span::new(file, 0, 0), "")
        .help("this is a bug in accord; please report it with the input")
}

struct Lower {
    file: FileId,
    /// Where the text the pairs come from starts in the file.
    offset: usize,
}

impl Lower {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.offset + s.start(), self.offset + s.end())
    }

    fn unexpected(&self, pair: &Pair<Rule>) -> Diagnostic {
        Diagnostic::error(
            "syntax",
            format!("internal parser error: unexpected {:?}", pair.as_rule()),
        )
        .label(self.span(pair), "here")
        .help("this is a bug in accord; please report it with the input")
    }

    fn name(&self, pair: Pair<Rule>) -> Name {
        Name {
            span: self.span(&pair),
            text: SmolStr::new(pair.as_str()),
        }
    }

    fn first<'a>(&self, pair: Pair<'a, Rule>) -> Result<Pair<'a, Rule>> {
        let span = self.span(&pair);
        pair.into_inner()
            .find(|p| !matches!(p.as_rule(), Rule::kw_import | Rule::kw_load | Rule::dot))
            .ok_or_else(|| internal(self.file, "missing child").label(span, ""))
    }
}

#[cfg(test)]
mod tests;
