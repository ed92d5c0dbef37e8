//! The JSON loaders: canonical JSON (`.json`) and JSON Lines (`.jsonl`).
//!
//! **Canonical JSON** is one object whose keys are relation names and whose values are arrays of rows,
//! each row an array with one value per column, in column order:
//!
//! ```json
//! {"certified": [["ACME", "NEEC", "active", "2026-12-31"]], "open": [[]]}
//! ```
//!
//! A key may repeat (its rows are appended). A top-level array (record-shaped JSON) is not supported yet.
//!
//! **JSON Lines** holds one row per line, as an object with exactly the keys `relation` and `row` (in
//! either order); blank lines are ignored:
//!
//! ```json
//! {"relation": "certified", "row": ["ACME", "NEEC", "active", "2026-12-31"]}
//! ```
//!
//! In both, a relation must be one of the program's (user) relations, declared or not: an unknown name
//! is an `unknown_relation` error (with a did-you-mean). Values convert as [`super::convert`] says; a
//! `null` in an optional column skips the row (counted), elsewhere it is an error. A syntax error stops
//! a canonical file; in JSON Lines it stops only its line.

use std::ops::Range;

use super::convert::{self, JsonDatum};
use super::report::{FileReport, Place, Problem};
use super::scan::{Datum, Scanner, SyntaxError};
use super::{FactOrigin, FactSet};
use crate::diagnostic::did_you_mean;
use crate::ir::{Program, RelationId, RelationKind};
use crate::value::{Value, ValueStore};

const CANONICAL_HELP: &str =
    "canonical JSON is an object mapping relation names to arrays of rows, e.g. `{\"certified\": [[\"ACME\", \"2026-12-31\"]]}`";
const LINES_HELP: &str =
    "each line of a JSON Lines file is one object, e.g. `{\"relation\": \"certified\", \"row\": [\"ACME\", \"2026-12-31\"]}`";

/// What the JSON loaders write into while they read one file.
pub(crate) struct Sink<'a> {
    pub program: &'a Program,
    pub values: &'a mut ValueStore,
    pub facts: &'a mut FactSet,
    pub report: &'a mut FileReport,
    /// Index of the file in `facts.files`.
    pub file: u32,
    /// Rows of each relation read so far from this file.
    rows: Vec<u32>,
    /// Rows skipped for an empty optional column, per relation.
    pub skipped: Vec<usize>,
    buffer: Vec<Value>,
    lines: LineCounter,
}

impl<'a> Sink<'a> {
    pub fn new(
        program: &'a Program,
        values: &'a mut ValueStore,
        facts: &'a mut FactSet,
        report: &'a mut FileReport,
        file: u32,
    ) -> Sink<'a> {
        let n = program.relations.len();
        Sink {
            program,
            values,
            facts,
            report,
            file,
            rows: vec![0; n],
            skipped: vec![0; n],
            buffer: vec![],
            lines: LineCounter::default(),
        }
    }
}

/// Counts lines forward through a text.
#[derive(Default)]
struct LineCounter {
    pos: usize,
    line: u32,
}

