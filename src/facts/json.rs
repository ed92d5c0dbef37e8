//! The JSON loaders: canonical JSON (`.json`) and JSON Lines (`.jsonl`).
//!
//! **Canonical JSON** is one object whose keys are relation names and whose values are arrays of rows,
//! each row an array with one value per column, in column order:
//!
//! ```json
//! {"certified": [["ACME", "NEEC", "active", "2026-12-31"]], "open": [[]]}
//! ```
//!
//! A key may repeat (its rows are appended). A top-level array is record-shaped JSON, read by
//! [`super::records`] through the policy's mapping named after the file ([`load_json`] decides).
//!
//! **JSON Lines** (streamed line by line) holds one row per line, as an object with exactly the keys `relation` and `row` (in
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

use std::io::BufRead;
use std::ops::Range;

use serde_json::value::RawValue;

use super::convert::{self, JsonDatum};
use super::report::{FileReport, Place, Problem};
use super::scan::{self, elements, is_array, is_object, members, Datum, JsonText, SyntaxError};
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
    pub rows: Vec<u32>,
    /// Rows skipped for an empty optional column, per relation.
    pub skipped: Vec<usize>,
    pub buffer: Vec<Value>,
    pub lines: LineCounter,
    /// Whether a JSON Lines file of records without a mapping was reported (once per file).
    unmapped: bool,
    /// The file's stem, for messages about mappings.
    pub stem: String,
}

impl<'a> Sink<'a> {
    /// The counts of rows skipped for an empty optional column, by relation.
    pub fn take_skipped(&mut self) -> impl Iterator<Item = (RelationId, usize)> {
        std::mem::take(&mut self.skipped)
            .into_iter()
            .enumerate()
            .map(|(i, n)| (RelationId(i as u32), n))
    }

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
            unmapped: false,
            stem: String::new(),
        }
    }
}

/// Counts lines forward through a text.
#[derive(Default)]
pub(crate) struct LineCounter {
    pos: usize,
    line: u32,
}

impl LineCounter {
    /// The 1-based line of byte `offset`; moving back and forth costs the distance moved.
    pub fn at(&mut self, bytes: &[u8], offset: usize) -> u32 {
        let offset = offset.min(bytes.len());
        let newlines = |r: &[u8]| r.iter().filter(|&&b| b == b'\n').count() as u32;
        if offset >= self.pos {
            self.line += newlines(&bytes[self.pos..offset]);
        } else {
            self.line -= newlines(&bytes[offset..self.pos]);
        }
        self.pos = offset;
        self.line + 1
    }
}

/// Loads a `.json` file's text: canonical when its top level is an object, record-shaped (through the
/// mapping named `stem`) when it is an array.
pub(crate) fn load_json(text: &str, stem: &str, sink: &mut Sink<'_>) {
    let t = JsonText {
        text,
        offset: 0,
        end_name: "the file",
    };
    let doc = match t.document() {
        Ok(doc) => doc,
        Err(e) => {
            let line = sink.lines.at(text.as_bytes(), e.at.start);
            sink.report.push(syntax_problem(e, line, CANONICAL_HELP));
            return;
        }
    };
    if is_object(doc) {
        load_canonical(t, doc, sink);
    } else if is_array(doc) {
        match sink.program.mapping(stem) {
            Some(mapping) => super::records::load_records(t, doc, mapping, sink),
            None => {
                let span = t.span(doc);
                sink.report.push(no_mapping(
                    stem,
                    span.start..span.start + 1,
                    "a list of records",
                ));
            }
        }
    } else {
        let d = t.datum(doc);
        sink.report.push(
            Problem::new(
                "invalid_json",
                format!(
                    "expected an object mapping relation names to rows, or a list of records, found {}",
                    found(t, &d)
                ),
                datum_place(&d),
                "not an object or an array",
            )
            .help(CANONICAL_HELP),
        );
    }
}

/// A `no_mapping` problem: record-shaped data with no `records` mapping named `stem`.
pub(crate) fn no_mapping(stem: &str, at: Range<usize>, label: &str) -> Problem {
    Problem::new(
        "no_mapping",
        format!("the records of `{stem}` have no mapping: the policy has no `records \"{stem}\"`"),
        Place::Bytes(at),
        label,
    )
    .help(format!(
        "record-shaped data needs a mapping named after the file, e.g. `records \"{stem}\" {{ company(id, country). }}`; canonical JSON is an object mapping relation names to rows"
    ))
}

