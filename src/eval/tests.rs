//! Unit tests for evaluation: joins, recursion, negation, binds, arithmetic, dates, aggregates, limits.

use super::*;
use crate::eval::testing::*;
use crate::ir::{self, AggregateOp, CompareOp, Expr, Term};
use crate::value::{parse_date, ArithOp, DurationUnit, Number, Value, ValueType::*};

fn n(values: &mut ValueStore, x: i64) -> Value {
    values.number(Number::Int(x))
}

fn run(b: &Builder, values: &mut ValueStore) -> Result<Model, EvalError> {
    evaluate(
        &b.program,
        &FactSet::for_program(&b.program),
        values,
        &EvalOptions::default(),
    )
}

fn sorted(model: &Model, b: &Builder, r: RelationId, values: &ValueStore) -> Vec<Vec<Value>> {
    model.sorted_rows(r, &b.program, values)
}

#[test]
fn transitive_closure_with_rounds() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let edge = b.relation("edge", &[Number, Number]);
    let path = b.relation("path", &[Number, Number]);
    for i in 0..10 {
        let (x, y) = (n(&mut values, i), n(&mut values, i + 1));
        b.fact(edge, &[x, y]);
    }
    b.transitive_closure(edge, path);
    let model = run(&b, &mut values).expect("evaluates");
    assert_eq!(model.len(path), 55);
    let (a, z) = (n(&mut values, 0), n(&mut values, 10));
    let far = model.find(path, &[a, z]).expect("0 reaches 10");
    let near = model
        .find(path, &[a, n(&mut values, 1)])
        .expect("0 reaches 1");
    assert!(model.round(path, far) > model.round(path, near));
    assert_eq!(model.origin(path, far), None);
    assert!(matches!(model.origin(edge, 0), Some(FactOrigin::Policy(_))));
    assert_eq!(model.round(edge, 0), 0);
    assert_eq!(model.lookup(path, &[0], &[a]).len(), 10);
}

#[test]
fn negation_with_and_without_wildcards() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let item = b.relation("item", &[Number]);
    let bad = b.relation("bad", &[Number, Text]);
    let good = b.relation("good", &[Number]);
    let not_flagged = b.relation("not_flagged", &[Number]);
    let ok = b.relation("ok", &[Text]);
    let none = b.relation("none", &[Number]);
    let flag = values.text("flag");
    let yes = values.text("Yes");
    for i in 1..=4 {
        let x = n(&mut values, i);
        b.fact(item, &[x]);
    }
    let two = n(&mut values, 2);
    let three = n(&mut values, 3);
    b.fact(bad, &[two, flag]);
    b.fact(bad, &[three, yes]);
    // good(x) :- item(x), not bad(x, _).
    b.rule(
        good,
        vec![ev(0)],
        vec![
            atom(item, vec![var(0)]),
            neg(bad, vec![var(0), Term::Wildcard]),
        ],
        &[Number],
    );
    // not_flagged(x) :- item(x), not bad(x, "flag").
    b.rule(
        not_flagged,
        vec![ev(0)],
        vec![atom(item, vec![var(0)]), neg(bad, vec![var(0), cst(flag)])],
        &[Number],
    );
    // ok("Yes") :- not none(_).
    b.rule(
        ok,
        vec![Expr::Const(yes)],
        vec![neg(none, vec![Term::Wildcard])],
        &[],
    );
    let model = run(&b, &mut values).expect("evaluates");
    let one = n(&mut values, 1);
    let four = n(&mut values, 4);
    assert_eq!(
        sorted(&model, &b, good, &values),
        vec![vec![one], vec![four]]
    );
    assert_eq!(
        sorted(&model, &b, not_flagged, &values),
        vec![vec![one], vec![three], vec![four]]
    );
    assert_eq!(sorted(&model, &b, ok, &values), vec![vec![yes]]);
}

