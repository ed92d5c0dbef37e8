//! The CSV loader: one relation per file, named by the file's stem (`certified.csv` → `certified`).
//!
//! The first record is a header naming the columns; columns are matched to the relation's declared
//! column names in any order. Every declared column must appear (`missing_column`); a header name that
//! is not a column is an error (`extra_column`) unless the relation is declared open, when the column
//! is ignored; a name may appear once (`duplicate_column`). The relation must be declared
//! (`undeclared_csv`): only a declaration names columns. Fields follow RFC 4180 (quotes, `""`, CRLF); a
//! UTF-8 byte order mark before the header is ignored; a file with only a header has zero rows; every
//! row has as many fields as the header (`ragged_row`). Fields are taken verbatim (no trimming) and
//! converted as [`super::convert`] says; an empty field is an error unless its column is optional, when
//! the row is skipped and counted.
//!
//! The file is streamed through a reused [`csv::ByteRecord`]; only fields that a column uses are
//! decoded, and nothing is allocated per field on the success path.

use std::path::Path;

use super::convert;
use super::json::signature;
use super::report::{FileReport, Place, Problem};
use super::{FactOrigin, FactSet};
use crate::diagnostic::did_you_mean;
use crate::ir::{Program, RelationId, RelationKind};
use crate::value::{ValueStore, ValueType};

/// Loads the CSV file at `path` (shown as `name`) into `facts`; returns the relation and the number of
/// rows skipped for an empty optional column.
#[allow(clippy::too_many_arguments)]
pub(crate) fn load_csv(
    path: &Path,
    input: impl std::io::Read,
    name: &str,
    file: u32,
    program: &Program,
    values: &mut ValueStore,
    facts: &mut FactSet,
    report: &mut FileReport,
) -> Option<(RelationId, usize)> {
    let rel = relation(path, name, program, report)?;
    let relation = program.relation(rel);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // `\n` ends a record, so that the reader's line numbers are right for CRLF files too (with
        // CRLF terminators it counts a record's `\n` only when it reads the next one); a `\r` before
        // it is taken off the last field, see `field`.
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 18)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => {
            report.push(
                Problem::new(
                    "missing_column",
                    format!(
                        "`{name}` is empty: it needs a header row naming the columns of `{}`",
                        relation.name
                    ),
                    Place::File,
                    "",
                )
                .help(format!(
                    "start the file with a header such as `{}`",
                    header_example(relation)
                )),
            );
            return None;
        }
        Err(e) => {
            report.push(read_error(name, &e));
            return None;
        }
    }

    // The header: which field holds each declared column.
    let header_at = record.position().map_or(0, |p| p.byte() as usize);
    let header_place = Place::CsvRecord { record: header_at };
    let mut field_of: Vec<Option<usize>> = vec![None; relation.arity()];
    let mut seen: Vec<String> = Vec::with_capacity(record.len());
    let mut header_ok = true;
    let last = record.len().saturating_sub(1);
    for (j, raw) in record.iter().enumerate() {
        let raw = field(raw, j == last);
        let raw = if j == 0 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        let field = Place::CsvField {
            record: header_at,
            field: j,
        };
        let Ok(h) = std::str::from_utf8(raw) else {
            header_ok = false;
            report.push(
                Problem::new(
                    "invalid_utf8",
                    format!("the header of `{name}` is not valid UTF-8"),
                    field,
                    "invalid UTF-8",
                )
                .help("save the file as UTF-8"),
            );
            seen.push(String::new());
            continue;
        };
        if let Some(first) = seen.iter().position(|s| s == h) {
            header_ok = false;
            report.push(
                Problem::new(
                    "duplicate_column",
                    format!("column `{h}` appears twice in the header of `{name}`"),
                    field,
                    "again here",
                )
                .also(
                    Place::CsvField {
                        record: header_at,
                        field: first,
                    },
                    "first here",
                )
                .help("each column may appear once; remove or rename one of them"),
            );
        } else if let Some(c) = relation
            .columns
            .iter()
            .position(|c| c.name.as_deref() == Some(h))
        {
            field_of[c] = Some(j);
        } else if !relation.open {
            header_ok = false;
            let names = relation.columns.iter().filter_map(|c| c.name.as_deref());
            let help = match did_you_mean(h, names) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "the columns of `{}` are {}; declare it open, `relation {}(.., ..).`, to ignore other columns",
                    relation.name,
                    signature(relation),
                    relation.name
                ),
            };
            report.push(
                Problem::new(
                    "extra_column",
                    format!(
                        "column `{h}` in the header of `{name}` is not a column of `{}`",
                        relation.name
                    ),
                    field,
                    "not a column",
                )
                .help(help),
            );
        }
        seen.push(h.to_string());
    }
    for (c, column) in relation.columns.iter().enumerate() {
        if field_of[c].is_none() {
            header_ok = false;
            let col = column.name.as_deref().unwrap_or("");
            report.push(
                Problem::new(
                    "missing_column",
                    format!(
                        "the header of `{name}` has no column `{col}` of `{}`",
                        relation.name
                    ),
                    header_place.clone(),
                    format!("no `{col}` here"),
                )
                .help(format!(
                    "add a column `{col}` ({}) to the header and to every row",
                    column.ty.name()
                )),
            );
        }
    }
    if !header_ok {
        return None;
    }

    // The rows.
    let header_len = record.len();
    let columns: Vec<(usize, ValueType, bool)> = relation
        .columns
        .iter()
        .zip(&field_of)
        .map(|(c, f)| (f.unwrap_or(0), c.ty, c.optional))
        .collect();
    let mut row = Vec::with_capacity(columns.len());
    let mut index: u32 = 0;
    let mut skipped = 0;
    let table = facts.table_mut(rel);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                report.push(read_error(name, &e));
                break;
            }
        }
        if record.len() == 1 && record.get(0) == Some(b"\r") {
            continue; // a blank CRLF line
        }
        let (at, line) = record
            .position()
            .map_or((0, 0), |p| (p.byte() as usize, p.line() as u32));
        if record.len() != header_len {
            let n = record.len();
            report.push(
                Problem::new(
                    "ragged_row",
                    format!("line {line} of `{name}` has {n} {}, but the header has {header_len}", fields(n)),
                    Place::CsvRecord { record: at },
                    format!("{n} {}", fields(n)),
                )
                .help("every row needs one field per header column; quote fields that contain a comma"),
            );
            index += 1;
            continue;
        }
        row.clear();
        let mut good = true;
        let mut skip = false;
        for (c, &(f, ty, optional)) in columns.iter().enumerate() {
            let raw = field(record.get(f).unwrap_or_default(), f + 1 == header_len);
            let place = || Place::CsvField {
                record: at,
                field: f,
            };
            if raw.is_empty() {
                if optional {
                    skip = true;
                    break;
                }
                good = false;
                let message = convert::mismatch_message(
                    relation,
                    c,
                    "an empty field",
                    &format!("on line {line}"),
                );
                report.push(
                    Problem::new("bad_value", message, place(), "empty").help(format!(
                        "every row needs a value for {}",
                        convert::column_name(&relation.columns[c], c)
                    )),
                );
                continue;
            }
            let Ok(text) = std::str::from_utf8(raw) else {
                good = false;
                report.push(
                    Problem::new(
                        "invalid_utf8",
                        format!(
                            "{} of `{}` on line {line} is not valid UTF-8",
                            convert::column_name(&relation.columns[c], c),
                            relation.name
                        ),
                        place(),
                        "invalid UTF-8",
                    )
                    .help("save the file as UTF-8"),
                );
                continue;
            };
            match convert::from_text(ty, text, values) {
                Ok(v) => row.push(v),
                Err(m) => {
                    good = false;
                    let message = convert::mismatch_message(
                        relation,
                        c,
                        &convert::shown(text),
                        &format!("on line {line}"),
                    );
                    let label = format!("expected {}", convert::expected(ty));
                    report.push(Problem::new(m.code, message, place(), label).help(m.help));
                }
            }
        }
        if good && skip {
            skipped += 1;
        } else if good {
            table.push(
                &row,
                FactOrigin::Data {
                    file,
                    line,
                    row: index,
                },
            );
        }
        index += 1;
    }
    Some((rel, skipped))
}

