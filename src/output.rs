//! Rendering of evaluation results: the JSON object of the command-line contract and aligned text
//! tables. Pure functions from a model to a string; nothing here prints.
//!
//! JSON: one object whose keys are relation names (in the order asked), each an array of rows sorted
//! ascending by value, each row an array of values (texts as strings, numbers as numbers, dates as
//! `"YYYY-MM-DD"`, booleans as booleans).

use comfy_table::{presets, ContentArrangement, Table};
use std::io::Write as _;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::eval::Model;
use crate::ir::{Program, RelationId};
use crate::value::{format_day, Value, ValueStore, ValueType};

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
pub fn write_json(
    writer: impl std::io::Write,
    model: &Model,
    program: &Program,
    values: &ValueStore,
    relations: &[RelationId],
) -> std::io::Result<()> {
    let mut unique: Vec<RelationId> = Vec::with_capacity(relations.len());
    for r in relations {
        if !unique.contains(r) {
            unique.push(*r);
        }
    }
    let sorted = sorted_row_ids(model, program, values, &unique);
    let object = JsonObject {
        model,
        program,
        values,
        relations: &unique,
        sorted: &sorted,
    };
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, writer);
    serde_json::to_writer_pretty(&mut writer, &object)?;
    writer.write_all(b"\n")?;
    writer.flush()
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

struct JsonObject<'a> {
    model: &'a Model,
    program: &'a Program,
    values: &'a ValueStore,
    relations: &'a [RelationId],
    sorted: &'a [Vec<usize>],
}

struct JsonRows<'a> {
    model: &'a Model,
    relation: RelationId,
    types: Vec<ValueType>,
    values: &'a ValueStore,
    ids: &'a [usize],
}

struct JsonRow<'a> {
    row: &'a [Value],
    types: &'a [ValueType],
    values: &'a ValueStore,
}

impl Serialize for JsonObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.relations.len()))?;
        for (&relation, ids) in self.relations.iter().zip(self.sorted) {
            let rel = self.program.relation(relation);
            let rows = JsonRows {
                model: self.model,
                relation,
                types: rel.types(),
                values: self.values,
                ids,
            };
            map.serialize_entry(&rel.name, &rows)?;
        }
        map.end()
    }
}

impl Serialize for JsonRows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.ids.len()))?;
        for &i in self.ids {
            seq.serialize_element(&JsonRow {
                row: self.model.row(self.relation, i),
                types: &self.types,
                values: self.values,
            })?;
        }
        seq.end()
    }
}

impl Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.row.len()))?;
        for (&v, &ty) in self.row.iter().zip(self.types) {
            match ty {
                ValueType::Text => seq.serialize_element(&*self.values.text_of(v))?,
                ValueType::Date => seq.serialize_element(&format_day(v.as_day()))?,
                ValueType::Bool => seq.serialize_element(&v.as_bool())?,
                ValueType::Number => seq.serialize_element(&self.values.to_json(ty, v))?,
            }
        }
        seq.end()
    }
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
        Engine::load(&[file], &CheckOptions::default())
            .unwrap_or_else(|f| panic!("{:?}", f.diagnostics))
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
