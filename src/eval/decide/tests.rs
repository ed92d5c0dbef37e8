//! Decisions against small policies: additions through strata, guards, the full-evaluation path.

use super::*;
use crate::check::{check, CheckOptions};
use crate::syntax::SourceMap;

/// A decider over `policy` (whose own facts are the base) for the named inputs and outputs.
fn decider(policy: &str, inputs: &[&str], outputs: &[&str]) -> Decider {
    let mut sources = SourceMap::new();
    let (parsed, diagnostics) = crate::workspace::parse_text("t.accord", policy, &mut sources);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let mut values = ValueStore::new();
    let checked = check(&parsed, &mut values, &CheckOptions::default()).expect("checks");
    let program = checked.program;
    let ids = |names: &[&str]| {
        names
            .iter()
            .map(|n| program.relation_id(n).expect("relation"))
            .collect()
    };
    let (inputs, outputs) = (ids(inputs), ids(outputs));
    let facts = FactSet::for_program(&program);
    Decider::prepare(
        program,
        facts,
        values,
        inputs,
        outputs,
        EvalOptions::default(),
    )
    .expect("prepares")
}

fn decide(d: &mut Decider, relation: &str, fields: &[&str]) -> (Vec<String>, Vec<String>, bool) {
    let (r, row) = d.row(relation, fields).expect("row");
    let decision = d.decide(&[(r, &row)]).expect("decides");
    let show = |rows: &[(RelationId, Vec<Value>)]| {
        rows.iter()
            .map(|(r, row)| {
                let values: Vec<String> = row
                    .iter()
                    .map(|v| d.values().text_of(*v).to_string())
                    .collect();
                format!("{}({})", d.program().relation(*r).name, values.join(", "))
            })
            .collect()
    };
    (
        show(&decision.added),
        show(&decision.removed),
        decision.evaluated_in_full,
    )
}

const CLEARANCE: &str = "relation item(x: text). relation flag(x: text). relation known(x: text).
    item(A). known(A). known(B).
    item(x) ∧ known(x) ∧ ¬ flag(x) ⇒ clear(x).
    clear(x) ⇒ released(x).";

#[test]
fn a_decision_adds_conclusions_through_strata_and_leaves_the_base_untouched() {
    let mut d = decider(CLEARANCE, &["item", "flag"], &["clear", "released"]);
    assert_eq!(d.fast(), None);
    let before = d.model().total_len();
    for _ in 0..2 {
        let (added, removed, full) = decide(&mut d, "item", &["B"]);
        assert_eq!(added, ["clear(B)", "released(B)"]);
        assert!(removed.is_empty() && !full);
        assert_eq!(d.model().total_len(), before);
    }
    // Not known: nothing follows; already an item: nothing new.
    assert_eq!(decide(&mut d, "item", &["C"]).0, Vec::<String>::new());
    assert_eq!(decide(&mut d, "item", &["A"]).0, Vec::<String>::new());
}

#[test]
fn a_decision_that_defeats_a_base_conclusion_is_evaluated_in_full() {
    let mut d = decider(CLEARANCE, &["item", "flag"], &["clear", "released"]);
    let (added, removed, full) = decide(&mut d, "flag", &["A"]);
    assert!(added.is_empty() && full);
    assert_eq!(removed, ["clear(A)", "released(A)"]);
    // A flag that defeats nothing stays on the fast path.
    assert_eq!(decide(&mut d, "flag", &["B"]), (vec![], vec![], false));
    assert_eq!(
        decide(&mut d, "item", &["B"]).0,
        ["clear(B)", "released(B)"]
    );
}

#[test]
fn aggregates_and_recursion_over_the_inputs_take_the_full_path() {
    let counted = "relation item(x: text). n = count x { item(x) } ⇒ total(n).";
    let d = decider(counted, &["item"], &["total"]);
    assert!(d.fast().is_some_and(|why| why.contains("aggregate")));
    let recursive = "relation edge(a: text, b: text). edge(a, b) ⇒ path(a, b). path(a, b) ∧ edge(b, c) ⇒ path(a, c).";
    let mut d = decider(recursive, &["edge"], &["path"]);
    assert!(d.fast().is_some_and(|why| why.contains("recursive")));
    let (added, _, full) = decide(&mut d, "edge", &["A", "B"]);
    assert!(full);
    assert_eq!(added, ["path(A, B)"]);
    // Outputs that do not need the aggregate keep the fast path.
    let d = decider(
        &format!("{counted} item(x) ⇒ seen(x)."),
        &["item"],
        &["seen"],
    );
    assert_eq!(d.fast(), None);
}

#[test]
fn rows_are_checked_against_their_columns() {
    let mut d = decider(
        "relation item(x: text, on: date). item(x, d) ⇒ seen(x).",
        &["item"],
        &["seen"],
    );
    assert!(d.row("item", &["A"]).is_err());
    assert!(d.row("item", &["A", "soon"]).is_err());
    assert!(d.row("nope", &["A"]).is_err());
    assert_eq!(decide(&mut d, "item", &["A", "2025-01-31"]).0, ["seen(A)"]);
}
