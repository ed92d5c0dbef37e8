//! The text interner behind [`crate::value::ValueStore`]: every distinct text is stored once, in one
//! contiguous arena, and named by a dense `u32` id in first-seen order.
//!
//! Invariants: ids are `0..len()` in the order texts were first interned (so interning the same texts
//! in the same order gives the same ids — output never depends on a hash seed); `get(id)` is the exact
//! text interned; the table entry of a text carries 32 bits of its hash, so a probe compares bytes only
//! when those bits agree, and growing the table never re-reads the arena.
//!
//! Why not `IndexSet<Box<str>>`: a million shipment ids cost a heap allocation each and a lookup cost
//! three dependent cache misses (table → entry → box). Here a text costs its bytes plus 8 bytes of
//! offset and 8 bytes of table, and a probe touches the table, then the arena.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Interned texts: an arena of bytes, the end offset of each text, and a table of `(id, hash32)`.
#[derive(Clone, Debug, Default)]
pub struct TextInterner {
    bytes: String,
    ends: Vec<usize>,
    table: HashTable<Slot>,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    id: u32,
    hash: u32,
}

/// The table's 64-bit hash, rebuilt from the 32 bits a slot keeps: the table picks buckets from the
/// low bits and control bytes from the top seven, so the 32 bits go to both halves.
fn spread(hash: u32) -> u64 {
    (u64::from(hash) << 32) | u64::from(hash)
}

fn hash32(s: &str) -> u32 {
    let h = FxBuildHasher.hash_one(s);
    (h ^ (h >> 32)) as u32
}

impl TextInterner {
    /// The id of `s`, interning it first when it is new.
    pub fn intern(&mut self, s: &str) -> u32 {
        let hash = hash32(s);
        let (bytes, ends) = (&self.bytes, &self.ends);
        let found = self.table.find(spread(hash), |slot| {
            slot.hash == hash && text(bytes, ends, slot.id) == s
        });
        if let Some(slot) = found {
            return slot.id;
        }
        let id = u32::try_from(self.ends.len()).unwrap_or(u32::MAX);
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
        self.table
            .insert_unique(spread(hash), Slot { id, hash }, |slot| spread(slot.hash));
        id
    }

    /// The id of `s` when it is interned.
    pub fn find(&self, s: &str) -> Option<u32> {
        let hash = hash32(s);
        self.table
            .find(spread(hash), |slot| {
                slot.hash == hash && text(&self.bytes, &self.ends, slot.id) == s
            })
            .map(|slot| slot.id)
    }

    /// The text of `id`, if it names one.
    pub fn get(&self, id: u32) -> Option<&str> {
        ((id as usize) < self.ends.len()).then(|| text(&self.bytes, &self.ends, id))
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Reserves room for `texts` more texts of `bytes` bytes in all.
    pub fn reserve(&mut self, texts: usize, bytes: usize) {
        self.bytes.reserve(bytes);
        self.ends.reserve(texts);
        self.table.reserve(texts, |slot| spread(slot.hash));
    }
}

fn text<'a>(bytes: &'a str, ends: &[usize], id: u32) -> &'a str {
    let i = id as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    // Every end is a boundary `push_str` left, so the slice is always valid UTF-8 in range.
    bytes.get(start..ends[i]).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_in_first_seen_order_and_round_trip() {
        let mut t = TextInterner::default();
        let words = ["MX", "", "NEEC", "MX", "Überseering 9", "", "US"];
        let ids: Vec<u32> = words.iter().map(|w| t.intern(w)).collect();
        assert_eq!(ids, [0, 1, 2, 0, 3, 1, 4]);
        for (w, id) in words.iter().zip(&ids) {
            assert_eq!(t.get(*id), Some(*w));
            assert_eq!(t.find(w), Some(*id));
        }
        assert_eq!(t.find("CA"), None);
        assert_eq!(t.get(5), None);
        assert_eq!(t.len(), 5);
    }

    #[test]
    fn many_similar_texts_survive_growth() {
        let mut t = TextInterner::default();
        for i in 0..100_000 {
            assert_eq!(t.intern(&format!("S{i:08}")), i);
        }
        for i in (0..100_000).step_by(997) {
            assert_eq!(t.find(&format!("S{i:08}")), Some(i));
            assert_eq!(t.get(i), Some(format!("S{i:08}").as_str()));
        }
    }
}
