//! Inputs that once crashed accord, or were built to try (deep nesting, overflow, unbounded growth,
//! odd characters): every run must end with exit code 0 or 1 and a message, never a panic (Rust's
//! exit code 101) and never a hang. Crashes found by fuzzing (`fuzz/`, see `docs/testing.md`) are added
//! here. What runs depends on the file's extension:
//!
//! - `.accord`: a policy; `accord check` and `accord eval` on it;
//! - `.repl`: a REPL script, fed to `accord repl` over the U.S.–Mexico example (`policy.accord`,
//!   `data.json` and `extra.accord` in a scratch directory, as the fuzz target `repl` sets it up);
//! - `.json`, `.jsonl`, `.csv`: a data file, loaded by `accord eval --facts` against the fuzz target
//!   `loaders`' policy. A CSV file names its relation by its stem, so `shipment-anything.csv` is copied to
//!   `shipment.csv` first (the part of the name before the first `-`).

mod common;

use std::path::{Path, PathBuf};

use common::{accord, accord_in, relative, root};

/// The policy the `loaders` fuzz target loads data against (`fuzz/fuzz_targets/loaders.rs`).
const LOADERS_POLICY: &str = "relation company(id: text, country: text).\n\
    relation certified(company: text, program: text, status: text, until: date).\n\
    relation shipment(id: text, exporter: text, weight: number, flagged: bool, date: date?).\n\
    open().\n";

const LIMITS: &[&str] = &[
    "--as-of",
    "2025-01-01",
    "--max-facts",
    "100000",
    "--timeout",
    "20",
];

fn corpus() -> Vec<PathBuf> {
    let dir = root().join("tests/corpus/no_panic");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

fn scratch(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("no-panic-{name}"))
}

fn assert_no_panic(what: &str, out: &common::Output) {
    assert!(
        out.code == 0 || out.code == 1,
        "{what} exited {}:\n{}",
        out.code,
        out.stderr
    );
    assert!(
        !out.stderr.contains("panicked"),
        "{what} panicked:\n{}",
        out.stderr
    );
    if out.code == 1 {
        assert!(
            out.stderr.contains("accord::"),
            "{what}: an error is a diagnostic:\n{}",
            out.stderr
        );
    }
}

fn policy(file: &Path) {
    let rel = relative(file);
    for command in ["check", "eval"] {
        let mut args = vec![command, rel.as_str()];
        args.extend_from_slice(LIMITS);
        assert_no_panic(&format!("{command} {rel}"), &accord(&args));
    }
}

fn repl_script(file: &Path) {
    let dir = scratch("repl");
    for name in ["policy.accord", "data.json"] {
        std::fs::copy(root().join("examples/us-mx").join(name), dir.join(name)).expect("copy");
    }
    std::fs::write(
        dir.join("extra.accord"),
        "rule watched source \"analyst's list\":\n  standard_targeting(s) ∧ shipment(s, e, _, _, _, _) ⇒ watched(s, e).\n",
    )
    .expect("extra.accord");
    let script = std::fs::read_to_string(file).expect("a UTF-8 script");
    let mut args = vec!["repl", "policy.accord", "--facts", "data.json", "--strict"];
    args.extend_from_slice(LIMITS);
    let out = accord_in(&dir, &args, Some(&script));
    // `--strict`: exit 1 when an input failed, which needs a diagnostic like any error.
    assert_no_panic(&format!("repl < {}", relative(file)), &out);
}

fn data_file(file: &Path) {
    let dir = scratch("data");
    std::fs::write(dir.join("policy.accord"), LOADERS_POLICY).expect("policy");
    let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("data");
    let name = match file.extension().and_then(|e| e.to_str()) {
        Some("csv") => format!(
            "{}.csv",
            file_name.split(['-', '.']).next().unwrap_or("data")
        ),
        _ => file_name.to_string(),
    };
    std::fs::copy(file, dir.join(&name)).expect("copy");
    let mut args = vec!["eval", "policy.accord", "--facts", name.as_str()];
    args.extend_from_slice(LIMITS);
    let out = accord_in(&dir, &args, None);
    assert_no_panic(&format!("eval --facts {}", relative(file)), &out);
}

#[test]
fn no_input_in_the_corpus_panics() {
    let files = corpus();
    assert!(files.len() >= 10);
    let mut kinds = [0; 3];
    for file in files {
        match file.extension().and_then(|e| e.to_str()) {
            Some("accord") => {
                kinds[0] += 1;
                policy(&file);
            }
            Some("repl") => {
                kinds[1] += 1;
                repl_script(&file);
            }
            Some("json" | "jsonl" | "csv") => {
                kinds[2] += 1;
                data_file(&file);
            }
            _ => panic!("{}: unknown kind of input", relative(&file)),
        }
    }
    assert!(
        kinds[0] > 0 && kinds[1] > 0,
        "policies and REPL scripts: {kinds:?}"
    );
}
