//! What accord makes of data files: per file and relation, the row count, the column types and a few
//! sample rows (`accord facts inspect`).
//!
//! With a policy, the files load against its declarations and record mappings, exactly as `eval` would
//! load them. Without one, relations and record mappings are inferred from the files (see
//! [`super::infer`]) and the files then load through the same loader. Either way a file that does not
//! load gives the loader's diagnostics. The library only computes; the CLI prints.

use std::path::PathBuf;

use serde_json::json;

use super::infer::infer_program;
use super::load::{data_files, load_with, Progress};
use super::FactOrigin;
use crate::diagnostic::Diagnostic;
use crate::ir::{display_segment, Program, RecordLevel, RelationKind};
use crate::syntax::SourceMap;
use crate::value::{ValueStore, ValueType};

/// How many sample rows a summary shows.
pub const SAMPLES: usize = 3;

/// What one data file gave one relation.
#[derive(Clone, Debug)]
pub struct RelationSummary {
    pub file: String,
    pub relation: String,
    pub rows: usize,
    /// Rows skipped for an empty optional column.
    pub skipped: usize,
    pub columns: Vec<ColumnSummary>,
    /// Whether the types come from the policy's declaration (else they were inferred).
    pub declared: bool,
    /// The first rows of the file, as a policy author would write the values.
    pub samples: Vec<Vec<String>>,
}

#[derive(Clone, Debug)]
pub struct ColumnSummary {
    pub name: String,
    pub ty: ValueType,
    pub optional: bool,
}

/// The result of an inspection.
#[derive(Clone, Debug)]
pub struct Inspection {
    pub relations: Vec<RelationSummary>,
    /// Without a policy: declarations and record mappings that load the files as shown, in accord's
    /// syntax (empty with a policy).
    pub suggested: String,
}

/// Inspects the data files under `paths`, with `program`'s declarations and mappings, or inferring
/// them when there is no program.
pub fn inspect(
    paths: &[PathBuf],
    program: Option<&Program>,
    values: &mut ValueStore,
    sources: &mut SourceMap,
    progress: &mut dyn Progress,
) -> Result<Inspection, Vec<Diagnostic>> {
    let inferred;
    let (program, declared) = match program {
        Some(p) => (p, true),
        None => {
            let (files, diagnostics) = data_files(paths);
            if !diagnostics.is_empty() {
                return Err(diagnostics);
            }
            inferred = infer_program(&files);
            (&inferred, false)
        }
    };
    let facts = load_with(paths, program, values, sources, progress)?;
    let mut relations = vec![];
    for (file, name) in facts.files.iter().enumerate() {
        for (r, relation) in program.relations.iter().enumerate() {
            if relation.kind != RelationKind::User {
                continue;
            }
            let table = &facts.tables[r];
            let mut rows = 0;
            let mut samples = vec![];
            for (row, origin) in table.rows() {
                if !matches!(origin, FactOrigin::Data { file: f, .. } if f as usize == file) {
                    continue;
                }
                rows += 1;
                if samples.len() < SAMPLES {
                    samples.push(
                        row.iter()
                            .zip(&relation.columns)
                            .map(|(v, c)| values.literal(c.ty, *v))
                            .collect(),
                    );
                }
            }
            let skipped = facts
                .skipped
                .iter()
                .filter(|s| s.file as usize == file && s.relation.index() == r)
                .map(|s| s.rows)
                .sum();
            if rows == 0 && skipped == 0 && !holds(program, name, r) {
                continue;
            }
            relations.push(RelationSummary {
                file: name.clone(),
                relation: relation.name.clone(),
                rows,
                skipped,
                columns: relation
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| ColumnSummary {
                        name: relation.column_name(i),
                        ty: c.ty,
                        optional: c.optional,
                    })
                    .collect(),
                declared: declared && relation.declared,
                samples,
            });
        }
    }
    let suggested = if declared {
        String::new()
    } else {
        suggestion(program)
    };
    Ok(Inspection {
        relations,
        suggested,
    })
}