#[test]
fn binds_without_atoms_and_repeated_variables() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let a = b.relation("a", &[Number, Number]);
    let pair = b.relation("pair", &[Number, Number]);
    let diagonal = b.relation("diagonal", &[Number]);
    let zero = n(&mut values, 0);
    let one = n(&mut values, 1);
    // a(x, y) :- x = 0, y = x + 1.
    b.rule(
        a,
        vec![ev(0), ev(1)],
        vec![
            bind(
                1,
                Expr::Arith {
                    op: ArithOp::Add,
                    ty: Number,
                    lhs: Box::new(ev(0)),
                    rhs: Box::new(Expr::Const(one)),
                },
            ),
            bind(0, Expr::Const(zero)),
        ],
        &[Number, Number],
    );
    b.fact(pair, &[one, one]);
    b.fact(pair, &[one, zero]);
    b.rule(
        diagonal,
        vec![ev(0)],
        vec![atom(pair, vec![var(0), var(0)])],
        &[Number],
    );
    let model = run(&b, &mut values).expect("evaluates");
    assert_eq!(sorted(&model, &b, a, &values), vec![vec![zero, one]]);
    assert_eq!(sorted(&model, &b, diagonal, &values), vec![vec![one]]);
}

#[test]
fn arithmetic_overflow_is_an_error() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let big = b.relation("big", &[Number]);
    let bigger = b.relation("bigger", &[Number]);
    let max = values.number(Number::Int(i64::MAX));
    let one = n(&mut values, 1);
    b.fact(big, &[max]);
    let add = Expr::Arith {
        op: ArithOp::Add,
        ty: Number,
        lhs: Box::new(ev(0)),
        rhs: Box::new(Expr::Const(one)),
    };
    let rule = b.rule(bigger, vec![add], vec![atom(big, vec![var(0)])], &[Number]);
    match run(&b, &mut values) {
        Err(EvalError::Arithmetic {
            rule: r,
            error: ArithmeticError::Overflow,
        }) => assert_eq!(r, rule),
        other => panic!("expected an overflow, got {other:?}"),
    }
}

#[test]
fn dates_shift_and_compare() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let signed = b.relation("signed", &[Text, Date]);
    let review = b.relation("review", &[Text, Date]);
    let soon = b.relation("soon", &[Text]);
    let acme = values.text("ACME");
    let day = parse_date("2024-01-31").map(Value::day).expect("date");
    b.fact(signed, &[acme, day]);
    let shift = Expr::Shift {
        date: Box::new(ev(1)),
        amount: Box::new(Expr::Const(n(&mut values, 1))),
        unit: DurationUnit::Months,
        negate: false,
    };
    b.rule(
        review,
        vec![ev(0), shift],
        vec![atom(signed, vec![var(0), var(1)])],
        &[Text, Date],
    );
    // soon(c) :- signed(c, d), d + 30 < 2024-03-05 (date plus days).
    let plus = Expr::Arith {
        op: ArithOp::Add,
        ty: Date,
        lhs: Box::new(ev(1)),
        rhs: Box::new(Expr::Const(n(&mut values, 30))),
    };
    let limit = parse_date("2024-03-05").map(Value::day).expect("date");
    b.rule(
        soon,
        vec![ev(0)],
        vec![
            atom(signed, vec![var(0), var(1)]),
            cmp(CompareOp::Lt, Date, plus, Expr::Const(limit)),
        ],
        &[Text, Date],
    );
    let model = run(&b, &mut values).expect("evaluates");
    let expected = parse_date("2024-02-29").map(Value::day).expect("date");
    assert_eq!(
        sorted(&model, &b, review, &values),
        vec![vec![acme, expected]]
    );
    assert_eq!(model.len(soon), 1);
}

