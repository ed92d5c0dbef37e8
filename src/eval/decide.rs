//! Per-decision evaluation: one shipment's conclusions against a prepared model of the base facts,
//! in microseconds, without evaluating the program again.
//!
//! [`Decider::prepare`] evaluates the base facts (companies, programmes, MRAs) once and compiles, for
//! every stratum the decision inputs can reach and the requested outputs need, one *delta plan* per rule
//! and premise over a reachable relation: that premise reads only the decision's new rows, the others
//! every row. [`Decider::decide`] then appends the decision facts to their relations as scratch rows,
//! runs the delta plans stratum by stratum (each stratum's new rows become the next one's deltas),
//! collects the new rows of the output relations, and rolls every relation back to the base model
//! ([`Rows::mark`]/[`Rows::rollback`]), so decisions are independent and the model never grows.
//!
//! Exactness: the answer is the difference between the model of base + decision facts and the base model,
//! restricted to the outputs, exactly as a batch evaluation would give it. The fast path computes that
//! difference when it only *adds* rows: every new derivation uses at least one new row, and negations
//! read complete lower strata. A decision could also *remove* a base conclusion (a rule negates a relation
//! the decision adds to, and a base row was derived through that negation): a guard plan per such negation
//! looks for exactly those rows, and when it finds one the decision is recomputed by a full evaluation
//! (`Decision::evaluated_in_full`). Strata the fast path cannot handle at all (recursive strata or
//! aggregates reached by the inputs and needed by the outputs) make every decision a full evaluation;
//! [`Decider::fast`] says which case holds.
//!
//! Invariant: between decisions the model is exactly the base model (same rows, dedup tables and
//! indexes); every index a delta plan probes is built at preparation, before the relations are marked.

use std::collections::BTreeSet;

use crate::eval::exec::{Exec, Pending, Store, Window};
use crate::eval::plan::{self, Plan, Version};
use crate::eval::storage::Rows;
use crate::eval::{evaluate, EvalError, EvalOptions, Model};
use crate::facts::{FactOrigin, FactSet};
use crate::ir::{Literal, Program, RelationId, RuleId};
use crate::stratify::stratify;
use crate::value::{Value, ValueStore, ValueType};

/// A decision's conclusions: the output rows the decision facts add to (or remove from) the base model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// New rows of the output relations, by relation in output order, rows in derivation order.
    pub added: Vec<(RelationId, Vec<Value>)>,
    /// Base rows of the output relations the decision facts defeat (only ever found by a full evaluation).
    pub removed: Vec<(RelationId, Vec<Value>)>,
    /// Whether this decision needed a full evaluation (see the module doc).
    pub evaluated_in_full: bool,
}

impl Decision {
    /// Whether the decision concludes `row` of `relation`.
    pub fn concludes(&self, relation: RelationId, row: &[Value]) -> bool {
        self.added.iter().any(|(r, v)| *r == relation && v == row)
    }
}

/// The plans of one stratum the decision inputs reach.
#[derive(Debug)]
struct StratumPlans {
    relations: Vec<RelationId>,
    /// Delta plans: (rule, the premise's relation that must have new rows, plan).
    derive: Vec<(RuleId, RelationId, Plan)>,
    /// Guards: a negated premise over a relation with new rows, read positively against the new rows,
    /// the rest against the base rows; a head row found among the base rows would be defeated.
    guards: Vec<(RuleId, RelationId, Plan)>,
}

/// A prepared base model that answers decisions (see the module doc).
#[derive(Debug)]
pub struct Decider {
    program: Program,
    values: ValueStore,
    base_facts: FactSet,
    model: Model,
    base_len: Vec<usize>,
    windows: Vec<Window>,
    inputs: Vec<RelationId>,
    outputs: Vec<RelationId>,
    strata: Vec<StratumPlans>,
    /// Why every decision is a full evaluation, if it is.
    slow: Option<String>,
    options: EvalOptions,
    /// One reusable buffer per relation: a stratum's new rows, or a guard's finds.
    pending: Vec<Rows>,
}

