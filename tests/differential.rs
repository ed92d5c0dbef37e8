//! Differential tests: `accord::eval::evaluate` (semi-naive, planned, indexed) must compute exactly what
//! the naive reference evaluator in `support/reference.rs` computes, on random stratified programs and on
//! classic hand-written ones.
//!
//! Random programs are built from a proptest-chosen seed by a small deterministic generator (relations of
//! arity 0–3 over numbers and texts, recursion, negation with and without wildcards, comparisons, binds,
//! head arithmetic, count/sum/min/max aggregates, facts from the policy and from a fact set); a failing
//! case prints its seed and the program. Programs that `stratify` rejects are skipped.
//!
//! Longer runs (documented in `docs/testing.md`, section "Differential testing"):
//!
//! - `ACCORD_DIFF_CASES=N` sets the number of proptest cases of `semi_naive_equals_naive` (default 3000);
//! - `long_run` (ignored by default) checks the seeds `ACCORD_DIFF_START..ACCORD_DIFF_START+ACCORD_DIFF_CASES`
//!   (default 0..1 000 000) one after the other and prints the figures;
//! - `clingo_oracle` (ignored by default) translates programs to ASP (`support/asp.rs`) and has clingo
//!   (`scripts/clingo-oracle.py`, `pip install --user clingo`) compare its answer set with accord's model.

mod support;

use std::collections::BTreeSet;

use accord::eval::{derivation, evaluate, evaluate_owned, Derivation, EvalOptions, Model};
use accord::facts::FactSet;
use accord::ir::{AggregateOp, CompareOp, Expr, Program, RelationId, Term};
use accord::value::{Number, Value, ValueStore, ValueType};
use proptest::prelude::*;
use support::asp;
use support::random::generated;
use support::*;

fn as_set(model: &Model, relation: RelationId) -> BTreeSet<Vec<Value>> {
    model.rows(relation).map(<[Value]>::to_vec).collect()
}

/// The program with the fact set's rows written as policy facts (what the reference reads).
fn with_facts(program: &Program, facts: &FactSet) -> Program {
    let mut p = program.clone();
    for (i, table) in facts.tables.iter().enumerate() {
        for (row, _) in table.rows() {
            fact(&mut p, RelationId(i as u32), row);
        }
    }
    p
}

/// Evaluates both ways and compares every relation; false when the program is not stratifiable.
fn check(program: &Program, facts: &FactSet, values: &mut ValueStore) -> Result<bool, String> {
    let Some(expected) = support::reference::evaluate(&with_facts(program, facts), values) else {
        return Ok(false);
    };
    let expected = expected.map_err(|e| format!("reference failed: {e}"))?;
    let model = evaluate(program, facts, values, &EvalOptions::default())
        .map_err(|e| format!("evaluate failed: {e:?}"))?;
    for (i, rows) in expected.iter().enumerate() {
        let relation = RelationId(i as u32);
        let got = as_set(&model, relation);
        if &got != rows {
            return Err(format!(
                "relation {i}: evaluate gave {got:?}, reference {rows:?}"
            ));
        }
        if model.len(relation) != rows.len() {
            return Err(format!("relation {i}: duplicate rows in the model"));
        }
    }
    // Every row has a derivation from rows of smaller rounds.
    for i in 0..expected.len() {
        let relation = RelationId(i as u32);
        for row in 0..model.len(relation) {
            let round = model.round(relation, row);
            match derivation(&model, program, relation, row, values) {
                None => return Err(format!("relation {i} row {row}: no derivation")),
                Some(Derivation::Rule { premises, .. }) => {
                    if premises.iter().any(|(r, p)| model.round(*r, *p) >= round) {
                        return Err(format!(
                            "relation {i} row {row}: a premise of a later round"
                        ));
                    }
                }
                Some(Derivation::Aggregate {
                    premises,
                    aggregate,
                }) => {
                    let input = program.aggregates[aggregate].input;
                    if premises.is_empty()
                        || premises.iter().any(|p| model.round(input, *p) >= round)
                    {
                        return Err(format!("relation {i} row {row}: a bad aggregate group"));
                    }
                }
                Some(Derivation::Base(_)) => {}
            }
        }
    }
    // Moving the fact set in gives the same model.
    let owned = evaluate_owned(program, facts.clone(), values, &EvalOptions::default())
        .map_err(|e| format!("evaluate_owned failed: {e:?}"))?;
    for (i, rows) in expected.iter().enumerate() {
        let relation = RelationId(i as u32);
        if &as_set(&owned, relation) != rows || owned.len(relation) != rows.len() {
            return Err(format!("relation {i}: evaluate_owned differs"));
        }
    }
    // Running non-recursive strata on every core gives the same rows in the same order.
    let parallel = EvalOptions {
        parallel_min_rows: 1,
        ..EvalOptions::default()
    };
    let sequential = EvalOptions {
        parallel_min_rows: usize::MAX,
        ..EvalOptions::default()
    };
    let a = evaluate(program, facts, values, &parallel)
        .map_err(|e| format!("evaluate (parallel) failed: {e:?}"))?;
    let b = evaluate(program, facts, values, &sequential)
        .map_err(|e| format!("evaluate (sequential) failed: {e:?}"))?;
    for i in 0..expected.len() {
        let relation = RelationId(i as u32);
        let rows = |m: &Model| {
            (0..m.len(relation))
                .map(|r| (m.row(relation, r).to_vec(), m.round(relation, r)))
                .collect::<Vec<_>>()
        };
        if rows(&a) != rows(&b) {
            return Err(format!(
                "relation {i}: the parallel run differs from the sequential one"
            ));
        }
    }
    // Rule order must not change the result.
    let mut reversed = program.clone();
    reversed.rules.reverse();
    let model = evaluate(&reversed, facts, values, &EvalOptions::default())
        .map_err(|e| format!("evaluate (reversed rules) failed: {e:?}"))?;
    for (i, rows) in expected.iter().enumerate() {
        if &as_set(&model, RelationId(i as u32)) != rows {
            return Err(format!(
                "relation {i}: reversing the rules changed the result"
            ));
        }
    }
    Ok(true)
}