#[test]
fn aggregates_count_sum_min_max() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let shipment = b.relation("shipment", &[Text, Text, Number]);
    let count = b.relation("count", &[Text, Number]);
    let sum = b.relation("sum", &[Text, Number]);
    let min = b.relation("min", &[Text, Number]);
    let max = b.relation("max", &[Text, Number]);
    let total = b.relation("total", &[Number]);
    let big = b.relation("big", &[Text]);
    let (us, mx) = (values.text("US"), values.text("MX"));
    let rows = [("a", us, 5), ("b", us, 7), ("c", mx, 7), ("d", us, -2)];
    for (id, dest, weight) in rows {
        let id = values.text(id);
        let w = n(&mut values, weight);
        b.fact(shipment, &[id, dest, w]);
    }
    b.aggregate(AggregateOp::Count, shipment, count, &[1], None);
    b.aggregate(AggregateOp::Sum, shipment, sum, &[1], Some(2));
    b.aggregate(AggregateOp::Min, shipment, min, &[1], Some(2));
    b.aggregate(AggregateOp::Max, shipment, max, &[1], Some(2));
    b.aggregate(AggregateOp::Count, shipment, total, &[], None);
    // big(d) :- count(d, k), k > 2: a rule over an aggregate's output.
    let two = n(&mut values, 2);
    b.rule(
        big,
        vec![ev(0)],
        vec![
            atom(count, vec![var(0), var(1)]),
            cmp(CompareOp::Gt, Number, ev(1), Expr::Const(two)),
        ],
        &[Text, Number],
    );
    let model = run(&b, &mut values).expect("evaluates");
    let v = |values: &mut ValueStore, x| n(values, x);
    let expect = |values: &mut ValueStore, u: i64, m: i64| {
        vec![vec![mx, v(values, m)], vec![us, v(values, u)]]
    };
    assert_eq!(
        sorted(&model, &b, count, &values),
        expect(&mut values, 3, 1)
    );
    assert_eq!(sorted(&model, &b, sum, &values), expect(&mut values, 10, 7));
    assert_eq!(sorted(&model, &b, min, &values), expect(&mut values, -2, 7));
    assert_eq!(sorted(&model, &b, max, &values), expect(&mut values, 7, 7));
    assert_eq!(
        sorted(&model, &b, total, &values),
        vec![vec![v(&mut values, 4)]]
    );
    assert_eq!(sorted(&model, &b, big, &values), vec![vec![us]]);
}

#[test]
fn aggregate_sum_overflow_is_an_error() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let input = b.relation("input", &[Number]);
    let out = b.relation("out", &[Number]);
    let max = values.number(Number::Int(i64::MAX));
    let one = n(&mut values, 1);
    b.fact(input, &[max]);
    b.fact(input, &[one]);
    b.aggregate(AggregateOp::Sum, input, out, &[], Some(0));
    assert!(matches!(
        run(&b, &mut values),
        Err(EvalError::AggregateArithmetic {
            aggregate: 0,
            error: ArithmeticError::Overflow
        })
    ));
}

#[test]
fn zero_arity_relations_and_limits() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let gate = b.relation("gate", &[Number]);
    let open = b.relation("open", &[]);
    let closed = b.relation("closed", &[]);
    let x = n(&mut values, 1);
    b.fact(gate, &[x]);
    b.rule(open, vec![], vec![atom(gate, vec![Term::Wildcard])], &[]);
    b.rule(closed, vec![], vec![neg(open, vec![])], &[]);
    let model = run(&b, &mut values).expect("evaluates");
    assert_eq!(model.len(open), 1);
    assert_eq!(model.len(closed), 0);
    assert!(model.contains(open, &[]));

    // A cross product bigger than the limit.
    let mut b = Builder::default();
    let item = b.relation("item", &[Number]);
    let pair = b.relation("pair", &[Number, Number]);
    for i in 0..20 {
        let v = n(&mut values, i);
        b.fact(item, &[v]);
    }
    let rule = b.rule(
        pair,
        vec![ev(0), ev(1)],
        vec![atom(item, vec![var(0)]), atom(item, vec![var(1)])],
        &[Number, Number],
    );
    let options = EvalOptions {
        max_facts: 100,
        timeout: None,
        ..Default::default()
    };
    let result = evaluate(
        &b.program,
        &FactSet::for_program(&b.program),
        &mut values,
        &options,
    );
    assert!(
        matches!(result, Err(EvalError::TooManyFacts { relation, rule: Some(r), limit: 100 }) if relation == pair && r == rule)
    );
}

