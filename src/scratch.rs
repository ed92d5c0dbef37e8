//! `Scratch`: a temporary directory for tests that removes itself, with everything in it, when dropped,
//! so a test leaves nothing behind, failing or not.
//!
//! One file for both kinds of tests: the library's unit tests declare it (`#[cfg(test)] mod
//! scratch;` in `lib.rs`) and the integration tests include it by path (`tests/common/mod.rs`), so it
//! depends on nothing but `std`.

use std::path::{Path, PathBuf};

/// A fresh directory under the system's temporary directory (`accord-NAME-PID-N`), removed with
/// everything in it when dropped, so a test leaves nothing behind, failing or not.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("accord-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }

    /// Writes `content` to `file` (a path relative to the directory; parents are created).
    pub fn write(&self, file: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("a scratch subdirectory");
        }
        std::fs::write(&path, content).expect("a scratch file");
        path
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
