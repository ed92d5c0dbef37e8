//! A hash table of row ids split by hash into partitions, so that a large one is built on every core.
//!
//! A relation's dedup table holds the id of each of its rows, found by the hash of the row's values
//! (the caller hashes and compares rows; the table stores nothing but ids). A small table has one
//! partition; [`IdTable::build_distinct`] gives a large one a partition per ~128 Ki rows, chosen by bits
//! 32 and up of the hash (hashbrown itself uses the low bits for the bucket and the top seven for the
//! tag, so partitions do not weaken either). Each partition is built by one thread from its rows in
//! ascending order, so a row's duplicates are always later rows of the same partition and the first of
//! equal rows is the one kept, whatever the number of threads: the table is the sequential one.
//!
//! Invariant: every id is in the partition its hash selects, and the partition count is a power of two
//! fixed when the table is made.

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use rayon::prelude::*;

/// Rows per partition a table built whole aims at.
const ROWS_PER_PART: usize = 1 << 17;
/// The most partitions a table has.
const MAX_PARTS: usize = 64;

/// Row ids in hash partitions (see the module doc).
#[derive(Clone, Debug)]
pub struct IdTable {
    parts: Vec<HashTable<u32>>,
}

impl Default for IdTable {
    fn default() -> IdTable {
        IdTable {
            parts: vec![HashTable::new()],
        }
    }
}

impl IdTable {
    fn part(&self, hash: u64) -> usize {
        (hash >> 32) as usize & (self.parts.len() - 1)
    }

    /// The id whose row `eq` accepts, among those with this hash.
    pub fn find(&self, hash: u64, eq: impl FnMut(&u32) -> bool) -> Option<u32> {
        self.parts[self.part(hash)].find(hash, eq).copied()
    }

    /// Adds `id` unless `eq` accepts an id already there; whether it was added. `rehash` gives an id's
    /// hash when the partition grows.
    pub fn insert_new(
        &mut self,
        hash: u64,
        id: u32,
        eq: impl FnMut(&u32) -> bool,
        rehash: impl Fn(&u32) -> u64,
    ) -> bool {
        let part = self.part(hash);
        match self.parts[part].entry(hash, eq, rehash) {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(id);
                true
            }
        }
    }

    /// Removes `id`, which has this hash.
    pub fn remove(&mut self, hash: u64, id: u32) {
        let part = self.part(hash);
        if let Ok(entry) = self.parts[part].find_entry(hash, |&other| other == id) {
            entry.remove();
        }
    }

    pub fn clear(&mut self) {
        self.parts.iter_mut().for_each(HashTable::clear);
    }

    /// Makes room for about `additional` more ids.
    pub fn reserve(&mut self, additional: usize, rehash: impl Fn(&u32) -> u64) {
        let each = additional.div_ceil(self.parts.len());
        for part in &mut self.parts {
            part.reserve(each, &rehash);
        }
    }

    pub fn capacity(&self) -> usize {
        self.parts.iter().map(HashTable::capacity).sum()
    }

    /// The table of ids `0..n` with, of every set of ids `same` calls equal (they must hash alike), only
    /// the first; also the ids left out, ascending. Large tables are built on every core: the hashes are
    /// computed once, in order, then each partition takes its ids from a pass over them.
    pub fn build_distinct(
        n: usize,
        hash: impl Fn(u32) -> u64 + Sync,
        same: impl Fn(u32, u32) -> bool + Sync,
    ) -> (IdTable, Vec<u32>) {
        let parts = (n / ROWS_PER_PART).next_power_of_two().clamp(1, MAX_PARTS);
        if parts == 1 {
            let (part, left_out) = build_part(0..n as u32, n, &hash, &same);
            return (IdTable { parts: vec![part] }, left_out);
        }
        let hashes: Vec<u64> = (0..n as u32).into_par_iter().map(&hash).collect();
        let mask = parts - 1;
        let built: Vec<(HashTable<u32>, Vec<u32>)> = (0..parts)
            .into_par_iter()
            .map(|p| {
                let mine =
                    (0..n as u32).filter(|&id| (hashes[id as usize] >> 32) as usize & mask == p);
                let stored = |id: u32| hashes[id as usize];
                build_part(mine, n / parts + n / (4 * parts), &stored, &same)
            })
            .collect();
        let mut table = IdTable {
            parts: Vec::with_capacity(parts),
        };
        let mut left_out = Vec::new();
        for (part, out) in built {
            table.parts.push(part);
            left_out.extend(out);
        }
        left_out.sort_unstable();
        (table, left_out)
    }

    /// Renumbers every id after the ids `removed` (ascending, none of them in the table) were taken out
    /// of the numbering: an id drops by the number of removed ids below it.
    pub fn close_gaps(&mut self, removed: &[u32]) {
        if removed.is_empty() {
            return;
        }
        self.parts.par_iter_mut().for_each(|part| {
            for id in part.iter_mut() {
                *id -= removed.partition_point(|r| r < id) as u32;
            }
        });
    }
}