#[test]
fn data_facts_keep_their_origin_and_queries_answer() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let edge = b.relation("edge", &[Text, Text]);
    let (a, c, d) = (values.text("A"), values.text("C"), values.text("D"));
    b.fact(edge, &[a, c]);
    let mut facts = FactSet::for_program(&b.program);
    facts.table_mut(edge).push(
        &[c, d],
        FactOrigin::Data {
            file: 0,
            line: 2,
            row: 0,
        },
    );
    facts.table_mut(edge).push(
        &[a, c],
        FactOrigin::Data {
            file: 0,
            line: 3,
            row: 1,
        },
    );
    let model =
        evaluate(&b.program, &facts, &mut values, &EvalOptions::default()).expect("evaluates");
    assert_eq!(model.len(edge), 2);
    assert!(matches!(model.origin(edge, 0), Some(FactOrigin::Policy(_))));
    assert_eq!(
        model.origin(edge, 1),
        Some(FactOrigin::Data {
            file: 0,
            line: 2,
            row: 0
        })
    );
    // edge(x, y), edge(y, z)?
    let vars: Vec<ir::Variable> = ["x", "y", "z"]
        .iter()
        .map(|name| ir::Variable {
            name: (*name).into(),
            ty: Text,
        })
        .collect();
    let body = vec![
        atom(edge, vec![var(0), var(1)]),
        atom(edge, vec![var(1), var(2)]),
    ];
    let answers = answer(&model, &b.program, &body, &vars, &mut values).expect("answers");
    assert_eq!(answers, vec![vec![a, c, d]]);
    let unsafe_body = vec![atom(edge, vec![var(0), var(1)])];
    assert!(matches!(
        answer(&model, &b.program, &unsafe_body, &vars, &mut values),
        Err(EvalError::Unsafe { rule: None })
    ));
}

#[test]
fn a_deadline_in_the_past_times_out() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let edge = b.relation("edge", &[Number, Number]);
    let path = b.relation("path", &[Number, Number]);
    for i in 0..300 {
        let (x, y) = (n(&mut values, i), n(&mut values, i + 1));
        b.fact(edge, &[x, y]);
    }
    b.transitive_closure(edge, path);
    let options = EvalOptions {
        max_facts: usize::MAX,
        timeout: Some(Duration::ZERO),
        ..Default::default()
    };
    let result = evaluate(
        &b.program,
        &FactSet::for_program(&b.program),
        &mut values,
        &options,
    );
    assert!(matches!(result, Err(EvalError::Timeout { .. })));
}

#[test]
fn derivations_use_rows_of_smaller_rounds() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let edge = b.relation("edge", &[Number, Number]);
    let path = b.relation("path", &[Number, Number]);
    let reach_count = b.relation("reach_count", &[Number, Number]);
    for i in 0..6 {
        let (x, y) = (n(&mut values, i), n(&mut values, i + 1));
        b.fact(edge, &[x, y]);
    }
    let rule = b.transitive_closure(edge, path);
    b.aggregate(AggregateOp::Count, path, reach_count, &[0], None);
    let mut model = run(&b, &mut values).expect("evaluates");
    prepare_derivations(&mut model, &b.program);
    let (zero, six) = (n(&mut values, 0), n(&mut values, 6));
    let far = model.find(path, &[zero, six]).expect("0 reaches 6");
    // Follow premises down to base facts; every step goes to a smaller round.
    let mut todo = vec![(path, far)];
    let mut steps = 0;
    while let Some((relation, row)) = todo.pop() {
        steps += 1;
        match derivation(&model, &b.program, relation, row, &mut values).expect("derivable") {
            Derivation::Base(_) => assert_eq!(model.round(relation, row), 0),
            Derivation::Rule { premises, .. } => {
                for (r, i) in premises {
                    assert!(model.round(r, i) < model.round(relation, row));
                    todo.push((r, i));
                }
            }
            Derivation::Aggregate { .. } => panic!("path is not an aggregate"),
        }
    }
    // path(0, 6) … path(0, 1) and the six edges.
    assert_eq!(steps, 12);
    match derivation(&model, &b.program, path, far, &mut values) {
        Some(Derivation::Rule {
            rule: r, bindings, ..
        }) => {
            assert_eq!(r, rule);
            assert_eq!(bindings, vec![zero, n(&mut values, 5), six]);
        }
        other => panic!("expected a rule instance, got {other:?}"),
    }
    let five = n(&mut values, 5);
    let count_row = model
        .find(reach_count, &[n(&mut values, 1), five])
        .expect("1 reaches 5 nodes");
    match derivation(&model, &b.program, reach_count, count_row, &mut values) {
        Some(Derivation::Aggregate {
            aggregate: 0,
            premises,
        }) => assert_eq!(premises.len(), 5),
        other => panic!("expected an aggregate group, got {other:?}"),
    }
    assert_eq!(
        derivation(&model, &b.program, path, 1000, &mut values),
        None
    );
}

