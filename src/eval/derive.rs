//! Derivations: one way a row of the model was made, for explanations.
//!
//! Serves `explain` and the REPL after evaluation. A base fact is its own derivation. A derived row of
//! round `r` was concluded, in round `r`, from rows of rounds below `r` (see [`crate::eval`]'s module doc),
//! so [`derivation`] looks for a rule instance (or an aggregate group) that concludes the row using only
//! rows of smaller round; following premises recursively therefore always terminates, and the tree it
//! builds is well-founded. Negated premises hold against the whole model: the relations they read were
//! complete before the row's stratum started.

use crate::eval::aggregate;
use crate::eval::exec::{Exec, ExecError, Pending, Store};
use crate::eval::plan::{self, Version};
use crate::eval::query::missing_indexes;
use crate::eval::storage::Rows;
use crate::eval::Model;
use crate::facts::FactOrigin;
use crate::ir::{CompareOp, Expr, Literal, Program, RelationId, RuleId, Term, VarId};
use crate::syntax::Span;
use crate::value::{Value, ValueStore, ValueType};

/// How a row of the model was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Derivation {
    /// A base fact, from where it was written.
    Base(FactOrigin),
    /// An instance of `rule`: `bindings[v]` is the value of variable `v`; `premises` are the rows matched
    /// by the body's positive atoms, in body order, each of a smaller round than the concluded row.
    Rule {
        rule: RuleId,
        bindings: Vec<Value>,
        premises: Vec<(RelationId, usize)>,
    },
    /// A group of `program.aggregates[aggregate]`: `premises` are the ids of all the input rows of the
    /// group.
    Aggregate {
        aggregate: usize,
        premises: Vec<usize>,
    },
}

/// A derivation of row `row` of `relation`, or `None` when the row does not exist (or the model does not
/// come from this program).
pub fn derivation(
    model: &Model,
    program: &Program,
    relation: RelationId,
    row: usize,
    values: &mut ValueStore,
) -> Option<Derivation> {
    if row >= model.len(relation) {
        return None;
    }
    if let Some(origin) = model.origin(relation, row) {
        return Some(Derivation::Base(origin));
    }
    let target = model.row(relation, row).to_vec();
    let round = model.round(relation, row);
    for (a, aggregate) in program.aggregates.iter().enumerate() {
        if aggregate.output != relation || target.len() != aggregate.group.len() + 1 {
            continue;
        }
        let premises = model.lookup(
            aggregate.input,
            &aggregate.group,
            &target[..aggregate.group.len()],
        );
        let Some(input) = model.relations.get(aggregate.input.index()) else {
            continue;
        };
        // Recompute the group's result: a rule may conclude other rows into the same relation.
        let mut group = Rows::new(input.arity());
        for r in &premises {
            group.insert(input.row(*r), 0);
        }
        let target_type = aggregate
            .target
            .and_then(|c| {
                program
                    .relations
                    .get(aggregate.input.index())?
                    .columns
                    .get(c)
            })
            .map_or(ValueType::Number, |c| c.ty);
        let computed = aggregate::compute(aggregate, &group, target_type, values).ok()?;
        if computed.first().is_some_and(|row| *row == target) {
            return Some(Derivation::Aggregate {
                aggregate: a,
                premises,
            });
        }
    }
    let types = program.relations.get(relation.index())?.types();
    for (i, rule) in program.rules.iter().enumerate() {
        if rule.head != relation {
            continue;
        }
        if let Some(bindings) = instance(model, rule, &types, &target, round, values) {
            let premises = premises(model, &rule.body, &bindings, round);
            return Some(Derivation::Rule {
                rule: RuleId(i as u32),
                bindings,
                premises,
            });
        }
    }
    None
}