/// One partition from `ids` (ascending), and the ids that repeat an earlier one.
fn build_part(
    ids: impl Iterator<Item = u32>,
    len: usize,
    hash: &(impl Fn(u32) -> u64 + Sync),
    same: &(impl Fn(u32, u32) -> bool + Sync),
) -> (HashTable<u32>, Vec<u32>) {
    let mut part: HashTable<u32> = HashTable::with_capacity(len);
    let mut left_out = Vec::new();
    for id in ids {
        match part.entry(hash(id), |&other| same(other, id), |&other| hash(other)) {
            Entry::Occupied(_) => left_out.push(id),
            Entry::Vacant(slot) => {
                slot.insert(id);
            }
        }
    }
    (part, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values with many repeats, hashed so that partitions and tags both vary.
    fn values(n: usize) -> Vec<u64> {
        (0..n as u64)
            .map(|i| (i * 7919) % (n as u64 / 3 + 1))
            .collect()
    }

    fn hash(v: u64) -> u64 {
        v.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17)
    }

    #[test]
    fn a_large_table_keeps_the_first_of_equal_rows_in_every_partition() {
        let n = 300_000;
        let vals = values(n);
        let (table, left_out) = IdTable::build_distinct(
            n,
            |id| hash(vals[id as usize]),
            |a, b| vals[a as usize] == vals[b as usize],
        );
        assert!(table.parts.len() > 1, "{} partitions", table.parts.len());
        // The sequential answer: the first id of each value.
        let mut first = std::collections::HashMap::new();
        let mut expected_out = vec![];
        for (id, v) in vals.iter().enumerate() {
            if first.contains_key(v) {
                expected_out.push(id as u32);
            } else {
                first.insert(*v, id as u32);
            }
        }
        assert_eq!(left_out, expected_out);
        for (v, id) in &first {
            assert_eq!(table.find(hash(*v), |&i| vals[i as usize] == *v), Some(*id));
        }
        assert!(table.capacity() >= first.len());
    }

    #[test]
    fn closing_gaps_renumbers_the_kept_ids() {
        let vals = [5u64, 6, 5, 7, 6, 8];
        let (mut table, left_out) = IdTable::build_distinct(
            vals.len(),
            |id| hash(vals[id as usize]),
            |a, b| vals[a as usize] == vals[b as usize],
        );
        assert_eq!(left_out, vec![2, 4]);
        table.close_gaps(&left_out);
        let kept = [5u64, 6, 7, 8];
        for (new, v) in kept.iter().enumerate() {
            assert_eq!(
                table.find(hash(*v), |&i| kept[i as usize] == *v),
                Some(new as u32)
            );
        }
    }

    #[test]
    fn inserting_and_removing_go_to_the_partition_of_the_hash() {
        let n = 200_000;
        let vals: Vec<u64> = (0..n as u64).collect();
        let (mut table, left_out) = IdTable::build_distinct(
            n,
            |id| hash(vals[id as usize]),
            |a, b| vals[a as usize] == vals[b as usize],
        );
        assert!(left_out.is_empty());
        let v = n as u64;
        assert!(table.insert_new(hash(v), n as u32, |&i| i == n as u32, |&i| hash(i as u64)));
        assert!(!table.insert_new(hash(v), n as u32, |&i| i == n as u32, |&i| hash(i as u64)));
        assert_eq!(table.find(hash(v), |&i| i == n as u32), Some(n as u32));
        table.remove(hash(v), n as u32);
        assert_eq!(table.find(hash(v), |&i| i == n as u32), None);
    }
}
