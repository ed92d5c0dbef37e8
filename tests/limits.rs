//! Resource limits, on every command that evaluates: `--max-facts` and `--timeout` stop an evaluation
//! with exit 1 and a diagnostic naming the relation still growing and pointing at the rule deriving it
//! (`eval`, `explain`, `test`, `diff`, `repl`); the explanation depth (`--depth`, default 100, at most
//! 1000) cuts a proof with a warning naming the relation and the rule (`explain`, `eval --explain`,
//! `:why`), and a deep proof stays within the stack.

mod common;

use common::{accord_in, Output};

const AS_OF: &str = "2025-06-30";

/// `n(x) ⇒ n(x + 1)`: accepted by the checker, stopped by the limits.
const COUNTER: &str =
    "n(0).\nrule counter: n(x) ⇒ n(x + 1).\n\ntest \"counts\" {\n  expect n(3).\n}\n";

fn scratch(name: &str) -> common::Scratch {
    let dir = common::Scratch::new(&format!("limits-{name}"));
    std::fs::write(dir.join("counter.accord"), COUNTER).expect("policy");
    std::fs::write(
        dir.join("counter2.accord"),
        format!("{COUNTER}n(x) ⇒ m(x).\n"),
    )
    .expect("policy");
    dir
}

/// Runs every evaluating command on the counter with `limit` (extra arguments).
fn every_command(dir: &std::path::Path, limit: &[&str]) -> Vec<(&'static str, Output)> {
    let with = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(&["--as-of", AS_OF]);
        all.extend_from_slice(limit);
        all.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>, stdin: Option<&str>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        accord_in(dir, &args, stdin)
    };
    vec![
        ("eval", run(with(&["eval", "counter.accord"]), None)),
        (
            "explain",
            run(with(&["explain", "counter.accord", "n(3)"]), None),
        ),
        ("test", run(with(&["test", "counter.accord"]), None)),
        (
            "diff",
            run(with(&["diff", "counter.accord", "counter2.accord"]), None),
        ),
        (
            "repl",
            run(
                with(&["repl", "counter.accord", "--strict"]),
                Some("n(3)\n"),
            ),
        ),
    ]
}

/// Exit 1; the code; the relation named; the rule labelled at `counter.accord:2:1`.
fn stopped(command: &str, out: &Output, code: &str, message: &str) {
    assert_eq!(
        out.code, 1,
        "{command}: exit 1\nstdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stderr.contains(&format!("accord::{code}")),
        "{command}: accord::{code}\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(message),
        "{command}: `{message}`\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("[counter.accord:2:1]")
            && out.stderr.contains("this rule was deriving"),
        "{command}: the rule is labelled\n{}",
        out.stderr
    );
}

