//! Inputs that once crashed accord, or were built to try (deep nesting, overflow, unbounded growth,
//! odd characters): `check` and `eval` must end with exit code 0 or 1 and a message, never a panic
//! (Rust's exit code 101) and never a hang. Crashes found by fuzzing (`fuzz/`) are added here.

mod common;

use common::{accord, relative, root};

#[test]
fn no_input_in_the_corpus_panics() {
    let dir = root().join("tests/corpus/no_panic");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for file in files {
        let rel = relative(&file);
        for command in ["check", "eval"] {
            let out = accord(&[
                command,
                &rel,
                "--as-of",
                "2025-01-01",
                "--max-facts",
                "100000",
                "--timeout",
                "20",
            ]);
            assert!(
                out.code == 0 || out.code == 1,
                "{command} {rel} exited {}:\n{}",
                out.code,
                out.stderr
            );
            if out.code == 1 {
                assert!(
                    out.stderr.contains("accord::"),
                    "{command} {rel}: an error is a diagnostic:\n{}",
                    out.stderr
                );
            }
        }
    }
}
