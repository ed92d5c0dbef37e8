//! The loaders' entry point: data files and directories → one [`FactSet`], all or nothing.
//!
//! Each path is a data file or a directory; a directory contributes every `*.json`, `*.jsonl` and
//! `*.csv` file under it, recursively (not following symbolic links to directories), in path order.
//! The format is chosen by extension: `.json` is canonical JSON (a top-level object) or record-shaped
//! (a top-level array), `.jsonl` JSON Lines of rows, or of records when the program has a mapping named
//! after the file's stem (see [`super::json`], [`super::records`]); `.csv` is one relation's rows (see
//! [`super::csv`]). CSV and JSON Lines stream; a `.json` document is read whole.
//!
//! A load is all-or-nothing across every file of the call: any problem in any file gives `Err` with the
//! diagnostics of every file (at most 20 per file, then a `too_many_errors` summary) and no facts. Every
//! file is still read, so that one run reports the problems of all of them. On failure the
//! [`ValueStore`] may have gained interned texts and numbers from rows that were read; that is harmless
//! (ids are only meaningful through the facts that hold them).
//!
//! Diagnostic codes: `unreadable_file` (missing path, I/O error, not a data file), `invalid_utf8`,
//! `invalid_json`, `unknown_relation`, `undeclared_csv`, `missing_column`, `extra_column`,
//! `duplicate_column`, `ragged_row`, `wrong_arity`, `bad_value`, `bad_date`, record-shaped files'
//! `no_mapping`, `missing_field`, `bad_record`, `bad_path`, and `too_many_errors` (the
//! summary after a file's first 20). Value and row diagnostics name the relation, the row (CSV: the
//! line; JSON: the row's index within its relation in the file, and its line), the column, the expected
//! type and the text found, and label the offending text.
//!
//! A data file's text is added to the [`SourceMap`] (named by the path as given, or joined under the
//! directory given) only when a diagnostic points into it; on success no text is kept.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::csv::load_csv;
use super::csv_blocks::{Blocks, BLOCK_BYTES};
use super::json::{load_json, load_lines, Sink};
use super::records::load_record_lines;
use super::report::{FileReport, Place, Problem};
use super::{FactSet, SkippedRows};
use crate::diagnostic::Diagnostic;
use crate::ir::{Program, RelationId};
use crate::syntax::SourceMap;
use crate::value::ValueStore;

/// The size of the blocks a CSV file of `len` bytes is read in: [`BLOCK_BYTES`], or less for a file
/// that would otherwise be one or two blocks, so that it is converted on every core too.
fn block_bytes(len: u64) -> usize {
    let threads = rayon::current_num_threads().max(1) as u64;
    (len / (4 * threads)).clamp(MIN_BLOCK_BYTES, BLOCK_BYTES as u64) as usize
}

/// The smallest block worth converting on its own.
const MIN_BLOCK_BYTES: u64 = 256 << 10;

/// The extensions of data files.
const EXTENSIONS: [&str; 3] = ["json", "jsonl", "csv"];

/// Loads the facts of every data file under `paths` for `program`.
///
/// Values are interned in `values`; data files with problems are added to `sources` so that the
/// diagnostics can show them. On `Err`, nothing was loaded (see the module documentation).
pub fn load(
    paths: &[PathBuf],
    program: &Program,
    values: &mut ValueStore,
    sources: &mut SourceMap,
) -> Result<FactSet, Vec<Diagnostic>> {
    load_with(paths, program, values, sources, &mut NoProgress)
}

/// Told how a load advances, so that a front end can draw a progress bar; the library never prints.
/// Byte counts are of the files' contents as read from disk.
pub trait Progress: Send {
    /// The load starts: `bytes` in all, over `files` files.
    fn start(&mut self, _files: usize, _bytes: u64) {}
    /// `bytes` more have been read.
    fn advance(&mut self, _bytes: u64) {}
    /// The load ended (either way).
    fn finish(&mut self) {}
}

/// A [`Progress`] that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {}

/// A reader that tells a [`Progress`] how many bytes went through it.
struct Counted<'p, R> {
    inner: R,
    progress: &'p mut dyn Progress,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// The data files under `paths`, in load order, and the diagnostics of paths that cannot be read.
pub(crate) fn data_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut diagnostics = vec![];
    let mut files = vec![];
    for path in paths {
        collect(path, true, &mut files, &mut diagnostics);
    }
    (files, diagnostics)
}

/// [`load`], telling `progress` how far it got.
pub fn load_with(
    paths: &[PathBuf],
    program: &Program,
    values: &mut ValueStore,
    sources: &mut SourceMap,
    progress: &mut dyn Progress,
) -> Result<FactSet, Vec<Diagnostic>> {
    let (files, mut diagnostics) = data_files(paths);
    let total = files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    progress.start(files.len(), total);
    let result = load_files(&files, program, values, sources, progress, &mut diagnostics);
    progress.finish();
    result
}

