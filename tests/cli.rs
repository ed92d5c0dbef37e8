//! The command-line contract (brief section 4), driven through the real binary.

mod common;

use common::accord;

const AS_OF: &str = "2025-06-30";

#[test]
fn eval_of_the_us_mx_example_in_text() {
    let out = accord(&[
        "eval",
        "examples/us-mx",
        "--facts",
        "examples/us-mx/data.json",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn eval_of_the_us_mx_example_in_json() {
    let out = accord(&[
        "eval",
        "examples/us-mx",
        "--facts",
        "examples/us-mx/data.json",
        "--format",
        "json",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let parsed: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    assert!(parsed.get("reduced_exams").is_some());
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn queried_relations_print_in_the_order_asked_even_when_empty() {
    let out = accord(&[
        "eval",
        "examples/us-mx",
        "--facts",
        "examples/us-mx/data.json",
        "--query",
        "standard_targeting",
        "--query",
        "fewer_exams",
        "--format",
        "json",
        "--as-of",
        "2014-01-01",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let keys: Vec<String> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&out.stdout)
            .expect("object")
            .keys()
            .cloned()
            .collect();
    assert_eq!(keys, ["standard_targeting", "fewer_exams"]);
    assert!(out.stdout.contains("\"fewer_exams\": []"), "{}", out.stdout);
}

#[test]
fn the_design_card_holds_as_of_a_date_and_not_before_the_mra() {
    let card = |as_of: &str| {
        let out = accord(&[
            "eval",
            "examples/us-mx",
            "--facts",
            "examples/us-mx/data.json",
            "--query",
            "fewer_exams",
            "--format",
            "json",
            "--as-of",
            as_of,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    assert!(card("2025-06-30").contains("\"PACIFICO\""));
    assert!(!card("2014-10-16").contains("\"PACIFICO\""));
}

#[test]
fn unknown_query_is_an_error_with_a_suggestion() {
    let out = accord(&[
        "eval",
        "examples/us-mx",
        "--query",
        "reduced_exam",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("did you mean `reduced_exams`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_bad_as_of_date_is_an_error() {
    let out = accord(&["eval", "examples/us-mx", "--as-of", "2025-02-30"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("accord::bad_date"), "{}", out.stderr);
}

#[test]
fn a_missing_policy_file_is_an_error() {
    let out = accord(&["check", "no/such/policy.accord"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("accord::unreadable_file"),
        "{}",
        out.stderr
    );
}

#[test]
fn check_reports_a_summary_on_success() {
    let out = accord(&["check", "examples/us-mx", "--as-of", AS_OF]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("ok: 2 files"), "{}", out.stdout);
}

#[test]
fn strict_check_warns_and_fails_on_unused_declarations() {
    let dir = tempdir();
    std::fs::write(
        dir.join("p.accord"),
        "relation unused(a: text).\ncompany(A).\ncompany(c) ⇒ ok(c).\n",
    )
    .unwrap();
    let out = common::accord_in(&dir, &["check", "--strict", "p.accord"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("accord::unused_relation"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("accord::unused_conclusion"),
        "{}",
        out.stderr
    );
    let out = common::accord_in(&dir, &["check", "p.accord"], None);
    assert_eq!(
        out.code, 0,
        "without --strict there are no warnings: {}",
        out.stderr
    );
}

#[test]
fn every_error_in_a_file_is_reported_in_one_run() {
    let dir = tempdir();
    std::fs::write(
        dir.join("p.accord"),
        "relation r(a: text).\nr(1).\nq(x) ⇒ p(x).\nr(x) ∧ r(x, y) ⇒ s(x).\nr(x) ⇒ t(x, y).\n",
    )
    .unwrap();
    let out = common::accord_in(&dir, &["check", "p.accord"], None);
    assert_eq!(out.code, 1);
    for code in [
        "type_mismatch",
        "unknown_relation",
        "arity_mismatch",
        "unsafe_variable",
    ] {
        assert!(
            out.stderr.contains(&format!("accord::{code}")),
            "{code} missing:\n{}",
            out.stderr
        );
    }
}

/// A fresh directory that removes itself.
fn tempdir() -> common::Scratch {
    common::Scratch::new("cli")
}
