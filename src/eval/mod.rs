//! Evaluation: computes the model of a checked program over base facts, bottom-up and stratified.
//!
//! Runs after `check` (which lowered the policy to [`crate::ir`]) and before the consumers (output,
//! queries, explanations). The design, in the order work happens:
//!
//! 1. **Strata** come from [`crate::stratify`]: relations are evaluated one strongly connected component
//!    at a time, dependencies first, so a negation or an aggregate only ever reads complete relations.
//! 2. **Base facts** (policy facts, then the [`FactSet`] tables) are loaded first with round 0 and their
//!    [`FactOrigin`] ([`evaluate_owned`] moves the tables in instead of copying); see `storage` for the row layout, dedup table and indexes.
//! 3. **Aggregates** whose output is in a stratum are computed when the stratum starts (`aggregate`).
//! 4. **Rules**: a non-recursive stratum runs each rule once over full relations. A recursive stratum runs
//!    semi-naively with datafrog's vocabulary: every row is *stable* (seen by all rules), *recent* (derived
//!    in the latest round, not yet joined with everything) or *to add* (the pending buffer of the current
//!    round). The first round runs every rule over everything; each later round runs, for every rule and
//!    every body atom over a relation of the stratum, the plan whose delta atom reads only recent rows,
//!    atoms before it only stable rows and atoms after it all rows, so each derivation is found once.
//! 5. **Plans** (`plan`) order a body greedily and probe hash indexes on bound columns; the executor
//!    (`exec`) walks them.
//! 6. **Afterwards**, the [`Model`] answers lookups, conjunctive queries ([`answer`]) and derivation
//!    searches ([`derivation`]) for explanations, with the same planner and executor.
//!
//! Every round (a non-recursive stratum, an aggregate batch, a semi-naive iteration) increments one global
//! counter; each row records the round that derived it, so an explainer can rebuild a derivation from rows
//! of smaller rounds only. The evaluation is deterministic: the same program and facts give the same rows
//! in the same order. It keeps no global state and never panics on a program that satisfies the IR
//! invariants; a program that breaks them gets an [`EvalError`] instead.

mod aggregate;
mod decide;
mod derive;
mod exec;
mod id_table;
mod model;
mod parallel;
mod plan;
mod query;
pub mod storage;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

pub use decide::{Decider, Decision};
pub use derive::{derivation, prepare_derivations, Derivation};
pub use exec::eval_expr;
pub use model::Model;
pub use query::{answer, answer_keeping_indexes};

use crate::facts::{FactOrigin, FactSet, Table};
use crate::ir::{Literal, Program, RelationId, RuleId};
use crate::stratify::{stratify, NegativeCycle};
use crate::value::{ArithmeticError, ValueStore, ValueType};
use exec::{Exec, ExecError, Pending, Store, Window};
use plan::{Plan, Version};
use storage::Rows;

/// Limits on one evaluation.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// The most rows the model may hold, over all relations.
    pub max_facts: usize,
    /// How long the evaluation may run.
    pub timeout: Option<Duration>,
    /// A non-recursive stratum whose rules scan at least this many rows runs on every core (see
    /// `parallel`); the model is the same either way.
    pub parallel_min_rows: usize,
}

impl Default for EvalOptions {
    fn default() -> EvalOptions {
        EvalOptions {
            max_facts: 50_000_000,
            timeout: None,
            parallel_min_rows: 16_000,
        }
    }
}

