//! Record mappings: validates `records "name" { … }` against the relation declarations and lowers them
//! to [`ir::RecordMapping`].
//!
//! Runs inside [`super::check`] once the relation table is complete and relation ids are assigned.
//! Every relation a mapping fills must be declared with typed columns (`unknown_relation`,
//! `undeclared_mapping`), a row gives one field per column (`arity_mismatch`), a `^` may only climb as
//! many levels as there are `each` blocks around the row (`bad_field`), and a mapping name is unique
//! (`duplicate_mapping`). Field names are not checked: they belong to the data, which the loader
//! checks (`crate::facts`).

use rustc_hash::FxHashMap as HashMap;

use super::relations::RelationTable;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::ir::{self, RelationId};
use crate::syntax::ast::{self, Item, RecordItem};
use crate::syntax::Span;
use crate::workspace::Policy;

/// Checks every mapping of the policy and lowers the valid ones.
pub(crate) fn check_mappings(
    policy: &Policy,
    table: &RelationTable,
    relation_ids: &HashMap<String, RelationId>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ir::RecordMapping> {
    let mut out = vec![];
    let mut names: HashMap<&str, Span> = HashMap::default();
    for (_, file) in &policy.files {
        for item in &file.items {
            let Item::Records(decl) = item else { continue };
            if let Some(first) = names.get(decl.name.as_str()) {
                diags.push(
                    Diagnostic::error(
                        "duplicate_mapping",
                        format!("`records \"{}\"` is declared twice", decl.name),
                    )
                    .label(decl.name_span, "declared again here")
                    .label(*first, "first declared here")
                    .help("one mapping per data file name: merge the two blocks"),
                );
                continue;
            }
            names.insert(&decl.name, decl.name_span);
            let checker = Checker {
                table,
                relation_ids,
            };
            let before = diags.len();
            let root = checker.level(&decl.items, 0, diags);
            if diags.len() == before {
                out.push(ir::RecordMapping {
                    name: decl.name.clone(),
                    span: decl.span,
                    root,
                });
            }
        }
    }
    out
}

struct Checker<'a> {
    table: &'a RelationTable,
    relation_ids: &'a HashMap<String, RelationId>,
}

impl Checker<'_> {
    fn level(
        &self,
        items: &[RecordItem],
        depth: u32,
        diags: &mut Vec<Diagnostic>,
    ) -> ir::RecordLevel {
        let mut level = ir::RecordLevel::default();
        for item in items {
            match item {
                RecordItem::Row(row) => {
                    if let Some(row) = self.row(row, depth, diags) {
                        level.rows.push(row);
                    }
                }
                RecordItem::Each(each) => level.nested.push(ir::NestedRecords {
                    path: each.path.clone(),
                    level: self.level(&each.items, depth + 1, diags),
                    span: each.path_span,
                }),
            }
        }
        level
    }

    fn row(
        &self,
        row: &ast::RecordRow,
        depth: u32,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<ir::RecordRow> {
        let name = &row.relation.text;
        let mut ok = true;
        for field in row.fields.iter().filter(|f| f.up > depth) {
            ok = false;
            let shown = ir::RecordField {
                up: field.up,
                path: field.path.clone(),
                span: field.span,
            }
            .display();
            let message = if depth == 0 {
                format!("`{shown}` refers to an enclosing record, but this row is at the top of the mapping")
            } else {
                format!(
                    "`{shown}` climbs {} {}, but this row is inside {depth} `each` {}",
                    field.up,
                    if field.up == 1 { "level" } else { "levels" },
                    if depth == 1 { "block" } else { "blocks" }
                )
            };
            diags.push(
                Diagnostic::error("bad_field", message)
                    .label(field.span, "no record that far up")
                    .help("`^name` is a field of the record around the `each` block; use one `^` per level"),
            );
        }
        let Some(info) = self.table.get(name.as_str()).filter(|i| !i.auxiliary) else {
            let names = self
                .table
                .iter()
                .filter(|(_, i)| i.declared)
                .map(|(n, _)| n.as_str());
            let help = match did_you_mean(name, names) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "declare the relation the records fill, e.g. `relation {name}(id: text, country: text).`"
                ),
            };
            diags.push(
                Diagnostic::error("unknown_relation", format!("unknown relation `{name}`"))
                    .label(row.relation.span, "not a declared relation")
                    .help(help),
            );
            return None;
        };
        if !info.declared {
            diags.push(
                Diagnostic::error(
                    "undeclared_mapping",
                    format!("records fill `{name}`, which is not declared"),
                )
                .label(row.relation.span, "filled from records")
                .label(info.span, "used here without a declaration")
                .help(format!(
                    "a relation filled from records needs a declaration with typed columns, e.g. `relation {name}({}).`",
                    row.fields
                        .iter()
                        .map(|f| format!("{}: text", f.path.last().map_or("column", String::as_str)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
            return None;
        }
        let arity = info.columns.len();
        if row.fields.len() != arity {
            let n = row.fields.len();
            diags.push(
                Diagnostic::error(
                    "arity_mismatch",
                    format!("`{name}` has {arity} columns, but the mapping gives {n} fields"),
                )
                .label(row.span, format!("{n} fields"))
                .label(info.span, format!("declared with {arity} columns here"))
                .help(format!(
                    "give `{name}` one field per column, in column order"
                )),
            );
            return None;
        }
        let relation = *self.relation_ids.get(name.as_str())?;
        ok.then(|| ir::RecordRow {
            relation,
            fields: row
                .fields
                .iter()
                .map(|f| ir::RecordField {
                    up: f.up,
                    path: f.path.clone(),
                    span: f.span,
                })
                .collect(),
            span: row.span,
        })
    }
}
