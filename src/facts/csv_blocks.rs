//! Cutting a CSV file into blocks of whole records, so that the blocks convert on every core.
//!
//! [`Blocks`] reads the file in blocks of about [`BLOCK_BYTES`], each cut just after a record's end, so
//! that every block holds whole records: in a block without a `"` byte every `\n` ends a record; in one
//! with a quote, `csv_core`'s reader (the state machine the `csv` crate parses with, configured alike)
//! finds the last record's end, so a quoted field that holds line ends is never cut. Used by
//! `csv` (which reads the header from the first block) and `csv_rows` (which converts the blocks).
//!
//! Invariant: the blocks, joined, are the file's bytes, and each block but the last ends a record.

use std::io::Read;

/// The size blocks are read in, before they are cut at a line end. Small enough that the blocks in
/// flight (two windows of two per thread: one converting, one appending or being read) and their row
/// buffers, all reused from window to window, stay a few MiB: every fresh MiB costs 256 page faults.
pub(super) const BLOCK_BYTES: usize = 512 << 10;

/// A block of whole records and where it starts in the file.
pub(super) struct Block {
    pub bytes: Vec<u8>,
    /// The byte offset of `bytes[0]` in the file.
    pub offset: usize,
    /// How many lines precede the block.
    pub lines: u32,
}

/// Cuts a reader into [`Block`]s (see the module doc).
pub(super) struct Blocks<R> {
    input: R,
    size: usize,
    carry: Vec<u8>,
    offset: usize,
    lines: u32,
    done: bool,
    /// Buffers of blocks done with, reused for the next blocks.
    spare: Vec<Vec<u8>>,
}

impl<R: Read> Blocks<R> {
    pub fn new(input: R, size: usize) -> Blocks<R> {
        Blocks {
            input,
            size: size.max(1),
            carry: vec![],
            offset: 0,
            lines: 0,
            done: false,
            spare: vec![],
        }
    }

    /// Gives back a block's buffer for a later block.
    pub fn recycle(&mut self, mut bytes: Vec<u8>) {
        bytes.clear();
        self.spare.push(bytes);
    }

    /// The next block; `None` at the end of the file.
    pub fn next_block(&mut self) -> std::io::Result<Option<Block>> {
        let mut bytes = self.spare.pop().unwrap_or_default();
        bytes.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut target = self.size;
        let cut = loop {
            if self.done {
                break bytes.len();
            }
            if bytes.len() < target {
                let start = bytes.len();
                bytes.reserve_exact((target - start).min(BLOCK_BYTES));
                (&mut self.input)
                    .take((target - start) as u64)
                    .read_to_end(&mut bytes)?;
                if bytes.len() < target {
                    self.done = true;
                    continue;
                }
            }
            // Without a quote every line end ends a record; with one, the CSV reader's own state
            // machine says where the last whole record ends.
            let end = if bytes.contains(&b'"') {
                last_record_end(&bytes)
            } else {
                bytes.iter().rposition(|b| *b == b'\n').map(|i| i + 1)
            };
            if let Some(end) = end.filter(|end| *end > 0) {
                break end;
            }
            // A record longer than a block: read on.
            target = target.saturating_add(self.size);
        };
        if bytes.is_empty() {
            return Ok(None);
        }
        self.carry
            .extend_from_slice(bytes.get(cut..).unwrap_or_default());
        bytes.truncate(cut);
        let block = Block {
            offset: self.offset,
            lines: self.lines,
            bytes,
        };
        self.offset += block.bytes.len();
        let newlines: u32 = block.bytes.iter().map(|b| u32::from(*b == b'\n')).sum();
        self.lines = self.lines.saturating_add(newlines);
        Ok(Some(block))
    }
}

/// Where the last complete record of `bytes` (which start at a record's start) ends, as the CSV reader
/// of [`record_reader`] reads them; `None` when no record is complete.
fn last_record_end(bytes: &[u8]) -> Option<usize> {
    use csv_core::ReadRecordResult;
    let mut reader = csv_core::ReaderBuilder::new()
        .terminator(csv_core::Terminator::Any(b'\n'))
        .build();
    // The fields themselves are not needed: the buffers are overwritten as the reader goes.
    let (mut out, mut ends) = ([0u8; 1 << 12], [0usize; 64]);
    let (mut at, mut last) = (0, None);
    loop {
        let (result, read, _, _) = reader.read_record(&bytes[at..], &mut out, &mut ends);
        at += read;
        match result {
            ReadRecordResult::Record => last = Some(at),
            ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            ReadRecordResult::InputEmpty | ReadRecordResult::End => return last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_at_record_ends_even_inside_quoted_line_ends() {
        // A stray quote inside an unquoted field, then a quoted field holding line ends.
        let text = b"a,b\n1,22\n333,4\nx\"y,6\n7,\"q\nq\nq\",9\n10,11\n12,\"\"\"\n\"\n13,14\n";
        for size in 1..12 {
            let mut blocks = Blocks::new(&text[..], size);
            let mut got: Vec<(Vec<u8>, usize, u32)> = vec![];
            while let Some(b) = blocks.next_block().expect("reads") {
                got.push((b.bytes, b.offset, b.lines));
            }
            let joined: Vec<u8> = got.iter().flat_map(|(b, _, _)| b.clone()).collect();
            assert_eq!(joined, text);
            assert!(got.len() >= 4, "blocks of {size}: {} blocks", got.len());
            for (bytes, _, _) in &got {
                // Every block holds whole records: its quotes pair up, and it ends a line.
                assert!(
                    bytes.ends_with(b"\n"),
                    "{:?}",
                    String::from_utf8_lossy(bytes)
                );
                let quotes = bytes.iter().filter(|c| **c == b'"').count();
                let stray = usize::from(bytes.windows(3).any(|w| w == b"x\"y"));
                assert_eq!(
                    (quotes - stray) % 2,
                    0,
                    "{:?}",
                    String::from_utf8_lossy(bytes)
                );
            }
            for pair in got.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                assert_eq!(b.1, a.1 + a.0.len());
                let newlines = a.0.iter().filter(|c| **c == b'\n').count();
                assert_eq!(b.2 as usize, a.2 as usize + newlines);
            }
        }
    }
}
