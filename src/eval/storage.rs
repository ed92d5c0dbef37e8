//! Storage: the rows of one relation, their provenance, and the hash indexes the join plans probe.
//!
//! A [`Rows`] is append-only: rows are stored row-major in one `Vec<Value>` (eight bytes a column), each
//! with the round it was derived in; the first `origins.len()` rows are the base facts and carry their
//! [`FactOrigin`]. Duplicates are rejected by a hash table of row ids hashed by row content (four bytes and
//! one control byte per row; an `id_table::IdTable`, built on every core when a whole table is adopted). Because rows are never removed or reordered, a row id is stable for the
//! whole evaluation, and a "version" of a relation is just a range of row ids: semi-naive evaluation's
//! stable rows are `0..recent_start`, its recent rows `recent_start..recent_end`.
//!
//! An [`Index`] groups row ids by the values of some columns: a hash table of groups (first and last row
//! of the group, the key read from the first row) and a `next` link per row, so groups are chains in
//! ascending row order. Appending rows extends the chains in place; a lookup bounded by a row range stops
//! at the range's end. Invariant: every index of a `Rows` covers all of its rows.

use std::hash::Hasher;

use hashbrown::HashTable;
use rustc_hash::FxHasher;

use crate::eval::id_table::IdTable;
use crate::facts::{FactOrigin, Origins};
use crate::value::Value;

const NONE: u32 = u32::MAX;

fn hash_values<'a>(values: impl Iterator<Item = &'a Value>) -> u64 {
    let mut h = FxHasher::default();
    for v in values {
        h.write_u64(v.raw());
    }
    h.finish()
}

/// The rows of one relation.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    arity: usize,
    values: Vec<Value>,
    rounds: Vec<u32>,
    origins: Origins,
    dedup: IdTable,
    indexes: Vec<Index>,
}

impl Rows {
    pub fn new(arity: usize) -> Rows {
        Rows {
            arity,
            ..Rows::default()
        }
    }

    pub fn arity(&self) -> usize {
        self.arity
    }

    pub fn len(&self) -> usize {
        self.rounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rounds.is_empty()
    }

    pub fn row(&self, i: usize) -> &[Value] {
        &self.values[i * self.arity..(i + 1) * self.arity]
    }

    pub fn round(&self, i: usize) -> u32 {
        self.rounds[i]
    }

    pub fn origin(&self, i: usize) -> Option<FactOrigin> {
        self.origins.get(i)
    }

    /// The id of a row equal to `row`, if any.
    pub fn find(&self, row: &[Value]) -> Option<usize> {
        if row.len() != self.arity {
            return None;
        }
        let hash = hash_values(row.iter());
        let (values, arity) = (&self.values, self.arity);
        self.dedup
            .find(hash, |&id| {
                &values[id as usize * arity..(id as usize + 1) * arity] == row
            })
            .map(|id| id as usize)
    }

    /// Adds a base fact; false when an equal row is already there. Must precede every derived row.
    pub fn insert_base(&mut self, row: &[Value], origin: FactOrigin) -> bool {
        debug_assert_eq!(self.origins.len(), self.len(), "base facts come first");
        if self.insert(row, 0) {
            self.origins.push(origin);
            true
        } else {
            false
        }
    }

    /// Inserts `row` as [`Rows::insert`] does; false when that makes the rows more than `limit` (a
    /// pending buffer's bound).
    pub fn insert_within(&mut self, row: &[Value], round: u32, limit: usize) -> bool {
        !(self.insert(row, round) && self.len() > limit)
    }

    /// Adds a derived row; false when an equal row is already there.
    pub fn insert(&mut self, row: &[Value], round: u32) -> bool {
        if row.len() != self.arity {
            return false;
        }
        let hash = hash_values(row.iter());
        let id = self.rounds.len() as u32;
        let (values, arity) = (&self.values, self.arity);
        let slice = |id: u32| &values[id as usize * arity..(id as usize + 1) * arity];
        // One probe: the vacant entry takes the new id before the row's values are appended.
        if !self.dedup.insert_new(
            hash,
            id,
            |&other| slice(other) == row,
            |&other| hash_values(slice(other).iter()),
        ) {
            return false;
        }
        self.values.extend_from_slice(row);
        self.rounds.push(round);
        let values = &self.values;
        for index in &mut self.indexes {
            index.add(values, arity, id);
        }
        true
    }

