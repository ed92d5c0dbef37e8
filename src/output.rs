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
