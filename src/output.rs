//! Rendering of evaluation results: the JSON object of the command-line contract and aligned text
//! tables. Pure functions from a model to a string; nothing here prints.
//!
//! JSON: one object whose keys are relation names (in the order asked), each an array of rows sorted
//! ascending by value, each row an array of values (texts as strings, numbers as numbers, dates as
//! `"YYYY-MM-DD"`, booleans as booleans).

use comfy_table::{presets, ContentArrangement, Table};
use serde_json::{Map, Value as Json};

use crate::eval::Model;
use crate::ir::{Program, RelationId};
use crate::value::ValueStore;

/// The sorted rows of each relation, rendered as the contract's JSON object.
pub fn json(
    model: &Model,
    program: &Program,
    values: &ValueStore,
    relations: &[RelationId],
) -> String {
    let mut object = Map::new();
    for &id in relations {
        let rel = program.relation(id);
        let rows: Vec<Json> = model
            .sorted_rows(id, program, values)
            .iter()
            .map(|row| {
                Json::Array(
                    row.iter()
                        .zip(&rel.columns)
                        .map(|(v, c)| values.to_json(c.ty, *v))
                        .collect(),
                )
            })
            .collect();
        object.insert(rel.name.clone(), Json::Array(rows));
    }
    let mut out =
        serde_json::to_string_pretty(&Json::Object(object)).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
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
        let header: Vec<String> = rel
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| c.name.clone().unwrap_or_else(|| format!("#{}", i + 1)))
            .collect();
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