    /// The base facts of a whole table, deduplicated in place (the first of equal rows stays), without
    /// copying the values. `values` holds `arity` values per origin; a ragged tail is dropped. The dedup
    /// table of a large table is built on every core.
    pub fn adopt(arity: usize, values: Vec<Value>, origins: Origins) -> Rows {
        let n = match values.len().checked_div(arity) {
            Some(rows) => origins.len().min(rows),
            None => origins.len().min(1),
        };
        Rows::distinct(arity, values, origins, n, 0)
    }

    /// Rows derived in `round`, `rows` of them in `values` (`arity` values each), deduplicated in place
    /// like [`Rows::adopt`]: the rows of a relation derived whole at once.
    pub fn adopt_derived(arity: usize, values: Vec<Value>, rows: usize, round: u32) -> Rows {
        let n = match values.len().checked_div(arity) {
            Some(whole) => rows.min(whole),
            None => rows.min(1),
        };
        Rows::distinct(arity, values, Origins::new(), n, round)
    }

    /// The first `n` rows of `values`, without repeats (the first of equal rows stays), all of `round`;
    /// `origins` is empty (derived rows) or has one origin per row.
    fn distinct(
        arity: usize,
        mut values: Vec<Value>,
        mut origins: Origins,
        n: usize,
        round: u32,
    ) -> Rows {
        let (mut dedup, repeats) = {
            let row = |id: u32| &values[id as usize * arity..(id as usize + 1) * arity];
            IdTable::build_distinct(n, |id| hash_values(row(id).iter()), |a, b| row(a) == row(b))
        };
        let mut kept = 0usize;
        if repeats.is_empty() {
            kept = n;
        } else {
            let mut repeats_left = repeats.iter().peekable();
            let mut kept_origins = Origins::new();
            for (i, origin) in (0..n).zip(origins.iter().map(Some).chain(std::iter::repeat(None))) {
                if repeats_left.next_if_eq(&&(i as u32)).is_some() {
                    continue;
                }
                if kept != i {
                    values.copy_within(i * arity..(i + 1) * arity, kept * arity);
                }
                kept_origins.extend(origin);
                kept += 1;
            }
            origins = kept_origins;
            dedup.close_gaps(&repeats);
        }
        values.truncate(kept * arity);
        origins.truncate(kept);
        Rows {
            arity,
            values,
            rounds: vec![round; kept],
            origins,
            dedup,
            indexes: vec![],
        }
    }

    /// The values of every row, `arity` per row, in row order.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// Marks the current end: rows added from now on are scratch rows that [`Rows::rollback`] removes.
    /// Indexes built later start unmarked, so mark after building every index the scratch rows need.
    pub fn mark(&mut self) {
        let end = self.rounds.len() as u32;
        for index in &mut self.indexes {
            index.mark = end;
            index.undo.clear();
        }
    }

    /// Removes the rows from `len` on, which must all have been added after the last [`Rows::mark`]
    /// (at or before `len`): the relation, its dedup table and its indexes are as they were.
    pub fn rollback(&mut self, len: usize) {
        let arity = self.arity;
        while self.rounds.len() > len {
            let id = (self.rounds.len() - 1) as u32;
            let start = id as usize * arity;
            let hash = hash_values(self.values[start..start + arity].iter());
            self.dedup.remove(hash, id);
            for index in &mut self.indexes {
                if index.next.len() == id as usize + 1 {
                    index.remove_last(&self.values, arity, id);
                }
            }
            self.values.truncate(start);
            self.rounds.pop();
        }
        self.origins.truncate(len);
    }

    /// Removes every row and index, keeping the allocations (for buffers reused from run to run).
    pub fn clear(&mut self) {
        self.values.clear();
        self.rounds.clear();
        self.origins.clear();
        self.dedup.clear();
        self.indexes.clear();
    }

