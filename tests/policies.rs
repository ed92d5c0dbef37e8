//! The policy library (`policies/`) through the real binary: it checks clean with its test blocks, the
//! README walkthrough over `examples/trade-2025` gives the numbers the README shows, and the two examples
//! of `docs/policies.md` (overriding a convention, adding an arrangement) work against the library.
//!
//! The library's own test blocks (`policies/tests/*.accord`) are run by `accord test`; these tests
//! cover what a test block cannot: the documentation and the example dataset.

mod common;

use std::path::{Path, PathBuf};

use common::{accord, accord_in, root};
use serde_json::Value;

const AS_OF: &str = "2025-06-30";

#[test]
fn the_library_and_its_tests_check_clean() {
    let out = accord(&["check", "policies", "--as-of", AS_OF]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let main = accord(&["check", "policies/main.accord", "--as-of", AS_OF]);
    assert_eq!(main.code, 0, "{}", main.stderr);
}

#[test]
fn the_readme_walkthrough_over_trade_2025() {
    let out = accord(&[
        "eval",
        "policies",
        "--facts",
        "examples/trade-2025",
        "--as-of",
        AS_OF,
        "--query",
        "us_entries",
        "--query",
        "us_reduced_exams_count",
        "--query",
        "us_standard_exams_total",
        "--query",
        "us_why_not_count",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn the_readme_walkthrough_rows_are_what_the_library_derives() {
    let json = eval_json(
        &root().join("policies"),
        &root().join("examples/trade-2025"),
        &["us_reduced_exams", "us_why_not"],
    );
    let reduced = rows(&json, "us_reduced_exams");
    for row in [
        ["T00001", "MRA", "US-MX", "OEA", "MX0187"],
        ["T00001", "domestic", "US-CTPAT", "Tier 3", "US0053"],
        ["T00007", "MRA", "US-EU", "AEOS", "IT0259"],
    ] {
        assert!(reduced.contains(&strings(&row)), "missing {row:?}");
    }
    let why_not = rows(&json, "us_why_not");
    for row in [
        [
            "T00088",
            "CN0108",
            "AEOCN9538366918",
            "no arrangement in this direction between the destination and the programme's administration",
        ],
        ["T00278", "KR0343", "KR-AEO-KR0343-AA", "expired"],
    ] {
        assert!(why_not.contains(&strings(&row)), "missing {row:?}");
    }
    assert!(
        !reduced.iter().any(|r| r[0] == "T00088"),
        "T00088 should not get reduced exams"
    );
}

#[test]
fn the_documented_override_of_a_convention() {
    let dir = library_copy("override");
    let block = doc_block("## Overriding a convention");
    std::fs::write(dir.join("my_overrides.accord"), block).expect("write the override");
    let empty = dir.join("empty.json");
    std::fs::write(&empty, "{}").expect("write the facts");
    let json = eval_json(&dir, &empty, &["in_force_from"]);
    let in_force = rows(&json, "in_force_from");
    assert!(in_force.contains(&strings(&["US-NZ", "US", "2007-06-01"])));
    assert!(in_force.contains(&strings(&["US-JO", "US", "2008-05-01"])));
    assert!(!in_force.contains(&strings(&["US-NZ", "US", "2007-07-01"])));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_documented_new_arrangement() {
    let dir = library_copy("new-mra");
    let block = doc_block("## Adding an arrangement: a worked example");
    std::fs::write(dir.join("mras/nz-gb.accord"), block).expect("write the arrangement");
    // The facts of the example's test block.
    let facts = dir.join("nz-gb.json");
    std::fs::write(
        &facts,
        r#"{"certification": [["SES1", "KAURI", "NZ-SES", "member", "exporter", "2015-01-01"]],
            "shipment": [["B", "NZ", "GB", "2022-06-30"], ["D", "NZ", "GB", "2022-07-01"]],
            "shipment_exporter": [["B", "KAURI"], ["D", "KAURI"]],
            "declared_aeo_id": [["B", "SES1"], ["D", "SES1"]]}"#,
    )
    .expect("write the facts");
    let json = eval_json(
        &dir,
        &facts,
        &["recognised", "granted", "listed_without_record"],
    );
    assert_eq!(
        rows(&json, "recognised"),
        vec![strings(&["D", "NZ-GB", "KAURI", "SES1"])]
    );
    let mut granted: Vec<String> = rows(&json, "granted")
        .into_iter()
        .filter(|r| r[0] == "D")
        .map(|r| r[1].clone())
        .collect();
    granted.sort();
    assert_eq!(
        granted,
        vec![
            "business_continuity",
            "fewer_security_controls",
            "priority_clearance"
        ]
    );
    assert!(!rows(&json, "listed_without_record").contains(&strings(&["NZ", "GB"])));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- helpers ---------------------------------------------------------------------------------------

/// `accord eval POLICY --facts FACTS --format json --query …`, parsed.
fn eval_json(policy: &Path, facts: &Path, queries: &[&str]) -> Value {
    let policy = policy.to_string_lossy().into_owned();
    let facts = facts.to_string_lossy().into_owned();
    let mut args = vec![
        "eval", &policy, "--facts", &facts, "--as-of", AS_OF, "--format", "json",
    ];
    for q in queries {
        args.push("--query");
        args.push(q);
    }
    let out = accord_in(&root(), &args, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("valid JSON")
}

fn rows(json: &Value, relation: &str) -> Vec<Vec<String>> {
    json.get(relation)
        .and_then(Value::as_array)
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    row.as_array()
                        .map(|r| {
                            r.iter()
                                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn strings(row: &[&str]) -> Vec<String> {
    row.iter().map(|s| s.to_string()).collect()
}

/// The first ```accord block after `heading` in docs/policies.md.
fn doc_block(heading: &str) -> String {
    let text = std::fs::read_to_string(root().join("docs/policies.md")).expect("docs/policies.md");
    let at = text
        .find(heading)
        .expect("the heading is in docs/policies.md");
    let rest = &text[at..];
    let start = rest.find("```accord\n").expect("an accord block") + "```accord\n".len();
    let end = rest[start..].find("```").expect("the block ends") + start;
    rest[start..end].to_string()
}

/// A fresh copy of `policies/` (without its tests) in the temporary directory.
fn library_copy(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-policies-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("policies"), &dir);
    let _ = std::fs::remove_dir_all(dir.join("tests"));
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read policies/") {
        let entry = entry.expect("a directory entry");
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy a policy file");
        }
    }
}