#[test]
fn max_facts_stops_every_evaluating_command() {
    let dir = scratch("facts");
    for (command, out) in every_command(&dir, &["--max-facts", "1000"]) {
        stopped(
            command,
            &out,
            "too_many_facts",
            "evaluation stopped: more than 1000 facts, `n` still growing",
        );
        assert!(
            out.stderr.contains("--max-facts"),
            "{command}: the help names the flag"
        );
    }
    // A bounded counter within the limit evaluates.
    let bounded = "n(0).\nrule counter: n(x) ∧ x < 10 ⇒ n(x + 1).\n";
    std::fs::write(dir.join("bounded.accord"), bounded).expect("policy");
    let out = accord_in(
        &dir,
        &[
            "eval",
            "bounded.accord",
            "--as-of",
            AS_OF,
            "--max-facts",
            "11",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn timeout_stops_every_evaluating_command() {
    let dir = scratch("time");
    for (command, out) in every_command(&dir, &["--timeout", "1", "--max-facts", "1000000000"]) {
        stopped(
            command,
            &out,
            "timeout",
            "evaluation ran out of time while deriving `n`",
        );
        assert!(
            out.stderr.contains("--timeout"),
            "{command}: the help names the flag"
        );
    }
}

/// A chain `reach(0) … reach(n)`: the proof of `reach(n)` is n levels deep.
/// Asserts that `text` (a command's output) contains `part`, showing it when it does not.
#[track_caller]
fn has(text: &str, part: &str) {
    assert!(text.contains(part), "{text}");
}

fn chain(dir: &std::path::Path, n: usize) {
    let mut text = String::from("start(0).\n");
    for i in 0..n {
        text.push_str(&format!("edge({i}, {}).\n", i + 1));
    }
    text.push_str("start(x) ⇒ reach(x).\nrule step: reach(x) ∧ edge(x, y) ⇒ reach(y).\n");
    text.push_str(&format!("rule far: reach({n}) ⇒ far().\n"));
    std::fs::write(dir.join("chain.accord"), text).expect("policy");
}

#[test]
fn a_proof_deeper_than_the_default_is_cut_with_a_warning() {
    let dir = scratch("depth");
    chain(&dir, 150);
    let out = accord_in(
        &dir,
        &["explain", "chain.accord", "reach(150)", "--as-of", AS_OF],
        None,
    );
    assert_eq!(out.code, 0, "the fact holds: {}", out.stderr);
    has(&out.stdout, "depth limit reached");
    let warning =
        "the proof stops at depth 100: `reach(50)` is derived from deeper facts of `reach`";
    has(&out.stderr, "accord::explain_depth_limit");
    has(&out.stderr, warning);
    assert!(
        out.stderr.contains("rule step (chain.accord:")
            && out.stderr.contains("[chain.accord:153:1]"),
        "the rule is named and labelled: {}",
        out.stderr
    );
    has(&out.stderr, "--depth N");

    // Deep enough: no cut, no warning.
    let out = accord_in(
        &dir,
        &[
            "explain",
            "chain.accord",
            "reach(150)",
            "--depth",
            "200",
            "--as-of",
            AS_OF,
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("depth limit reached"));
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    // eval --explain and the REPL's :why use the default and warn the same way.
    let out = accord_in(
        &dir,
        &[
            "eval",
            "chain.accord",
            "--query",
            "far",
            "--explain",
            "--as-of",
            AS_OF,
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    has(&out.stderr, "accord::explain_depth_limit");
    has(&out.stderr, "the proof stops at depth 100: `reach(51)`");
    let out = accord_in(
        &dir,
        &["repl", "chain.accord", "--strict", "--as-of", AS_OF],
        Some(":why far()\n"),
    );
    assert_eq!(out.code, 0, "a warning is not a failure: {}", out.stderr);
    has(&out.stderr, "accord::explain_depth_limit");
    has(&out.stdout, "depth limit reached");
}

#[test]
fn the_depth_has_a_ceiling_and_the_deepest_proof_fits_the_stack() {
    let dir = scratch("ceiling");
    chain(&dir, 1200);
    let out = accord_in(
        &dir,
        &[
            "explain",
            "chain.accord",
            "reach(1200)",
            "--depth",
            "5000",
            "--as-of",
            AS_OF,
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    has(&out.stderr, "accord::bad_argument");
    has(&out.stderr, "at most 1000 levels");
    // The deepest proof, drawn as text; and a deep one as JSON (pretty-printed JSON grows with the
    // square of the depth, so 1000 levels would be 135 MB).
    for (format, depth, cut) in [
        ("text", "1000", "reach(200)"),
        ("json", "300", "reach(900)"),
    ] {
        let out = accord_in(
            &dir,
            &[
                "explain",
                "chain.accord",
                "reach(1200)",
                "--depth",
                depth,
                "--format",
                format,
                "--as-of",
                AS_OF,
            ],
            None,
        );
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("the proof stops at depth {depth}: `{cut}`")),
            "{format}: {}",
            out.stderr
        );
    }
}