    /// Makes room for `additional` more rows.
    pub fn reserve(&mut self, additional: usize) {
        self.values.reserve(additional * self.arity);
        self.rounds.reserve(additional);
        let (values, arity) = (&self.values, self.arity);
        self.dedup.reserve(additional, |&id| {
            hash_values(values[id as usize * arity..(id as usize + 1) * arity].iter())
        });
    }

    /// The index on `columns`, if one was built.
    pub fn index(&self, columns: &[usize]) -> Option<&Index> {
        self.indexes.iter().find(|i| i.columns == columns)
    }

    /// Whether the relation has no rows and no index yet, so that it can be replaced whole by rows
    /// computed elsewhere (a buffer, or buffers adopted together) without anything to keep up to date.
    pub fn is_untouched(&self) -> bool {
        self.is_empty() && self.indexes.is_empty()
    }

    /// The column lists of the indexes built so far.
    pub fn indexed_columns(&self) -> impl Iterator<Item = &[usize]> + '_ {
        self.indexes.iter().map(|i| i.columns.as_slice())
    }

    /// Builds the index on `columns` unless it exists; it is then kept up to date by every insert.
    pub fn ensure_index(&mut self, columns: &[usize]) {
        if self.index(columns).is_none() {
            let index = Index::build(self, columns);
            self.indexes.push(index);
        }
    }

    /// Rows with `key` in `columns` whose id is below `end`, in ascending order (index or scan).
    pub fn lookup(&self, columns: &[usize], key: &[Value], end: usize) -> Vec<usize> {
        match self.index(columns) {
            Some(index) => index.lookup(self, key, end).map(|r| r as usize).collect(),
            None => (0..end.min(self.len()))
                .filter(|&r| {
                    let row = self.row(r);
                    columns.iter().zip(key).all(|(c, k)| row.get(*c) == Some(k))
                })
                .collect(),
        }
    }

    /// Approximate heap bytes, for diagnostics and tests.
    pub fn heap_bytes(&self) -> usize {
        self.values.capacity() * 8
            + self.rounds.capacity() * 4
            + self.origins.heap_bytes()
            + self.dedup.capacity() * 5
            + self.indexes.iter().map(Index::heap_bytes).sum::<usize>()
    }
}

#[derive(Clone, Copy, Debug)]
struct Group {
    first: u32,
    last: u32,
}

/// Row ids grouped by the values of some columns (see the module doc).
#[derive(Clone, Debug)]
pub struct Index {
    columns: Vec<usize>,
    groups: HashTable<Group>,
    next: Vec<u32>,
    /// Rows from this id on are scratch rows ([`Rows::mark`]); `undo` holds, for each of them in order,
    /// the group's previous last row (`NONE` when the row started its group).
    mark: u32,
    undo: Vec<u32>,
}

impl Index {
    /// An index over all rows of `rows`. Invariant: every column is below the arity (callers plan from the
    /// relation's own columns).
    pub fn build(rows: &Rows, columns: &[usize]) -> Index {
        let columns: Vec<usize> = columns
            .iter()
            .copied()
            .filter(|c| *c < rows.arity)
            .collect();
        let groups = HashTable::with_capacity(Index::groups_estimate(rows, &columns));
        let mut index = Index {
            columns,
            groups,
            next: Vec::with_capacity(rows.len()),
            mark: NONE,
            undo: vec![],
        };
        for id in 0..rows.len() as u32 {
            index.add(&rows.values, rows.arity, id);
        }
        index
    }

