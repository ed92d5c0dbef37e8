//! Unit tests of the search: body order, index probes on large relations, and the round bound that makes
//! proofs well-founded.

use crate::eval::testing::*;
use crate::eval::{evaluate, EvalOptions};
use crate::explain::search::{order, SCAN_LIMIT};
use crate::explain::{explain, why_not, Attempt, Context, ExplainOptions, Failure, Goal, Step};
use crate::facts::FactSet;
use crate::ir::CompareOp;
use crate::syntax::SourceMap;
use crate::value::{Number, Value, ValueStore, ValueType};

fn n(values: &mut ValueStore, i: i64) -> Value {
    values.number(Number::Int(i))
}

#[test]
fn order_places_what_is_bound_first() {
    use ValueType::Number as N;
    let mut b = Builder::default();
    let edge = b.relation("edge", &[N, N]);
    let path = b.relation("path", &[N, N]);
    // path(x, z) ⇐ edge(x, y) ∧ path(y, z) ∧ y ≠ z
    b.rule(
        path,
        vec![ev(0), ev(2)],
        vec![
            atom(edge, vec![var(0), var(1)]),
            atom(path, vec![var(1), var(2)]),
            cmp(CompareOp::Ne, N, ev(1), ev(2)),
        ],
        &[N, N, N],
    );
    let rule = &b.program.rules[0];
    // Nothing bound: source order, the comparison as soon as it can run.
    assert_eq!(order(rule, &[false, false, false]), vec![0, 1, 2]);
    // z bound by the head: path(y, z) is the atom with a bound column, and it binds y, so the
    // comparison runs before edge(x, y) is probed.
    assert_eq!(order(rule, &[false, false, true]), vec![1, 2, 0]);
}

#[test]
fn large_relations_are_probed_and_proofs_use_earlier_rounds() {
    use ValueType::Number as N;
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let edge = b.relation("edge", &[N, N]);
    let path = b.relation("path", &[N, N]);
    b.transitive_closure(edge, path);
    // A long chain plus many unrelated edges, so `edge` is far above the scan limit.
    let mut facts = FactSet::for_program(&b.program);
    for i in 0..20 {
        let row = [n(&mut values, i), n(&mut values, i + 1)];
        facts
            .table_mut(edge)
            .push(&row, crate::facts::FactOrigin::Asserted { input: 0 });
    }
    for i in 0..(2 * SCAN_LIMIT as i64) {
        let row = [n(&mut values, 1000 + 2 * i), n(&mut values, 1001 + 2 * i)];
        facts
            .table_mut(edge)
            .push(&row, crate::facts::FactOrigin::Asserted { input: 0 });
    }
    let model =
        evaluate(&b.program, &facts, &mut values, &EvalOptions::default()).expect("evaluates");
    let mut sources = SourceMap::new();
    sources.add("<test>", None, String::new());
    let goal = Goal::ground(path, &[n(&mut values, 0), n(&mut values, 20)]);
    let mut ctx = Context::new(&model, &b.program, &facts, &mut values, &sources);
    let proofs = explain(&mut ctx, &goal, &ExplainOptions::default());
    assert_eq!(proofs.len(), 1);
    // The chain is 20 steps long: the proof descends through 20 rule steps, rounds decreasing.
    let (mut node, mut depth) = (&proofs[0].root, 0);
    while let Step::Rule { premises, .. } = &node.step {
        depth += 1;
        match premises.iter().find_map(|p| match p {
            crate::explain::Premise::Atom { node, .. } if node.relation == path => Some(node),
            _ => None,
        }) {
            Some(child) => node = child,
            None => break,
        }
    }
    assert_eq!(depth, 20);
    // Why not path(20, 0): every rule fails on a missing edge, and the recursion is cut.
    let goal = Goal::ground(path, &[n(ctx.values, 20), n(ctx.values, 0)]);
    let why = why_not(&mut ctx, &goal, &ExplainOptions::default());
    assert!(why.holds.is_empty());
    assert_eq!(why.attempts.len(), 2);
    assert!(why.attempts.iter().all(|a| matches!(
        &a.attempt,
        Attempt::Partial {
            failure: Failure::NoFact { .. },
            ..
        }
    )));
    // The index on edge's first column was built once, by the explainer or the evaluator.
    let key = n(ctx.values, 1000);
    let rows = ctx.candidates(edge, &[0], &[key]);
    assert_eq!(rows.len(), 1);
    // The indexes built carry over to a context on the same model, and not to another model.
    let cache = ctx.into_cache();
    assert!(!cache.map.is_empty());
    let kept = cache.map.len();
    let ctx = Context::with_cache(&model, &b.program, &facts, &mut values, &sources, cache);
    assert_eq!(ctx.indexes.map.len(), kept);
    let cache = ctx.into_cache();
    let mut fewer = facts.clone();
    fewer.table_mut(edge).values.truncate(2 * 10);
    fewer.table_mut(edge).origins.truncate(10);
    let other =
        evaluate(&b.program, &fewer, &mut values, &EvalOptions::default()).expect("evaluates");
    let ctx = Context::with_cache(&other, &b.program, &fewer, &mut values, &sources, cache);
    assert!(ctx.indexes.map.keys().all(|(r, _)| *r != edge));
}
