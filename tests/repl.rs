//! `accord repl`: scripted sessions (stdin is not a terminal) whose whole transcripts are snapshots,
//! and one session under a pseudo-terminal for the line editor (prompt, completion, history).

mod common;

use std::path::PathBuf;

use common::{accord_in, root};

/// A scratch copy of the U.S.–Mexico example, plus a second policy file to `:load`.
fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-repl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["policy.accord", "data.json"] {
        std::fs::copy(root().join("examples/us-mx").join(file), dir.join(file)).unwrap();
    }
    std::fs::write(
        dir.join("extra.accord"),
        "// Shipments an analyst wants to watch.\nrule watched source \"analyst's list\":\n  standard_targeting(s) ∧ shipment(s, e, _, _, _, _) ⇒ watched(s, e).\n",
    )
    .unwrap();
    dir
}

/// Runs a script and renders the transcript: the script, stdout, stderr and the exit code. Times are
/// replaced by `[time]`.
fn transcript(name: &str, args: &[&str], script: &str) -> String {
    let dir = workspace(name);
    let mut all = vec!["repl"];
    all.extend_from_slice(args);
    let out = accord_in(&dir, &all, Some(script));
    let _ = std::fs::remove_dir_all(&dir);
    let redact = |s: &str| {
        s.lines()
            .map(
                |l| match l.strip_suffix(" ms").and_then(|t| t.rsplit_once(' ')) {
                    Some((label, _)) if l.starts_with("time: ") => format!("{label} [n] ms"),
                    _ => l.to_string(),
                },
            )
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "--- script\n{script}--- stdout\n{}\n--- stderr\n{}\n--- exit code {}\n",
        redact(&out.stdout),
        redact(&out.stderr),
        out.code
    )
}

const EXAMPLE: &[&str] = &[
    "policy.accord",
    "--facts",
    "data.json",
    "--as-of",
    "2025-08-01",
];

#[test]
fn every_command() {
    let script = r#":help
reduced_exams(s) ∧ shipment(s, e, _, _, US, d)
reduced_exams(S03)
reduced_exams(S05)
:facts shipment 3
:facts certification
:rules reduced_exams
:limit 2
shipment(s, e, i, o, US, d)
:limit
:limit 50
:format json
reduced_exams(s) ∧ shipment(s, PACIFICO, _, _, _, _)
fewer_exams(PACIFICO)
:format text
:time on
reduced_exams(S03)
:time off
:asof
:asof 2016-06-01
fewer_exams(c)
:asof 2025-08-01
:why reduced_exams(S03)
:whynot reduced_exams(S05)
:load extra.accord
watched(s, e)
:rules watched
:reload
:quit
reduced_exams(S03)
"#;
    insta::assert_snapshot!(transcript("every-command", EXAMPLE, script));
}

#[test]
fn what_if_session() {
    let script = r#":whatif
:retract suspension(MAQUILA, 2025-03-01)
:assert shipment(S99, PACIFICO, DETROIT_AUTO, MX, US, 2025-08-01)
:assert shipment(S99, PACIFICO, DETROIT_AUTO, MX, US, 2025-08-01)
:retract reduced_exams(S03)
:retract company(NOBODY, MX)
:whatif
:undo
:whatif
:reload keep
reduced_exams(S05)
:reload
reduced_exams(S05)
:retract suspension(MAQUILA, 2025-03-01)
:reset
:undo
"#;
    insta::assert_snapshot!(transcript("what-if", EXAMPLE, script));
}

#[test]
fn typed_statements_errors_and_multi_line_rules() {
    let script = r#"relation watchlist(company: text).
watchlist(MAQUILA).
rule watched_shipment
  source "analyst's watchlist":
  shipment(s, e, _, _, _, _)
    ∧ watchlist(e)
  ⇒ watched(s).
watched(s) ∧ shipment(s, _, _, _, _, d)
:rules watched
reduced_exam(s)
shipment(s, e, _, _, _, d) ∧ d > 5
shipment(s, e, _, _, _, d) ⇒ bad(s, x).
:factz shipment
:assert shipment(S1, A, B, MX, US, "2025-01-01")
:facts nope
watched(S05)
"#;
    insta::assert_snapshot!(transcript("typed", EXAMPLE, script));
}