impl Decider {
    /// Evaluates `base_facts` and compiles the delta plans for decisions on `inputs` that conclude
    /// `outputs`.
    pub fn prepare(
        program: Program,
        base_facts: FactSet,
        mut values: ValueStore,
        inputs: Vec<RelationId>,
        outputs: Vec<RelationId>,
        options: EvalOptions,
    ) -> Result<Decider, EvalError> {
        let strata = stratify(&program).map_err(|cycle| EvalError::NotStratifiable { cycle })?;
        let mut model = evaluate(&program, &base_facts, &mut values, &options)?;
        let count = program.relations.len();

        // Relations the outputs need, through rule bodies and aggregate inputs.
        let mut needed = vec![false; count];
        let mut stack: Vec<RelationId> = outputs.clone();
        while let Some(r) = stack.pop() {
            if std::mem::replace(&mut needed[r.index()], true) {
                continue;
            }
            for rule in program.rules.iter().filter(|rule| rule.head == r) {
                stack.extend(rule.body.iter().filter_map(premise_relation));
            }
            for a in program.aggregates.iter().filter(|a| a.output == r) {
                stack.push(a.input);
            }
        }

        let mut reached = vec![false; count];
        for r in &inputs {
            reached[r.index()] = true;
        }
        let mut slow = None;
        let mut plans = Vec::new();
        for stratum in &strata {
            let rules_reached = stratum.rules.iter().any(|&id| {
                program
                    .rule(id)
                    .body
                    .iter()
                    .filter_map(premise_relation)
                    .any(|r| reached[r.index()])
            });
            let aggregate_reached = stratum.aggregates.iter().any(|&a| {
                program
                    .aggregates
                    .get(a)
                    .is_some_and(|a| reached[a.input.index()])
            });
            if !rules_reached && !aggregate_reached {
                continue;
            }
            let needed_here = stratum.relations.iter().any(|r| needed[r.index()]);
            for r in &stratum.relations {
                reached[r.index()] = true;
            }
            if !needed_here {
                continue;
            }
            if aggregate_reached {
                slow = Some(format!(
                    "an aggregate concluding `{}` counts the decision facts",
                    names(&program, &stratum.relations)
                ));
            } else if stratum.recursive {
                slow = Some(format!(
                    "`{}` is recursive and reached by the decision facts",
                    names(&program, &stratum.relations)
                ));
            }
            let mut derive = Vec::new();
            let mut guards = Vec::new();
            for &id in &stratum.rules {
                let rule = program.rule(id);
                let types: Vec<ValueType> = rule.vars.iter().map(|v| v.ty).collect();
                for (d, literal) in rule.body.iter().enumerate() {
                    match literal {
                        Literal::Atom { relation, .. } if reached[relation.index()] => {
                            let version = |i: usize| {
                                if i == d {
                                    Version::Recent
                                } else {
                                    Version::Full
                                }
                            };
                            let plan = plan::plan(&rule.body, &types, Some(d), version)
                                .filter(|p| plan::binds_all(p, types.len(), &rule.head_args))
                                .ok_or(EvalError::Unsafe { rule: Some(id) })?;
                            derive.push((id, *relation, plan));
                        }
                        Literal::Negated {
                            relation,
                            args,
                            span,
                        } if reached[relation.index()] => {
                            let mut body = rule.body.clone();
                            body[d] = Literal::Atom {
                                relation: *relation,
                                args: args.clone(),
                                span: *span,
                            };
                            let version = |i: usize| {
                                if i == d {
                                    Version::Recent
                                } else {
                                    Version::Stable
                                }
                            };
                            let plan = plan::plan(&body, &types, Some(d), version)
                                .filter(|p| plan::binds_all(p, types.len(), &rule.head_args))
                                .ok_or(EvalError::Unsafe { rule: Some(id) })?;
                            guards.push((id, *relation, plan));
                        }
                        _ => {}
                    }
                }
            }
            plans.push(StratumPlans {
                relations: stratum.relations.clone(),
                derive,
                guards,
            });
        }

        for stratum in &plans {
            for (_, _, plan) in stratum.derive.iter().chain(&stratum.guards) {
                for (relation, columns) in plan.indexes() {
                    model.ensure_index(relation, columns);
                }
            }
        }
        for rows in &mut model.relations {
            rows.mark();
        }
        let base_len = model.relations.iter().map(Rows::len).collect();
        let pending = program
            .relations
            .iter()
            .map(|r| Rows::new(r.arity()))
            .collect();
        Ok(Decider {
            windows: vec![Window::default(); count],
            base_len,
            base_facts,
            model,
            inputs,
            outputs,
            strata: plans,
            slow,
            options,
            pending,
            program,
            values,
        })
    }

