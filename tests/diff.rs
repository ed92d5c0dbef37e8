//! `accord diff`: decisions added and removed between two policy versions, through the real binary.
//!
//! The changed version is the us-mx example with two edits (a later effective date for the MRA rule,
//! and suspensions that count 30 days early), written to a temporary directory; the `git:` form runs in
//! a temporary repository made by the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{accord, accord_in, root};

const AS_OF: &str = "2025-06-30";
const DATA: &str = "examples/us-mx/data.json";

fn temp_dir(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("diff-test-{name}"))
}

/// The us-mx policy with the two edits this file's snapshots show.
fn changed_policy() -> String {
    let original = std::fs::read_to_string(root().join("examples/us-mx/policy.accord"))
        .expect("the example policy");
    let changed = original
        .replace(
            "effective from 2014-10-17 on d:",
            "effective from 2015-06-01 on d:",
        )
        .replace(
            "suspension(c, from) ∧ from ≤ d ⇒",
            "suspension(c, from) ∧ from ≤ d + 30 ⇒",
        );
    assert_eq!(
        changed.matches("2015-06-01").count(),
        1,
        "the example changed: update changed_policy()"
    );
    assert!(
        changed.contains("from ≤ d + 30"),
        "the example changed: update changed_policy()"
    );
    changed
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("a directory");
    }
    std::fs::write(&path, text).expect("a file");
    path
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn identical_versions_exit_0() {
    let out = accord(&[
        "diff",
        "examples/us-mx",
        "examples/us-mx/policy.accord",
        "--facts",
        DATA,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "no differences in 7 relations\n");
}

#[test]
fn a_changed_rule_lists_the_decisions_added_and_removed_and_exits_3() {
    let dir = temp_dir("changed");
    let new = write(&dir, "policy.accord", &changed_policy());
    let out = accord(&[
        "diff",
        "examples/us-mx/policy.accord",
        &s(&new),
        "--facts",
        DATA,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);

    let out = accord(&[
        "diff",
        "examples/us-mx/policy.accord",
        &s(&new),
        "--facts",
        DATA,
        "--query",
        "reduced_exams",
        "--query",
        "fewer_exams",
        "--format",
        "json",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    insta::assert_snapshot!("changed_rule_json", out.stdout);
}

#[test]
fn a_broken_version_is_an_error_not_an_empty_result() {
    let dir = temp_dir("broken");
    let broken = write(
        &dir,
        "policy.accord",
        &changed_policy().replace("⇒ reduced_exams(s).", "⇒ reduced_exams(s, x)."),
    );
    for (old, new, side) in [
        ("examples/us-mx".to_string(), s(&broken), "new"),
        (s(&broken), "examples/us-mx".to_string(), "old"),
    ] {
        let out = accord(&["diff", &old, &new, "--facts", DATA, "--as-of", AS_OF]);
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(
            out.stderr.contains(&format!("error: the {side} version")),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("accord::"), "{}", out.stderr);
    }
    let out = accord(&[
        "diff",
        "examples/us-mx",
        "examples/us-mx",
        "--facts",
        DATA,
        "--query",
        "no_such_relation",
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("accord::unknown_relation"),
        "{}",
        out.stderr
    );
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args([
            "-c",
            "user.name=accord",
            "-c",
            "user.email=accord@example.org",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn versions_can_come_from_git_history() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: skipping the git: form");
        return;
    }
    let dir = temp_dir("git");
    let original = std::fs::read_to_string(root().join("examples/us-mx/policy.accord"))
        .expect("the example policy");
    // The policy in a directory with an import, so that materialising keeps the layout.
    let (main, imported) = original
        .split_once("// ---- shipment level")
        .expect("the example has a shipment section");
    let layout = |text: &str| format!("{text}\nimport \"rules/shipments.accord\".\n");
    write(&dir, "policy/main.accord", &layout(main));
    write(
        &dir,
        "policy/rules/shipments.accord",
        &format!("// ---- shipment level{imported}"),
    );
    write(
        &dir,
        "data.json",
        &std::fs::read_to_string(root().join(DATA)).expect("data"),
    );
    assert!(git(&dir, &["init", "-q"]));
    assert!(git(&dir, &["add", "."]));
    assert!(git(&dir, &["commit", "-q", "-m", "v1"]));
    let changed = changed_policy();
    let (_, changed_imported) = changed
        .split_once("// ---- shipment level")
        .expect("section");
    write(
        &dir,
        "policy/rules/shipments.accord",
        &format!("// ---- shipment level{changed_imported}"),
    );
    assert!(git(&dir, &["commit", "-q", "-a", "-m", "v2"]));

    let args = |old: &str, new: &str| {
        accord_in(
            &dir,
            &["diff", old, new, "--facts", "data.json", "--as-of", AS_OF],
            None,
        )
    };
    let out = args("git:HEAD~1:policy", "git:HEAD:policy");
    assert_eq!(out.code, 3, "{}", out.stderr);
    insta::assert_snapshot!("git_versions", out.stdout);
    // A file version, and the working tree against the commit it came from.
    let out = args("git:HEAD~1:policy/main.accord", "policy");
    assert_eq!(out.code, 3, "{}", out.stderr);
    let out = args("git:HEAD:policy", "policy");
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Errors of git are diagnostics.
    let out = args("git:no-such-rev:policy", "policy");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("accord::git_error"), "{}", out.stderr);
    let out = args("git:HEAD:nowhere", "policy");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("accord::git_error"), "{}", out.stderr);
    // A broken version from history names itself as `git:REV:PATH` in its diagnostics.
    write(&dir, "policy/rules/shipments.accord", "oops(x) ⇒ .\n");
    assert!(git(&dir, &["commit", "-q", "-a", "-m", "v3"]));
    let out = args("git:HEAD:policy", "git:HEAD~1:policy");
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("git:HEAD:policy/rules/shipments.accord"),
        "{}",
        out.stderr
    );
}
