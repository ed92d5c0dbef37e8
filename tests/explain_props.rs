//! Every proof the explainer produces is valid, on random programs (the generator of the differential
//! tests, `support/random.rs`): replaying each rule step with its binding reproduces the fact, every
//! premise is a fact of the model of a strictly smaller round (so proofs are well-founded), comparisons
//! hold with the recorded values, negated premises match no row, and every leaf is a base fact. And
//! why-not never claims that every premise of a rule held for an atom that is not derived.

mod support;

use accord::eval::{eval_expr, evaluate, EvalOptions, Model};
use accord::explain::{self, Context, ExplainOptions, Failure, Goal, Node, Premise, Step};
use accord::facts::FactSet;
use accord::ir::{Literal, Program, RelationId, Term};
use accord::syntax::SourceMap;
use accord::value::{Value, ValueStore};
use proptest::prelude::*;
use support::random::generated;

struct Checker<'a> {
    model: &'a Model,
    program: &'a Program,
    /// Numbers of the expanded nodes seen so far, with their fact.
    numbered: Vec<(u32, RelationId, Vec<Value>)>,
    /// Derived nodes met.
    steps: usize,
}

fn matches_row(args: &[Term], bindings: &[Value], row: &[Value]) -> bool {
    args.len() == row.len()
        && args.iter().zip(row).all(|(a, v)| match a {
            Term::Const(c) => c == v,
            Term::Var(x) => bindings[x.index()] == *v,
            Term::Wildcard => true,
        })
}

impl Checker<'_> {
    fn round(&self, relation: RelationId, row: &[Value]) -> Result<u32, String> {
        let r = self
            .model
            .find(relation, row)
            .ok_or_else(|| format!("{relation:?} {row:?} is not a fact of the model"))?;
        Ok(self.model.round(relation, r))
    }

    fn node(&mut self, node: &Node, values: &mut ValueStore) -> Result<(), String> {
        let round = self.round(node.relation, &node.row)?;
        match &node.step {
            Step::Fact(origin) => {
                let r = self
                    .model
                    .find(node.relation, &node.row)
                    .unwrap_or_default();
                if self.model.origin(node.relation, r) != Some(*origin) || round != 0 {
                    return Err(format!(
                        "{:?} {:?} is not a base fact with that origin",
                        node.relation, node.row
                    ));
                }
                Ok(())
            }
            Step::Aggregate { aggregate, .. } => {
                if self.program.aggregates[*aggregate].output != node.relation || round == 0 {
                    return Err("an aggregate node of another relation".into());
                }
                Ok(())
            }
            Step::Seen(n) => {
                if self
                    .numbered
                    .iter()
                    .any(|(m, rel, row)| m == n && *rel == node.relation && *row == node.row)
                {
                    Ok(())
                } else {
                    Err(format!(
                        "reference to {n}, which is not an earlier node of this fact"
                    ))
                }
            }
            Step::Rule {
                rule,
                bindings,
                premises,
            } => {
                self.steps += 1;
                if let Some(id) = node.id {
                    self.numbered.push((id, node.relation, node.row.clone()));
                }
                let program = self.program;
                let r = program.rule(*rule);
                if r.head != node.relation {
                    return Err("the rule concludes another relation".into());
                }
                let head: Result<Vec<Value>, _> = r
                    .head_args
                    .iter()
                    .map(|e| eval_expr(e, bindings, values))
                    .collect();
                if head.map_err(|e| e.to_string())? != node.row {
                    return Err(format!(
                        "replaying rule {rule:?} does not give {:?}",
                        node.row
                    ));
                }
                let mut covered: Vec<usize> = premises.iter().map(Premise::literal).collect();
                covered.sort_unstable();
                if covered != (0..r.body.len()).collect::<Vec<_>>() {
                    return Err(format!(
                        "premises {covered:?} do not cover the body of rule {rule:?}"
                    ));
                }
                for premise in premises {
                    let literal = &r.body[premise.literal()];
                    match (premise, literal) {
                        (
                            Premise::Atom { node: child, .. },
                            Literal::Atom { relation, args, .. },
                        ) => {
                            if child.relation != *relation
                                || !matches_row(args, bindings, &child.row)
                            {
                                return Err(format!(
                                    "premise {child:?} does not match its literal"
                                ));
                            }
                            if self.round(child.relation, &child.row)? >= round {
                                return Err("a premise is not of a smaller round".into());
                            }
                            self.node(child, values)?;
                        }
                        (
                            Premise::Aggregate { result, .. },
                            Literal::Atom { relation, args, .. },
                        ) => {
                            let earlier = self.model.rows(*relation).any(|row| {
                                matches_row(args, bindings, row)
                                    && row.last() == Some(result)
                                    && self.round(*relation, row).is_ok_and(|r| r < round)
                            });
                            if !earlier {
                                return Err("the aggregate's row is not an earlier fact".into());
                            }
                        }
                        (
                            Premise::Absent { .. } | Premise::ExceptionNotApplied { .. },
                            Literal::Negated { relation, args, .. },
                        ) => {
                            if self
                                .model
                                .rows(*relation)
                                .any(|row| matches_row(args, bindings, row))
                            {
                                return Err("a negated premise matches a row".into());
                            }
                        }
                        (
                            Premise::Compare { lhs: a, rhs: b, .. },
                            Literal::Compare {
                                op, ty, lhs, rhs, ..
                            },
                        ) => {
                            let x = eval_expr(lhs, bindings, values).map_err(|e| e.to_string())?;
                            let y = eval_expr(rhs, bindings, values).map_err(|e| e.to_string())?;
                            if (x, y) != (*a, *b) || !op.holds(values.compare(*ty, x, y)) {
                                return Err(
                                    "a comparison does not hold with its recorded values".into()
                                );
                            }
                        }
                        (Premise::Bind { value, .. }, Literal::Compare { lhs, rhs, .. }) => {
                            let x = eval_expr(lhs, bindings, values).map_err(|e| e.to_string())?;
                            let y = eval_expr(rhs, bindings, values).map_err(|e| e.to_string())?;
                            if x != y || (*value != x) {
                                return Err("an `=` binding does not hold".into());
                            }
                        }
                        (
                            Premise::Bind { value, .. } | Premise::Compare { lhs: value, .. },
                            Literal::Bind { var, expr, .. },
                        ) => {
                            let x = eval_expr(expr, bindings, values).map_err(|e| e.to_string())?;
                            if x != *value || bindings[var.index()] != x {
                                return Err("a binding does not hold".into());
                            }
                        }
                        (p, l) => return Err(format!("premise {p:?} does not fit literal {l:?}")),
                    }
                }
                Ok(())
            }
            Step::DepthLimit | Step::Omitted | Step::Unexplained => Err(format!(
                "derived fact {:?} {:?} left unexplained: {:?}",
                node.relation, node.row, node.step
            )),
        }
    }
}

