//! Policy loading: from command-line paths to parsed files, following imports, confined to the root.
//!
//! A path argument is a file or a directory (every `*.accord` file under it, sorted). The *policy root*
//! of an argument is the directory itself, or the file's parent directory. `import "x.accord".` is
//! resolved relative to the importing file and must stay inside the root of the argument it was reached
//! from (symbolic links are resolved before the check). Every file is parsed once, however many times it
//! is named or imported; import cycles are fine (a policy is one program).
//!
//! This is the only module of the policy pipeline that reads files.

use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{Item, SourceFile};
use crate::syntax::{parse_file, FileId, SourceMap, Span};

/// The parsed files of a policy, in load order.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub files: Vec<(FileId, SourceFile)>,
}

/// Reads and parses every policy file named by `paths` and their imports. Returns the files that parsed
/// and every diagnostic found (a file that failed to parse is left out).
pub fn load_policy(paths: &[PathBuf], sources: &mut SourceMap) -> (Policy, Vec<Diagnostic>) {
    let mut loader = Loader {
        sources,
        policy: Policy::default(),
        diagnostics: vec![],
        seen: vec![],
    };
    for path in paths {
        loader.load_argument(path);
    }
    (loader.policy, loader.diagnostics)
}

/// Parses policy text that is not in a file (a REPL line, a test).
pub fn parse_text(name: &str, text: &str, sources: &mut SourceMap) -> (Policy, Vec<Diagnostic>) {
    let id = sources.add(name, None, text.to_string());
    match parse_file(id, text) {
        Ok(file) => (
            Policy {
                files: vec![(id, file)],
            },
            vec![],
        ),
        Err(d) => (Policy::default(), vec![d]),
    }
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    policy: Policy,
    diagnostics: Vec<Diagnostic>,
    /// Canonical paths already loaded.
    seen: Vec<PathBuf>,
}

impl Loader<'_> {
    fn load_argument(&mut self, path: &Path) {
        let Ok(meta) = fs::metadata(path) else {
            self.diagnostics.push(
                Diagnostic::error("unreadable_file", format!("cannot read `{}`", path.display()))
                    .help("check the path: it should name a policy file or a directory of `*.accord` files"),
            );
            return;
        };
        if meta.is_dir() {
            let root = Root {
                canonical: canonical(path),
                shown: display_path(path),
            };
            let mut files = vec![];
            collect_accord_files(path, &mut files);
            files.sort();
            for file in files {
                match confine(&file, &root.canonical) {
                    Ok(()) => self.load_file(&file, &root, None),
                    Err(reason) => self.diagnostics.push(
                        Diagnostic::error(
                            "import_outside_root",
                            format!("`{}` {reason}", file.display()),
                        )
                        .help("a symbolic link in a policy directory must point inside it"),
                    ),
                }
            }
        } else {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let root = Root {
                canonical: canonical(parent),
                shown: display_path(parent),
            };
            self.load_file(path, &root, None);
        }
    }

    fn load_file(&mut self, path: &Path, root: &Root, imported_at: Option<Span>) {
        let canon = canonical(path);
        if self.seen.contains(&canon) {
            return;
        }
        let text = match fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let d = Diagnostic::error(
                        "invalid_utf8",
                        format!(
                            "`{}` is not valid UTF-8 (byte {})",
                            path.display(),
                            e.utf8_error().valid_up_to()
                        ),
                    )
                    .help("policy files are UTF-8 text");
                    self.diagnostics
                        .push(with_label(d, imported_at, "imported here"));
                    return;
                }
            },
            Err(e) => {
                let d = Diagnostic::error(
                    "unreadable_file",
                    format!("cannot read `{}`: {e}", path.display()),
                )
                .help("check that the file exists and is readable");
                self.diagnostics
                    .push(with_label(d, imported_at, "imported here"));
                return;
            }
        };
        self.seen.push(canon.clone());
        let id = self
            .sources
            .add(display_path(path), Some(canon.clone()), text);
        let parsed = parse_file(id, &self.sources.get(id).text);
        let file = match parsed {
            Ok(f) => f,
            Err(d) => {
                self.diagnostics.push(d);
                return;
            }
        };
        let imports: Vec<(String, Span)> = file
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Import(imp) => Some((imp.path.clone(), imp.path_span)),
                _ => None,
            })
            .collect();
        self.policy.files.push((id, file));
        let dir = path.parent().unwrap_or(Path::new("."));
        for (relative, span) in imports {
            let target = dir.join(&relative);
            match confine(&target, &root.canonical) {
                Ok(()) => self.load_file(&target, root, Some(span)),
                Err(reason) => self.diagnostics.push(
                    Diagnostic::error("import_outside_root", format!("`{relative}` {reason}"))
                        .label(span, "imported here")
                        .help(format!(
                            "imports are relative to the importing file and must stay inside the policy root `{}`",
                            root.shown
                        )),
                ),
            }
        }
    }
}

