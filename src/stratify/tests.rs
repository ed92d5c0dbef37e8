//! Unit tests for stratification: order, recursion, and the cycles it reports.

use super::*;
use crate::eval::testing::*;
use crate::ir::AggregateOp;
use crate::value::ValueType::Number;

#[test]
fn dependencies_come_first() {
    let mut b = Builder::default();
    let top = b.relation("top", &[Number]);
    let mid = b.relation("mid", &[Number]);
    let base = b.relation("base", &[Number]);
    b.rule(
        top,
        vec![ev(0)],
        vec![atom(mid, vec![var(0)]), neg(base, vec![var(0)])],
        &[Number],
    );
    b.rule(mid, vec![ev(0)], vec![atom(base, vec![var(0)])], &[Number]);
    let strata = stratify(&b.program).expect("stratifiable");
    let position = |r: RelationId| strata.iter().position(|s| s.relations.contains(&r));
    assert!(position(base) < position(mid));
    assert!(position(mid) < position(top));
    assert!(strata.iter().all(|s| !s.recursive));
    assert_eq!(strata.iter().map(|s| s.rules.len()).sum::<usize>(), 2);
}

#[test]
fn recursion_is_one_stratum() {
    let mut b = Builder::default();
    let edge = b.relation("edge", &[Number, Number]);
    let path = b.relation("path", &[Number, Number]);
    let odd = b.relation("odd", &[Number]);
    let even = b.relation("even", &[Number]);
    b.transitive_closure(edge, path);
    b.rule(
        odd,
        vec![ev(1)],
        vec![atom(even, vec![var(0)]), atom(edge, vec![var(0), var(1)])],
        &[Number, Number],
    );
    b.rule(
        even,
        vec![ev(1)],
        vec![atom(odd, vec![var(0)]), atom(edge, vec![var(0), var(1)])],
        &[Number, Number],
    );
    let strata = stratify(&b.program).expect("stratifiable");
    let path_stratum = strata
        .iter()
        .find(|s| s.relations == vec![path])
        .expect("path alone");
    assert!(path_stratum.recursive);
    assert_eq!(path_stratum.rules, vec![RuleId(0), RuleId(1)]);
    let mutual = strata
        .iter()
        .find(|s| s.relations.contains(&odd))
        .expect("odd");
    assert_eq!(mutual.relations, vec![odd, even]);
    assert!(mutual.recursive);
    let edge_stratum = strata
        .iter()
        .find(|s| s.relations == vec![edge])
        .expect("edge");
    assert!(!edge_stratum.recursive);
}

#[test]
fn negative_cycle_is_reported_in_order() {
    let mut b = Builder::default();
    let p = b.relation("p", &[Number]);
    let q = b.relation("q", &[Number]);
    let r = b.relation("r", &[Number]);
    let base = b.relation("base", &[Number]);
    b.rule(
        p,
        vec![ev(0)],
        vec![atom(base, vec![var(0)]), neg(q, vec![var(0)])],
        &[Number],
    );
    b.rule(r, vec![ev(0)], vec![atom(p, vec![var(0)])], &[Number]);
    b.rule(q, vec![ev(0)], vec![atom(r, vec![var(0)])], &[Number]);
    let cycle = stratify(&b.program).expect_err("not stratifiable");
    assert!(cycle.steps.iter().any(|s| s.negative));
    assert_eq!(cycle.steps.len(), 3);
    for (i, step) in cycle.steps.iter().enumerate() {
        let next = &cycle.steps[(i + 1) % cycle.steps.len()];
        assert_eq!(step.to, next.from);
    }
    assert_eq!(
        cycle.steps[0],
        CycleStep {
            from: q,
            to: p,
            rule: Some(RuleId(0)),
            aggregate: None,
            negative: true
        }
    );
}

#[test]
fn self_negation_and_aggregate_cycles() {
    let mut b = Builder::default();
    let p = b.relation("p", &[Number]);
    b.rule(
        p,
        vec![ev(0)],
        vec![atom(p, vec![var(0)]), neg(p, vec![var(0)])],
        &[Number],
    );
    let cycle = stratify(&b.program).expect_err("self negation");
    assert_eq!(cycle.steps.len(), 1);
    assert_eq!((cycle.steps[0].from, cycle.steps[0].to), (p, p));

    let mut b = Builder::default();
    let input = b.relation("input", &[Number]);
    let total = b.relation("total", &[Number]);
    b.rule(
        input,
        vec![ev(0)],
        vec![atom(total, vec![var(0)])],
        &[Number],
    );
    b.aggregate(AggregateOp::Count, input, total, &[], None);
    let cycle = stratify(&b.program).expect_err("aggregate cycle");
    assert_eq!(cycle.steps.len(), 2);
    assert_eq!(cycle.steps[0].aggregate, Some(0));
    assert_eq!(cycle.steps[0].rule, None);
    assert_eq!(cycle.steps[1].rule, Some(RuleId(0)));
}

#[test]
fn long_chains_do_not_overflow_the_stack() {
    let mut b = Builder::default();
    let n = 200_000;
    let ids: Vec<RelationId> = (0..n)
        .map(|i| b.relation(&format!("r{i}"), &[Number]))
        .collect();
    for w in ids.windows(2) {
        b.rule(w[1], vec![ev(0)], vec![atom(w[0], vec![var(0)])], &[Number]);
    }
    b.rule(
        ids[0],
        vec![ev(0)],
        vec![atom(ids[n - 1], vec![var(0)])],
        &[Number],
    );
    let strata = stratify(&b.program).expect("positive cycle");
    assert_eq!(strata.len(), 1);
    assert!(strata[0].recursive);
}