/// The plan that matches `rule`'s body with its head fixed to `target`: the body plus `head_arg = value`
/// for every column, which the planner turns into bindings placed first (on unbound variables), so the
/// atoms are probed with the head's values. Its shape does not depend on `target`'s values.
fn instance_plan(
    rule: &crate::ir::Rule,
    types: &[ValueType],
    target: &[Value],
) -> Option<plan::Plan> {
    let mut body = rule.body.clone();
    for ((arg, value), ty) in rule.head_args.iter().zip(target).zip(types) {
        body.push(Literal::Compare {
            op: CompareOp::Eq,
            ty: *ty,
            lhs: arg.clone(),
            rhs: Expr::Const(*value),
            span: Span::default(),
        });
    }
    let var_types: Vec<ValueType> = rule.vars.iter().map(|v| v.ty).collect();
    let head: Vec<Expr> = (0..var_types.len() as u32)
        .map(|v| Expr::Var(VarId(v)))
        .collect();
    let plan = plan::plan(&body, &var_types, None, |_| Version::Full)?;
    plan::binds_all(&plan, var_types.len(), &head).then_some(plan)
}

/// Builds, once, every index [`derivation`] probes, so that explaining a fact costs lookups instead of
/// index builds over whole relations. Costs memory: about four bytes a row of each relation indexed.
pub fn prepare_derivations(model: &mut Model, program: &Program) {
    for aggregate in &program.aggregates {
        model.ensure_index(aggregate.input, &aggregate.group);
    }
    for rule in &program.rules {
        let Some(types) = program.relations.get(rule.head.index()).map(|r| r.types()) else {
            continue;
        };
        let placeholder = vec![Value::default(); types.len()];
        if let Some(plan) = instance_plan(rule, &types, &placeholder) {
            for (relation, columns) in plan.indexes() {
                model.ensure_index(relation, columns);
            }
        }
        for literal in &rule.body {
            if let Literal::Atom { relation, args, .. } = literal {
                if args.contains(&Term::Wildcard) {
                    let columns: Vec<usize> = (0..args.len())
                        .filter(|c| args[*c] != Term::Wildcard)
                        .collect();
                    model.ensure_index(*relation, &columns);
                }
            }
        }
    }
}

/// Bindings of the rule's variables that conclude `target` from rows of rounds below `round`.
fn instance(
    model: &Model,
    rule: &crate::ir::Rule,
    types: &[ValueType],
    target: &[Value],
    round: u32,
    values: &mut ValueStore,
) -> Option<Vec<Value>> {
    if rule.head_args.len() != target.len() {
        return None;
    }
    let var_types: Vec<ValueType> = rule.vars.iter().map(|v| v.ty).collect();
    let head: Vec<Expr> = (0..var_types.len() as u32)
        .map(|v| Expr::Var(VarId(v)))
        .collect();
    let plan = instance_plan(rule, types, target)?;
    let extra = missing_indexes(model, &plan);
    let mut pending = Rows::new(var_types.len());
    let mut exec = Exec {
        relations: &model.relations,
        extra_indexes: &extra,
        windows: &[],
        values: Store::Exclusive(values),
        first_rows: None,
        deadline: None,
        existing: None,
        pending: Pending::Rows(&mut pending),
        round: 0,
        pending_limit: 0,
        below_round: round,
        ticks: 0,
    };
    match exec.run(&plan, var_types.len(), &head) {
        // The first instance fills the pending buffer past its limit of zero: found.
        Err(ExecError::Full) if !pending.is_empty() => Some(pending.row(0).to_vec()),
        _ => None,
    }
}

/// The rows the positive atoms of `body` matched under `bindings` (wildcards: any matching row of a
/// smaller round).
fn premises(
    model: &Model,
    body: &[Literal],
    bindings: &[Value],
    round: u32,
) -> Vec<(RelationId, usize)> {
    let mut out = vec![];
    for literal in body {
        let Literal::Atom { relation, args, .. } = literal else {
            continue;
        };
        let mut columns = vec![];
        let mut key = vec![];
        for (c, arg) in args.iter().enumerate() {
            let value = match arg {
                Term::Var(v) => bindings.get(v.index()).copied(),
                Term::Const(value) => Some(*value),
                Term::Wildcard => None,
            };
            if let Some(value) = value {
                columns.push(c);
                key.push(value);
            }
        }
        let row = if columns.len() == args.len() {
            model.find(*relation, &key)
        } else {
            model
                .lookup(*relation, &columns, &key)
                .into_iter()
                .find(|r| model.round(*relation, *r) < round)
        };
        if let Some(row) = row {
            out.push((*relation, row));
        }
    }
    out
}