impl LineCounter {
    /// The 1-based line of byte `offset`.
    fn at(&mut self, bytes: &[u8], offset: usize) -> u32 {
        let offset = offset.min(bytes.len());
        if offset < self.pos {
            *self = LineCounter::default();
        }
        self.line += bytes[self.pos..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        self.pos = offset;
        self.line + 1
    }
}

/// Loads a canonical JSON text.
pub(crate) fn load_canonical(text: &str, sink: &mut Sink<'_>) {
    let mut s = Scanner::new(text, 0, text.len());
    if let Err(e) = canonical(&mut s, sink) {
        let line = sink.lines.at(text.as_bytes(), e.at.start);
        sink.report.push(syntax_problem(e, line, CANONICAL_HELP));
    }
}

fn canonical(s: &mut Scanner<'_>, sink: &mut Sink<'_>) -> Result<(), SyntaxError> {
    if s.peek() == Some(b'[') {
        let span = s.pos..s.pos + 1;
        sink.report.push(
            Problem::new(
                "invalid_json",
                "expected an object mapping relation names to rows, found an array",
                Place::Bytes(span),
                "an array",
            )
            .help(format!(
                "record-shaped JSON is not supported yet; {CANONICAL_HELP}"
            )),
        );
        return Ok(());
    }
    s.expect(b'{', "`{`")?;
    if s.eat(b'}') {
        return end(s);
    }
    loop {
        let (name, span) = s.string()?;
        s.expect(b':', "`:`")?;
        match relation(sink.program, &name, span) {
            Err(problem) => {
                sink.report.push(*problem);
                s.skip()?;
            }
            Ok(_) if s.peek() != Some(b'[') => {
                let d = s.datum()?;
                let message = format!(
                    "expected an array of rows for `{}`, found {}",
                    name,
                    found(s.text(), &d)
                );
                sink.report.push(
                    Problem::new("bad_value", message, datum_place(&d), "not an array")
                        .help(CANONICAL_HELP),
                );
            }
            Ok(rel) => {
                s.expect(b'[', "`[`")?;
                if !s.eat(b']') {
                    loop {
                        s.peek();
                        let line = sink.lines.at(s.text().as_bytes(), s.pos);
                        row(s, sink, rel, line)?;
                        if s.eat(b']') {
                            break;
                        }
                        s.expect(b',', "`,` or `]`")?;
                    }
                }
            }
        }
        if s.eat(b'}') {
            return end(s);
        }
        s.expect(b',', "`,` or `}`")?;
    }
}

fn end(s: &mut Scanner<'_>) -> Result<(), SyntaxError> {
    if s.at_end() {
        Ok(())
    } else {
        Err(s.unexpected("the end of the file"))
    }
}

/// Loads a JSON Lines text.
pub(crate) fn load_lines(text: &str, sink: &mut Sink<'_>) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut line = 0u32;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| start + i);
        line += 1;
        let mut s = Scanner::new(text, start, end);
        if !s.at_end() {
            if let Err(e) = json_line(&mut s, sink, line) {
                sink.report.push(syntax_problem(e, line, LINES_HELP));
            }
        }
        start = end + 1;
    }
}

fn json_line(s: &mut Scanner<'_>, sink: &mut Sink<'_>, line: u32) -> Result<(), SyntaxError> {
    let start = s.expect(b'{', "`{`")?;
    let mut name = None;
    let mut row_at = None;
    if !s.eat(b'}') {
        loop {
            let (key, key_span) = s.string()?;
            s.expect(b':', "`:`")?;
            let duplicate = || SyntaxError {
                at: key_span.clone(),
                message: format!("duplicate key `{key}`"),
                label: "again here".into(),
            };
            match &*key {
                "relation" if name.is_some() => return Err(duplicate()),
                "row" if row_at.is_some() => return Err(duplicate()),
                "relation" => {
                    if s.peek() != Some(b'"') {
                        return Err(s.unexpected("a relation name (a string)"));
                    }
                    name = Some(s.string()?);
                }
                "row" => {
                    s.peek();
                    row_at = Some(s.pos);
                    s.skip()?;
                }
                other => {
                    return Err(SyntaxError {
                        at: key_span.clone(),
                        message: format!(
                            "unexpected key `{other}`: a line holds only `relation` and `row`"
                        ),
                        label: "unexpected key".into(),
                    })
                }
            }
            if s.eat(b'}') {
                break;
            }
            s.expect(b',', "`,` or `}`")?;
        }
    }
    let object = start..s.pos;
    if !s.at_end() {
        return Err(s.unexpected("the end of the line"));
    }
    let Some((name, name_span)) = name else {
        return Err(SyntaxError {
            at: object,
            message: "missing key `relation`".into(),
            label: "this object".into(),
        });
    };
    let Some(row_at) = row_at else {
        return Err(SyntaxError {
            at: object,
            message: "missing key `row`".into(),
            label: "this object".into(),
        });
    };
    match relation(sink.program, &name, name_span) {
        Err(problem) => sink.report.push(*problem),
        Ok(rel) => {
            s.pos = row_at;
            row(s, sink, rel, line)?;
        }
    }
    Ok(())
}

/// The program's user relation called `name`, or an `unknown_relation` problem.
fn relation(program: &Program, name: &str, span: Range<usize>) -> Result<RelationId, Box<Problem>> {
    if let Some(id) = program
        .relation_id(name)
        .filter(|id| program.relation(*id).kind == RelationKind::User)
    {
        return Ok(id);
    }
    let names = program
        .relations
        .iter()
        .filter(|r| r.kind == RelationKind::User)
        .map(|r| r.name.as_str());
    let help = match did_you_mean(name, names) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            "data files can only hold facts of the program's relations; declare it in the policy"
                .to_string()
        }
    };
    Err(Box::new(
        Problem::new(
            "unknown_relation",
            format!("unknown relation `{name}`"),
            Place::Bytes(span),
            "not a relation of the program",
        )
        .help(help),
    ))
}