#[test]
fn strict_exit_code_reports_failed_inputs() {
    let dir = workspace("strict");
    let mut args = vec!["repl"];
    args.extend_from_slice(EXAMPLE);
    let ok = accord_in(&dir, &args, Some("reduced_exams(S03)\n"));
    assert_eq!((ok.code, ok.stdout.lines().nth(1)), (0, Some("yes")));
    let failing = accord_in(&dir, &args, Some("nope(x)\nreduced_exams(S03)\n"));
    assert_eq!(
        failing.code, 0,
        "without --strict a failed input does not fail the run"
    );
    assert!(
        failing.stdout.contains("yes"),
        "the session goes on after an error"
    );
    args.push("--strict");
    let strict = accord_in(&dir, &args, Some("nope(x)\nreduced_exams(S03)\n"));
    assert_eq!(strict.code, 1);
    let strict_ok = accord_in(&dir, &args, Some("reduced_exams(S03)\n"));
    assert_eq!(strict_ok.code, 0);
    // A policy that does not check: no session, exit 1.
    let bad = accord_in(&dir, &["repl", "data.json"], Some(""));
    assert_eq!(bad.code, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn empty_session_accepts_statements() {
    let script = "edge(A, B).\nedge(B, C).\nedge(x, y) ⇒ path(x, y).\npath(x, y) ∧ edge(y, z) ⇒ path(x, z).\npath(A, z)\n";
    insta::assert_snapshot!(transcript("empty", &["--as-of", "2025-08-01"], script));
}

/// Under a pseudo-terminal: the prompt, TAB completion of a relation name, and history recall with the
/// up arrow; the history is written to `$XDG_DATA_HOME/accord/history`.
#[cfg(unix)]
#[test]
fn line_editor_under_a_pty() {
    use expectrl::{Expect, Session};
    use std::time::Duration;

    let data = std::env::temp_dir().join(format!("accord-repl-pty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_accord"));
    cmd.args(["repl", "examples/us-mx/policy.accord", "--facts"])
        .arg("examples/us-mx/data.json")
        .args(["--as-of", "2025-08-01"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("XDG_DATA_HOME", &data);
    let mut p = match Session::spawn(cmd) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipped: no pseudo-terminal ({e})");
            return;
        }
    };
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("accord repl:").expect("the summary line");
    p.expect("accord> ").expect("the prompt");
    // TAB completes the only relation starting with `reduced_ex`.
    p.send("reduced_ex\t").unwrap();
    p.expect("reduced_exams")
        .expect("completion of a relation name");
    p.send("(S03)\r").unwrap();
    p.expect("yes").expect("the answer to the completed query");
    p.expect("accord> ").expect("the prompt again");
    // Up arrow recalls the previous line; running it answers again.
    p.send("\x1b[A").unwrap();
    p.expect("reduced_exams(S03)").expect("history recall");
    p.send("\r").unwrap();
    p.expect("yes").expect("the recalled query runs");
    p.expect("accord> ").expect("the prompt again");
    p.send(":quit\r").unwrap();
    p.expect(expectrl::Eof).expect("the session ends");
    let history = std::fs::read_to_string(data.join("accord/history")).unwrap_or_default();
    assert!(
        history.contains("reduced_exams(S03)"),
        "history file: {history:?}"
    );
    let _ = std::fs::remove_dir_all(&data);
}

/// The transcript in `docs/repl.md` is what the REPL prints: its inputs are run as a script and the
/// output must match the lines between them.
#[test]
fn the_documented_transcript_is_real() {
    let text = std::fs::read_to_string(root().join("docs/repl.md")).expect("docs/repl.md");
    let block: Vec<&str> = text
        .split("```console\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("a console block")
        .lines()
        .collect();
    let command = block[0]
        .strip_prefix("$ accord ")
        .expect("the command line");
    let args: Vec<&str> = command.split_whitespace().collect();
    let mut script = String::new();
    let mut expected = String::new();
    for line in &block[1..] {
        match line.strip_prefix("accord> ") {
            Some(input) => {
                script.push_str(input);
                script.push('\n');
            }
            None => {
                expected.push_str(line);
                expected.push('\n');
            }
        }
    }
    let out = accord_in(&root(), &args, Some(&script));
    assert_eq!(out.stderr, "");
    assert_eq!(out.stdout, expected);
}
