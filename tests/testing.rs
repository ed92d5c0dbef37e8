//! `accord test`: the test blocks written in policies, driven through the real binary.
//!
//! Fixtures live in `tests/testing/` (policies whose tests pass and fail on purpose); policies that must
//! not check, or that try to read outside their root, are written to a temporary directory by the test.

mod common;

use std::path::Path;

use common::{accord, accord_in, root};

const AS_OF: &str = "2025-06-30";

/// Replaces the time at the end of each test line (`(1.23 ms)`) with `(… ms)`.
fn mask_times(text: &str) -> String {
    text.lines()
        .map(|line| match (line.ends_with(" ms)"), line.rfind(" (")) {
            (true, Some(i)) => format!("{} (… ms)", &line[..i]),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A fresh directory under the system's temporary directory.
fn temp_dir(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("testing-{name}"))
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

/// The example directories, by name.
fn examples() -> Vec<String> {
    let mut examples: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    examples.sort();
    assert!(!examples.is_empty());
    examples
}

/// The policy of an example: its own `*.accord` files, or the policy library for a data-only example
/// (`examples/trade-2025` is data for `policies/`).
fn example_policy(name: &str) -> String {
    let dir = root().join("examples").join(name);
    let has_policy = std::fs::read_dir(&dir)
        .expect("example dir")
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "accord"));
    if has_policy {
        format!("examples/{name}")
    } else {
        "policies".to_string()
    }
}

#[test]
fn every_example_s_decisions_are_snapshotted() {
    for name in examples() {
        let policy = example_policy(&name);
        let data = format!("examples/{name}");
        let mut args = vec![
            "eval",
            policy.as_str(),
            "--facts",
            data.as_str(),
            "--as-of",
            AS_OF,
        ];
        if policy == "policies" {
            // The library derives many helper relations; its decisions are the benefits.
            args.extend(["--query", "benefit"]);
        }
        let out = accord(&args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        insta::assert_snapshot!(format!("example_eval@{name}"), out.stdout);
    }
}

#[test]
fn every_example_s_tests_pass_and_their_report_is_snapshotted() {
    for name in examples() {
        let path = example_policy(&name);
        let out = accord(&["test", &path, "--as-of", AS_OF]);
        assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
        assert!(out.stderr.is_empty(), "{}", out.stderr);
        assert!(last_line(&out.stdout).ends_with(" passed, 0 failed"));
        insta::assert_snapshot!(format!("example_tests@{name}"), mask_times(&out.stdout));
    }
}

#[test]
fn passing_and_failing_tests_are_reported_with_what_was_derived() {
    let out = accord(&["test", "tests/testing/report", "--as-of", AS_OF]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert_eq!(last_line(&out.stdout), "2 passed, 3 failed");
    insta::assert_snapshot!(mask_times(&out.stdout));
}

#[test]
fn the_filter_runs_matching_tests_and_counts_the_others_as_skipped() {
    let out = accord(&[
        "test",
        "tests/testing/report",
        "--filter",
        "trusted",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(last_line(&out.stdout), "2 passed, 0 failed, 3 skipped");
    assert!(out
        .stdout
        .contains("test a wrong expectation: holds ... skipped\n"));

    let out = accord(&[
        "test",
        "tests/testing/report",
        "--filter",
        "holds not",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(last_line(&out.stdout), "0 passed, 1 failed, 4 skipped");
}

#[test]
fn json_format_is_one_object_with_the_counts() {
    let out = accord(&[
        "test",
        "tests/testing/report",
        "--format",
        "json",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let mut parsed: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    assert_eq!(parsed["passed"], 2);
    assert_eq!(parsed["failed"], 3);
    assert_eq!(parsed["skipped"], 0);
    let tests = parsed["policies"][0]["tests"]
        .as_array_mut()
        .expect("a list of tests");
    assert_eq!(tests.len(), 5);
    for test in tests.iter_mut() {
        assert!(test["time_ms"].is_number());
        test["time_ms"] = serde_json::json!("…");
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&parsed).expect("prints"));
}

#[test]
fn tests_are_isolated_from_each_other_and_see_only_their_own_data() {
    let out = accord(&["test", "tests/testing/isolation", "--as-of", AS_OF]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(last_line(&out.stdout), "4 passed, 0 failed");
}

#[test]
fn command_line_data_is_not_accepted_by_test() {
    // There is no way to give tests data on the command line: they see their own facts only.
    let out = accord(&[
        "test",
        "tests/testing/isolation",
        "--facts",
        "tests/testing/isolation/data.json",
    ]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("--facts"), "{}", out.stderr);
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("a directory");
    }
    std::fs::write(path, text).expect("a file");
}

#[test]
fn a_test_cannot_load_data_outside_the_policy_root() {
    let dir = temp_dir("confine");
    write(&dir, "secret.json", r#"{"company": [["SECRET", "MX"]]}"#);
    write(
        &dir,
        "policy/policy.accord",
        "relation company(id: text, country: text).\n\
         company(c, MX) ⇒ mexican(c).\n\
         test \"peeks outside\" {\n  load \"../secret.json\".\n  expect mexican(SECRET).\n}\n",
    );
    let out = accord_in(&dir, &["test", "policy", "--as-of", AS_OF], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("accord::load_outside_root"),
        "{}",
        out.stderr
    );
    assert!(out
        .stdout
        .contains("test peeks outside ... error: `../secret.json` lies outside the policy root"));
    assert_eq!(last_line(&out.stdout), "0 passed, 1 failed");
}

#[test]
fn a_test_that_does_not_check_is_an_error_with_located_diagnostics() {
    let dir = temp_dir("check");
    write(
        &dir,
        "policy.accord",
        "relation company(id: text, country: text).\n\
         company(c, MX) ⇒ mexican(c).\n\
         test \"typos\" {\n  compnay(ACME, MX).\n  company(ACME, 3).\n  expect mexican(x).\n  \
         expect mexican(c) ∧ company(c, k) = { (ACME) }.\n}\n\
         test \"fine\" {\n  company(ACME, MX).\n  expect mexican(ACME).\n}\n",
    );
    let out = accord_in(&dir, &["test", "policy.accord", "--as-of", AS_OF], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    for code in [
        "accord::unknown_relation",
        "accord::type_mismatch",
        "accord::variable_in_expectation",
        "accord::arity_mismatch",
    ] {
        assert!(out.stderr.contains(code), "{code} in {}", out.stderr);
    }
    assert!(out.stderr.contains("policy.accord:4:3"), "{}", out.stderr);
    assert!(out.stdout.contains("test fine ... ok"), "{}", out.stdout);
    assert_eq!(last_line(&out.stdout), "1 passed, 1 failed");
}

#[test]
fn a_policy_that_does_not_check_fails_the_run() {
    let dir = temp_dir("broken");
    write(
        &dir,
        "ok/policy.accord",
        "a(X).\ntest \"t\" {\n  expect a(X).\n}\n",
    );
    write(
        &dir,
        "broken/policy.accord",
        "relation a(v: text).\na(x) ⇒ b(y).\n",
    );
    let out = accord_in(&dir, &["test", ".", "--as-of", AS_OF], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("accord::unsafe_variable"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("broken: does not check (1 error)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("running 1 test in ok"),
        "{}",
        out.stdout
    );
    assert_eq!(last_line(&out.stdout), "1 passed, 1 failed");
}

#[test]
fn every_policy_in_the_testing_guide_passes_its_tests() {
    let text = std::fs::read_to_string(root().join("docs/testing.md")).expect("docs/testing.md");
    let dir = temp_dir("docs");
    let mut count = 0;
    let mut lines = text.lines().enumerate();
    while let Some((start, line)) = lines.next() {
        if line != "```accord" {
            continue;
        }
        let mut block = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            block.push_str(l);
            block.push('\n');
        }
        count += 1;
        let file = format!("guide{count}.accord");
        write(&dir, &file, &block);
        let out = accord_in(&dir, &["test", &file, "--as-of", AS_OF], None);
        assert_eq!(
            out.code,
            0,
            "docs/testing.md:{}: the example's tests should pass:\n{block}\n{}{}",
            start + 1,
            out.stdout,
            out.stderr
        );
        assert!(!out.stdout.contains("running 0 tests"), "{}", out.stdout);
    }
    assert!(count >= 2, "the guide has {count} examples");
}

#[test]
fn a_failure_shows_the_why_not_of_a_missing_atom_and_the_proof_of_an_unexpected_one() {
    let dir = temp_dir("why");
    std::fs::write(
        dir.join("p.accord"),
        "relation shipment(id: text, date: date).\n\
         rule mra effective from 2014-10-17 on d: shipment(s, d) ⇒ reduced(s).\n\
         shipment(s, _) ∧ ¬ reduced(s) ⇒ targeted(s).\n\
         test \"before the arrangement\" {\n  shipment(S, 2014-09-15).\n  expect reduced(S).\n  expect not targeted(S).\n}\n",
    )
    .expect("write policy");
    let out = common::accord_in(&dir, &["test", "p.accord", "--as-of", "2025-01-01"], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("why not:"), "{}", out.stdout);
    assert!(
        out.stdout.contains("2014-09-15 ≥ 2014-10-17 is false"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("proof:"), "{}", out.stdout);
    assert!(out.stdout.contains("no reduced(S)"), "{}", out.stdout);
    assert!(
        out.stdout.ends_with("0 passed, 1 failed\n"),
        "{}",
        out.stdout
    );
}
