//! `accord fmt [--check] [--stdout] [--ascii|--unicode] PATH…`: rewrites policy files in the canonical
//! layout (`accord::syntax::format`).
//!
//! Directories stand for every `*.accord` file under them (sorted). A file that does not parse is
//! reported and left untouched; the other files are still formatted. Exit codes: 0 when every file
//! parsed (and, with `--check`, none would change), 1 otherwise.

use std::path::{Path, PathBuf};

use accord::diagnostic::Diagnostic;
use accord::syntax::format::{format_source, Connectives, FormatOptions};
use accord::syntax::SourceMap;

use super::report;

/// What to do with each formatted file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Rewrite the file when its layout changes.
    Write,
    /// Print the formatted text on stdout.
    Stdout,
    /// Print a diff of each file that would change; change nothing.
    Check,
}

impl Mode {
    pub fn new(check: bool, stdout: bool) -> Mode {
        match (check, stdout) {
            (true, _) => Mode::Check,
            (false, true) => Mode::Stdout,
            (false, false) => Mode::Write,
        }
    }
}

pub fn fmt(paths: &[PathBuf], mode: Mode, ascii: bool) -> i32 {
    let options = FormatOptions {
        connectives: if ascii {
            Connectives::Ascii
        } else {
            Connectives::Unicode
        },
    };
    let mut sources = SourceMap::new();
    let mut diagnostics = vec![];
    let mut failed = false;
    for file in policy_files(paths, &mut diagnostics) {
        let name = file.to_string_lossy().into_owned();
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                diagnostics.push(
                    Diagnostic::error("unreadable_file", format!("cannot read `{name}`: {e}"))
                        .help("check the path and its permissions"),
                );
                continue;
            }
        };
        let id = sources.add(&name, Some(file.clone()), text);
        let text = &sources.get(id).text;
        let formatted = match format_source(id, text, &options) {
            Ok(f) => f,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        match mode {
            Mode::Stdout => print!("{formatted}"),
            Mode::Check if formatted != *text => {
                failed = true;
                print!("{}", diff(&name, text, &formatted));
            }
            Mode::Check => {}
            Mode::Write if formatted != *text => {
                if let Err(e) = std::fs::write(&file, &formatted) {
                    diagnostics.push(
                        Diagnostic::error("unwritable_file", format!("cannot write `{name}`: {e}"))
                            .help("check the file's permissions"),
                    );
                }
            }
            Mode::Write => {}
        }
    }
    if !diagnostics.is_empty() {
        report(&diagnostics, &sources);
    }
    i32::from(failed || !diagnostics.is_empty())
}

/// The files named by the arguments: a file as given, a directory as every `*.accord` under it.
fn policy_files(paths: &[PathBuf], diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = vec![];
    for path in paths {
        if path.is_dir() {
            collect(path, &mut files);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            diagnostics.push(
                Diagnostic::error(
                    "unreadable_file",
                    format!(
                        "cannot read `{}`: no such file or directory",
                        path.display()
                    ),
                )
                .help("give policy files or directories holding `*.accord` files"),
            );
        }
    }
    files
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "accord") {
            files.push(path);
        }
    }
}

/// A unified diff (three lines of context) from the file as written to the file as formatted.
fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}
