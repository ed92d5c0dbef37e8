//! The model: every relation's rows after evaluation, with provenance hooks and lookups.
//!
//! Produced by [`crate::eval::evaluate`], read by the front ends, queries and the explainer. Row ids are
//! stable: base facts first (round 0, with their [`FactOrigin`]), then derived rows in the order they were
//! derived, each with the global round that derived it. A derived row always has a derivation from rows
//! of smaller round, which is what an explainer searches for.

use crate::eval::storage::Rows;
use crate::facts::FactOrigin;
use crate::ir::{Program, RelationId};
use crate::value::{Value, ValueStore};

/// The result of evaluating a program, indexed by [`RelationId`].
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub(crate) relations: Vec<Rows>,
    pub(crate) rounds: u32,
}

const EMPTY: &[Value] = &[];

impl Model {
    fn rel(&self, relation: RelationId) -> Option<&Rows> {
        self.relations.get(relation.index())
    }

    /// The number of rows of `relation`.
    pub fn len(&self, relation: RelationId) -> usize {
        self.rel(relation).map_or(0, Rows::len)
    }

    /// Whether `relation` has no rows.
    pub fn is_empty(&self, relation: RelationId) -> bool {
        self.len(relation) == 0
    }

    /// The number of rows over all relations.
    pub fn total_len(&self) -> usize {
        self.relations.iter().map(Rows::len).sum()
    }

    /// The highest round any row was derived in.
    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    /// Row `i` of `relation` (empty when out of range).
    pub fn row(&self, relation: RelationId, i: usize) -> &[Value] {
        match self.rel(relation) {
            Some(rows) if i < rows.len() => rows.row(i),
            _ => EMPTY,
        }
    }

    /// The rows of `relation` in row-id order.
    pub fn rows(&self, relation: RelationId) -> impl Iterator<Item = &[Value]> + '_ {
        let rows = self.rel(relation);
        (0..self.len(relation)).filter_map(move |i| rows.map(|r| r.row(i)))
    }

    pub fn contains(&self, relation: RelationId, row: &[Value]) -> bool {
        self.find(relation, row).is_some()
    }

    /// The id of the row equal to `row`.
    pub fn find(&self, relation: RelationId, row: &[Value]) -> Option<usize> {
        self.rel(relation)?.find(row)
    }

    /// The round row `i` was derived in (0 for base facts).
    pub fn round(&self, relation: RelationId, i: usize) -> u32 {
        match self.rel(relation) {
            Some(rows) if i < rows.len() => rows.round(i),
            _ => 0,
        }
    }

    /// Where a base fact came from; `None` for a derived row.
    pub fn origin(&self, relation: RelationId, i: usize) -> Option<FactOrigin> {
        self.rel(relation)?.origin(i)
    }

    /// The rows in ascending order of their values (by [`ValueStore::compare_rows`]).
    pub fn sorted_rows(
        &self,
        relation: RelationId,
        program: &Program,
        values: &ValueStore,
    ) -> Vec<Vec<Value>> {
        self.sorted_row_ids(relation, program, values)
            .into_iter()
            .map(|i| self.row(relation, i).to_vec())
            .collect()
    }

    /// The row ids of `relation` in ascending order of the rows' values.
    pub fn sorted_row_ids(
        &self,
        relation: RelationId,
        program: &Program,
        values: &ValueStore,
    ) -> Vec<usize> {
        let types = program
            .relations
            .get(relation.index())
            .map(|r| r.types())
            .unwrap_or_default();
        let mut ids: Vec<usize> = (0..self.len(relation)).collect();
        // Rows are distinct and `compare_rows` orders distinct rows strictly, so any sort gives the one
        // order there is. A merge sort, because derived rows come in long sorted runs (one per rule,
        // in the order of the scan that derived them), which it merges instead of sorting again.
        let order = |&a: &usize, &b: &usize| {
            values.compare_rows(&types, self.row(relation, a), self.row(relation, b))
        };
        if ids.len() > 1 << 14 {
            use rayon::slice::ParallelSliceMut;
            ids.par_sort_by(order);
        } else {
            ids.sort_by(order);
        }
        ids
    }

    /// Ids of the rows whose `columns` equal `key`, ascending; uses an index when one exists (see
    /// [`Model::ensure_index`]), otherwise scans.
    pub fn lookup(&self, relation: RelationId, columns: &[usize], key: &[Value]) -> Vec<usize> {
        match self.rel(relation) {
            Some(rows)
                if columns.len() == key.len() && columns.iter().all(|c| *c < rows.arity()) =>
            {
                rows.lookup(columns, key, rows.len())
            }
            _ => vec![],
        }
    }

    /// Builds (once) the index that makes [`Model::lookup`] on `columns` fast.
    pub fn ensure_index(&mut self, relation: RelationId, columns: &[usize]) {
        if let Some(rows) = self.relations.get_mut(relation.index()) {
            if columns.iter().all(|c| *c < rows.arity()) {
                rows.ensure_index(columns);
            }
        }
    }

    /// The storage of `relation` (rows, rounds, origins, indexes), for consumers such as the explainer
    /// that probe indexes directly.
    pub fn storage(&self, relation: RelationId) -> Option<&Rows> {
        self.rel(relation)
    }

    /// Approximate heap bytes held by the rows and indexes.
    pub fn heap_bytes(&self) -> usize {
        self.relations.iter().map(Rows::heap_bytes).sum()
    }
}
