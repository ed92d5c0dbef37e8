//! The rows of a CSV file, converted in blocks on every core.
//!
//! `csv_blocks` cuts the file into blocks of whole records. [`convert`] turns one block's records into rows with its own [`ValueStore`] (texts that are not
//! packed inline and decimals get ids local to the block), and [`Appender::append`] adds converted blocks,
//! in file order, to the relation's table: it renumbers rows, re-interns local values in the engine's
//! store and passes the problems on to the file's report. Block buffers and converted row buffers are
//! reused for later blocks, so a large file faults in only its table and a few blocks' worth of buffers.
//!
//! Invariant: the rows, their origins (file, line, row number) and the problems, with their lines and
//! byte offsets, are those a single pass over the file gives; only which long texts are interned for
//! rows that turn out bad or skipped differs, which nothing observes. One known exception, as old as
//! the blocks: the CSV reader places a record that follows empty lines on the first of them, and a
//! block that starts just after empty lines cannot see them, so that record is placed on its own line.

use rayon::prelude::*;

use super::convert;
use super::csv_blocks::Block;
use super::report::{FileReport, Place, Problem, MAX_REPORTED};
use super::{FactOrigin, Origins, Table};
use crate::ir::Relation;
use crate::value::{Value, ValueStore, ValueType};

/// What converting needs to know about the file and its relation.
pub(super) struct Layout<'a> {
    pub name: &'a str,
    pub file: u32,
    pub relation: &'a Relation,
    /// Per declared column: the field that holds it, its type, whether it is optional.
    pub columns: Vec<(usize, ValueType, bool)>,
    pub header_len: usize,
}

/// One block's records, converted.
pub(super) struct Converted {
    values: Vec<Value>,
    /// Row numbers count from the block's first record.
    origins: Origins,
    /// The first [`MAX_REPORTED`] problems, and how many there were.
    problems: Vec<Problem>,
    problem_count: usize,
    records: u32,
    skipped: usize,
    /// Values of this block that are not inline: texts and decimals.
    store: ValueStore,
}

/// A reader of the CSV records in `bytes` (the header's and the rows' alike).
pub(super) fn record_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // `\n` ends a record, so that line numbers are right for CRLF files too; a `\r` before it is
        // taken off the last field, see `field`.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(bytes)
}

/// The row buffers of a converted block, empty, kept for a later block (see [`Appender::append`]): a
/// buffer used again is already faulted in, where a fresh one costs the kernel a page fault and a
/// page clear per 4 KiB.
#[derive(Default)]
pub(super) struct Spare {
    values: Vec<Value>,
    origins: Origins,
}