    /// The base model (between decisions).
    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The values the model and decisions refer to (to display them).
    pub fn values(&self) -> &ValueStore {
        &self.values
    }

    /// The values, to intern a decision's texts. Texts interned stay interned (a few bytes each).
    pub fn values_mut(&mut self) -> &mut ValueStore {
        &mut self.values
    }

    /// A row of `relation` from its fields written as in a CSV file (`2025-06-30`, `12.5`, `MX`).
    pub fn row(
        &mut self,
        relation: &str,
        fields: &[&str],
    ) -> Result<(RelationId, Vec<Value>), String> {
        let id = self
            .program
            .relation_id(relation)
            .ok_or_else(|| format!("unknown relation `{relation}`"))?;
        let columns = &self.program.relation(id).columns;
        if columns.len() != fields.len() {
            return Err(format!(
                "`{relation}` has {} columns, not {}",
                columns.len(),
                fields.len()
            ));
        }
        let mut row = Vec::with_capacity(fields.len());
        for (column, field) in columns.iter().zip(fields) {
            let value = crate::facts::convert::from_text(column.ty, field, &mut self.values)
                .map_err(|_| {
                    format!(
                        "`{field}` is not a {}",
                        crate::facts::convert::expected(column.ty)
                    )
                })?;
            row.push(value);
        }
        Ok((id, row))
    }

    /// `None` when decisions take the fast path (unless a guard finds a defeated base row), else why
    /// every decision is a full evaluation.
    pub fn fast(&self) -> Option<&str> {
        self.slow.as_deref()
    }

    /// The conclusions of adding `facts` (rows of the input relations) to the base facts.
    pub fn decide(&mut self, facts: &[(RelationId, &[Value])]) -> Result<Decision, EvalError> {
        if facts.iter().any(|(r, _)| !self.inputs.contains(r)) || self.slow.is_some() {
            return self.decide_in_full(facts);
        }
        let outcome = self.delta(facts);
        let decision = match &outcome {
            Ok(true) => Ok(self.collect()),
            _ => Err(()),
        };
        self.rollback();
        match (outcome, decision) {
            (Err(e), _) => Err(e),
            (Ok(_), Ok(decision)) => Ok(decision),
            (Ok(_), Err(())) => self.decide_in_full(facts),
        }
    }

    /// Runs the delta plans; false when a guard found a defeated base row.
    fn delta(&mut self, facts: &[(RelationId, &[Value])]) -> Result<bool, EvalError> {
        let round = self.model.rounds + 1;
        for (relation, row) in facts {
            if let Some(rows) = self.model.relations.get_mut(relation.index()) {
                rows.insert(row, round);
            }
            self.open_window(*relation);
        }
        for s in 0..self.strata.len() {
            let stratum = &self.strata[s];
            for (id, negated, plan) in &stratum.guards {
                if !self.has_new_rows(*negated) {
                    continue;
                }
                // The head's pending buffer is empty before the stratum's delta plans run: the
                // guard borrows it and leaves it empty.
                let rule = self.program.rule(*id);
                let head = rule.head;
                let found = &mut self.pending[head.index()];
                run(
                    &self.model,
                    &self.windows,
                    &mut self.values,
                    &self.options,
                    None,
                    found,
                    round,
                    plan,
                    rule,
                    *id,
                )?;
                let base_len = self.base_len[head.index()];
                let rows = &self.model.relations[head.index()];
                let defeats =
                    (0..found.len()).any(|i| rows.find(found.row(i)).is_some_and(|r| r < base_len));
                found.clear();
                if defeats {
                    return Ok(false);
                }
            }
            for (id, delta, plan) in &stratum.derive {
                if !self.has_new_rows(*delta) {
                    continue;
                }
                let rule = self.program.rule(*id);
                let existing = self.model.relations.get(rule.head.index());
                let pending = &mut self.pending[rule.head.index()];
                run(
                    &self.model,
                    &self.windows,
                    &mut self.values,
                    &self.options,
                    existing,
                    pending,
                    round,
                    plan,
                    rule,
                    *id,
                )?;
            }
            for r in 0..self.strata[s].relations.len() {
                let relation = self.strata[s].relations[r];
                let pending = &mut self.pending[relation.index()];
                if let Some(rows) = self.model.relations.get_mut(relation.index()) {
                    for i in 0..pending.len() {
                        rows.insert(pending.row(i), round);
                    }
                }
                pending.clear();
                self.open_window(relation);
            }
        }
        Ok(true)
    }