/// Why an evaluation produced no model.
#[derive(Clone, Debug, thiserror::Error)]
pub enum EvalError {
    #[error("the evaluation would derive more than {limit} facts")]
    TooManyFacts {
        relation: RelationId,
        rule: Option<RuleId>,
        limit: usize,
    },
    #[error("the evaluation ran out of time")]
    Timeout {
        relation: RelationId,
        rule: Option<RuleId>,
    },
    #[error("arithmetic failed in a rule: {error}")]
    Arithmetic {
        rule: RuleId,
        error: ArithmeticError,
    },
    #[error("arithmetic failed in a query: {error}")]
    QueryArithmetic { error: ArithmeticError },
    #[error("arithmetic failed in an aggregate: {error}")]
    AggregateArithmetic {
        aggregate: usize,
        error: ArithmeticError,
    },
    /// The program breaks the IR invariants: a rule (or a query, `rule: None`) whose variables cannot all
    /// be bound in any order.
    #[error("a rule binds not all of its variables")]
    Unsafe { rule: Option<RuleId> },
    /// The program breaks the IR invariants: it has a cycle through negation or aggregation.
    #[error("the program has a cycle through negation or aggregation")]
    NotStratifiable { cycle: NegativeCycle },
}

struct Engine<'p> {
    program: &'p Program,
    relations: Vec<Rows>,
    windows: Vec<Window>,
    round: u32,
    /// Rows over all relations.
    facts: usize,
    max_facts: usize,
    parallel_min_rows: usize,
    deadline: Option<Instant>,
}

/// Evaluates `program` over `facts` (plus the program's own facts).
pub fn evaluate(
    program: &Program,
    facts: &FactSet,
    values: &mut ValueStore,
    options: &EvalOptions,
) -> Result<Model, EvalError> {
    run(program, Base::Borrowed(facts), values, options)
}

/// Like [`evaluate`], but consumes the fact set: each table's rows move into the model instead of being
/// copied, so the base facts are never held twice (the lower peak memory for large loads).
pub fn evaluate_owned(
    program: &Program,
    facts: FactSet,
    values: &mut ValueStore,
    options: &EvalOptions,
) -> Result<Model, EvalError> {
    run(program, Base::Owned(facts), values, options)
}

/// An executor's stop as the evaluation error that names rule `id` and the relation it concludes.
fn exec_error(error: ExecError, id: RuleId, relation: RelationId, limit: usize) -> EvalError {
    match error {
        ExecError::Arithmetic(error) => EvalError::Arithmetic { rule: id, error },
        ExecError::Timeout => EvalError::Timeout {
            relation,
            rule: Some(id),
        },
        ExecError::Full => EvalError::TooManyFacts {
            relation,
            rule: Some(id),
            limit,
        },
        // Only a shared store stops for this, and the parallel driver answers it by running again
        // with the exclusive one; it never reaches a caller.
        ExecError::NeedsStore => EvalError::Unsafe { rule: Some(id) },
    }
}

/// Where the base facts come from.
enum Base<'f> {
    Borrowed(&'f FactSet),
    Owned(FactSet),
}

fn run(
    program: &Program,
    facts: Base<'_>,
    values: &mut ValueStore,
    options: &EvalOptions,
) -> Result<Model, EvalError> {
    let strata = stratify(program).map_err(|cycle| EvalError::NotStratifiable { cycle })?;
    let mut engine = Engine {
        program,
        relations: program
            .relations
            .iter()
            .map(|r| Rows::new(r.arity()))
            .collect(),
        windows: vec![Window::default(); program.relations.len()],
        round: 0,
        facts: 0,
        max_facts: options.max_facts,
        deadline: options.timeout.map(|t| Instant::now() + t),
        parallel_min_rows: options.parallel_min_rows,
    };
    engine.load(facts)?;
    for stratum in &strata {
        engine.aggregates(&stratum.aggregates, values)?;
        if stratum.rules.is_empty() {
            continue;
        }
        if stratum.recursive {
            engine.recursive(&stratum.relations, &stratum.rules, values)?;
        } else {
            engine.single_pass(&stratum.rules, values)?;
        }
    }
    Ok(Model {
        relations: engine.relations,
        rounds: engine.round,
    })
}