/// `ACCORD_DIFF_CASES` (a number), else `default`.
fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(env_count("ACCORD_DIFF_CASES", 3000) as u32))]

    #[test]
    fn semi_naive_equals_naive(seed in any::<u64>()) {
        let mut values = ValueStore::new();
        let (program, facts) = generated(seed, &mut values);
        if let Err(message) = check(&program, &facts, &mut values) {
            prop_assert!(false, "seed {seed}: {message}\n{program:#?}\n{facts:?}");
        }
    }
}

/// The long run: every seed of a range, in order (`ACCORD_DIFF_START`, `ACCORD_DIFF_CASES`).
/// `cargo test --release --test differential -- --ignored long_run --nocapture`
#[test]
#[ignore = "long: millions of programs; see docs/testing.md"]
fn long_run() {
    let start = env_count("ACCORD_DIFF_START", 0);
    let cases = env_count("ACCORD_DIFF_CASES", 1_000_000);
    let began = std::time::Instant::now();
    let mut compared = 0u64;
    for seed in start..start + cases {
        let mut values = ValueStore::new();
        let (program, facts) = generated(seed, &mut values);
        match check(&program, &facts, &mut values) {
            Ok(true) => compared += 1,
            Ok(false) => {}
            Err(message) => panic!("seed {seed}: {message}\n{program:#?}\n{facts:?}"),
        }
        if (seed - start + 1).is_multiple_of(100_000) {
            eprintln!(
                "{} programs, {compared} stratified and compared, {:.0?}",
                seed - start + 1,
                began.elapsed()
            );
        }
    }
    eprintln!(
        "seeds {start}..{}: {cases} programs, {compared} stratified and compared, no disagreement ({:.0?})",
        start + cases,
        began.elapsed()
    );
}

/// The external oracle: each stratifiable program of the seeds `ACCORD_CLINGO_START..+ACCORD_CLINGO_CASES`
/// (default 0..10 000) is translated to ASP and solved by clingo, whose one answer set must be accord's
/// model. Needs `python3` with the clingo package (`pip install --user clingo`).
/// `cargo test --release --test differential -- --ignored clingo_oracle --nocapture`
#[test]
#[ignore = "needs clingo (pip install --user clingo); see docs/testing.md"]
fn clingo_oracle() {
    use std::io::Write;
    let start = env_count("ACCORD_CLINGO_START", 0);
    let cases = env_count("ACCORD_CLINGO_CASES", 10_000);
    let dir = std::env::temp_dir().join(format!("accord-clingo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("cases.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("cases file"));
    let (mut written, mut untranslatable) = (0u64, 0u64);
    for seed in start..start + cases {
        let mut values = ValueStore::new();
        let (program, facts) = generated(seed, &mut values);
        if accord::stratify::stratify(&program).is_err() {
            continue;
        }
        let model = evaluate(&program, &facts, &mut values, &EvalOptions::default())
            .unwrap_or_else(|e| panic!("seed {seed}: evaluate failed: {e:?}"));
        let rows: Vec<BTreeSet<Vec<Value>>> = (0..program.relations.len())
            .map(|i| as_set(&model, RelationId(i as u32)))
            .collect();
        let (Some(text), Some(expected)) = (
            asp::translate(&program, &facts, &values),
            asp::atoms(&program, &rows, &values),
        ) else {
            untranslatable += 1;
            continue;
        };
        let line = serde_json::json!({ "seed": seed, "program": text, "expected": expected });
        writeln!(out, "{line}").expect("write a case");
        written += 1;
    }
    out.flush().expect("flush");
    drop(out);
    eprintln!("{written} stratifiable programs written ({untranslatable} not translatable)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/clingo-oracle.py");
    let result = std::process::Command::new("python3")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&result.stderr));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        result.status.success(),
        "clingo disagrees with accord (or clingo is missing)"
    );
    assert!(stdout.contains(&format!("{written} programs compared, 0 disagreements")));
}

