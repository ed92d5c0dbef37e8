//! A naive reference evaluator: no indexes, no semi-naive evaluation, no planner.
//!
//! Each stratum (from `accord::stratify`) computes its aggregates from complete inputs, then applies every
//! rule to the full relations until nothing changes. A rule body is matched by nested loops over its
//! positive atoms in source order; binds run once their inputs are known; comparisons and negations are
//! checked last. Slow and obviously correct, it is the oracle the differential test holds `evaluate` to.

use std::collections::BTreeSet;

use accord::ir::{AggregateOp, Expr, Literal, Program, Rule, Term};
use accord::stratify::stratify;
use accord::value::{self, ArithOp, ArithmeticError, Number, Value, ValueStore, ValueType};

pub type Relations = Vec<BTreeSet<Vec<Value>>>;

/// The model, or `None` when the program cannot be stratified.
pub fn evaluate(
    program: &Program,
    values: &mut ValueStore,
) -> Option<Result<Relations, ArithmeticError>> {
    let strata = stratify(program).ok()?;
    Some(run(program, &strata, values))
}

fn run(
    program: &Program,
    strata: &[accord::stratify::Stratum],
    values: &mut ValueStore,
) -> Result<Relations, ArithmeticError> {
    let mut relations: Relations = vec![BTreeSet::new(); program.relations.len()];
    for fact in &program.facts {
        relations[fact.relation.index()].insert(fact.values.clone());
    }
    for stratum in strata {
        for &a in &stratum.aggregates {
            let aggregate = &program.aggregates[a];
            let input = relations[aggregate.input.index()].clone();
            let ty = aggregate.target.map_or(ValueType::Number, |c| {
                program.relation(aggregate.input).columns[c].ty
            });
            let mut groups: Vec<(Vec<Value>, Vec<Value>)> = vec![];
            for row in &input {
                let key: Vec<Value> = aggregate.group.iter().map(|c| row[*c]).collect();
                let target = aggregate.target.map_or(Value::default(), |c| row[c]);
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, targets)) => targets.push(target),
                    None => groups.push((key, vec![target])),
                }
            }
            for (mut key, targets) in groups {
                let result = match aggregate.op {
                    AggregateOp::Count => values.number(Number::Int(targets.len() as i64)),
                    AggregateOp::Sum => {
                        let mut sum = Number::Int(0);
                        for t in &targets {
                            sum = sum.apply(ArithOp::Add, values.number_of(*t))?;
                        }
                        values.number(sum)
                    }
                    AggregateOp::Min => *targets
                        .iter()
                        .min_by(|a, b| values.compare(ty, **a, **b))
                        .expect("non-empty group"),
                    AggregateOp::Max => *targets
                        .iter()
                        .max_by(|a, b| values.compare(ty, **a, **b))
                        .expect("non-empty group"),
                };
                key.push(result);
                relations[aggregate.output.index()].insert(key);
            }
        }
        loop {
            let mut changed = false;
            for &id in &stratum.rules {
                let rule = program.rule(id);
                let mut derived = vec![];
                let atoms: Vec<&Literal> = rule
                    .body
                    .iter()
                    .filter(|l| matches!(l, Literal::Atom { .. }))
                    .collect();
                matches(
                    rule,
                    &atoms,
                    &relations,
                    &vec![None; rule.vars.len()],
                    values,
                    &mut derived,
                )?;
                for row in derived {
                    changed |= relations[rule.head.index()].insert(row);
                }
            }
            if !changed {
                break;
            }
        }
    }
    Ok(relations)
}

fn matches(
    rule: &Rule,
    atoms: &[&Literal],
    relations: &Relations,
    bindings: &[Option<Value>],
    values: &mut ValueStore,
    out: &mut Vec<Vec<Value>>,
) -> Result<(), ArithmeticError> {
    let Some((Literal::Atom { relation, args, .. }, rest)) = atoms.split_first() else {
        return finish(rule, relations, bindings.to_vec(), values, out);
    };
    for row in &relations[relation.index()] {
        let mut local = bindings.to_vec();
        let mut ok = true;
        for (arg, value) in args.iter().zip(row) {
            match arg {
                Term::Const(c) => ok &= c == value,
                Term::Var(v) => match local[v.index()] {
                    Some(bound) => ok &= bound == *value,
                    None => local[v.index()] = Some(*value),
                },
                Term::Wildcard => {}
            }
        }
        if ok {
            matches(rule, rest, relations, &local, values, out)?;
        }
    }
    Ok(())
}

fn finish(
    rule: &Rule,
    relations: &Relations,
    mut bindings: Vec<Option<Value>>,
    values: &mut ValueStore,
    out: &mut Vec<Vec<Value>>,
) -> Result<(), ArithmeticError> {
    loop {
        let mut progress = false;
        for literal in &rule.body {
            if let Literal::Bind { var, expr, .. } = literal {
                if bindings[var.index()].is_none() {
                    if let Some(v) = eval(expr, &bindings, values)? {
                        bindings[var.index()] = Some(v);
                        progress = true;
                    }
                }
            }
        }
        if !progress {
            break;
        }
    }
    for literal in &rule.body {
        match literal {
            Literal::Compare {
                op, ty, lhs, rhs, ..
            } => {
                let (Some(a), Some(b)) =
                    (eval(lhs, &bindings, values)?, eval(rhs, &bindings, values)?)
                else {
                    panic!("unbound comparison in a generated rule");
                };
                if !op.holds(values.compare(*ty, a, b)) {
                    return Ok(());
                }
            }
            Literal::Negated { relation, args, .. } => {
                let hit = relations[relation.index()].iter().any(|row| {
                    args.iter().zip(row).all(|(arg, value)| match arg {
                        Term::Const(c) => c == value,
                        Term::Var(v) => bindings[v.index()] == Some(*value),
                        Term::Wildcard => true,
                    })
                });
                if hit {
                    return Ok(());
                }
            }
            _ => {}
        }
    }
    let mut row = vec![];
    for e in &rule.head_args {
        row.push(eval(e, &bindings, values)?.expect("head variables are bound"));
    }
    out.push(row);
    Ok(())
}

fn eval(
    expr: &Expr,
    bindings: &[Option<Value>],
    values: &mut ValueStore,
) -> Result<Option<Value>, ArithmeticError> {
    Ok(match expr {
        Expr::Var(v) => bindings[v.index()],
        Expr::Const(c) => Some(*c),
        Expr::Arith { op, ty, lhs, rhs } => {
            let (Some(a), Some(b)) = (eval(lhs, bindings, values)?, eval(rhs, bindings, values)?)
            else {
                return Ok(None);
            };
            if *ty == ValueType::Date {
                let Number::Int(days) = values.number_of(b) else {
                    return Err(ArithmeticError::DateOutOfRange);
                };
                let days = if *op == ArithOp::Sub { -days } else { days };
                Some(Value::day(value::add_duration(
                    a.as_day(),
                    days,
                    value::DurationUnit::Days,
                )?))
            } else {
                let n = values.number_of(a).apply(*op, values.number_of(b))?;
                Some(values.number(n))
            }
        }
        Expr::Shift {
            date,
            amount,
            unit,
            negate,
        } => {
            let (Some(d), Some(n)) = (
                eval(date, bindings, values)?,
                eval(amount, bindings, values)?,
            ) else {
                return Ok(None);
            };
            let Number::Int(n) = values.number_of(n) else {
                return Err(ArithmeticError::DateOutOfRange);
            };
            let n = if *negate { -n } else { n };
            Some(Value::day(value::add_duration(d.as_day(), n, *unit)?))
        }
    })
}