/// Converts the records of `bytes`, which start at byte `offset` after `lines` lines of the file,
/// into the buffers of `spare`.
pub(super) fn convert(
    layout: &Layout<'_>,
    bytes: &[u8],
    offset: usize,
    lines: u32,
    spare: Spare,
) -> Converted {
    let mut reader = record_reader(bytes);
    let mut out = Converted {
        values: spare.values,
        origins: spare.origins,
        problems: vec![],
        problem_count: 0,
        records: 0,
        skipped: 0,
        store: ValueStore::new(),
    };
    let problem = |out: &mut Converted, p: Problem| {
        out.problem_count += 1;
        if out.problems.len() < MAX_REPORTED {
            out.problems.push(p);
        }
    };
    let (name, relation, header_len) = (layout.name, layout.relation, layout.header_len);
    let mut record = csv::ByteRecord::new();
    let mut row = Vec::with_capacity(layout.columns.len());
    // Reading a byte slice cannot fail.
    while let Ok(true) = reader.read_byte_record(&mut record) {
        if record.len() == 1 && record.get(0) == Some(b"\r") {
            continue; // a blank CRLF line
        }
        let (at, line) = record.position().map_or((0, 0), |p| {
            (
                offset + p.byte() as usize,
                lines.saturating_add(p.line() as u32),
            )
        });
        let index = out.records;
        out.records += 1;
        if record.len() != header_len {
            let n = record.len();
            let p = Problem::new(
                "ragged_row",
                format!(
                    "line {line} of `{name}` has {n} {}, but the header has {header_len}",
                    fields(n)
                ),
                Place::CsvRecord { record: at },
                format!("{n} {}", fields(n)),
            )
            .help("every row needs one field per header column; quote fields that contain a comma");
            problem(&mut out, p);
            continue;
        }
        row.clear();
        let mut good = true;
        let mut skip = false;
        for (c, &(f, ty, optional)) in layout.columns.iter().enumerate() {
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
                let on = format!("on line {line}");
                let message = convert::mismatch_message(relation, c, "an empty field", &on);
                let help = format!(
                    "every row needs a value for {}",
                    convert::column_name(&relation.columns[c], c)
                );
                problem(
                    &mut out,
                    Problem::new("bad_value", message, place(), "empty").help(help),
                );
                continue;
            }
            // Short ASCII texts are packed straight from their bytes (see `value::text`).
            if ty == ValueType::Text {
                if let Some(v) = Value::packed_text(raw) {
                    row.push(v);
                    continue;
                }
            }
            let Ok(text) = std::str::from_utf8(raw) else {
                good = false;
                let message = format!(
                    "{} of `{}` on line {line} is not valid UTF-8",
                    convert::column_name(&relation.columns[c], c),
                    relation.name
                );
                let p = Problem::new("invalid_utf8", message, place(), "invalid UTF-8")
                    .help("save the file as UTF-8");
                problem(&mut out, p);
                continue;
            };
            match convert::from_text(ty, text, &mut out.store) {
                Ok(v) => row.push(v),
                Err(m) => {
                    good = false;
                    let on = format!("on line {line}");
                    let message =
                        convert::mismatch_message(relation, c, &convert::shown(text), &on);
                    let label = format!("expected {}", convert::expected(ty));
                    problem(
                        &mut out,
                        Problem::new(m.code, message, place(), label).help(m.help),
                    );
                }
            }
        }
        if good && skip {
            out.skipped += 1;
        } else if good {
            out.values.extend_from_slice(&row);
            out.origins.push(FactOrigin::Data {
                file: layout.file,
                line,
                row: index,
            });
        }
    }
    out
}

/// Converts `blocks` on every core, in order, into the buffers of `spares` (one per block; fresh ones
/// when there are fewer).
pub(super) fn convert_all(
    layout: &Layout<'_>,
    blocks: &[Block],
    mut spares: Vec<Spare>,
) -> Vec<Converted> {
    spares.resize_with(blocks.len(), Spare::default);
    blocks
        .par_iter()
        .zip(spares)
        .map(|(b, spare)| convert(layout, &b.bytes, b.offset, b.lines, spare))
        .collect()
}

/// A relation's table as converted blocks are appended to it.
pub(super) struct Appender<'a> {
    pub table: &'a mut Table,
    pub types: Vec<ValueType>,
    /// Records so far (the next block's first row number).
    pub records: u32,
    pub skipped: usize,
    /// The buffers of blocks appended, for the next blocks to convert into.
    pub spares: Vec<Spare>,
}

impl Appender<'_> {
    /// Appends `block` (the next one in file order): its rows with values re-interned in `values`, its
    /// problems to `report`; its buffers go to [`Appender::spares`].
    pub fn append(
        &mut self,
        mut block: Converted,
        values: &mut ValueStore,
        report: &mut FileReport,
    ) {
        for p in block.problems {
            report.push(p);
        }
        report.count_more(block.problem_count.saturating_sub(MAX_REPORTED));
        let start = self.table.values.len();
        self.table.values.extend_from_slice(&block.values);
        if !block.store.interns_nothing() {
            let arity = self.types.len().max(1);
            for row in self.table.values[start..].chunks_mut(arity) {
                for (v, ty) in row.iter_mut().zip(&self.types) {
                    *v = values.value_from(&block.store, *ty, *v);
                }
            }
        }
        let first = self.records;
        self.table
            .origins
            .append_mapped(&block.origins, |o| match o {
                FactOrigin::Data { file, line, row } => FactOrigin::Data {
                    file,
                    line,
                    row: row.saturating_add(first),
                },
                other => other,
            });
        self.records = self.records.saturating_add(block.records);
        self.skipped += block.skipped;
        block.values.clear();
        block.origins.clear();
        self.spares.push(Spare {
            values: block.values,
            origins: block.origins,
        });
    }

    /// Up to `n` spare buffers for the next blocks.
    pub fn take_spares(&mut self, n: usize) -> Vec<Spare> {
        let keep = self.spares.len().saturating_sub(n);
        self.spares.split_off(keep)
    }
}