/// Loads a canonical JSON document (`doc` is the whole file, an object).
pub(crate) fn load_canonical(t: JsonText<'_>, doc: &RawValue, sink: &mut Sink<'_>) {
    let mut entries = vec![];
    if let Err(e) = members(doc, &mut entries) {
        sink.report
            .push(syntax_problem(t.error(&e), 1, CANONICAL_HELP));
        return;
    }
    let mut rows = vec![];
    for (key, value) in entries {
        let name = scan::key(key);
        match relation(sink.program, &name, t.span(key)) {
            Err(problem) => sink.report.push(*problem),
            Ok(_) if !is_array(value) => {
                let d = t.datum(value);
                let message = format!(
                    "expected an array of rows for `{}`, found {}",
                    name,
                    found(t, &d)
                );
                sink.report.push(
                    Problem::new("bad_value", message, datum_place(&d), "not an array")
                        .help(CANONICAL_HELP),
                );
            }
            Ok(rel) => {
                if elements(value, &mut rows).is_err() {
                    continue;
                }
                for raw in rows.drain(..) {
                    let line = sink
                        .lines
                        .at(t.text.as_bytes(), t.span(raw).start - t.offset);
                    row(t, raw, sink, rel, line);
                }
            }
        }
    }
}

/// Loads a JSON Lines file of `{"relation": …, "row": […]}` objects, streamed line by line. A
/// problem stops only its line.
pub(crate) fn load_lines(reader: impl BufRead, sink: &mut Sink<'_>) {
    each_line(reader, sink, |t, line, sink| {
        if let Err(e) = canonical_line(t, line, sink) {
            sink.report.push(syntax_problem(e, line, LINES_HELP));
        }
    });
}

/// Calls `f` with each non-blank line of a JSON Lines stream (as a [`JsonText`] and its 1-based
/// number); reports lines that are not UTF-8 or cannot be read.
pub(crate) fn each_line<R: BufRead>(
    mut reader: R,
    sink: &mut Sink<'_>,
    mut f: impl FnMut(JsonText<'_>, u32, &mut Sink<'_>),
) {
    let mut buffer = Vec::with_capacity(1 << 12);
    let mut offset = 0usize;
    let mut line = 0u32;
    loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                sink.report
                    .push(super::load::unreadable("the file", &e.to_string()));
                break;
            }
        }
        line += 1;
        let start = offset;
        offset += buffer.len();
        match std::str::from_utf8(&buffer) {
            Err(e) => {
                let at = start + e.valid_up_to();
                sink.report.push(
                    Problem::new(
                        "invalid_utf8",
                        format!("line {line} is not valid UTF-8"),
                        Place::Bytes(at..at + e.error_len().unwrap_or(1)),
                        "invalid UTF-8",
                    )
                    .help("JSON files must be UTF-8; save the file as UTF-8"),
                );
            }
            Ok(text) if text.trim().is_empty() => {}
            Ok(text) => f(
                JsonText {
                    text,
                    offset: start,
                    end_name: "the line",
                },
                line,
                sink,
            ),
        }
    }
}