/// The declared relation a CSV file is named after, or a problem.
fn relation(
    path: &Path,
    name: &str,
    program: &Program,
    report: &mut FileReport,
) -> Option<RelationId> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let user = |id: &RelationId| program.relation(*id).kind == RelationKind::User;
    let Some(rel) = program.relation_id(stem).filter(user) else {
        let names = program
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::User)
            .map(|r| r.name.as_str());
        let help = match did_you_mean(stem, names) {
            Some(close) => {
                format!("a CSV file is named after its relation: did you mean `{close}.csv`?")
            }
            None => "a CSV file is named after a relation that the policy declares".to_string(),
        };
        report.push(
            Problem::new(
                "unknown_relation",
                format!("unknown relation `{stem}` (from the file name `{name}`)"),
                Place::File,
                "",
            )
            .help(help),
        );
        return None;
    };
    let relation = program.relation(rel);
    if !relation.declared || relation.columns.iter().any(|c| c.name.is_none()) {
        let what = if relation.declared {
            "does not name its columns"
        } else {
            "is not declared"
        };
        report.push(
            Problem::new(
                "undeclared_csv",
                format!("`{name}` holds rows of `{stem}`, which {what}: CSV needs a declaration that names the columns"),
                Place::File,
                "",
            )
            .help(format!("declare it, e.g. `relation {stem}({}).`", example_signature(relation))),
        );
        return None;
    }
    Some(rel)
}

/// A field's bytes, without the `\r` of a CRLF line ending when it is the last field.
#[inline]
fn field(raw: &[u8], last: bool) -> &[u8] {
    if last {
        raw.strip_suffix(b"\r").unwrap_or(raw)
    } else {
        raw
    }
}

fn example_signature(relation: &crate::ir::Relation) -> String {
    let columns: Vec<String> = relation
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{}: {}",
                c.name.clone().unwrap_or_else(|| format!("column{}", i + 1)),
                c.ty.name()
            )
        })
        .collect();
    columns.join(", ")
}

fn header_example(relation: &crate::ir::Relation) -> String {
    let names: Vec<&str> = relation
        .columns
        .iter()
        .filter_map(|c| c.name.as_deref())
        .collect();
    names.join(",")
}

fn fields(n: usize) -> &'static str {
    super::json::plural(n, "field", "fields")
}

fn read_error(name: &str, e: &csv::Error) -> Problem {
    super::load::unreadable(name, &e.to_string())
}