/// A field's bytes, without the `\r` of a CRLF line ending when it is the last field.
#[inline]
pub(super) fn field(raw: &[u8], last: bool) -> &[u8] {
    if last {
        raw.strip_suffix(b"\r").unwrap_or(raw)
    } else {
        raw
    }
}

fn fields(n: usize) -> &'static str {
    super::json::plural(n, "field", "fields")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::facts::csv::load_csv;
    use crate::facts::csv_blocks::Blocks;
    use crate::facts::tests::relation;
    use crate::facts::FactSet;
    use crate::ir::Program;
    use ValueType::{Date, Number, Text};

    /// A file with long texts, decimals, skipped rows, CRLF and blank lines, bad rows, and a quoted
    /// field late in the file.
    fn file() -> Vec<u8> {
        let mut out = b"id,note,amount,day\r\n".to_vec();
        for i in 0..400 {
            let note = if i % 7 == 0 {
                String::new()
            } else {
                format!("note {i}")
            };
            let amount = if i % 3 == 0 {
                format!("{i}.5")
            } else {
                i.to_string()
            };
            let day = if i % 77 == 5 {
                "2024-13-01".to_string()
            } else {
                format!("2024-01-{:02}", i % 28 + 1)
            };
            let line = match i {
                _ if i % 50 == 9 => format!("SHIPMENT-LONG-{i:06},{note}\n"),
                351 => format!("SHIPMENT-LONG-{i:06},\"quoted, \"\"{note}\"\"\",{amount},{day}\n"),
                // A quoted field holding line ends, early in the file, and a stray quote.
                12 => {
                    format!("SHIPMENT-LONG-{i:06},\"two\nlines. \"\"{note}\"\"\",{amount},{day}\n")
                }
                13 => format!("S{i},note \"{i},{amount},{day}\n"),
                _ if i % 2 == 0 => format!("SHIPMENT-LONG-{i:06},{note},{amount},{day}\r\n"),
                _ => format!("S{i},{note},{amount},{day}\n"),
            };
            out.extend_from_slice(line.as_bytes());
            if i % 40 == 0 {
                out.extend_from_slice(b"\r\n");
            }
        }
        out
    }

    fn load(bytes: &[u8], block: usize) -> (String, Vec<Vec<String>>, Vec<FactOrigin>, usize) {
        let mut shipment = relation(
            "shipment",
            &[
                ("id", Text),
                ("note", Text),
                ("amount", Number),
                ("day", Date),
            ],
        );
        shipment.columns[1].optional = true;
        let program = Program {
            relations: vec![shipment],
            ..Program::default()
        };
        let mut values = ValueStore::new();
        values.text("SOMETHING LONG INTERNED FIRST");
        let mut facts = FactSet::for_program(&program);
        let mut report = FileReport::new();
        let blocks = Blocks::new(bytes, block);
        let path = Path::new("shipment.csv");
        let loaded = load_csv(
            path,
            blocks,
            "shipment.csv",
            3,
            &program,
            &mut values,
            &mut facts,
            &mut report,
        );
        let (_, skipped) = loaded.expect("the header is right");
        let table = &facts.tables[0];
        let types = program.relations[0].types();
        let rows = (0..table.len())
            .map(|r| {
                let row = table.row(r).iter().zip(&types);
                row.map(|(v, ty)| values.display(*ty, *v)).collect()
            })
            .collect();
        (
            format!("{report:?}"),
            rows,
            table.origins.iter().collect(),
            skipped,
        )
    }

    #[test]
    fn any_block_size_loads_what_one_block_loads() {
        let bytes = file();
        let whole = load(&bytes, usize::MAX);
        assert!(
            whole.0.contains("ragged_row") && whole.0.contains("bad_date"),
            "{}",
            whole.0
        );
        assert!(
            whole.1.len() > 250 && whole.3 > 40,
            "{} rows, {} skipped",
            whole.1.len(),
            whole.3
        );
        assert!(whole.1.iter().any(|r| r[1] == "quoted, \"note 351\""));
        assert!(whole.1.iter().any(|r| r[1] == "two\nlines. \"note 12\""));
        assert!(whole.1.iter().any(|r| r[1] == "note \"13"));
        assert!(whole.1.iter().any(|r| r[2] == "3.5") && whole.1.iter().any(|r| r[0] == "S1"));
        for size in [1, 10, 100, 777, 4096] {
            assert_eq!(load(&bytes, size), whole, "blocks of {size} bytes");
        }
    }
}
