//! The policy corpus: every file under `tests/corpus/err/<code>/` must fail `accord check` with exit 1
//! and a diagnostic of that code located at `[file:line:col]`; its snapshot holds the source, then the
//! rendered report. (The bad data files, `tests/corpus/err/data/`, are `tests/data_errors.rs`'s.) Every
//! contract example under `tests/corpus/ok/contract/` must evaluate to its solver-computed answer.

mod common;

use std::collections::BTreeSet;

use common::{accord, relative, root};

#[test]
fn every_bad_policy_fails_with_its_diagnostic() {
    insta::glob!("corpus/err/**/*.accord", |path| {
        let rel = relative(path);
        let code = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        let code = code.unwrap_or_default();
        let source = std::fs::read_to_string(path).unwrap_or_default();
        let out = accord(&["check", "--as-of", "2025-01-01", &rel]);
        assert_eq!(out.code, 1, "{rel} should fail to check:\n{}", out.stderr);
        assert!(
            out.stdout.is_empty(),
            "{rel}: nothing on stdout, got {}",
            out.stdout
        );
        assert!(
            out.stderr.contains(&format!("accord::{code}")),
            "{rel} should report accord::{code}, got:\n{}",
            out.stderr
        );
        assert!(
            located(&out.stderr, &rel),
            "{rel}: the report names the file, line and column:\n{}",
            out.stderr
        );
        insta::assert_snapshot!(format!("{source}\n---- accord check {rel}\n{}", out.stderr));
    });
}

/// Whether `stderr` holds a location `[rel:LINE:COL]`.
fn located(stderr: &str, rel: &str) -> bool {
    stderr.match_indices(&format!("[{rel}:")).any(|(i, m)| {
        let rest = &stderr[i + m.len()..];
        let Some(end) = rest.find(']') else {
            return false;
        };
        let parts: Vec<&str> = rest[..end].split(':').collect();
        parts.len() == 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

#[test]
fn the_held_out_corpus_is_large_enough() {
    let count = |dir: &str, exts: &[&str]| {
        fn walk(dir: &std::path::Path, exts: &[&str], n: &mut usize) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, exts, n);
                } else if p
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| exts.contains(&x))
                {
                    *n += 1;
                }
            }
        }
        let mut n = 0;
        walk(&root().join(dir), exts, &mut n);
        n
    };
    let policies = count("tests/corpus/err", &["accord"]);
    let data = count("tests/corpus/err/data", &["json", "jsonl", "csv"]);
    assert!(policies >= 60, "only {policies} bad policies");
    assert!(data >= 30, "only {data} bad data files");
}

fn rows(value: &serde_json::Value) -> BTreeSet<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| row.to_string())
        .collect()
}

#[test]
fn contract_examples_give_the_solver_answers() {
    let dir = root().join("tests/corpus/ok/contract");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("the contract corpus exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "accord"))
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 12);
    for policy in cases {
        let rel = relative(&policy);
        let expected_path = policy.with_extension("expected.json");
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path).expect("expected answer"),
        )
        .expect("json");
        let out = accord(&["eval", &rel, "--format", "json", "--as-of", "2025-01-01"]);
        assert_eq!(out.code, 0, "{rel}: {}", out.stderr);
        let got: serde_json::Value = serde_json::from_str(&out.stdout).expect("eval prints JSON");
        let (want, got) = (
            expected.as_object().expect("object"),
            got.as_object().expect("object"),
        );
        let want_keys: BTreeSet<_> = want.keys().collect();
        let got_keys: BTreeSet<_> = got.keys().collect();
        assert_eq!(want_keys, got_keys, "{rel}: the derived relations");
        for (name, rows_wanted) in want {
            assert_eq!(
                rows(rows_wanted),
                rows(&got[name]),
                "{rel}: relation `{name}`"
            );
        }
    }
}
