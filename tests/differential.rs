//! Differential tests: `accord::eval::evaluate` (semi-naive, planned, indexed) must compute exactly what
//! the naive reference evaluator in `support/reference.rs` computes, on random stratified programs and on
//! classic hand-written ones.
//!
//! Random programs are built from a proptest-chosen seed by a small deterministic generator (relations of
//! arity 0–3 over numbers and texts, recursion, negation with and without wildcards, comparisons, binds,
//! head arithmetic, count/sum/min/max aggregates, facts from the policy and from a fact set); a failing
//! case prints its seed and the program. Programs that `stratify` rejects are skipped.

mod support;

use std::collections::BTreeSet;

use accord::eval::{derivation, evaluate, evaluate_owned, Derivation, EvalOptions, Model};
use accord::facts::{FactOrigin, FactSet};
use accord::ir::{AggregateOp, CompareOp, Expr, Literal, Program, RelationId, Term};
use accord::value::{ArithOp, Number, Value, ValueStore, ValueType};
use proptest::prelude::*;
use support::*;

/// splitmix64: deterministic, seedable, good enough to shape programs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

struct Generator<'a> {
    rng: Rng,
    values: &'a mut ValueStore,
}

const OPS: [CompareOp; 6] = [
    CompareOp::Eq,
    CompareOp::Ne,
    CompareOp::Lt,
    CompareOp::Le,
    CompareOp::Gt,
    CompareOp::Ge,
];