/// Whether the file `name` is where relation `r`'s rows would come from even when it has none: a CSV
/// named after it, or a record file whose mapping fills it.
fn holds(program: &Program, name: &str, r: usize) -> bool {
    let path = std::path::Path::new(name);
    let stem = super::load::stem(path);
    if path.extension().is_some_and(|e| e == "csv") {
        return program.relations[r].name == stem;
    }
    fn fills(level: &RecordLevel, r: usize) -> bool {
        level.rows.iter().any(|row| row.relation.index() == r)
            || level.nested.iter().any(|n| fills(&n.level, r))
    }
    program.mapping(stem).is_some_and(|m| fills(&m.root, r))
}

/// Declarations and mappings in accord's syntax for an inferred program.
fn suggestion(program: &Program) -> String {
    let mut out = String::new();
    for relation in &program.relations {
        let columns: Vec<String> = relation
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = c.name.clone().unwrap_or_else(|| format!("column{}", i + 1));
                format!(
                    "{name}: {}{}",
                    c.ty.name(),
                    if c.optional { "?" } else { "" }
                )
            })
            .collect();
        out.push_str(&format!(
            "relation {}({}).\n",
            relation.name,
            columns.join(", ")
        ));
    }
    for mapping in &program.mappings {
        out.push_str(&format!("\nrecords {:?} {{\n", mapping.name));
        write_level(program, &mapping.root, 1, &mut out);
        out.push_str("}\n");
    }
    out
}

fn write_level(program: &Program, level: &RecordLevel, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for row in &level.rows {
        let fields: Vec<String> = row.fields.iter().map(|f| f.display()).collect();
        out.push_str(&format!(
            "{indent}{}({}).\n",
            program.relation(row.relation).name,
            fields.join(", ")
        ));
    }
    for nested in &level.nested {
        let path: Vec<String> = nested.path.iter().map(|s| display_segment(s)).collect();
        out.push_str(&format!("{indent}each {} {{\n", path.join(".")));
        write_level(program, &nested.level, depth + 1, out);
        out.push_str(&format!("{indent}}}\n"));
    }
}

impl Inspection {
    /// The inspection as one JSON object: `{"relations": [...], "suggested": "..."}`.
    pub fn to_json(&self) -> serde_json::Value {
        let relations: Vec<serde_json::Value> = self
            .relations
            .iter()
            .map(|r| {
                json!({
                    "file": r.file,
                    "relation": r.relation,
                    "rows": r.rows,
                    "skipped": r.skipped,
                    "declared": r.declared,
                    "columns": r.columns.iter().map(|c| json!({
                        "name": c.name,
                        "type": c.ty.name(),
                        "optional": c.optional,
                    })).collect::<Vec<_>>(),
                    "samples": r.samples,
                })
            })
            .collect();
        let mut object = json!({ "relations": relations });
        if !self.suggested.is_empty() {
            object["suggested"] = json!(self.suggested);
        }
        object
    }

    /// The inspection as text: a block per file and relation, then the suggested declarations.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for r in &self.relations {
            let skipped = if r.skipped > 0 {
                format!("; {} skipped: an optional column was empty", r.skipped)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "{}: {} ({} {}{skipped})\n",
                r.file,
                r.relation,
                r.rows,
                if r.rows == 1 { "row" } else { "rows" },
            ));
            let origin = if r.declared { "declared" } else { "inferred" };
            let columns: Vec<String> = r
                .columns
                .iter()
                .map(|c| {
                    format!(
                        "{}: {}{}",
                        c.name,
                        c.ty.name(),
                        if c.optional { "?" } else { "" }
                    )
                })
                .collect();
            out.push_str(&format!("  columns ({origin}): {}\n", columns.join(", ")));
            for sample in &r.samples {
                out.push_str(&format!("  {}({})\n", r.relation, sample.join(", ")));
            }
            out.push('\n');
        }
        if !self.suggested.is_empty() {
            out.push_str("// declarations that load these files as shown:\n");
            out.push_str(&self.suggested);
        }
        out
    }
}
