//! A scale check of the evaluator on the brief's trusted-trader workload shape (N companies, 10·N
//! shipments, 12 programs, 40 MRA rows; recognition through an MRA in force, active unexpired
//! certification, a negation, an aggregate per destination). Ignored by default; run with
//! `cargo test --release --test eval_scale -- --ignored --nocapture`.

mod support;

use std::time::Instant;

use accord::eval::{derivation, evaluate, evaluate_owned, prepare_derivations, EvalOptions};
use accord::facts::{FactOrigin, FactSet};
use accord::ir::{AggregateOp, CompareOp, Expr, Program, Term};
use accord::value::{Number, ValueStore, ValueType};
use support::*;

#[test]
#[ignore]
fn trusted_trader_workload() {
    use ValueType::{Date as D, Number as N, Text as T};
    let n: usize = std::env::var("ACCORD_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let mut values = ValueStore::new();
    let mut p = Program::default();
    let certified = relation(&mut p, "certified", &[T, T, T, D]);
    let program = relation(&mut p, "program", &[T, T]);
    let mra = relation(&mut p, "mra", &[T, T, D]);
    let shipment = relation(&mut p, "shipment", &[T, T, T, D]);
    let suspended = relation(&mut p, "suspended", &[T]);
    let recognized = relation(&mut p, "recognized", &[T, T, D]);
    let fast_lane = relation(&mut p, "fast_lane", &[T, T]);
    let per_destination = relation(&mut p, "per_destination", &[T, N]);
    let active = values.text("active");
    let countries: Vec<_> = (0..12).map(|i| values.text(&format!("C{i}"))).collect();
    let programs: Vec<_> = (0..12).map(|i| values.text(&format!("P{i}"))).collect();
    let base_day = 20_000;
    let mut facts = FactSet::for_program(&p);
    let origin = FactOrigin::Data {
        file: 0,
        line: 0,
        row: 0,
    };
    for i in 0..12 {
        facts
            .table_mut(program)
            .push(&[programs[i], countries[i]], origin);
    }
    for i in 0..40 {
        let (home, dest) = (countries[i % 12], countries[(i * 7 + 1) % 12]);
        facts.table_mut(mra).push(
            &[
                home,
                dest,
                accord::value::Value::day(base_day - 100 + i as i32),
            ],
            origin,
        );
    }
    let companies: Vec<_> = (0..n).map(|i| values.text(&format!("CO{i}"))).collect();
    for (i, c) in companies.iter().enumerate() {
        let status = if i % 10 == 0 {
            values.text("lapsed")
        } else {
            active
        };
        let until = accord::value::Value::day(base_day + (i % 400) as i32);
        facts
            .table_mut(certified)
            .push(&[*c, programs[i % 12], status, until], origin);
        if i % 50 == 0 {
            facts.table_mut(suspended).push(&[*c], origin);
        }
    }
    for s in 0..10 * n {
        let id = values.text(&format!("S{s}"));
        let c = companies[(s * 7919) % n];
        let dest = countries[(s * 31 + s / 13) % 12];
        let day = accord::value::Value::day(base_day + (s % 365) as i32);
        facts.table_mut(shipment).push(&[id, c, dest, day], origin);
    }
    // recognized(c, dest, until) :- certified(c, p, "active", until), program(p, home), mra(home, dest, _).
    rule(
        &mut p,
        recognized,
        vec![ev(0), ev(3), ev(4)],
        vec![
            atom(certified, vec![var(0), var(1), Term::Const(active), var(4)]),
            atom(program, vec![var(1), var(2)]),
            atom(mra, vec![var(2), var(3), Term::Wildcard]),
        ],
        &[T, T, T, T, D],
    );
    // fast_lane(s, dest) :- shipment(s, c, dest, day), recognized(c, dest, until), day <= until, ¬ suspended(c).
    rule(
        &mut p,
        fast_lane,
        vec![ev(0), ev(2)],
        vec![
            atom(shipment, vec![var(0), var(1), var(2), var(3)]),
            atom(recognized, vec![var(1), var(2), var(4)]),
            cmp(CompareOp::Le, D, ev(3), ev(4)),
            neg(suspended, vec![var(1)]),
        ],
        &[T, T, T, D, D],
    );
    aggregate(
        &mut p,
        AggregateOp::Count,
        fast_lane,
        per_destination,
        &[1],
        None,
    );
    let _ = Expr::Const(values.number(Number::Int(0)));
    let start = Instant::now();
    let model = if n <= 2_000 {
        evaluate(&p, &facts, &mut values, &EvalOptions::default()).expect("evaluates")
    } else {
        let facts = std::mem::take(&mut facts);
        evaluate_owned(&p, facts, &mut values, &EvalOptions::default()).expect("evaluates")
    };
    let elapsed = start.elapsed();
    eprintln!(
        "n={n}: {:?}, {} facts, fast_lane {}, recognized {}, model heap {} MiB",
        elapsed,
        model.total_len(),
        model.len(fast_lane),
        model.len(recognized),
        model.heap_bytes() >> 20
    );
    if n <= 2_000 {
        let mut all = p.clone();
        for (i, table) in facts.tables.iter().enumerate() {
            for (row, _) in table.rows() {
                fact(&mut all, accord::ir::RelationId(i as u32), row);
            }
        }
        let expected = support::reference::evaluate(&all, &mut values)
            .expect("stratifies")
            .expect("no overflow");
        for (i, rows) in expected.iter().enumerate() {
            let got: std::collections::BTreeSet<Vec<_>> = model
                .rows(accord::ir::RelationId(i as u32))
                .map(<[_]>::to_vec)
                .collect();
            assert_eq!(&got, rows, "relation {}", p.relations[i].name);
        }
    }
    assert!(model.len(fast_lane) > 0);
    let mut model = model;
    let start = Instant::now();
    prepare_derivations(&mut model, &p);
    let prepared = start.elapsed();
    let start = Instant::now();
    let last = model.len(fast_lane) - 1;
    let derived = derivation(&model, &p, fast_lane, last, &mut values).expect("derivable");
    eprintln!(
        "prepare_derivations {prepared:?}, one derivation {:?}: {derived:?}",
        start.elapsed()
    );
}
