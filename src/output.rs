//! Rendering of evaluation results: the JSON object of the command-line contract and aligned text
//! tables. Pure functions from a model to a string; nothing here prints.
//!
//! JSON: one object whose keys are relation names (in the order asked), each an array of rows sorted
//! ascending by value, each row an array of values (texts as strings, numbers as numbers, dates as
//! `"YYYY-MM-DD"`, booleans as booleans).

use comfy_table::{presets, ContentArrangement, Table};
use std::io::Write as _;

use crate::eval::Model;
use crate::ir::{Program, RelationId};
use crate::value::{DayText, Value, ValueStore, ValueType};

/// The sorted rows of each relation, rendered as the contract's JSON object.
///
/// Streams the rows through serde's pretty printer (no JSON tree is built), so the bytes are those of
/// `serde_json::to_string_pretty` on the equivalent object at a fraction of the memory. A relation asked
/// for twice appears once, where it was first asked for.
pub fn json(
    model: &Model,
    program: &Program,
    values: &ValueStore,
    relations: &[RelationId],
) -> String {
    let mut out = Vec::new();
    if write_json(&mut out, model, program, values, relations).is_err() {
        return "{}\n".to_string();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// [`json`], written to `writer` as it is rendered (the batch's output never exists whole in memory).
///
/// The layout is serde_json's pretty printer's for this one shape (an object of arrays of arrays of
/// scalars), written directly so that blocks of rows can be rendered on every core: each block is
/// rendered into its own buffer and the buffers are written in order, a few at a time.
pub fn write_json(
    writer: impl std::io::Write,
    model: &Model,
    program: &Program,
    values: &ValueStore,
    relations: &[RelationId],
) -> std::io::Result<()> {
    let blocks = Blocks {
        rows: 8192,
        at_once: 8,
    };
    write_json_in_blocks(writer, model, program, values, relations, blocks)
}

/// How many rows are rendered in one block, and how many blocks are rendered before they are written.
#[derive(Clone, Copy)]
struct Blocks {
    rows: usize,
    at_once: usize,
}

fn write_json_in_blocks(
    writer: impl std::io::Write,
    model: &Model,
    program: &Program,
    values: &ValueStore,
    relations: &[RelationId],
    blocks: Blocks,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut unique: Vec<RelationId> = Vec::with_capacity(relations.len());
    for r in relations {
        if !unique.contains(r) {
            unique.push(*r);
        }
    }
    let sorted = sorted_row_ids(model, program, values, &unique);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, writer);
    out.write_all(b"{")?;
    for (n, (&relation, ids)) in unique.iter().zip(&sorted).enumerate() {
        let rel = program.relation(relation);
        let types = rel.types();
        out.write_all(if n == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut out, &rel.name)?;
        if ids.is_empty() {
            out.write_all(b": []")?;
            continue;
        }
        out.write_all(b": [")?;
        let (size, at_once) = (blocks.rows.max(1), blocks.at_once.max(1));
        for (w, window) in ids.chunks(size * at_once).enumerate() {
            let rendered: Vec<std::io::Result<Vec<u8>>> = window
                .par_chunks(size)
                .enumerate()
                .map(|(b, block)| {
                    let mut buf = Vec::with_capacity(block.len() * 16 * (types.len() + 1));
                    for (r, &i) in block.iter().enumerate() {
                        let first = w == 0 && b == 0 && r == 0;
                        json_row(&mut buf, first, model.row(relation, i), &types, values)?;
                    }
                    Ok(buf)
                })
                .collect();
            for block in rendered {
                out.write_all(&block?)?;
            }
        }
        out.write_all(b"\n  ]")?;
    }
    out.write_all(if unique.is_empty() { b"}\n" } else { b"\n}\n" })?;
    out.flush()
}

/// One row of the JSON output, preceded by `,` unless it is the relation's first.
fn json_row(
    buf: &mut Vec<u8>,
    first: bool,
    row: &[Value],
    types: &[ValueType],
    values: &ValueStore,
) -> std::io::Result<()> {
    buf.extend_from_slice(if first { b"\n    [" } else { b",\n    [" });
    for (n, (&v, &ty)) in row.iter().zip(types).enumerate() {
        buf.extend_from_slice(if n == 0 { b"\n      " } else { b",\n      " });
        match ty {
            ValueType::Text => serde_json::to_writer(&mut *buf, &*values.text_of(v))?,
            ValueType::Date => match DayText(v.as_day()).digits() {
                Some(digits) => {
                    buf.push(b'"');
                    buf.extend_from_slice(&digits);
                    buf.push(b'"');
                }
                None => write!(buf, "\"{}\"", DayText(v.as_day()))?,
            },
            ValueType::Bool => buf.extend_from_slice(if v.as_bool() { b"true" } else { b"false" }),
            ValueType::Number => serde_json::to_writer(&mut *buf, &values.to_json(ty, v))?,
        }
    }
    buf.extend_from_slice(if row.is_empty() { b"]" } else { b"\n    ]" });
    Ok(())
}

/// Each relation's row ids in ascending order of their values; relations sorted in parallel.
fn sorted_row_ids(
    model: &Model,
    program: &Program,
    values: &ValueStore,
    relations: &[RelationId],
) -> Vec<Vec<usize>> {
    use rayon::prelude::*;
    relations
        .par_iter()
        .map(|&id| model.sorted_row_ids(id, program, values))
        .collect()
}

/// One aligned table per relation, headed by its name and row count.
pub fn text(
    model: &Model,
    program: &Program,
    values: &ValueStore,
    relations: &[RelationId],
) -> String {
    let mut out = String::new();
    for (i, &id) in relations.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let rel = program.relation(id);
        let rows = model.sorted_rows(id, program, values);
        let count = match rows.len() {
            1 => "1 row".to_string(),
            n => format!("{n} rows"),
        };
        out.push_str(&format!("{} ({count})\n", rel.name));
        if rel.columns.is_empty() {
            out.push_str(if rows.is_empty() {
                "  false\n"
            } else {
                "  true\n"
            });
            continue;
        }
        if rows.is_empty() {
            continue;
        }
        let header = rel.column_names();
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&rel.columns)
                    .map(|(v, c)| values.display(c.ty, *v))
                    .collect()
            })
            .collect();
        out.push_str(&table(header, body));
    }
    out
}