/// The directory a policy argument may read under.
struct Root {
    canonical: PathBuf,
    /// As the user gave it, for messages.
    shown: String,
}

fn with_label(d: Diagnostic, span: Option<Span>, text: &str) -> Diagnostic {
    match span {
        Some(s) => d.label(s, text),
        None => d,
    }
}

/// The policies under a path, for commands that run each policy on its own (`accord test`): a file is
/// one policy; a directory that directly holds `*.accord` files is one policy (every file under it, as
/// `load_policy` reads it); any other directory is searched, subdirectory by subdirectory in name
/// order. Symbolic links to directories are not followed while searching.
pub fn policy_roots(path: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    find_policy_roots(path, &mut out);
    out
}

fn find_policy_roots(path: &Path, out: &mut Vec<PathBuf>) {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return;
    }
    let Ok(entries) = fs::read_dir(path) else {
        return;
    };
    let mut subdirs = vec![];
    let mut holds_policy = false;
    for entry in entries.flatten() {
        let p = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            subdirs.push(p);
        } else if p.extension().is_some_and(|e| e == "accord") {
            holds_policy = true;
        }
    }
    if holds_policy {
        out.push(path.to_path_buf());
        return;
    }
    subdirs.sort();
    for dir in subdirs {
        find_policy_roots(&dir, out);
    }
}

/// The policy root of a command-line path: the directory itself, or a file's parent directory,
/// with symbolic links resolved.
pub fn root_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        canonical(path)
    } else {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        canonical(parent)
    }
}

/// Checks that `target` (after resolving symbolic links) lies inside `root`.
pub fn confine(target: &Path, root: &Path) -> Result<(), String> {
    let resolved = fs::canonicalize(target).map_err(|_| "cannot be found".to_string())?;
    if resolved.starts_with(root) {
        Ok(())
    } else {
        Err("lies outside the policy root".to_string())
    }
}

fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A path as shown in diagnostics: as given, with `./` removed.
fn display_path(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Every `.accord` file under `dir`, in the order the directory lists them (callers sort).
pub(crate) fn collect_accord_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // Symbolic links to directories are not followed (no loops, no escape); linked files are
        // confined by the caller.
        let is_real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_real_dir {
            collect_accord_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "accord") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::Scratch;

    fn tempdir(name: &str) -> Scratch {
        Scratch::new(&format!("workspace-{name}"))
    }

    #[test]
    fn directories_load_sorted_and_each_file_once() {
        let dir = tempdir("sorted");
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("b.accord"), "import \"sub/a.accord\".\nb(X).\n").unwrap();
        fs::write(dir.join("sub/a.accord"), "import \"../b.accord\".\na(X).\n").unwrap();
        fs::write(dir.join("notes.txt"), "not a policy").unwrap();
        let mut sources = SourceMap::new();
        let (policy, diags) = load_policy(&[dir.to_path_buf(), dir.join("b.accord")], &mut sources);
        assert!(diags.is_empty(), "{diags:?}");
        let names: Vec<&str> = policy
            .files
            .iter()
            .map(|(id, _)| sources.get(*id).name.as_str())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(
            names[0].ends_with("b.accord") && names[1].ends_with("a.accord"),
            "{names:?}"
        );
    }

    #[test]
    fn a_parse_error_leaves_the_file_out_and_is_reported() {
        let dir = tempdir("bad");
        fs::write(dir.join("p.accord"), "a(X)\n").unwrap();
        let mut sources = SourceMap::new();
        let (policy, diags) = load_policy(&[dir.join("p.accord")], &mut sources);
        assert!(policy.files.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "syntax");
    }

    #[test]
    fn confinement_resolves_dot_dot() {
        let dir = tempdir("confine");
        fs::create_dir_all(dir.join("root")).unwrap();
        fs::write(dir.join("outside.accord"), "").unwrap();
        let root = fs::canonicalize(dir.join("root")).unwrap();
        assert!(confine(&dir.join("root/../outside.accord"), &root).is_err());
        assert!(confine(&dir.join("root/missing.accord"), &root).is_err());
    }
}