impl Engine<'_> {
    fn load(&mut self, facts: Base<'_>) -> Result<(), EvalError> {
        let limit = self.max_facts;
        let too_many = |relation| EvalError::TooManyFacts {
            relation,
            rule: None,
            limit,
        };
        let tables = match &facts {
            Base::Borrowed(f) => &f.tables,
            Base::Owned(f) => &f.tables,
        };
        let mut counts: Vec<usize> = tables.iter().map(|t| t.len()).collect();
        counts.resize(self.relations.len(), 0);
        let mut policy = vec![0usize; self.relations.len()];
        for fact in &self.program.facts {
            if let Some(c) = policy.get_mut(fact.relation.index()) {
                *c += 1;
            }
        }
        for (rows, (count, policy)) in self
            .relations
            .iter_mut()
            .zip(counts.iter_mut().zip(&policy))
        {
            // A table that will be adopted whole needs no room here.
            if *policy > 0 || matches!(facts, Base::Borrowed(_)) {
                rows.reserve(*count + policy);
            }
        }
        let mut total = 0usize;
        for fact in &self.program.facts {
            let relation = fact.relation;
            let Some(rows) = self.relations.get_mut(relation.index()) else {
                continue;
            };
            if rows.insert_base(&fact.values, FactOrigin::Policy(fact.span)) {
                total += 1;
                if total > limit {
                    return Err(too_many(relation));
                }
            }
        }
        let add = |rows: &mut Rows, table: &Table, total: &mut usize, relation| {
            for (row, origin) in table.rows() {
                if rows.insert_base(row, origin) {
                    *total += 1;
                    if *total > limit {
                        return Err(too_many(relation));
                    }
                }
            }
            Ok(())
        };
        match facts {
            Base::Borrowed(f) => {
                for (i, table) in f.tables.iter().enumerate() {
                    let relation = RelationId(i as u32);
                    if let Some(rows) = self.relations.get_mut(i) {
                        add(rows, table, &mut total, relation)?;
                    }
                }
            }
            Base::Owned(f) => {
                // Each table is moved into its relation (or copied, then dropped) before the next one.
                for (i, table) in f.tables.into_iter().enumerate() {
                    let relation = RelationId(i as u32);
                    let Some(rows) = self.relations.get_mut(i) else {
                        continue;
                    };
                    if rows.is_empty() && table.arity == rows.arity() {
                        *rows = Rows::adopt(table.arity, table.values, table.origins);
                        total += rows.len();
                        if total > limit {
                            return Err(too_many(relation));
                        }
                    } else {
                        add(rows, &table, &mut total, relation)?;
                    }
                }
            }
        }
        self.facts = total;
        Ok(())
    }

    fn aggregates(
        &mut self,
        aggregates: &[usize],
        values: &mut ValueStore,
    ) -> Result<(), EvalError> {
        if aggregates.is_empty() {
            return Ok(());
        }
        self.round += 1;
        for &a in aggregates {
            let Some(aggregate) = self.program.aggregates.get(a) else {
                continue;
            };
            let Some(input) = self.relations.get(aggregate.input.index()) else {
                continue;
            };
            let target_type = aggregate
                .target
                .and_then(|c| {
                    self.program
                        .relations
                        .get(aggregate.input.index())?
                        .columns
                        .get(c)
                })
                .map_or(ValueType::Number, |c| c.ty);
            let rows =
                aggregate::compute(aggregate, input, target_type, values).map_err(|error| {
                    EvalError::AggregateArithmetic {
                        aggregate: a,
                        error,
                    }
                })?;
            let limit = self.max_facts;
            let relation = aggregate.output;
            let Some(output) = self.relations.get_mut(relation.index()) else {
                continue;
            };
            for row in rows {
                if output.insert(&row, self.round) {
                    self.facts += 1;
                    if self.facts > limit {
                        return Err(EvalError::TooManyFacts {
                            relation,
                            rule: None,
                            limit,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn plan_rule(
        &mut self,
        id: RuleId,
        delta: Option<usize>,
        version: impl Fn(usize) -> Version,
    ) -> Result<Plan, EvalError> {
        let rule = self.program.rule(id);
        let types: Vec<ValueType> = rule.vars.iter().map(|v| v.ty).collect();
        let plan = plan::plan(&rule.body, &types, delta, version)
            .filter(|p| plan::binds_all(p, types.len(), &rule.head_args))
            .ok_or(EvalError::Unsafe { rule: Some(id) })?;
        for (relation, columns) in plan.indexes() {
            if let Some(rows) = self.relations.get_mut(relation.index()) {
                rows.ensure_index(columns);
            }
        }
        Ok(plan)
    }

    /// Runs one plan of rule `id`, returning the new head rows (not yet in the head relation).
    fn run(
        &mut self,
        id: RuleId,
        plan: &Plan,
        values: &mut ValueStore,
        pending: &mut Rows,
    ) -> Result<(), EvalError> {
        let rule = self.program.rule(id);
        let relation = rule.head;
        let total = self.facts;
        let mut exec = Exec {
            relations: &self.relations,
            extra_indexes: &[],
            windows: &self.windows,
            values: Store::Exclusive(values),
            first_rows: None,
            deadline: self.deadline,
            existing: self.relations.get(relation.index()),
            pending: Pending::Rows(pending),
            round: self.round,
            pending_limit: self.max_facts.saturating_sub(total),
            below_round: u32::MAX,
            ticks: 0,
        };
        exec.run(plan, rule.vars.len(), &rule.head_args)
            .map_err(|e| exec_error(e, id, relation, self.max_facts))
    }

    /// Appends pending rows to their relation; the number of new rows. A relation still empty and
    /// without indexes takes the buffer whole (its rows are distinct and of this round already).
    fn flush(
        &mut self,
        relation: RelationId,
        pending: Rows,
        rule: Option<RuleId>,
    ) -> Result<usize, EvalError> {
        let limit = self.max_facts;
        let round = self.round;
        let Some(rows) = self.relations.get_mut(relation.index()) else {
            return Ok(0);
        };
        let too_many = EvalError::TooManyFacts {
            relation,
            rule,
            limit,
        };
        if rows.is_untouched() && rows.arity() == pending.arity() {
            let added = pending.len();
            if self.facts + added > limit {
                return Err(too_many);
            }
            *rows = pending;
            self.facts += added;
            return Ok(added);
        }
        rows.reserve(pending.len());
        let mut added = 0;
        for i in 0..pending.len() {
            if rows.insert(pending.row(i), round) {
                added += 1;
                self.facts += 1;
                if self.facts > limit {
                    return Err(too_many);
                }
            }
        }
        Ok(added)
    }

    fn check_time(&self, relation: RelationId, rule: Option<RuleId>) -> Result<(), EvalError> {
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(EvalError::Timeout { relation, rule }),
            _ => Ok(()),
        }
    }

    /// A stratum without recursion: each rule once, over complete relations; on every core when that
    /// pays (see `parallel`), with the same result.
    fn single_pass(&mut self, rules: &[RuleId], values: &mut ValueStore) -> Result<(), EvalError> {
        self.round += 1;
        let mut plans = Vec::with_capacity(rules.len());
        for &id in rules {
            self.check_time(self.program.rule(id).head, Some(id))?;
            plans.push((id, self.plan_rule(id, None, |_| Version::Full)?));
        }
        if parallel::worth_it(&plans, &self.relations, self.parallel_min_rows) {
            let shared = parallel::Shared {
                program: self.program,
                relations: &self.relations,
                windows: &self.windows,
                values,
                deadline: self.deadline,
                round: self.round,
                pending_limit: self.max_facts.saturating_sub(self.facts),
            };
            // Decided once: the chunks keep raw rows exactly when their buffers may be adopted whole.
            let adopt = parallel::adoptable(self.program, &self.relations, &plans);
            if let Some(chunks) = parallel::run(&shared, &plans, adopt.is_some()) {
                self.flush_chunks(&plans, chunks, adopt)?;
                return Ok(());
            }
        }
        for (id, plan) in &plans {
            let rule = self.program.rule(*id);
            self.check_time(rule.head, Some(*id))?;
            let mut pending = Rows::new(rule.head_args.len());
            self.run(*id, plan, values, &mut pending)?;
            self.flush(rule.head, pending, Some(*id))?;
        }
        Ok(())
    }

    /// A recursive stratum, semi-naively (see the module doc).
    fn recursive(
        &mut self,
        members: &[RelationId],
        rules: &[RuleId],
        values: &mut ValueStore,
    ) -> Result<(), EvalError> {
        let program = self.program;
        let in_stratum = |r: RelationId| members.binary_search(&r).is_ok();
        let mut full_plans = Vec::with_capacity(rules.len());
        let mut delta_plans: Vec<(RuleId, RelationId, Plan)> = vec![];
        for &id in rules {
            let body = &program.rule(id).body;
            full_plans.push(self.plan_rule(id, None, |_| Version::Full)?);
            for (d, literal) in body.iter().enumerate() {
                let Literal::Atom { relation, .. } = literal else {
                    continue;
                };
                if !in_stratum(*relation) {
                    continue;
                }
                let version = |i: usize| match &body[i] {
                    Literal::Atom { relation, .. } if in_stratum(*relation) => match i.cmp(&d) {
                        std::cmp::Ordering::Less => Version::Stable,
                        std::cmp::Ordering::Equal => Version::Recent,
                        std::cmp::Ordering::Greater => Version::Full,
                    },
                    _ => Version::Full,
                };
                let plan = self.plan_rule(id, Some(d), version)?;
                delta_plans.push((id, *relation, plan));
            }
        }
        let mut pending: Vec<Rows> = members
            .iter()
            .map(|r| Rows::new(program.relations.get(r.index()).map_or(0, |x| x.arity())))
            .collect();
        let slot = |r: RelationId| members.binary_search(&r).ok();

        // First round: every rule over everything.
        self.round += 1;
        for (&id, plan) in rules.iter().zip(&full_plans) {
            let head = program.rule(id).head;
            self.check_time(head, Some(id))?;
            if let Some(s) = slot(head) {
                self.run(id, plan, values, &mut pending[s])?;
            }
        }
        let mut changed = self.advance(members, &mut pending)?;
        while changed {
            self.round += 1;
            for (id, delta, plan) in &delta_plans {
                let window = self.windows.get(delta.index()).copied().unwrap_or_default();
                if window.recent_start >= window.recent_end {
                    continue;
                }
                let head = program.rule(*id).head;
                self.check_time(head, Some(*id))?;
                if let Some(s) = slot(head) {
                    self.run(*id, plan, values, &mut pending[s])?;
                }
            }
            changed = self.advance(members, &mut pending)?;
        }
        // Complete now: later strata see every row as stable.
        for relation in members {
            if let Some(w) = self.windows.get_mut(relation.index()) {
                *w = Window::default();
            }
        }
        Ok(())
    }

    /// Moves the to-add rows into their relations; they become the recent rows. Whether any was new.
    fn advance(&mut self, members: &[RelationId], pending: &mut [Rows]) -> Result<bool, EvalError> {
        let mut changed = false;
        for (&relation, rows) in members.iter().zip(pending.iter_mut()) {
            let start = self.relations.get(relation.index()).map_or(0, Rows::len);
            let arity = rows.arity();
            let added = self.flush(relation, std::mem::replace(rows, Rows::new(arity)), None)?;
            changed |= added > 0;
            if let Some(w) = self.windows.get_mut(relation.index()) {
                *w = Window {
                    recent_start: start,
                    recent_end: start + added,
                };
            }
        }
        Ok(changed)
    }
}