fn load_files(
    files: &[PathBuf],
    program: &Program,
    values: &mut ValueStore,
    sources: &mut SourceMap,
    progress: &mut dyn Progress,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<FactSet, Vec<Diagnostic>> {
    let mut facts = FactSet::for_program(program);
    for path in files {
        let name = path.display().to_string();
        let file = facts.files.len() as u32;
        let mut report = FileReport::new();
        let mut text = None;
        let mut skipped: Vec<(RelationId, usize)> = vec![];
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => match std::fs::File::open(path) {
                Err(e) => report.push(unreadable(&name, &io_message(&e))),
                Ok(f) => {
                    let block = block_bytes(f.metadata().map_or(0, |m| m.len()));
                    let input = Counted {
                        inner: f,
                        progress: &mut *progress,
                    };
                    let loaded = load_csv(
                        path,
                        Blocks::new(input, block),
                        &name,
                        file,
                        program,
                        values,
                        &mut facts,
                        &mut report,
                    );
                    skipped.extend(loaded);
                }
            },
            Some("jsonl") => match std::fs::File::open(path) {
                Err(e) => report.push(unreadable(&name, &io_message(&e))),
                Ok(f) => {
                    let input = Counted {
                        inner: f,
                        progress: &mut *progress,
                    };
                    let reader = std::io::BufReader::with_capacity(1 << 18, input);
                    let mut sink = Sink::new(program, values, &mut facts, &mut report, file);
                    sink.stem = stem(path).to_string();
                    match program.mapping(stem(path)) {
                        Some(mapping) => load_record_lines(reader, mapping, &mut sink),
                        None => load_lines(reader, &mut sink),
                    }
                    skipped.extend(sink.take_skipped());
                }
            },
            Some(_) => match std::fs::read(path) {
                Err(e) => report.push(unreadable(&name, &io_message(&e))),
                Ok(bytes) => {
                    progress.advance(bytes.len() as u64);
                    match std::str::from_utf8(&bytes) {
                        Err(e) => {
                            let at = e.valid_up_to();
                            report.push(
                                Problem::new(
                                    "invalid_utf8",
                                    format!("`{name}` is not valid UTF-8"),
                                    Place::Bytes(at..at + e.error_len().unwrap_or(1)),
                                    "invalid UTF-8",
                                )
                                .help("JSON files must be UTF-8; save the file as UTF-8"),
                            );
                        }
                        Ok(t) => {
                            let mut sink =
                                Sink::new(program, values, &mut facts, &mut report, file);
                            load_json(t, stem(path), &mut sink);
                            skipped.extend(sink.take_skipped());
                        }
                    }
                    text = Some(bytes);
                }
            },
            None => report.push(unreadable(&name, "not a data file")),
        }
        if report.is_clean() {
            facts.files.push(name);
            for (relation, rows) in skipped.into_iter().filter(|(_, n)| *n > 0) {
                facts.skipped.push(SkippedRows {
                    file,
                    relation,
                    rows,
                });
            }
        } else {
            diagnostics.extend(report.finish(path, &name, text.as_deref(), sources));
        }
    }
    if diagnostics.is_empty() {
        Ok(facts)
    } else {
        Err(std::mem::take(diagnostics))
    }
}

/// Adds `path` (a file, or the data files under a directory, sorted) to `files`. A file named
/// explicitly must have a data extension.
fn collect(
    path: &Path,
    explicit: bool,
    files: &mut Vec<PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let name = path.display().to_string();
    // Inside a directory, symbolic links to directories are not followed (they could loop).
    if !explicit && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        if std::fs::metadata(path).is_ok_and(|m| m.is_file()) && is_data_file(path) {
            files.push(path.to_path_buf());
        }
        return;
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            diagnostics.push(unreadable_diagnostic(&name, &io_message(&e)));
            return;
        }
    };
    if meta.is_dir() {
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) => {
                diagnostics.push(unreadable_diagnostic(&name, &io_message(&e)));
                return;
            }
        };
        let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        children.sort();
        for child in children {
            collect(&child, false, files, diagnostics);
        }
    } else if is_data_file(path) {
        files.push(path.to_path_buf());
    } else if explicit {
        diagnostics.push(unreadable_diagnostic(
            &name,
            "not a `.json`, `.jsonl` or `.csv` file",
        ));
    }
}

/// The file's stem, which names its relation (CSV) or its record mapping (record-shaped JSON).
pub(crate) fn stem(path: &Path) -> &str {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or("")
}

fn is_data_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// An `unreadable_file` problem.
pub(crate) fn unreadable(name: &str, why: &str) -> Problem {
    Problem::new("unreadable_file", format!("cannot read `{name}`: {why}"), Place::File, "")
        .help("data files are `.json` (canonical JSON), `.jsonl` (JSON Lines) or `.csv` files, or directories of them")
}

fn unreadable_diagnostic(name: &str, why: &str) -> Diagnostic {
    let p = unreadable(name, why);
    Diagnostic::error(p.code, p.message).help(p.help)
}
