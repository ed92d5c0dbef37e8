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
        ..SessionOptions::default()
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

/// Found by fuzzing (`fuzz/`, target `repl`): the session ignored the evaluation limits, so a typed rule
/// that computes new values ran until memory ran out. Regression input:
/// `tests/corpus/no_panic/repl_unbounded_rule.repl`.
#[test]
fn evaluations_stop_at_the_session_limits() {
    let mut s = example();
    s.options.eval = crate::eval::EvalOptions {
        max_facts: 10_000,
        timeout: Some(std::time::Duration::from_secs(20)),
        ..Default::default()
    };
    assert!(!run(&mut s, "relation n(k: number).").failed());
    assert!(!run(&mut s, "n(0).").failed());
    assert!(!run(&mut s, "n(x) ⇒ n(x + 1).").failed());
    let out = run(&mut s, "n(5)");
    assert_eq!(out.diagnostics[0].code, "too_many_facts");
    assert!(
        out.diagnostics[0].message.contains("`n`"),
        "{:?}",
        out.diagnostics[0]
    );
    assert_eq!(
        run(&mut s, ":why n(5)").diagnostics[0].code,
        "too_many_facts"
    );
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
    assert!(needs_more("rule watched"));
    assert!(needs_more("rule watched\n  source \"x\":"));
    assert!(!needs_more("rule watched: a(x) ⇒ b(x)."));
    assert!(!needs_more("rule(x)"));
    assert!(needs_more("subject c {"));
    assert!(!needs_more("a(x))"));
    assert!(!needs_more(":facts"));
    assert!(!needs_more(""));
}

/// Every retraction of a base fact, and a few assertions, give the same model incrementally as a full
/// evaluation does.
#[test]
fn incremental_what_ifs_agree_with_full_evaluation() {
    let mut s = example();
    assert!(s.ensure_model().is_ok());
    let program = s.engine.program().clone();
    let mut facts = vec![];
    let model = s.model.clone().expect("a model");
    for (i, rel) in program.relations.iter().enumerate() {
        let id = crate::ir::RelationId(i as u32);
        if program.rules.iter().any(|r| r.head == id) {
            continue;
        }
        for (j, row) in model.rows(id).enumerate() {
            if model.origin(id, j).is_some() {
                let args: Vec<String> = row
                    .iter()
                    .zip(&rel.columns)
                    .map(|(v, c)| s.engine.values.literal(c.ty, *v))
                    .collect();
                facts.push(format!(":retract {}({})", rel.name, args.join(", ")));
            }
        }
    }
    facts.push(":assert shipment(S90, PACIFICO, LONESTAR, MX, US, 2025-08-01)".into());
    facts.push(":assert shipment(S91, MAQUILA, DETROIT_AUTO, MX, US, 2025-01-01)".into());
    facts.push(":assert suspension(PACIFICO, 2025-07-01)".into());
    facts.push(":assert certification(ACEROS, NEEC, \"active\", 2030-01-01)".into());
    assert!(facts.len() > 20);
    for input in &facts {
        let out = s.run_line(input);
        assert!(!out.failed(), "{input}: {:?}", out.diagnostics);
        let incremental = s.model.clone().expect("a model");
        let full = s.evaluate_with_changes(s.changes.len()).expect("evaluates");
        for id in program.derived_relations() {
            assert_eq!(
                incremental.sorted_rows(id, &program, &s.engine.values),
                full.sorted_rows(id, &program, &s.engine.values),
                "{input}: `{}` differs",
                program.relation(id).name
            );
        }
        s.run_line(":undo");
    }
}

#[test]
fn completion_offers_the_texts_of_data_policy_facts_and_rules() {
    let mut s = example();
    // A rule typed at the prompt brings its own constants, short and long.
    assert!(!run(
        &mut s,
        r#"shipment(x, _, _, MX, "CANADA-BOUND-LANE", _) ⇒ lane(x, ZZ)."#
    )
    .failed());
    let constants = s.constants();
    for want in [
        "ACEROS",
        "DETROIT_AUTO",
        "S07",
        "NEEC",
        "\"active\"",
        "\"CANADA-BOUND-LANE\"",
        "ZZ",
    ] {
        assert!(
            constants.iter().any(|c| c == want),
            "{want} in {constants:?}"
        );
    }
    let mut sorted = constants.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(constants, sorted);
}
