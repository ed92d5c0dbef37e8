//! Confinement of `:load`: the session reads files only inside its roots, as imports and test data do.
//!
//! The roots are fixed when the session starts: the working directory, and the policy root of every
//! policy path given on the command line (the directory, or a file's directory; see
//! [`crate::workspace::root_of`]). A `:load` path that resolves (symbolic links included) outside all of
//! them is refused with a diagnostic located in the input, before anything is read; the session is
//! unchanged. A path that does not exist is left to the loader's own "cannot read" diagnostic.

use std::path::{Path, PathBuf};

use super::session::Session;
use crate::diagnostic::Diagnostic;
use crate::syntax::Span;
use crate::workspace::{confine, root_of};

/// The roots of a session started on `policy` paths.
pub(super) fn session_roots(policy: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = std::env::current_dir()
        .ok()
        .and_then(|dir| dir.canonicalize().ok())
        .into_iter()
        .collect();
    for path in policy {
        let root = root_of(path);
        if !roots.iter().any(|r| root.starts_with(r)) {
            roots.push(root);
        }
    }
    roots
}

impl Session {
    /// Refuses a `:load` of `path` (written `rest`) outside the session's roots.
    pub(super) fn confine_load(&mut self, rest: &str, path: &Path) -> Result<(), Diagnostic> {
        if !path.exists() || self.roots.iter().any(|root| confine(path, root).is_ok()) {
            return Ok(());
        }
        let name = self.input_name();
        let text = format!(":load {rest}");
        let file = self.engine.sources.add(name, None, text);
        let roots: Vec<String> = self
            .roots
            .iter()
            .map(|r| format!("`{}`", r.display()))
            .collect();
        Err(Diagnostic::error(
            "load_outside_root",
            format!("`{rest}` lies outside the session's roots"),
        )
        .label(Span::new(file, 6, 6 + rest.len()), "loaded here")
        .help(format!(
            "`:load` reads only under the working directory or a policy root named when the session started ({}); symbolic links count where they point",
            roots.join(", ")
        )))
    }
}