impl Generator<'_> {
    fn constant(&mut self, ty: ValueType) -> Value {
        match ty {
            ValueType::Text => {
                let t = self.rng.pick(&["a", "b", "c"]);
                self.values.text(t)
            }
            _ => {
                let n = self.rng.below(4) as i64;
                self.values.number(Number::Int(n))
            }
        }
    }

    fn number(&mut self, n: i64) -> Expr {
        Expr::Const(self.values.number(Number::Int(n)))
    }

    fn program(&mut self) -> (Program, FactSet) {
        let mut p = Program::default();
        let count = 3 + self.rng.below(4);
        let mut aggregated = vec![];
        for i in 0..count {
            if i > 0 && self.rng.chance(25) {
                let input = RelationId(self.rng.below(i) as u32);
                let input_types = p.relation(input).types();
                let mut op = self.rng.pick(&[
                    AggregateOp::Count,
                    AggregateOp::Sum,
                    AggregateOp::Min,
                    AggregateOp::Max,
                ]);
                let group: Vec<usize> = (0..input_types.len())
                    .filter(|_| self.rng.chance(40))
                    .collect();
                let numbers: Vec<usize> = (0..input_types.len())
                    .filter(|c| input_types[*c] == ValueType::Number)
                    .collect();
                let target = match op {
                    AggregateOp::Count => None,
                    AggregateOp::Sum if numbers.is_empty() => None,
                    AggregateOp::Sum => Some(self.rng.pick(&numbers)),
                    _ if input_types.is_empty() => None,
                    _ => Some(self.rng.below(input_types.len())),
                };
                if target.is_none() {
                    op = AggregateOp::Count;
                }
                let mut types: Vec<ValueType> = group.iter().map(|c| input_types[*c]).collect();
                types.push(match (op, target) {
                    (AggregateOp::Min | AggregateOp::Max, Some(t)) => input_types[t],
                    _ => ValueType::Number,
                });
                let output = relation(&mut p, &format!("agg{i}"), &types);
                aggregate(&mut p, op, input, output, &group, target);
                aggregated.push(true);
            } else {
                let types: Vec<ValueType> = (0..self.rng.below(4))
                    .map(|_| self.rng.pick(&[ValueType::Number, ValueType::Text]))
                    .collect();
                relation(&mut p, &format!("r{i}"), &types);
                aggregated.push(false);
            }
        }
        let mut facts = FactSet::for_program(&p);
        for (i, &is_output) in aggregated.iter().enumerate() {
            if is_output {
                continue;
            }
            let types = p.relations[i].types();
            for row in 0..self.rng.below(6) {
                let values: Vec<Value> = types.iter().map(|ty| self.constant(*ty)).collect();
                if self.rng.chance(50) {
                    fact(&mut p, RelationId(i as u32), &values);
                } else {
                    let origin = FactOrigin::Data {
                        file: 0,
                        line: row as u32 + 2,
                        row: row as u32,
                    };
                    facts.table_mut(RelationId(i as u32)).push(&values, origin);
                }
            }
        }
        let heads: Vec<usize> = (0..count).filter(|i| !aggregated[*i]).collect();
        for _ in 0..1 + self.rng.below(7) {
            let head = self.rng.pick(&heads);
            self.rule(&mut p, head, count);
        }
        (p, facts)
    }

    fn rule(&mut self, p: &mut Program, head: usize, count: usize) {
        let mut vars: Vec<ValueType> = vec![];
        let mut body: Vec<Literal> = vec![];
        let atoms = if self.rng.chance(10) {
            0
        } else {
            1 + self.rng.below(3)
        };
        for _ in 0..atoms {
            // Mostly from relations up to the head, so most programs stratify; sometimes from anywhere.
            let limit = if self.rng.chance(85) { head + 1 } else { count };
            let relation = RelationId(self.rng.below(limit) as u32);
            let mut args = vec![];
            for ty in p.relation(relation).types() {
                let same: Vec<usize> = (0..vars.len()).filter(|v| vars[*v] == ty).collect();
                let roll = self.rng.below(100);
                args.push(if roll < 45 && !same.is_empty() {
                    var(self.rng.pick(&same) as u32)
                } else if roll < 80 {
                    vars.push(ty);
                    var(vars.len() as u32 - 1)
                } else if roll < 90 {
                    Term::Const(self.constant(ty))
                } else {
                    Term::Wildcard
                });
            }
            body.push(atom(relation, args));
        }
        if self.rng.chance(30) {
            let numbers: Vec<usize> = (0..vars.len())
                .filter(|v| vars[*v] == ValueType::Number)
                .collect();
            if !numbers.is_empty() && self.rng.chance(60) {
                let x = self.rng.pick(&numbers) as u32;
                let step = self.rng.below(3) as i64;
                let sum = Expr::Arith {
                    op: ArithOp::Add,
                    ty: ValueType::Number,
                    lhs: Box::new(ev(x)),
                    rhs: Box::new(self.number(step)),
                };
                vars.push(ValueType::Number);
                let z = vars.len() as u32 - 1;
                body.push(bind(z, sum));
                let three = self.number(3);
                body.push(cmp(CompareOp::Le, ValueType::Number, ev(z), three));
            } else {
                let ty = self.rng.pick(&[ValueType::Number, ValueType::Text]);
                let c = self.constant(ty);
                vars.push(ty);
                body.push(bind(vars.len() as u32 - 1, Expr::Const(c)));
            }
        }
        for _ in 0..self.rng.below(2) {
            if vars.is_empty() {
                break;
            }
            let v = self.rng.below(vars.len());
            let ty = vars[v];
            let same: Vec<usize> = (0..vars.len())
                .filter(|w| vars[*w] == ty && *w != v)
                .collect();
            let rhs = if !same.is_empty() && self.rng.chance(50) {
                ev(self.rng.pick(&same) as u32)
            } else {
                Expr::Const(self.constant(ty))
            };
            let op = self.rng.pick(&OPS);
            body.push(cmp(op, ty, ev(v as u32), rhs));
        }
        if head > 0 && self.rng.chance(40) {
            let relation = RelationId(self.rng.below(head) as u32);
            let mut args = vec![];
            for ty in p.relation(relation).types() {
                let same: Vec<usize> = (0..vars.len()).filter(|v| vars[*v] == ty).collect();
                let roll = self.rng.below(100);
                args.push(if roll < 60 && !same.is_empty() {
                    var(self.rng.pick(&same) as u32)
                } else if roll < 80 {
                    Term::Const(self.constant(ty))
                } else {
                    Term::Wildcard
                });
            }
            body.push(neg(relation, args));
        }
        let mut head_args = vec![];
        for ty in p.relations[head].types() {
            let same: Vec<usize> = (0..vars.len()).filter(|v| vars[*v] == ty).collect();
            if !same.is_empty() && self.rng.chance(85) {
                let v = self.rng.pick(&same) as u32;
                if ty == ValueType::Number && self.rng.chance(15) {
                    let (one, three) = (self.number(1), self.number(3));
                    body.push(cmp(CompareOp::Le, ty, ev(v), three));
                    head_args.push(Expr::Arith {
                        op: ArithOp::Add,
                        ty,
                        lhs: Box::new(ev(v)),
                        rhs: Box::new(one),
                    });
                } else {
                    head_args.push(ev(v));
                }
            } else {
                head_args.push(Expr::Const(self.constant(ty)));
            }
        }
        for i in (1..body.len()).rev() {
            let j = self.rng.below(i + 1);
            body.swap(i, j);
        }
        rule(p, RelationId(head as u32), head_args, body, &vars);
    }
}

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn semi_naive_equals_naive(seed in any::<u64>()) {
        let mut values = ValueStore::new();
        let (program, facts) = Generator { rng: Rng(seed), values: &mut values }.program();
        if let Err(message) = check(&program, &facts, &mut values) {
            prop_assert!(false, "seed {seed}: {message}\n{program:#?}\n{facts:?}");
        }
    }
}

#[test]
fn the_generator_makes_interesting_programs() {
    let (mut stratifiable, mut recursive, mut derived) = (0, 0, 0);
    for seed in 0..500 {
        let mut values = ValueStore::new();
        let (program, facts) = Generator {
            rng: Rng(seed),
            values: &mut values,
        }
        .program();
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
