//! The record-shaped JSON loader: a `.json` file whose top level is an array of objects, or a `.jsonl`
//! file of objects, turned into rows by the policy's [`RecordMapping`] named after the file's stem.
//!
//! Runs inside [`super::load()`], which picks the mapping (`no_mapping` when there is none). Each
//! record gives one row per row of its mapping level; each `each` names a list whose elements are
//! records of the inner level (a missing or `null` list has no elements). A field is a key of the
//! current record, a dotted path of keys through nested objects (`address.country`), or, with `^`, a
//! field of the enclosing record (`^id`). When a key repeats in an object, the last one counts.
//!
//! A missing field or a `null` is an error (`missing_field`, `bad_value`) unless the column is
//! optional: then the row is skipped and counted. A value converts to its column's type as
//! [`super::convert`] says. A record that is not an object is `bad_record`; a path through a value that
//! is not an object, or an `each` over a value that is not a list, is `bad_path`. Messages give the
//! JSON path (`$[3].certifications[0].valid_until`) and the line of the record.

use std::io::BufRead;

use serde_json::value::RawValue;

use super::convert;
use super::json::{datum_place, each_line, found, syntax_problem, Sink};
use super::report::{Place, Problem};
use super::scan::{self, elements, is_array, is_object, members, JsonDatum, JsonText};
use super::FactOrigin;
use crate::ir::{display_segment, RecordField, RecordLevel, RecordMapping};

const LINES_HELP: &str = "each line of a record-shaped JSON Lines file is one record (an object)";