fn canonical_line(t: JsonText<'_>, line: u32, sink: &mut Sink<'_>) -> Result<(), SyntaxError> {
    let doc = t.document()?;
    if !is_object(doc) {
        let span = t.span(doc);
        return Err(SyntaxError {
            at: span.start..span.start + 1,
            message: format!("expected `{{`, found {}", found(t, &t.datum(doc))),
            label: "expected `{`".into(),
        });
    }
    let mut entries = vec![];
    members(doc, &mut entries).map_err(|e| t.error(&e))?;
    let known = |k: &&RawValue| matches!(k.get(), "\"relation\"" | "\"row\"");
    if !entries.is_empty() && !entries.iter().any(|(k, _)| known(k)) {
        // A record, not a `{"relation", "row"}` line: the file is record-shaped but has no mapping.
        if !sink.unmapped {
            sink.unmapped = true;
            let span = t.span(doc);
            let stem = sink.stem.clone();
            sink.report
                .push(no_mapping(&stem, span.start..span.start + 1, "a record"));
        }
        return Ok(());
    }
    let mut name = None;
    let mut row_at = None;
    for (key, value) in entries {
        let key_span = t.span(key);
        let k = scan::key(key);
        let duplicate = || SyntaxError {
            at: key_span.clone(),
            message: format!("duplicate key `{k}`"),
            label: "again here".into(),
        };
        match &*k {
            "relation" if name.is_some() => return Err(duplicate()),
            "row" if row_at.is_some() => return Err(duplicate()),
            "relation" => match t.datum(value) {
                Datum {
                    datum: JsonDatum::String(s),
                    owned,
                    span,
                } => name = Some((owned.unwrap_or_else(|| s.to_string()), span)),
                d => {
                    return Err(SyntaxError {
                        at: d.span.clone(),
                        message: format!(
                            "expected a relation name (a string), found {}",
                            found(t, &d)
                        ),
                        label: "expected a relation name (a string)".into(),
                    })
                }
            },
            "row" => row_at = Some(value),
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
    }
    let object = t.span(doc);
    let Some((name, name_span)) = name else {
        return Err(SyntaxError {
            at: object,
            message: "missing key `relation`".into(),
            label: "this object".into(),
        });
    };
    let Some(raw) = row_at else {
        return Err(SyntaxError {
            at: object,
            message: "missing key `row`".into(),
            label: "this object".into(),
        });
    };
    match relation(sink.program, &name, name_span) {
        Err(problem) => sink.report.push(*problem),
        Ok(rel) => row(t, raw, sink, rel, line),
    }
    Ok(())
}

/// The program's user relation called `name`, or an `unknown_relation` problem.
pub(crate) fn relation(
    program: &Program,
    name: &str,
    span: Range<usize>,
) -> Result<RelationId, Box<Problem>> {
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
fn row(t: JsonText<'_>, raw: &RawValue, sink: &mut Sink<'_>, rel: RelationId, line: u32) {
    let program = sink.program;
    let relation = program.relation(rel);
    let index = sink.rows[rel.index()];
    sink.rows[rel.index()] += 1;
    let place = format!("in row {} (line {line})", index + 1);
    let mut cells = vec![];
    if !is_array(raw) || elements(raw, &mut cells).is_err() {
        let d = t.datum(raw);
        let message = format!(
            "expected a row of `{}` {place}, found {}",
            relation.name,
            found(t, &d)
        );
        sink.report.push(
            Problem::new("bad_value", message, datum_place(&d), "not an array")
                .help("a row is an array with one value per column"),
        );
        return;
    }
    let arity = relation.arity();
    sink.buffer.clear();
    let mut good = true;
    let mut skip = false;
    for (index, (column, cell)) in relation.columns.iter().zip(&cells).enumerate() {
        let d = t.datum(cell);
        let datum = d.get();
        if datum == JsonDatum::Null && column.optional {
            skip = true;
            continue;
        }
        match convert::from_json(column.ty, &datum, sink.values) {
            Ok(v) => sink.buffer.push(v),
            Err(m) => {
                good = false;
                let message = convert::mismatch_message(relation, index, &found(t, &d), &place);
                let label = format!("expected {}", convert::expected(column.ty));
                sink.report
                    .push(Problem::new(m.code, message, datum_place(&d), label).help(m.help));
            }
        }
    }
    let count = cells.len();
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
            Problem::new("wrong_arity", message, Place::Bytes(t.span(raw)), label).help(format!(
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
pub(crate) fn datum_place(d: &Datum<'_>) -> Place {
    match d.datum {
        JsonDatum::Array | JsonDatum::Object => Place::Bytes(d.span.start..d.span.start + 1),
        _ => Place::Bytes(d.span.clone()),
    }
}

/// How a message shows a JSON datum.
pub(crate) fn found(t: JsonText<'_>, d: &Datum<'_>) -> String {
    match d.datum {
        JsonDatum::Array => "an array".to_string(),
        JsonDatum::Object => "an object".to_string(),
        _ => convert::shown(
            t.text
                .get(d.span.start - t.offset..d.span.end - t.offset)
                .unwrap_or(""),
        ),
    }
}

pub(crate) fn syntax_problem(e: SyntaxError, line: u32, help: &str) -> Problem {
    Problem::new(
        "invalid_json",
        format!("invalid JSON on line {line}: {}", e.message),
        Place::Bytes(e.at),
        e.label,
    )
    .help(help)
}