    /// About how many groups an index on `columns` has: the share of distinct keys among the first
    /// rows, times the rows (so the table is sized once instead of growing from empty).
    fn groups_estimate(rows: &Rows, columns: &[usize]) -> usize {
        const SAMPLE: usize = 1024;
        let n = rows.len();
        if n <= SAMPLE {
            return n;
        }
        let mut keys: Vec<u64> = (0..SAMPLE)
            .map(|id| {
                let base = id * rows.arity;
                hash_values(columns.iter().map(|c| &rows.values[base + c]))
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        n / SAMPLE * keys.len()
    }

    pub fn columns(&self) -> &[usize] {
        &self.columns
    }

    /// How many rows the index covers (the relation's length when it was last kept up to date).
    pub fn covered(&self) -> usize {
        self.next.len()
    }

    fn key_hash(&self, values: &[Value], arity: usize, id: u32) -> u64 {
        let base = id as usize * arity;
        hash_values(self.columns.iter().map(|c| &values[base + c]))
    }

    fn add(&mut self, values: &[Value], arity: usize, id: u32) {
        debug_assert_eq!(self.next.len(), id as usize);
        self.next.push(NONE);
        let hash = self.key_hash(values, arity, id);
        let columns = &self.columns;
        let base = id as usize * arity;
        let same = |g: &Group| {
            let other = g.first as usize * arity;
            columns
                .iter()
                .all(|c| values[other + c] == values[base + c])
        };
        let scratch = id >= self.mark;
        match self.groups.find_mut(hash, same) {
            Some(group) => {
                if scratch {
                    self.undo.push(group.last);
                }
                self.next[group.last as usize] = id;
                group.last = id;
            }
            None => {
                if scratch {
                    self.undo.push(NONE);
                }
                let columns = &self.columns;
                self.groups.insert_unique(
                    hash,
                    Group {
                        first: id,
                        last: id,
                    },
                    |g| {
                        let b = g.first as usize * arity;
                        hash_values(columns.iter().map(|c| &values[b + c]))
                    },
                );
            }
        }
    }

    /// Row ids below `end` whose indexed columns equal `key`, ascending.
    pub fn lookup<'a>(&'a self, rows: &'a Rows, key: &[Value], end: usize) -> Chain<'a> {
        let hash = hash_values(key.iter());
        let arity = rows.arity;
        let values = &rows.values;
        let first = self
            .groups
            .find(hash, |g| {
                let b = g.first as usize * arity;
                self.columns
                    .iter()
                    .zip(key)
                    .all(|(c, k)| values[b + c] == *k)
            })
            .map_or(NONE, |g| g.first);
        Chain {
            next: &self.next,
            row: first,
            end: end.min(u32::MAX as usize) as u32,
        }
    }

    /// Removes the scratch row `id`, the last row the index covers.
    fn remove_last(&mut self, values: &[Value], arity: usize, id: u32) {
        let hash = self.key_hash(values, arity, id);
        let previous = self.undo.pop().unwrap_or(NONE);
        if previous == NONE {
            if let Ok(entry) = self.groups.find_entry(hash, |g| g.first == id) {
                entry.remove();
            }
        } else if let Some(group) = self.groups.find_mut(hash, |g| g.last == id) {
            group.last = previous;
            if let Some(link) = self.next.get_mut(previous as usize) {
                *link = NONE;
            }
        }
        self.next.pop();
    }

    fn heap_bytes(&self) -> usize {
        self.next.capacity() * 4 + self.groups.capacity() * (std::mem::size_of::<Group>() + 1)
    }
}

/// The row ids of one index group, ascending and bounded.
pub struct Chain<'a> {
    next: &'a [u32],
    row: u32,
    end: u32,
}

impl Iterator for Chain<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.row == NONE || self.row >= self.end {
            return None;
        }
        let row = self.row;
        self.row = self.next.get(row as usize).copied().unwrap_or(NONE);
        Some(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: u64) -> Value {
        Value::from_raw(n)
    }

    #[test]
    fn dedup_and_index_chains() {
        let mut rows = Rows::new(2);
        assert!(rows.insert(&[v(1), v(2)], 1));
        assert!(!rows.insert(&[v(1), v(2)], 2));
        rows.ensure_index(&[0]);
        assert!(rows.insert(&[v(1), v(3)], 2));
        assert!(rows.insert(&[v(2), v(3)], 2));
        assert_eq!(rows.lookup(&[0], &[v(1)], usize::MAX), vec![0, 1]);
        assert_eq!(rows.lookup(&[0], &[v(1)], 1), vec![0]);
        assert_eq!(rows.lookup(&[1], &[v(3)], usize::MAX), vec![1, 2]);
        assert_eq!(rows.find(&[v(2), v(3)]), Some(2));
        assert_eq!(rows.round(2), 2);
    }

