//! Policy versions from a repository's history: `git:REV:PATH` materialised in a temporary directory.
//!
//! Used by `accord diff`. PATH is relative to the current directory (as for a path on disk) and names a
//! file or a directory at revision REV. The policy files (`*.accord`) of its policy root — the directory
//! itself, or a file's parent directory — are read with `git ls-tree` and `git show` and written under a
//! temporary directory with their layout, so that imports resolve as they did in the repository. The
//! directory is removed when the [`Materialized`] value is dropped. Failures of git are diagnostics
//! (code `git_error`) carrying git's own message.

use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic::Diagnostic;

/// The prefix of a version read from git history.
pub const PREFIX: &str = "git:";

/// A policy version written out to a temporary directory.
#[derive(Debug)]
pub struct Materialized {
    /// The temporary directory (removed on drop).
    pub dir: PathBuf,
    /// The policy path inside `dir`.
    pub path: PathBuf,
    /// How `dir` is shown to the user: `git:REV:`.
    pub label: String,
}

impl Drop for Materialized {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether a command-line version names a git revision.
pub fn is_git(spec: &str) -> bool {
    spec.starts_with(PREFIX)
}

fn git_error(message: String, help: &str) -> Diagnostic {
    Diagnostic::error("git_error", message).help(help.to_string())
}

/// Runs git with `args`; its stdout, or a diagnostic with its stderr.
fn git(args: &[&str]) -> Result<Vec<u8>, Diagnostic> {
    let output = Command::new("git").args(args).output().map_err(|e| {
        git_error(
            format!("cannot run `git`: {e}"),
            "install git, or compare two paths on disk",
        )
    })?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        let first = first.strip_prefix("fatal: ").unwrap_or(first);
        Err(git_error(
            format!("`git {}` failed: {first}", args.join(" ")),
            "check the revision and the path: `git:REV:PATH`, e.g. `git:HEAD~1:policies/us-mx`, with PATH relative to the current directory",
        ))
    }
}

/// Lexically normalises a repository path (`a/./b/../c` → `a/c`); `None` when it leaves the repository.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<String> = vec![];
    for c in Path::new(path).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn temp_dir() -> Result<PathBuf, Diagnostic> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "accord-diff-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    ));
    std::fs::create_dir_all(&dir).map_err(|e| {
        git_error(
            format!("cannot create a temporary directory: {e}"),
            "check that the temporary directory is writable (TMPDIR)",
        )
    })?;
    Ok(dir)
}

/// Reads the version `git:REV:PATH` out of the repository of the current directory.
pub fn materialize(spec: &str) -> Result<Materialized, Diagnostic> {
    let rest = spec.strip_prefix(PREFIX).unwrap_or(spec);
    let Some((rev, path)) = rest
        .split_once(':')
        .filter(|(r, p)| !r.is_empty() && !p.is_empty())
    else {
        return Err(Diagnostic::error(
            "bad_git_version",
            format!("`{spec}` does not name a version in git"),
        )
        .help(
            "write `git:REV:PATH`, e.g. `git:HEAD~1:policies/us-mx` or `git:v1.2:policy.accord`",
        ));
    };
    let prefix = String::from_utf8_lossy(&git(&["rev-parse", "--show-prefix"])?)
        .trim()
        .to_string();
    let full = normalize(&format!("{prefix}{path}")).ok_or_else(|| {
        git_error(
            format!("`{path}` lies outside the repository"),
            "name a path inside the repository, relative to the current directory",
        )
    })?;
    let object = format!("{rev}:{full}");
    let kind = String::from_utf8_lossy(&git(&["cat-file", "-t", &object])?)
        .trim()
        .to_string();
    let root = match kind.as_str() {
        "tree" => full.clone(),
        "blob" => normalize(&format!("{full}/..")).unwrap_or_default(),
        other => {
            return Err(git_error(
                format!("`{object}` is a {other}, not a file or a directory"),
                "name a policy file or a directory of policy files",
            ))
        }
    };
    let mut args = vec!["ls-tree", "-r", "-z", "--name-only", "--full-tree", rev];
    if !root.is_empty() {
        args.push("--");
        args.push(&root);
    }
    let listing = git(&args)?;
    let names: Vec<String> = listing
        .split(|b| *b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .filter(|n| n.ends_with(".accord"))
        .collect();
    if names.is_empty() {
        return Err(git_error(
            format!("`{object}` holds no policy files"),
            "name a policy file or a directory with `*.accord` files at that revision",
        ));
    }
    let dir = temp_dir()?;
    let version = Materialized {
        path: dir.join(&full),
        dir,
        label: format!("{PREFIX}{rev}:"),
    };
    for name in names {
        let bytes = git(&["show", &format!("{rev}:{name}")])?;
        let target = version.dir.join(&name);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, bytes));
        if let Err(e) = written {
            return Err(git_error(
                format!("cannot write `{}`: {e}", target.display()),
                "check that the temporary directory is writable (TMPDIR)",
            ));
        }
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn paths_are_normalised_inside_the_repository() {
        assert_eq!(normalize("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(
            normalize("sub/../policy.accord").as_deref(),
            Some("policy.accord")
        );
        assert_eq!(normalize("../x"), None);
        assert_eq!(normalize("a/..").as_deref(), Some(""));
    }
}