#[test]
fn asp_translation_of_a_small_program() {
    use ValueType::{Number as N, Text as T};
    let mut values = ValueStore::new();
    let mut p = Program::default();
    let edge = relation(&mut p, "edge", &[N, T]);
    let seen = relation(&mut p, "seen", &[N]);
    let count = relation(&mut p, "count_by", &[T, N]);
    let row = vec![values.number(Number::Int(1)), values.text("a\"b")];
    fact(&mut p, edge, &row);
    rule(
        &mut p,
        seen,
        vec![Expr::Arith {
            op: accord::value::ArithOp::Add,
            ty: N,
            lhs: Box::new(ev(0)),
            rhs: Box::new(Expr::Const(values.number(Number::Int(1)))),
        }],
        vec![
            atom(edge, vec![var(0), Term::Wildcard]),
            neg(seen, vec![var(0)]),
        ],
        &[N],
    );
    aggregate(&mut p, AggregateOp::Count, edge, count, &[1], None);
    let facts = FactSet::for_program(&p);
    let text = asp::translate(&p, &facts, &values).expect("translates");
    assert_eq!(
        text,
        "edge(1,\"a\\\"b\").\n\
         seen((V0+1)) :- edge(V0,_), not seen(V0).\n\
         count_by(X1,AggV) :- edge(_,X1), AggV = #count{ Y0 : edge(Y0,X1) }.\n"
    );
}

#[test]
fn the_generator_makes_interesting_programs() {
    let (mut stratifiable, mut recursive, mut derived) = (0, 0, 0);
    for seed in 0..500 {
        let mut values = ValueStore::new();
        let (program, facts) = generated(seed, &mut values);
        let Ok(strata) = accord::stratify::stratify(&program) else {
            continue;
        };
        stratifiable += 1;
        recursive += strata.iter().any(|s| s.recursive && !s.rules.is_empty()) as usize;
        let model =
            evaluate(&program, &facts, &mut values, &EvalOptions::default()).expect("evaluates");
        derived += program
            .rules
            .iter()
            .any(|r| model.round(r.head, model.len(r.head).saturating_sub(1)) > 0)
            as usize;
    }
    eprintln!("{stratifiable} stratify, {recursive} recurse, {derived} derive");
    assert!(
        stratifiable > 350,
        "only {stratifiable} of 500 programs stratify"
    );
    assert!(recursive > 50, "only {recursive} programs recurse");
    assert!(derived > 200, "only {derived} programs derive anything");
}

fn numbers(values: &mut ValueStore, ns: &[i64]) -> Vec<Value> {
    ns.iter().map(|n| values.number(Number::Int(*n))).collect()
}

