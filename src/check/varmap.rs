//! A rule's variables by name: a small map keyed by names borrowed from the draft.
//!
//! Used by `types` (each draft's variable types) and `lower` (variable ids). A rule has a few
//! variables, so the map is a vector searched from the front, with no allocation per name; past
//! [`INDEXED`] entries a hash index is added, so a rule with thousands of variables stays linear.
//!
//! Invariants: a name has at most one entry, and its value never changes once inserted.

use rustc_hash::FxHashMap as HashMap;

/// Entries beyond which names are also found through a hash index.
const INDEXED: usize = 16;

#[derive(Clone, Debug)]
pub struct VarMap<'a, V> {
    entries: Vec<(&'a str, V)>,
    index: Option<HashMap<&'a str, usize>>,
}

impl<V> Default for VarMap<'_, V> {
    fn default() -> Self {
        VarMap {
            entries: vec![],
            index: None,
        }
    }
}

impl<'a, V> VarMap<'a, V> {
    pub fn with_capacity(capacity: usize) -> Self {
        VarMap {
            entries: Vec::with_capacity(capacity),
            index: None,
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.entries.iter().position(|(n, _)| *n == name),
        }
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        self.position(name).map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Inserts `name` with `value` when it has no entry yet; whether it was inserted.
    pub fn insert_new(&mut self, name: &'a str, value: V) -> bool {
        if self.contains_key(name) {
            return false;
        }
        self.push_new(name, value);
        true
    }

    /// Appends an entry for `name`, which the caller knows has none.
    pub fn push_new(&mut self, name: &'a str, value: V) {
        debug_assert!(!self.contains_key(name));
        self.entries.push((name, value));
        if let Some(index) = &mut self.index {
            index.insert(name, self.entries.len() - 1);
        } else if self.entries.len() > INDEXED {
            self.index = Some(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (n, _))| (*n, i))
                    .collect(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_before_and_after_the_index() {
        let names: Vec<String> = (0..40).map(|i| format!("v{i}")).collect();
        let mut map = VarMap::default();
        for (i, n) in names.iter().enumerate() {
            assert!(map.insert_new(n, i));
            assert!(!map.insert_new(n, 99));
            for (j, m) in names.iter().enumerate() {
                assert_eq!(map.get(m).copied(), (j <= i).then_some(j), "{i} {j}");
            }
        }
        assert!(!map.contains_key("v40"));
    }
}
