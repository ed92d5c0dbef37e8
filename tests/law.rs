//! The law features evaluated end to end: exceptions (with an exception to an exception), aggregates,
//! effective periods and `--as-of`, symmetric relations, imports across three files. Each policy under
//! `tests/corpus/ok/law/` has a snapshot of its source and its `accord eval` output.

mod common;

use common::{accord, accord_in, relative};

#[test]
fn law_policies_evaluate_to_their_snapshots() {
    insta::glob!("corpus/ok/law/*.accord", |path| {
        let rel = relative(path);
        let source = std::fs::read_to_string(path).unwrap_or_default();
        let out = accord(&["eval", &rel, "--as-of", "2025-06-30"]);
        assert_eq!(out.code, 0, "{rel}: {}", out.stderr);
        insta::assert_snapshot!(format!(
            "{source}\n---- accord eval {rel} --as-of 2025-06-30\n{}",
            out.stdout
        ));
    });
}

fn eval_json(args: &[&str]) -> serde_json::Value {
    let out = accord(args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

#[test]
fn an_exception_to_an_exception_reinstates_the_benefit() {
    let v = eval_json(&[
        "eval",
        "tests/corpus/ok/law/exceptions.accord",
        "--query",
        "reduced_exams",
        "--format",
        "json",
        "--as-of",
        "2025-06-30",
    ]);
    // S1: certified exporter; S2: suspended exporter, withdrawn; S3: suspended but reinstated;
    // S4: suspended exporter, but the CTPAT importer's rule is not defeated.
    assert_eq!(
        v["reduced_exams"],
        serde_json::json!([["S1"], ["S3"], ["S4"]])
    );
}

#[test]
fn as_of_moves_today_and_effective_periods_without_a_date_variable() {
    let at = |date: &str| {
        eval_json(&[
            "eval",
            "tests/corpus/ok/law/effective.accord",
            "--query",
            "notice_applies",
            "--format",
            "json",
            "--as-of",
            date,
        ])["notice_applies"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
    };
    assert_eq!(at("2024-12-31"), 0);
    assert_eq!(at("2025-01-01"), 4);
    assert_eq!(at("2025-12-31"), 4);
    assert_eq!(at("2026-01-01"), 0);
}

#[test]
fn text_output_names_the_date_it_used() {
    let out = accord(&[
        "eval",
        "tests/corpus/ok/law/symmetric.accord",
        "--as-of",
        "2024-02-29",
    ]);
    assert!(
        out.stdout.starts_with("as of 2024-02-29\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn imports_across_three_files_load_each_file_once() {
    let out = accord(&[
        "eval",
        "tests/corpus/ok/imports/main.accord",
        "--as-of",
        "2025-06-30",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
    let check = accord(&["check", "tests/corpus/ok/imports", "--as-of", "2025-06-30"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stdout.starts_with("ok: 3 files"), "{}", check.stdout);
}

fn tempdir(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("law-{name}"))
}

#[test]
fn duplicate_declarations_across_files_show_both_places() {
    let dir = tempdir("dup");
    std::fs::write(
        dir.join("a.accord"),
        "import \"b.accord\".\nrelation company(id: text, country: text).\n",
    )
    .unwrap();
    std::fs::write(dir.join("b.accord"), "relation company(id: text).\n").unwrap();
    let out = accord_in(&dir, &["check", "a.accord"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("accord::duplicate_relation"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("a.accord:"), "{}", out.stderr);
    assert!(out.stderr.contains("b.accord:"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_policy_root_is_refused() {
    let dir = tempdir("symlink");
    let outside = tempdir("outside");
    std::fs::write(outside.join("secret.accord"), "secret(A).\n").unwrap();
    std::fs::create_dir_all(dir.join("policy")).unwrap();
    std::os::unix::fs::symlink(
        outside.join("secret.accord"),
        dir.join("policy/link.accord"),
    )
    .unwrap();
    std::fs::write(
        dir.join("policy/main.accord"),
        "import \"link.accord\".\nsecret(x) ⇒ seen(x).\n",
    )
    .unwrap();
    let out = accord_in(&dir, &["check", "policy/main.accord"], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("accord::import_outside_root"),
        "{}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_linked_file_in_a_policy_directory_may_not_point_outside() {
    let dir = tempdir("dirlink");
    let outside = tempdir("dirlink-outside");
    std::fs::write(outside.join("secret.accord"), "secret(A).\n").unwrap();
    std::fs::create_dir_all(dir.join("policy")).unwrap();
    std::fs::write(dir.join("policy/main.accord"), "company(A).\n").unwrap();
    std::os::unix::fs::symlink(
        outside.join("secret.accord"),
        dir.join("policy/link.accord"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.join("policy"), dir.join("policy/loop")).unwrap();
    let out = accord_in(&dir, &["check", "policy"], None);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("accord::import_outside_root"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("secret"),
        "the linked file is not read: {}",
        out.stderr
    );
}
