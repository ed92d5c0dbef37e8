//! Origins: where each row of a table came from, stored as runs.
//!
//! A data file's rows mostly follow each other line by line: row `k + 1` of a run sits on the line
//! after row `k` and has the next row number. [`Origins`] stores such a run once (its first row's index
//! and [`FactOrigin`]), so a million CSV rows cost a few runs instead of 16 bytes each: less memory,
//! and fewer fresh pages for the kernel to fault in and clear while loading. A row off the run (a
//! blank line, a quoted line end, a bad or skipped row, a repeat left out, a policy fact) starts a new
//! run. Used by [`super::Table`] and by the evaluator's relations (`eval::storage::Rows`).
//!
//! Invariant: runs are in ascending order of `start`, the first starts at 0, each is non-empty, and
//! `len` is the number of origins; only `Data` origins extend a run, so other kinds are runs of one.

use super::FactOrigin;

/// A sequence of origins (see the module doc); behaves as a `Vec<FactOrigin>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    runs: Vec<Run>,
    len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    start: usize,
    origin: FactOrigin,
}

/// The origin `k` rows after `origin` in its run.
fn advanced(origin: FactOrigin, k: usize) -> FactOrigin {
    match origin {
        FactOrigin::Data { file, line, row } => FactOrigin::Data {
            file,
            line: line.wrapping_add(k as u32),
            row: row.wrapping_add(k as u32),
        },
        other => other,
    }
}

impl Origins {
    pub fn new() -> Origins {
        Origins::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, origin: FactOrigin) {
        let extends = self.runs.last().is_some_and(|last| {
            matches!(last.origin, FactOrigin::Data { .. })
                && advanced(last.origin, self.len - last.start) == origin
        });
        if !extends {
            self.runs.push(Run {
                start: self.len,
                origin,
            });
        }
        self.len += 1;
    }

    pub fn get(&self, i: usize) -> Option<FactOrigin> {
        if i >= self.len {
            return None;
        }
        let run = self.runs[self.runs.partition_point(|r| r.start <= i) - 1];
        Some(advanced(run.origin, i - run.start))
    }

    /// Keeps the first `len` origins.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.runs
            .truncate(self.runs.partition_point(|r| r.start < len));
        self.len = len;
    }

    pub fn clear(&mut self) {
        self.runs.clear();
        self.len = 0;
    }

    /// Where run `r` ends: the next run's start, or the length.
    fn run_end(&self, r: usize) -> usize {
        self.runs.get(r + 1).map_or(self.len, |next| next.start)
    }

    pub fn iter(&self) -> impl Iterator<Item = FactOrigin> + '_ {
        self.runs.iter().enumerate().flat_map(move |(r, run)| {
            (0..self.run_end(r) - run.start).map(move |k| advanced(run.origin, k))
        })
    }

    /// Appends `other`'s origins, each changed by `change`, which must map a `Data` origin to a `Data`
    /// origin with the same line and row steps (as renumbering rows or files does), so that a run stays
    /// a run.
    pub fn append_mapped(&mut self, other: &Origins, change: impl Fn(FactOrigin) -> FactOrigin) {
        for (r, run) in other.runs.iter().enumerate() {
            self.push(change(run.origin));
            // The rest of the run follows its first origin (only a run of `Data` has a rest).
            self.len += other.run_end(r) - run.start - 1;
        }
    }

    /// Approximate heap bytes.
    pub fn heap_bytes(&self) -> usize {
        self.runs.capacity() * std::mem::size_of::<Run>()
    }
}

impl FromIterator<FactOrigin> for Origins {
    fn from_iter<I: IntoIterator<Item = FactOrigin>>(iter: I) -> Origins {
        let mut origins = Origins::new();
        for o in iter {
            origins.push(o);
        }
        origins
    }
}

impl Extend<FactOrigin> for Origins {
    fn extend<I: IntoIterator<Item = FactOrigin>>(&mut self, iter: I) {
        for o in iter {
            self.push(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{FileId, Span};

    fn data(file: u32, line: u32, row: u32) -> FactOrigin {
        FactOrigin::Data { file, line, row }
    }

    /// Origins with runs, breaks in line, row and file, and other kinds.
    fn sample() -> Vec<FactOrigin> {
        let span = Span {
            file: FileId(0),
            start: 3,
            end: 9,
        };
        let mut v = vec![FactOrigin::Policy(span), FactOrigin::Policy(span)];
        v.extend((0..50).map(|i| data(1, i + 2, i)));
        v.extend((50..60).map(|i| data(1, i + 4, i)));
        v.extend((61..70).map(|i| data(1, i + 4, i)));
        v.push(data(2, 2, 0));
        v.push(FactOrigin::Asserted { input: 7 });
        v.push(FactOrigin::Asserted { input: 7 });
        v.extend((1..30).map(|i| data(2, i + 2, i)));
        v
    }

    #[test]
    fn origins_behave_as_a_vector_of_origins() {
        let v = sample();
        let o: Origins = v.iter().copied().collect();
        assert_eq!(o.len(), v.len());
        assert!(o.runs.len() < 12, "{} runs", o.runs.len());
        assert_eq!(o.iter().collect::<Vec<_>>(), v);
        for (i, want) in v.iter().enumerate() {
            assert_eq!(o.get(i), Some(*want), "origin {i}");
        }
        assert_eq!(o.get(v.len()), None);
        for len in [0, 1, 2, 3, 30, 52, 53, 61, 62, 71, v.len(), v.len() + 5] {
            let mut t = o.clone();
            t.truncate(len);
            let want: Vec<FactOrigin> = v.iter().copied().take(len).collect();
            assert_eq!(t.iter().collect::<Vec<_>>(), want, "truncate to {len}");
            assert_eq!(t.len(), want.len());
            // Pushing after truncating continues from the kept origins.
            t.extend(v.iter().copied().skip(len));
            assert_eq!(t.iter().collect::<Vec<_>>(), v);
        }
    }

    #[test]
    fn appending_mapped_origins_maps_every_origin() {
        let v = sample();
        let o: Origins = v.iter().copied().collect();
        let shift = |o: FactOrigin| match o {
            FactOrigin::Data { file, line, row } => data(file + 3, line, row + 100),
            other => other,
        };
        for prefix in [0, 1, 10] {
            let mut a: Origins = v.iter().copied().take(prefix).collect();
            a.append_mapped(&o, shift);
            let want: Vec<FactOrigin> = v
                .iter()
                .copied()
                .take(prefix)
                .chain(v.iter().copied().map(shift))
                .collect();
            assert_eq!(a.iter().collect::<Vec<_>>(), want);
            assert_eq!(a.len(), want.len());
        }
    }
}