#[test]
fn hand_written_programs() {
    use ValueType::Number as N;
    let mut values = ValueStore::new();

    // Transitive closure over a cycle with a tail: every node reaches every node of the cycle.
    let mut p = Program::default();
    let edge = relation(&mut p, "edge", &[N, N]);
    let path = relation(&mut p, "path", &[N, N]);
    for (a, b) in [(0, 1), (1, 2), (2, 3), (3, 1), (4, 0)] {
        let row = numbers(&mut values, &[a, b]);
        fact(&mut p, edge, &row);
    }
    rule(
        &mut p,
        path,
        vec![ev(0), ev(1)],
        vec![atom(edge, vec![var(0), var(1)])],
        &[N, N],
    );
    rule(
        &mut p,
        path,
        vec![ev(0), ev(2)],
        vec![
            atom(edge, vec![var(0), var(1)]),
            atom(path, vec![var(1), var(2)]),
        ],
        &[N, N, N],
    );
    let facts = FactSet::for_program(&p);
    assert_eq!(check(&p, &facts, &mut values), Ok(true));
    let model = evaluate(&p, &facts, &mut values, &EvalOptions::default()).expect("evaluates");
    // The cycle's nodes reach each other (9), 0 reaches the cycle (3), 4 reaches 0 and the cycle (4).
    assert_eq!(model.len(path), 9 + 3 + 4);

    // Same generation, the classic non-linear recursion.
    let mut p = Program::default();
    let parent = relation(&mut p, "parent", &[N, N]);
    let person = relation(&mut p, "person", &[N]);
    let sg = relation(&mut p, "sg", &[N, N]);
    for (c, par) in [(1, 0), (2, 0), (3, 1), (4, 1), (5, 2), (6, 5)] {
        let row = numbers(&mut values, &[c, par]);
        fact(&mut p, parent, &row);
    }
    for x in 0..7 {
        let row = numbers(&mut values, &[x]);
        fact(&mut p, person, &row);
    }
    rule(
        &mut p,
        sg,
        vec![ev(0), ev(0)],
        vec![atom(person, vec![var(0)])],
        &[N],
    );
    rule(
        &mut p,
        sg,
        vec![ev(0), ev(1)],
        vec![
            atom(parent, vec![var(0), var(2)]),
            atom(sg, vec![var(2), var(3)]),
            atom(parent, vec![var(1), var(3)]),
        ],
        &[N, N, N, N],
    );
    assert_eq!(check(&p, &FactSet::for_program(&p), &mut values), Ok(true));
    let model = evaluate(
        &p,
        &FactSet::for_program(&p),
        &mut values,
        &EvalOptions::default(),
    )
    .expect("evaluates");
    let cousins = numbers(&mut values, &[3, 5]);
    assert!(model.contains(sg, &cousins));

    // Negation of a derived relation, and an aggregate over a derived relation.
    let mut p = Program::default();
    let edge = relation(&mut p, "edge", &[N, N]);
    let node = relation(&mut p, "node", &[N]);
    let reach = relation(&mut p, "reach", &[N]);
    let unreached = relation(&mut p, "unreached", &[N]);
    let reach_count = relation(&mut p, "reach_count", &[N]);
    let out_degree = relation(&mut p, "out_degree", &[N, N]);
    let hub = relation(&mut p, "hub", &[N]);
    for (a, b) in [(0, 1), (1, 2), (0, 2), (3, 4), (2, 0)] {
        let row = numbers(&mut values, &[a, b]);
        fact(&mut p, edge, &row);
    }
    for x in 0..5 {
        let row = numbers(&mut values, &[x]);
        fact(&mut p, node, &row);
    }
    let zero = values.number(Number::Int(0));
    rule(&mut p, reach, vec![Expr::Const(zero)], vec![], &[]);
    rule(
        &mut p,
        reach,
        vec![ev(1)],
        vec![atom(reach, vec![var(0)]), atom(edge, vec![var(0), var(1)])],
        &[N, N],
    );
    rule(
        &mut p,
        unreached,
        vec![ev(0)],
        vec![atom(node, vec![var(0)]), neg(reach, vec![var(0)])],
        &[N],
    );
    aggregate(&mut p, AggregateOp::Count, reach, reach_count, &[], None);
    aggregate(&mut p, AggregateOp::Count, edge, out_degree, &[0], None);
    let one = values.number(Number::Int(1));
    rule(
        &mut p,
        hub,
        vec![ev(0)],
        vec![
            atom(out_degree, vec![var(0), var(1)]),
            atom(reach, vec![var(0)]),
            cmp(CompareOp::Gt, N, ev(1), Expr::Const(one)),
        ],
        &[N, N],
    );
    assert_eq!(check(&p, &FactSet::for_program(&p), &mut values), Ok(true));
    let model = evaluate(
        &p,
        &FactSet::for_program(&p),
        &mut values,
        &EvalOptions::default(),
    )
    .expect("evaluates");
    let expected = numbers(&mut values, &[3, 4]);
    assert_eq!(
        model.sorted_rows(unreached, &p, &values),
        vec![vec![expected[0]], vec![expected[1]]]
    );
    assert_eq!(
        model.rows(reach_count).collect::<Vec<_>>(),
        vec![&numbers(&mut values, &[3])[..]]
    );
    assert_eq!(model.sorted_rows(hub, &p, &values), vec![vec![zero]]);
}