    fn has_new_rows(&self, relation: RelationId) -> bool {
        let w = self.windows[relation.index()];
        w.recent_start < w.recent_end
    }

    /// Makes a relation's scratch rows its recent rows (and its base rows its stable ones).
    fn open_window(&mut self, relation: RelationId) {
        let (base, len) = (self.base_len[relation.index()], self.model.len(relation));
        self.windows[relation.index()] = Window {
            recent_start: base,
            recent_end: len,
        };
    }

    fn collect(&self) -> Decision {
        let mut added = Vec::new();
        for &relation in &self.outputs {
            for i in self.base_len[relation.index()]..self.model.len(relation) {
                added.push((relation, self.model.row(relation, i).to_vec()));
            }
        }
        Decision {
            added,
            removed: vec![],
            evaluated_in_full: false,
        }
    }

    fn rollback(&mut self) {
        for (i, rows) in self.model.relations.iter_mut().enumerate() {
            if rows.len() > self.base_len[i] {
                rows.rollback(self.base_len[i]);
            }
        }
        self.windows.fill(Window::default());
        // A decision stopped by an error may leave rows in its buffers.
        for pending in self.pending.iter_mut().filter(|p| !p.is_empty()) {
            pending.clear();
        }
    }

    /// The exact answer by evaluating base + decision facts and comparing the outputs with the base model.
    fn decide_in_full(&mut self, facts: &[(RelationId, &[Value])]) -> Result<Decision, EvalError> {
        let mut all = self.base_facts.clone();
        for (relation, row) in facts {
            if relation.index() < self.program.relations.len() {
                all.table_mut(*relation)
                    .push(row, FactOrigin::Asserted { input: 0 });
            }
        }
        let model = evaluate(&self.program, &all, &mut self.values, &self.options)?;
        let mut decision = Decision {
            evaluated_in_full: true,
            ..Decision::default()
        };
        for &relation in &self.outputs {
            let old: BTreeSet<&[Value]> = self.model.rows(relation).collect();
            let new: BTreeSet<&[Value]> = model.rows(relation).collect();
            decision.added.extend(
                model
                    .rows(relation)
                    .filter(|r| !old.contains(r))
                    .map(|r| (relation, r.to_vec())),
            );
            decision.removed.extend(
                self.model
                    .rows(relation)
                    .filter(|r| !new.contains(r))
                    .map(|r| (relation, r.to_vec())),
            );
        }
        Ok(decision)
    }
}

fn premise_relation(literal: &Literal) -> Option<RelationId> {
    match literal {
        Literal::Atom { relation, .. } | Literal::Negated { relation, .. } => Some(*relation),
        _ => None,
    }
}

fn names(program: &Program, relations: &[RelationId]) -> String {
    relations
        .iter()
        .map(|r| program.relation(*r).name.as_str())
        .collect::<Vec<_>>()
        .join("`, `")
}

/// Runs one plan of rule `id` into `pending`.
#[allow(clippy::too_many_arguments)]
fn run(
    model: &Model,
    windows: &[Window],
    values: &mut ValueStore,
    options: &EvalOptions,
    existing: Option<&Rows>,
    pending: &mut Rows,
    round: u32,
    plan: &Plan,
    rule: &crate::ir::Rule,
    id: RuleId,
) -> Result<(), EvalError> {
    let mut exec = Exec {
        relations: &model.relations,
        extra_indexes: &[],
        windows,
        values: Store::Exclusive(values),
        first_rows: None,
        deadline: None,
        existing,
        pending: Pending::Rows(pending),
        round,
        pending_limit: options.max_facts,
        below_round: u32::MAX,
        ticks: 0,
    };
    exec.run(plan, rule.vars.len(), &rule.head_args)
        .map_err(|e| super::exec_error(e, id, rule.head, options.max_facts))
}

#[cfg(test)]
mod tests;