/// One record being read: its members, where it is, and how to name it in messages.
struct Frame<'a, 'm> {
    /// The byte offset of the record's `{` in the file.
    start: usize,
    members: Vec<(&'a RawValue, &'a RawValue)>,
    line: u32,
    /// How this record is reached from its parent: the list's path (none at the top) and its index
    /// (none for a JSON Lines record).
    step: (Option<&'m [String]>, Option<usize>),
}

/// Loads a record-shaped JSON document (`doc` is the whole file, an array).
pub(crate) fn load_records(
    t: JsonText<'_>,
    doc: &RawValue,
    mapping: &RecordMapping,
    sink: &mut Sink<'_>,
) {
    let mut records = vec![];
    if let Err(e) = elements(doc, &mut records) {
        sink.report.push(syntax_problem(
            t.error(&e),
            1,
            "record-shaped JSON is an array of objects",
        ));
        return;
    }
    let mut stack = vec![];
    for (i, raw) in records.into_iter().enumerate() {
        let line = sink
            .lines
            .at(t.text.as_bytes(), t.span(raw).start - t.offset);
        enter(
            t,
            raw,
            line,
            (None, Some(i)),
            &mapping.root,
            &mut stack,
            sink,
        );
    }
}

/// Loads a record-shaped JSON Lines file, streamed line by line; a problem stops only its line.
pub(crate) fn load_record_lines(
    reader: impl BufRead,
    mapping: &RecordMapping,
    sink: &mut Sink<'_>,
) {
    each_line(reader, sink, |t, line, sink| {
        // The common case in one pass: the line is an object; read its members directly.
        if let Ok(members) = scan::line_members(t.text) {
            let start = t.offset + (t.text.len() - t.text.trim_start().len());
            let mut stack = vec![Frame {
                start,
                members,
                line,
                step: (None, None),
            }];
            record(t, &mapping.root, &mut stack, sink);
            return;
        }
        match t.document() {
            Err(e) => sink.report.push(syntax_problem(e, line, LINES_HELP)),
            Ok(raw) => enter(t, raw, line, (None, None), &mapping.root, &mut vec![], sink),
        }
    });
}

/// Reads `raw` as a record of `level` (reporting it when it is not an object).
fn enter<'a, 'm>(
    t: JsonText<'a>,
    raw: &'a RawValue,
    line: u32,
    step: (Option<&'m [String]>, Option<usize>),
    level: &'m RecordLevel,
    stack: &mut Vec<Frame<'a, 'm>>,
    sink: &mut Sink<'_>,
) {
    let mut frame = Frame {
        start: t.span(raw).start,
        members: vec![],
        line,
        step,
    };
    if !is_object(raw) || members(raw, &mut frame.members).is_err() {
        let d = t.datum(raw);
        stack.push(frame);
        let path = json_path(stack, &[]);
        stack.pop();
        sink.report.push(
            Problem::new(
                "bad_record",
                format!(
                    "expected a record (an object) at `{path}` (line {line}), found {}",
                    found(t, &d)
                ),
                datum_place(&d),
                "not an object",
            )
            .help("each element of a record-shaped file, and of a list named by `each`, is a JSON object"),
        );
        return;
    }
    stack.push(frame);
    record(t, level, stack, sink);
    stack.pop();
}

/// Reads the record on top of `stack`: its rows, then its nested lists.
fn record<'a, 'm>(
    t: JsonText<'a>,
    level: &'m RecordLevel,
    stack: &mut Vec<Frame<'a, 'm>>,
    sink: &mut Sink<'_>,
) {
    let program = sink.program;
    for row in &level.rows {
        let relation = program.relation(row.relation);
        sink.buffer.clear();
        let mut good = true;
        let mut skip = false;
        for (c, field) in row.fields.iter().enumerate() {
            let column = &relation.columns[c];
            let at = stack.len() - 1 - (field.up as usize).min(stack.len() - 1);
            let value = match lookup(t, &stack[at], field) {
                Ok(Some(v)) => Some(v),
                Ok(None) => None,
                Err(problem) => {
                    good = false;
                    sink.report.push(problem.with_path(stack, at));
                    continue;
                }
            };
            let datum = value.map(|v| t.datum(v));
            match datum.as_ref().map(|d| d.get()) {
                None | Some(JsonDatum::Null) if column.optional => skip = true,
                None => {
                    good = false;
                    let frame = &stack[at];
                    let path = json_path(&stack[..=at], &[]);
                    let start = frame.start;
                    sink.report.push(
                        Problem::new(
                            "missing_field",
                            format!(
                                "the record at `{path}` (line {}) has no field `{}` for {} of `{}`",
                                frame.line,
                                field.display().trim_start_matches('^'),
                                convert::column_name(column, c),
                                relation.name
                            ),
                            Place::Bytes(start..start + 1),
                            format!("no `{}` in this record", field.display().trim_start_matches('^')),
                        )
                        .help(format!(
                            "add the field to every record, or declare the column optional (`{}: {}?`) to skip records without it",
                            column.name.as_deref().unwrap_or("column"),
                            column.ty.name()
                        )),
                    );
                }
                Some(value) => match convert::from_json(column.ty, &value, sink.values) {
                    Ok(v) => sink.buffer.push(v),
                    Err(m) => {
                        good = false;
                        let Some(d) = datum.as_ref() else { continue };
                        let path = json_path(&stack[..=at], &field.path);
                        let place = format!("at `{path}` (line {})", stack[stack.len() - 1].line);
                        let message = convert::mismatch_message(relation, c, &found(t, d), &place);
                        let help = if value == JsonDatum::Null {
                            format!(
                                "{}; declare the column optional (`{}: {}?`) to skip such records",
                                m.help,
                                column.name.as_deref().unwrap_or("column"),
                                column.ty.name()
                            )
                        } else {
                            m.help
                        };
                        let label = format!("expected {}", convert::expected(column.ty));
                        sink.report
                            .push(Problem::new(m.code, message, datum_place(d), label).help(help));
                    }
                },
            }
        }
        let index = sink.rows[row.relation.index()];
        sink.rows[row.relation.index()] += 1;
        if good && skip {
            sink.skipped[row.relation.index()] += 1;
        } else if good {
            let origin = FactOrigin::Data {
                file: sink.file,
                line: stack[stack.len() - 1].line,
                row: index,
            };
            sink.facts
                .table_mut(row.relation)
                .push(&sink.buffer, origin);
        }
    }
    for nested in &level.nested {
        let top = stack.len() - 1;
        let field = RecordField {
            up: 0,
            path: nested.path.clone(),
            span: nested.span,
        };
        let list = match lookup(t, &stack[top], &field) {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(problem) => {
                sink.report.push(problem.with_path(stack, top));
                continue;
            }
        };
        if list.get() == "null" {
            continue;
        }
        let mut items = vec![];
        if !is_array(list) || elements(list, &mut items).is_err() {
            let d = t.datum(list);
            let path = json_path(stack, &nested.path);
            sink.report.push(
                Problem::new(
                    "bad_path",
                    format!(
                        "expected a list at `{path}` (line {}) for `each {}`, found {}",
                        stack[top].line,
                        field.display(),
                        found(t, &d)
                    ),
                    datum_place(&d),
                    "not a list",
                )
                .help("`each` names a field that holds a JSON array of records"),
            );
            continue;
        }
        for (i, raw) in items.into_iter().enumerate() {
            let line = if t.end_name == "the line" {
                stack[top].line
            } else {
                sink.lines
                    .at(t.text.as_bytes(), t.span(raw).start - t.offset)
            };
            enter(
                t,
                raw,
                line,
                (Some(&nested.path), Some(i)),
                &nested.level,
                stack,
                sink,
            );
        }
    }
}

/// A path that cannot be followed: the value in the way, and the keys up to it.
struct PathProblem<'a> {
    problem: Box<Problem>,
    through: &'a [String],
}

impl PathProblem<'_> {
    /// The problem, its message completed with the JSON path of the value in the way.
    fn with_path(self, stack: &[Frame<'_, '_>], at: usize) -> Problem {
        let path = json_path(&stack[..=at], self.through);
        let mut problem = *self.problem;
        problem.message = problem.message.replace("{path}", &path);
        problem
    }
}

