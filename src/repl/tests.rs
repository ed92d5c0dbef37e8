//! Session tests on the U.S.–Mexico example, without a terminal.

use std::path::PathBuf;

use super::*;
use crate::value::parse_date;

fn example() -> Session {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/us-mx");
    Session::start(SessionOptions {
        policy: vec![root.join("policy.accord")],
        facts: vec![root.join("data.json")],
        today: parse_date("2025-08-01").unwrap_or_default(),
    })
    .map_err(|(d, _)| d)
    .expect("the example loads")
}

fn run(s: &mut Session, input: &str) -> Outcome {
    let out = s.run_line(input);
    let rendered = s.render(&out, crate::diagnostic::RenderOptions::default());
    println!("> {input}\n{}{rendered}", out.output);
    out
}

#[test]
fn queries_answer_with_tables_and_yes_no() {
    let mut s = example();
    let out = run(&mut s, "reduced_exams(s) ∧ shipment(s, e, _, _, US, d)");
    assert!(!out.failed());
    assert!(out.output.contains("S03"), "{}", out.output);
    assert!(out.output.ends_with("rows\n") || out.output.ends_with("row\n"));
    assert_eq!(run(&mut s, "reduced_exams(S03)").output, "yes\n");
    assert_eq!(run(&mut s, "reduced_exams(S05)").output, "no\n");
}

#[test]
fn errors_leave_the_session_usable() {
    let mut s = example();
    let out = run(&mut s, "reduced_exam(s)");
    assert!(out.failed());
    assert_eq!(out.diagnostics[0].code, "unknown_relation");
    let out = run(&mut s, ":factz shipment");
    assert_eq!(out.diagnostics[0].code, "unknown_command");
    assert!(out.diagnostics[0]
        .help
        .as_deref()
        .unwrap_or("")
        .contains(":facts"));
    assert!(!run(&mut s, "reduced_exams(S03)").failed());
}

#[test]
fn typed_rules_join_the_policy() {
    let mut s = example();
    let out = run(
        &mut s,
        "reduced_exams(s) ∧ shipment(s, PACIFICO, _, _, _, _) ⇒ pacifico_fast(s).",
    );
    assert!(!out.failed());
    assert_eq!(run(&mut s, "pacifico_fast(S03)").output, "yes\n");
    let rules = run(&mut s, ":rules pacifico_fast").output;
    assert!(rules.contains("<repl>:1"), "{rules}");
    // A rule that does not check is not kept.
    assert!(run(&mut s, "nothing(x) ⇒ broken(x).").failed());
    assert!(run(&mut s, "broken(x)").failed());
}

#[test]
fn what_ifs_change_and_undo() {
    let mut s = example();
    let out = run(&mut s, ":retract suspension(MAQUILA, 2025-03-01)");
    assert!(!out.failed());
    assert!(
        out.output.contains("+ reduced_exams(S05)"),
        "{}",
        out.output
    );
    let out = run(
        &mut s,
        ":assert shipment(S99, PACIFICO, LONESTAR, MX, US, 2025-08-01)",
    );
    assert!(
        out.output.contains("+ reduced_exams(S99)"),
        "{}",
        out.output
    );
    let out = run(&mut s, ":whatif");
    assert!(out.output.contains("2 what-if changes"), "{}", out.output);
    assert!(run(&mut s, ":retract reduced_exams(S03)").failed());
    run(&mut s, ":undo");
    assert_eq!(run(&mut s, "reduced_exams(S99)").output, "no\n");
    assert_eq!(run(&mut s, "reduced_exams(S05)").output, "yes\n");
    run(&mut s, ":reset");
    assert_eq!(run(&mut s, "reduced_exams(S05)").output, "no\n");
}

#[test]
fn reload_keeps_typed_statements_and_changes_when_asked() {
    let mut s = example();
    run(&mut s, "reduced_exams(s) ⇒ fast(s).");
    run(&mut s, ":retract suspension(MAQUILA, 2025-03-01)");
    assert!(!run(&mut s, ":reload keep").failed());
    assert_eq!(run(&mut s, "fast(S05)").output, "yes\n");
    assert!(!run(&mut s, ":reload").failed());
    assert_eq!(run(&mut s, "fast(S05)").output, "no\n");
}

#[test]
fn incomplete_inputs_ask_for_more() {
    assert!(needs_more("shipment(s, e"));
    assert!(needs_more("a(x) ∧"));
    assert!(needs_more("rule r:\n  a(x) ⇒"));
    assert!(!needs_more("a(x) ⇒ b(x)."));
    assert!(!needs_more("a(x))"));
    assert!(!needs_more(":facts"));
    assert!(!needs_more(""));
}