/// Reads one row of `rel` (any JSON value; a non-array is reported) and stores it when it fits.
fn row(
    s: &mut Scanner<'_>,
    sink: &mut Sink<'_>,
    rel: RelationId,
    line: u32,
) -> Result<(), SyntaxError> {
    let program = sink.program;
    let relation = program.relation(rel);
    let index = sink.rows[rel.index()];
    sink.rows[rel.index()] += 1;
    let place = format!("in row {} (line {line})", index + 1);
    if s.peek() != Some(b'[') {
        let d = s.datum()?;
        let message = format!(
            "expected a row of `{}` {place}, found {}",
            relation.name,
            found(s.text(), &d)
        );
        sink.report.push(
            Problem::new("bad_value", message, datum_place(&d), "not an array")
                .help("a row is an array with one value per column"),
        );
        return Ok(());
    }
    let start = s.pos;
    s.pos += 1;
    let arity = relation.arity();
    sink.buffer.clear();
    let mut count = 0;
    let mut good = true;
    let mut skip = false;
    if !s.eat(b']') {
        loop {
            let d = s.datum()?;
            if let Some(column) = relation.columns.get(count) {
                let datum = d.get();
                if datum == JsonDatum::Null && column.optional {
                    skip = true;
                } else {
                    match convert::from_json(column.ty, &datum, sink.values) {
                        Ok(v) => sink.buffer.push(v),
                        Err(m) => {
                            good = false;
                            let message = convert::mismatch_message(
                                relation,
                                count,
                                &found(s.text(), &d),
                                &place,
                            );
                            let label = format!("expected {}", convert::expected(column.ty));
                            sink.report.push(
                                Problem::new(m.code, message, datum_place(&d), label).help(m.help),
                            );
                        }
                    }
                }
            }
            count += 1;
            if s.eat(b']') {
                break;
            }
            s.expect(b',', "`,` or `]`")?;
        }
    }
    if count != arity {
        let message = format!(
            "row {} of `{}` (line {line}) has {count} {}, but `{}` has {arity} {}",
            index + 1,
            relation.name,
            plural(count, "value", "values"),
            relation.name,
            plural(arity, "column", "columns"),
        );
        let label = format!("{count} {}", plural(count, "value", "values"));
        sink.report.push(
            Problem::new("wrong_arity", message, Place::Bytes(start..s.pos), label).help(format!(
                "the columns of `{}` are {}",
                relation.name,
                signature(relation)
            )),
        );
    } else if skip && good {
        sink.skipped[rel.index()] += 1;
    } else if good {
        let origin = FactOrigin::Data {
            file: sink.file,
            line,
            row: index,
        };
        sink.facts.table_mut(rel).push(&sink.buffer, origin);
    }
    Ok(())
}

/// `(name: text, until: date)`, for help lines.
pub(crate) fn signature(relation: &crate::ir::Relation) -> String {
    let columns: Vec<String> = relation
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| match &c.name {
            Some(n) => format!("{n}: {}", c.ty.name()),
            None => format!("#{}: {}", i + 1, c.ty.name()),
        })
        .collect();
    format!("`({})`", columns.join(", "))
}

pub(crate) fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Where a label on a scanned datum goes: on the datum, or on the opening bracket of a nested array or
/// object (which may be huge).
fn datum_place(d: &Datum<'_>) -> Place {
    match d.datum {
        JsonDatum::Array | JsonDatum::Object => Place::Bytes(d.span.start..d.span.start + 1),
        _ => Place::Bytes(d.span.clone()),
    }
}

/// How a message shows a scanned datum.
fn found(text: &str, d: &Datum<'_>) -> String {
    match d.datum {
        JsonDatum::Array => "an array".to_string(),
        JsonDatum::Object => "an object".to_string(),
        _ => convert::shown(text.get(d.span.clone()).unwrap_or("")),
    }
}

fn syntax_problem(e: SyntaxError, line: u32, help: &str) -> Problem {
    Problem::new(
        "invalid_json",
        format!("invalid JSON on line {line}: {}", e.message),
        Place::Bytes(e.at),
        e.label,
    )
    .help(help)
}
