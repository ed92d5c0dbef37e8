//! Facts: typed rows of base relations, where they came from, and the loaders that produce them.
//!
//! Loaders turn data files into a [`FactSet`] against a checked [`Program`]'s relations; the evaluator
//! reads a `FactSet` and never a file. A load is all-or-nothing: a loader either returns a complete
//! `FactSet` or diagnostics, and the caller merges a `FactSet` only when every file of a command loaded.
//!
//! Invariant: `tables[r].values.len() == tables[r].arity * tables[r].origins.len()`, and every value has
//! the declared type of its column.
//!
//! Origins are kept as runs of consecutive lines ([`Origins`]), not one per row.
//!
//! Modules: [`load()`] is the entry point (paths → `FactSet`; [`load_with`] also reports
//! [`Progress`]); `csv`, `json` (canonical JSON, JSON Lines) and `records` (record-shaped JSON through
//! a policy's `records` mapping) read one file each; `convert` turns a datum into a typed [`Value`];
//! `scan` reads JSON with serde_json while keeping byte offsets; `report` collects a file's problems
//! and turns them into located diagnostics; [`inspect`] summarises what files give (`facts inspect`),
//! with `infer` guessing relations and mappings when there is no policy.

pub(crate) mod convert;
mod csv;
mod csv_blocks;
mod csv_rows;
mod infer;
pub mod inspect;
mod json;
mod load;
mod origins;
mod records;
mod report;
mod scan;

pub use load::{load, load_with, NoProgress, Progress};
pub use origins::Origins;

use crate::ir::{Program, RelationId};
use crate::syntax::Span;
use crate::value::Value;

/// Where a base fact came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactOrigin {
    /// Written in a policy file.
    Policy(Span),
    /// Read from a data file: `file` indexes [`FactSet::files`]; `line` is the 1-based line of the row
    /// (0 when unknown); `row` is the 0-based index of the row within its relation in that file.
    Data { file: u32, line: u32, row: u32 },
    /// Asserted in a REPL session, by the numbered input line.
    Asserted { input: u32 },
}

/// The rows of one relation, row-major.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub arity: usize,
    pub values: Vec<Value>,
    pub origins: Origins,
}

impl Table {
    pub fn new(arity: usize) -> Table {
        Table {
            arity,
            values: vec![],
            origins: Origins::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.origins.len()
    }

    pub fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }

    pub fn push(&mut self, row: &[Value], origin: FactOrigin) {
        debug_assert_eq!(row.len(), self.arity);
        self.values.extend_from_slice(row);
        self.origins.push(origin);
    }

    pub fn row(&self, i: usize) -> &[Value] {
        &self.values[i * self.arity..(i + 1) * self.arity]
    }

    pub fn rows(&self) -> impl Iterator<Item = (&[Value], FactOrigin)> + '_ {
        (0..self.len())
            .map(move |i| self.row(i))
            .zip(self.origins.iter())
    }
}

/// Base facts for a program's relations, indexed by [`RelationId`].
#[derive(Clone, Debug, Default)]
pub struct FactSet {
    /// Display names of the data files facts came from, indexed by `FactOrigin::Data::file`.
    pub files: Vec<String>,
    pub tables: Vec<Table>,
    /// Rows left out because an optional column was empty, per file and relation (non-zero counts only).
    pub skipped: Vec<SkippedRows>,
}

/// How many rows of one relation one data file left out because an optional column was empty (CSV) or
/// `null` (JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkippedRows {
    /// Indexes [`FactSet::files`].
    pub file: u32,
    pub relation: RelationId,
    pub rows: usize,
}

impl FactSet {
    /// An empty set shaped for the program's relations.
    pub fn for_program(program: &Program) -> FactSet {
        let tables = program
            .relations
            .iter()
            .map(|r| Table::new(r.arity()))
            .collect();
        FactSet {
            files: vec![],
            tables,
            skipped: vec![],
        }
    }

    pub fn table(&self, relation: RelationId) -> &Table {
        &self.tables[relation.index()]
    }

    pub fn table_mut(&mut self, relation: RelationId) -> &mut Table {
        &mut self.tables[relation.index()]
    }

    pub fn len(&self) -> usize {
        self.tables.iter().map(Table::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends another set's rows (both shaped for the same program); file indexes are renumbered.
    pub fn merge(&mut self, other: FactSet) {
        let offset = self.files.len() as u32;
        self.files.extend(other.files);
        self.skipped
            .extend(other.skipped.into_iter().map(|s| SkippedRows {
                file: s.file + offset,
                ..s
            }));
        for (mine, theirs) in self.tables.iter_mut().zip(other.tables) {
            if mine.values.is_empty() && mine.origins.is_empty() && offset == 0 {
                // Nothing to append to: take the rows as they are (no second copy at the peak).
                *mine = theirs;
                continue;
            }
            mine.values.extend(theirs.values);
            mine.origins.append_mapped(&theirs.origins, |o| match o {
                FactOrigin::Data { file, line, row } => FactOrigin::Data {
                    file: file + offset,
                    line,
                    row,
                },
                other => other,
            });
        }
    }
}

#[cfg(test)]
mod tests;