/// Explains every row (up to 40 a relation) and checks each proof; returns the number of rule steps.
fn check(seed: u64) -> Result<usize, String> {
    let mut values = ValueStore::new();
    let (program, facts): (Program, FactSet) = generated(seed, &mut values);
    let Ok(model) = evaluate(&program, &facts, &mut values, &EvalOptions::default()) else {
        return Ok(0);
    };
    let mut sources = SourceMap::new();
    sources.add("<random>", None, String::new());
    let mut ctx = Context::new(&model, &program, &facts, &mut values, &sources);
    let options = ExplainOptions::default();
    let mut steps = 0;
    for (i, rel) in program.relations.iter().enumerate() {
        let relation = RelationId(i as u32);
        let rows: Vec<Vec<Value>> = model
            .rows(relation)
            .take(40)
            .map(<[Value]>::to_vec)
            .collect();
        for row in &rows {
            let proofs = explain::explain(&mut ctx, &Goal::ground(relation, row), &options);
            let [proof] = proofs.as_slice() else {
                return Err(format!("{} {row:?}: {} proofs", rel.name, proofs.len()));
            };
            // Rendering never panics.
            let _ = explain::render_text(&ctx, proof);
            let _ = explain::proof_json(&ctx, proof);
            let mut checker = Checker {
                model: &model,
                program: &program,
                numbered: vec![],
                steps: 0,
            };
            checker
                .node(&proof.root, ctx.values)
                .map_err(|e| format!("{} {row:?}: {e}", rel.name))?;
            steps += checker.steps;
        }
        // Why not, for a few atoms of the relation that are not derived.
        let types = rel.types();
        for k in 0..3i64 {
            let row: Vec<Value> = types
                .iter()
                .map(|ty| match ty {
                    accord::value::ValueType::Text => {
                        ctx.values.text(["a", "b", "c", "zz"][k as usize % 4])
                    }
                    _ => ctx.values.number(accord::value::Number::Int(k * 2 + 1)),
                })
                .collect();
            if model.contains(relation, &row) {
                continue;
            }
            let why = explain::why_not(&mut ctx, &Goal::ground(relation, &row), &options);
            let _ = explain::render_why_not(&ctx, &why);
            let _ = explain::why_not_json(&ctx, &why);
            for attempt in &why.attempts {
                if let explain::Attempt::Partial {
                    failure: Failure::NoneFailed,
                    ..
                } = attempt.attempt
                {
                    return Err(format!(
                        "why-not of {} {row:?}: every premise of a rule held",
                        rel.name
                    ));
                }
            }
        }
    }
    Ok(steps)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_proof_is_valid(seed in any::<u64>()) {
        if let Err(message) = check(seed) {
            prop_assert!(false, "seed {seed}: {message}");
        }
    }
}

#[test]
fn the_property_sees_real_derivations() {
    let steps: usize = (0..200).map(|seed| check(seed).unwrap_or(0)).sum();
    assert!(
        steps > 100,
        "only {steps} rule steps were checked over 200 programs"
    );
}