/// Follows `field`'s keys from `frame`: `Ok(None)` when a key is missing.
fn lookup<'a, 'f>(
    t: JsonText<'a>,
    frame: &Frame<'a, '_>,
    field: &'f RecordField,
) -> Result<Option<&'a RawValue>, PathProblem<'f>> {
    let mut value = find(&frame.members, &field.path[0]);
    let mut inner = vec![];
    for (i, key) in field.path.iter().enumerate().skip(1) {
        let Some(v) = value else { return Ok(None) };
        if v.get() == "null" {
            return Ok(None);
        }
        if !is_object(v) || members(v, &mut inner).is_err() {
            let d = t.datum(v);
            let message = format!(
                "cannot follow `{}`: `{{path}}` (line {}) is {}, not an object",
                field.display(),
                frame.line,
                found(t, &d)
            );
            return Err(PathProblem {
                problem: Box::new(
                    Problem::new("bad_path", message, datum_place(&d), "not an object").help(
                        format!(
                            "a dotted field reads a key inside an object; check the mapping's `{}`",
                            field.display()
                        ),
                    ),
                ),
                through: &field.path[..i],
            });
        }
        value = find(&inner, key);
    }
    Ok(value)
}

/// The value of the last member called `key`.
fn find<'a>(members: &[(&'a RawValue, &'a RawValue)], key: &str) -> Option<&'a RawValue> {
    members
        .iter()
        .rev()
        .find(|(k, _)| key_is(k, key))
        .map(|(_, v)| *v)
}

/// Whether a raw key literal (quotes included) is `key`.
fn key_is(raw: &RawValue, key: &str) -> bool {
    let r = raw.get();
    let inner = r.get(1..r.len().saturating_sub(1)).unwrap_or("");
    if inner.as_bytes().contains(&b'\\') {
        super::scan::key(raw) == key
    } else {
        inner == key
    }
}

/// The JSON path of the record on top of `stack`, then `keys`: `$[3].certifications[0].valid_until`.
fn json_path(stack: &[Frame<'_, '_>], keys: &[String]) -> String {
    let mut out = String::from("$");
    let push_key = |out: &mut String, key: &str| {
        let shown = display_segment(key);
        if shown.starts_with('"') {
            out.push_str(&format!("[{shown}]"));
        } else {
            out.push('.');
            out.push_str(&shown);
        }
    };
    for frame in stack {
        if let Some(path) = frame.step.0 {
            for key in path {
                push_key(&mut out, key);
            }
        }
        if let Some(i) = frame.step.1 {
            out.push_str(&format!("[{i}]"));
        }
    }
    for key in keys {
        push_key(&mut out, key);
    }
    out
}
