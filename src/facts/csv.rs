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
//! The header is read here; the rows are converted in blocks on every core by [`super::csv_rows`]
//! (which says why the result is the one a single pass gives). Only fields that a column uses are
//! decoded, and nothing is allocated per field on the success path.

use std::path::Path;

use super::csv_blocks::{Block, Blocks};
use super::csv_rows::{self, field, Layout};
use super::json::signature;
use super::report::{FileReport, Place, Problem};
use super::FactSet;
use crate::diagnostic::did_you_mean;
use crate::ir::{Program, RelationId, RelationKind};
use crate::value::ValueStore;

/// Loads the CSV file read by `blocks` (at `path`, shown as `name`) into `facts`; returns the relation
/// and the number of rows skipped for an empty optional column. The caller chooses the block size
/// (`load` sizes it to the file, at most [`super::csv_blocks::BLOCK_BYTES`]; tests use small ones).
#[allow(clippy::too_many_arguments)]
pub(crate) fn load_csv(
    path: &Path,
    mut blocks: Blocks<impl std::io::Read + Send>,
    name: &str,
    file: u32,
    program: &Program,
    values: &mut ValueStore,
    facts: &mut FactSet,
    report: &mut FileReport,
) -> Option<(RelationId, usize)> {
    let rel = relation(path, name, program, report)?;
    let relation = program.relation(rel);
    let mut first = match blocks.next_block() {
        Ok(Some(block)) => block,
        Ok(None) => {
            report.push(empty_file(name, relation));
            return None;
        }
        Err(e) => {
            report.push(super::load::unreadable(name, &e.to_string()));
            return None;
        }
    };
    let mut reader = csv_rows::record_reader(first.bytes.as_slice());
    let mut record = csv::ByteRecord::new();
    if !matches!(reader.read_byte_record(&mut record), Ok(true)) {
        // Only blank lines: as empty as an empty file.
        report.push(empty_file(name, relation));
        return None;
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

    // The rows, in blocks converted on every core and appended in file order.
    let header_len = record.len();
    let rows_start = reader.position().byte() as usize;
    let lines_before = (reader.position().line() as u32).saturating_sub(1);
    drop(reader);
    first.bytes.drain(..rows_start.min(first.bytes.len()));
    first.offset = rows_start;
    first.lines = lines_before;
    let layout = Layout {
        name,
        file,
        relation,
        columns: relation
            .columns
            .iter()
            .zip(&field_of)
            .map(|(c, f)| (f.unwrap_or(0), c.ty, c.optional))
            .collect(),
        header_len,
    };
    let mut rows = csv_rows::Appender {
        table: facts.table_mut(rel),
        types: relation.types(),
        records: 0,
        skipped: 0,
        spares: vec![],
    };
    // Pipelined: while one window of blocks is converted, the one before it is appended and the one
    // after it is read. The first window is the first block alone, so converting starts at once.
    let window = 2 * rayon::current_num_threads().max(1);
    let mut batch = vec![first];
    let mut ended = false;
    let mut converted: Vec<csv_rows::Converted> = vec![];
    loop {
        let mut next = vec![];
        // The buffers of the window appended last round (this round's appends refill the pool).
        let spares = rows.take_spares(batch.len());
        let (now, end) = rayon::join(
            || csv_rows::convert_all(&layout, &batch, spares),
            || {
                for block in converted.drain(..) {
                    rows.append(block, values, report);
                }
                ended || fill(&mut blocks, &mut next, window, name, report)
            },
        );
        converted = now;
        for block in batch.drain(..) {
            blocks.recycle(block.bytes);
        }
        if converted.is_empty() && next.is_empty() {
            break;
        }
        (batch, ended) = (next, end);
    }
    Some((rel, rows.skipped))
}

/// The problem of a file without a header.
fn empty_file(name: &str, relation: &crate::ir::Relation) -> Problem {
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
    ))
}

/// Reads blocks into `batch` until it holds `window`; whether the file ended (or failed to read).
fn fill(
    blocks: &mut Blocks<impl std::io::Read + Send>,
    batch: &mut Vec<Block>,
    window: usize,
    name: &str,
    report: &mut FileReport,
) -> bool {
    while batch.len() < window {
        match blocks.next_block() {
            Ok(Some(block)) => batch.push(block),
            Ok(None) => return true,
            Err(e) => {
                report.push(super::load::unreadable(name, &e.to_string()));
                return true;
            }
        }
    }
    false
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
