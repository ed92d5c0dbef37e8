//! Queries: conjunctive bodies answered against a finished [`Model`].
//!
//! Serves the REPL, tests and the explainer after evaluation. A query is planned like a rule body (so it
//! needs the same safety: every variable bound by an atom or a binding) and run by the same executor over
//! every row of the model. Indexes the model lacks are built for the one query and dropped (an O(rows)
//! cost per query; [`Model::ensure_index`] keeps one for repeated queries).

use crate::eval::exec::{Exec, ExecError, Pending, Store};
use crate::eval::plan::{self, Plan, Version};
use crate::eval::storage::{Index, Rows};
use crate::eval::{EvalError, Model};
use crate::ir::{self, Expr, Literal, Program, RelationId};
use crate::value::{Value, ValueStore, ValueType};

/// Indexes `plan` probes that `model` does not have, built for one run.
pub(crate) fn missing_indexes(model: &Model, plan: &Plan) -> Vec<(RelationId, Index)> {
    let mut extra: Vec<(RelationId, Index)> = vec![];
    for (relation, columns) in plan.indexes() {
        if let Some(rows) = model.relations.get(relation.index()) {
            let known = rows.index(columns).is_some()
                || extra
                    .iter()
                    .any(|(r, i)| *r == relation && i.columns() == columns);
            if !known {
                extra.push((relation, Index::build(rows, columns)));
            }
        }
    }
    extra
}

/// Like [`answer`], for incremental updates (the REPL's what-ifs): the atom at body index `first` (the
/// changed rows) is joined first, and the indexes the plan probes are built in the model and kept, so
/// that the next update does not build them again.
pub fn answer_keeping_indexes(
    model: &mut Model,
    body: &[Literal],
    vars: &[ir::Variable],
    values: &mut ValueStore,
    first: Option<usize>,
) -> Result<Vec<Vec<Value>>, EvalError> {
    let types: Vec<ValueType> = vars.iter().map(|v| v.ty).collect();
    let head: Vec<Expr> = (0..vars.len() as u32)
        .map(|v| Expr::Var(ir::VarId(v)))
        .collect();
    let plan = plan::plan(body, &types, first, |_| Version::Full)
        .filter(|p| plan::binds_all(p, types.len(), &head))
        .ok_or(EvalError::Unsafe { rule: None })?;
    for (relation, columns) in plan.indexes() {
        model.ensure_index(relation, columns);
    }
    run(model, &[], values, &plan, &head)
}

/// Answers a conjunctive query against a model: the distinct bindings of `vars` (one row per binding, in
/// `vars` order) that satisfy every literal of `body`.
pub fn answer(
    model: &Model,
    _program: &Program,
    body: &[Literal],
    vars: &[ir::Variable],
    values: &mut ValueStore,
) -> Result<Vec<Vec<Value>>, EvalError> {
    let types: Vec<ValueType> = vars.iter().map(|v| v.ty).collect();
    let head: Vec<Expr> = (0..vars.len() as u32)
        .map(|v| Expr::Var(ir::VarId(v)))
        .collect();
    let plan = plan::plan(body, &types, None, |_| Version::Full)
        .filter(|p| plan::binds_all(p, types.len(), &head))
        .ok_or(EvalError::Unsafe { rule: None })?;
    let extra = missing_indexes(model, &plan);
    run(model, &extra, values, &plan, &head)
}

/// Runs a query plan over the whole model; its rows are the distinct values of `head` (one column per
/// query variable). No deadline and no limit: arithmetic is the only way a query fails.
fn run(
    model: &Model,
    extra: &[(RelationId, Index)],
    values: &mut ValueStore,
    plan: &Plan,
    head: &[Expr],
) -> Result<Vec<Vec<Value>>, EvalError> {
    let mut pending = Rows::new(head.len());
    let mut exec = Exec {
        relations: &model.relations,
        extra_indexes: extra,
        windows: &[],
        values: Store::Exclusive(values),
        first_rows: None,
        deadline: None,
        existing: None,
        pending: Pending::Rows(&mut pending),
        round: 0,
        pending_limit: usize::MAX,
        below_round: u32::MAX,
        ticks: 0,
    };
    exec.run(plan, head.len(), head).map_err(|e| match e {
        ExecError::Arithmetic(error) => EvalError::QueryArithmetic { error },
        ExecError::Timeout | ExecError::Full | ExecError::NeedsStore => {
            EvalError::Unsafe { rule: None }
        }
    })?;
    Ok((0..pending.len())
        .map(|i| pending.row(i).to_vec())
        .collect())
}