/// An aligned table with a header rule, indented by two spaces.
pub fn table(header: Vec<String>, rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for row in rows {
        t.add_row(row);
    }
    for column in t.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let lines: Vec<String> = t.lines().map(|l| l.trim_end().to_string()).collect();
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
        if i == 0 {
            out.push_str("  ");
            out.push_str(&"─".repeat(width));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckOptions;
    use crate::engine::Engine;

    fn engine(text: &str) -> Engine {
        let dir = std::env::temp_dir().join(format!(
            "accord-output-{}-{}",
            std::process::id(),
            text.len()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("p.accord");
        std::fs::write(&file, text).expect("write policy");
        let engine = Engine::load(&[file], &CheckOptions::default());
        let _ = std::fs::remove_dir_all(&dir);
        engine.unwrap_or_else(|f| panic!("{:?}", f.diagnostics))
    }

    #[test]
    fn json_rows_are_sorted_by_value_and_typed() {
        let mut e = engine("n(B, 10, 2024-01-02, true). n(A, 9, 2024-01-01, false). n(x, y, d, b) ⇒ m(x, y, d, b).\n");
        let model = e.evaluate(&Default::default()).expect("evaluates");
        let rels = e.program().derived_relations();
        let out = json(&model, e.program(), &e.values, &rels);
        assert_eq!(
            out,
            "{\n  \"m\": [\n    [\n      \"A\",\n      9,\n      \"2024-01-01\",\n      false\n    ],\n    [\n      \"B\",\n      10,\n      \"2024-01-02\",\n      true\n    ]\n  ]\n}\n"
        );
    }

    /// The JSON serde_json's pretty printer writes for the same rows, built as a value tree.
    fn pretty_reference(e: &Engine, model: &Model, relations: &[RelationId]) -> String {
        let mut object = serde_json::Map::new();
        for &r in relations {
            let types = e.program().relation(r).types();
            let rows: Vec<serde_json::Value> = model
                .sorted_rows(r, e.program(), &e.values)
                .iter()
                .map(|row| {
                    let cells = row.iter().zip(&types);
                    serde_json::Value::Array(cells.map(|(v, t)| e.values.to_json(*t, *v)).collect())
                })
                .collect();
            object.insert(e.program().relation(r).name.clone(), rows.into());
        }
        serde_json::to_string_pretty(&serde_json::Value::Object(object)).unwrap_or_default() + "\n"
    }

    #[test]
    fn blocks_of_rows_write_what_serde_json_pretty_prints() {
        let mut e = engine(concat!(
            "n(\"quote \\\" back\\\\slash\", -3, 2024-02-29, true). n(\"Überseering 9 ✓\", 2.50, 1969-12-31, false).\n",
            "n(A, 12345678901234567890, 2000-01-01, true). n(\"tab\\there\", 0.001, 2099-12-31, false).\n",
            "n(\"\", -0.5, 2024-01-01, true). n(MX, 7, 2024-01-02, false). n(US, 8, 2024-01-03, true).\n",
            "n(x, y, d, b) ⇒ m(x, y, d, b). n(x, _, _, _) ⇒ names(x). n(_, _, _, true) ⇒ any().\n",
            "n(x, _, _, _) ∧ x = NOPE ⇒ none(x).\n",
        ));
        let model = e.evaluate(&Default::default()).expect("evaluates");
        let rels = e.program().derived_relations();
        let expected = pretty_reference(&e, &model, &rels);
        assert!(
            expected.contains("Überseering") && expected.contains("\"none\": []"),
            "{expected}"
        );
        for (rows, at_once) in [(1, 1), (2, 3), (3, 2), (8192, 8)] {
            let mut out = Vec::new();
            let blocks = Blocks { rows, at_once };
            write_json_in_blocks(&mut out, &model, e.program(), &e.values, &rels, blocks)
                .expect("writes");
            assert_eq!(
                String::from_utf8_lossy(&out),
                expected,
                "blocks of {rows}, {at_once} at once"
            );
        }
        let none: Vec<RelationId> = vec![];
        assert_eq!(json(&model, e.program(), &e.values, &none), "{}\n");
    }

    #[test]
    fn nullary_relations_print_true_or_false() {
        let mut e = engine("gate(A). gate(_) ⇒ open(). ¬ gate(_) ⇒ closed().\n");
        let model = e.evaluate(&Default::default()).expect("evaluates");
        let rels = e.program().derived_relations();
        assert_eq!(
            json(&model, e.program(), &e.values, &rels),
            "{\n  \"open\": [\n    []\n  ],\n  \"closed\": []\n}\n"
        );
        let text = text(&model, e.program(), &e.values, &rels);
        assert_eq!(text, "open (1 row)\n  true\n\nclosed (0 rows)\n  false\n");
    }

    #[test]
    fn tables_align_columns_under_a_rule() {
        let t = table(
            vec!["a".into(), "long".into()],
            vec![vec!["xyz".into(), "1".into()]],
        );
        assert_eq!(t, "  a    long\n  ─────────\n  xyz  1\n");
    }
}