    #[test]
    fn adopting_a_table_drops_duplicates_in_place() {
        let origin = |row| FactOrigin::Data {
            file: 0,
            line: row + 2,
            row,
        };
        let values = vec![v(1), v(2), v(3), v(4), v(1), v(2), v(5), v(6)];
        let mut rows = Rows::adopt(2, values, (0..4).map(origin).collect());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows.row(2), &[v(5), v(6)]);
        assert_eq!(rows.origin(2), Some(origin(3)));
        assert_eq!(rows.find(&[v(1), v(2)]), Some(0));
        assert!(!rows.insert(&[v(3), v(4)], 1));
        assert!(rows.insert(&[v(7), v(8)], 1));
        assert_eq!(rows.origin(3), None);
        let empty = Rows::adopt(0, vec![], [origin(0), origin(1)].into_iter().collect());
        assert_eq!(empty.len(), 1);
    }

    #[test]
    fn adopting_a_large_table_keeps_the_first_of_equal_rows_like_a_sequential_pass() {
        let n = 400_000u64;
        let origin = |row| FactOrigin::Data {
            file: 0,
            line: row + 2,
            row,
        };
        // Every fifth row repeats an earlier one, mostly.
        let key = |i: u64| if i % 5 == 4 { i / 3 } else { i };
        let values: Vec<Value> = (0..n).flat_map(|i| [v(key(i)), v(key(i) % 7)]).collect();
        let rows = Rows::adopt(2, values, (0..n as u32).map(origin).collect());
        let mut seen = std::collections::HashSet::new();
        let kept: Vec<u64> = (0..n).filter(|&i| seen.insert(key(i))).collect();
        assert!(kept.len() < n as usize - 50_000, "{} kept", kept.len());
        assert_eq!(rows.len(), kept.len());
        for (id, &i) in kept.iter().enumerate() {
            assert_eq!(rows.row(id), &[v(key(i)), v(key(i) % 7)]);
            assert_eq!(rows.origin(id), Some(origin(i as u32)));
            assert_eq!(rows.find(rows.row(id)), Some(id));
        }
    }

    #[test]
    fn rolling_back_scratch_rows_restores_dedup_and_indexes() {
        let mut rows = Rows::new(2);
        for (a, b) in [(1, 2), (1, 3), (2, 3)] {
            rows.insert(&[v(a), v(b)], 0);
        }
        rows.ensure_index(&[0]);
        rows.ensure_index(&[1]);
        rows.mark();
        for _ in 0..3 {
            assert!(rows.insert(&[v(1), v(4)], 1));
            assert!(rows.insert(&[v(9), v(3)], 1));
            assert!(rows.insert(&[v(9), v(9)], 1));
            assert_eq!(rows.lookup(&[0], &[v(1)], usize::MAX), vec![0, 1, 3]);
            assert_eq!(rows.lookup(&[1], &[v(3)], usize::MAX), vec![1, 2, 4]);
            assert_eq!(rows.lookup(&[0], &[v(9)], usize::MAX), vec![4, 5]);
            rows.rollback(3);
            assert_eq!(rows.len(), 3);
            assert_eq!(rows.find(&[v(1), v(4)]), None);
            assert_eq!(rows.lookup(&[0], &[v(1)], usize::MAX), vec![0, 1]);
            assert_eq!(rows.lookup(&[1], &[v(3)], usize::MAX), vec![1, 2]);
            assert_eq!(rows.lookup(&[0], &[v(9)], usize::MAX), Vec::<usize>::new());
            assert_eq!(rows.find(&[v(2), v(3)]), Some(2));
        }
    }

    #[test]
    fn zero_arity_holds_one_row() {
        let mut rows = Rows::new(0);
        assert!(rows.insert(&[], 1));
        assert!(!rows.insert(&[], 1));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows.find(&[]), Some(0));
    }
}