#[test]
fn many_strata_stay_linear() {
    let mut values = ValueStore::new();
    let mut b = Builder::default();
    let blocked = b.relation("blocked", &[Number]);
    let ids: Vec<RelationId> = (0..5_000)
        .map(|i| b.relation(&format!("r{i}"), &[Number]))
        .collect();
    let (one, two) = (n(&mut values, 1), n(&mut values, 2));
    b.fact(ids[0], &[one]);
    b.fact(ids[0], &[two]);
    b.fact(blocked, &[two]);
    for w in ids.windows(2) {
        b.rule(
            w[1],
            vec![ev(0)],
            vec![atom(w[0], vec![var(0)]), neg(blocked, vec![var(0)])],
            &[Number],
        );
    }
    let start = Instant::now();
    let model = run(&b, &mut values).expect("evaluates");
    assert_eq!(model.len(ids[4_999]), 1);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn broken_invariants_give_errors_not_panics() {
    let mut values = ValueStore::new();
    let one = n(&mut values, 1);
    let mut b = Builder::default();
    let a = b.relation("a", &[Number]);
    let out = b.relation("out", &[Number]);
    let ghost = RelationId(99);
    b.fact(a, &[one]);
    b.fact(a, &[one, one]); // wrong arity: ignored
    b.fact(ghost, &[one]); // unknown relation: ignored
    b.rule(
        out,
        vec![ev(0)],
        vec![atom(a, vec![var(0)]), atom(ghost, vec![var(0)])],
        &[Number],
    );
    b.rule(ghost, vec![ev(0)], vec![atom(a, vec![var(0)])], &[Number]);
    b.rule(
        out,
        vec![ev(0)],
        vec![atom(a, vec![var(0), var(0)])],
        &[Number],
    );
    b.aggregate(AggregateOp::Sum, a, out, &[7], Some(9));
    let model = run(&b, &mut values).expect("evaluates what it can");
    assert_eq!(model.len(a), 1);
    assert_eq!(model.len(ghost), 0);
    assert_eq!(model.row(ghost, 3), &[] as &[Value]);

    // An unsafe rule: the head variable is bound by nothing.
    let mut b = Builder::default();
    let a = b.relation("a", &[Number]);
    let out = b.relation("out", &[Number]);
    let rule = b.rule(
        out,
        vec![ev(1)],
        vec![atom(a, vec![var(0)])],
        &[Number, Number],
    );
    assert!(matches!(run(&b, &mut values), Err(EvalError::Unsafe { rule: Some(r) }) if r == rule));

    // A variable id outside the rule's table.
    let mut b = Builder::default();
    let a = b.relation("a", &[Number]);
    let out = b.relation("out", &[Number]);
    b.rule(out, vec![ev(5)], vec![atom(a, vec![var(5)])], &[Number]);
    assert!(matches!(
        run(&b, &mut values),
        Err(EvalError::Unsafe { .. })
    ));
}
