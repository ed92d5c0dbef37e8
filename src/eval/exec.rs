//! Execution: runs one [`Plan`] against the relations and emits head rows into a pending buffer.
//!
//! The executor walks the plan's steps depth-first with one binding slot per rule variable. Atoms are
//! matched by probing an index (when the plan asks for one and it exists), by looking a whole row up in
//! the dedup table (every column bound), or by scanning the atom's row range; negations look up the dedup table (no wildcard) or an index on the non-wildcard columns;
//! expressions use checked arithmetic. Emitted rows already in the head relation are dropped, the rest
//! go to a pending [`Rows`] (deduplicated), which the fixpoint later appends to the relation, or to a
//! parallel chunk's buffer that defers deduplication to the relation's adoption ([`Pending`]).
//!
//! Invariant: the executor only reads relations, so every row range it is given stays valid while it
//! runs; a missing index degrades to a scan, never to a wrong answer or a panic.

use std::time::Instant;

use crate::eval::parallel::ChunkRows;
use crate::eval::plan::{Access, Action, Operand, Plan, Step, Version};
use crate::eval::storage::{Index, Rows};
use crate::ir::{Expr, RelationId};
use crate::value::{self, ArithmeticError, Number, Value, ValueStore, ValueType};

/// The semi-naive row ranges of one relation: stable rows are `0..recent_start`, recent rows
/// `recent_start..recent_end` (both clamped to the relation's length). The default, for relations outside
/// the current recursive stratum, makes every row stable and none recent.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub recent_start: usize,
    pub recent_end: usize,
}

impl Default for Window {
    fn default() -> Window {
        Window {
            recent_start: usize::MAX,
            recent_end: usize::MAX,
        }
    }
}

/// Why a plan stopped.
#[derive(Debug)]
pub enum ExecError {
    Arithmetic(ArithmeticError),
    Timeout,
    /// `pending` holds more than `pending_limit` rows.
    Full,
    /// A computed number is not in a [`Store::Shared`] store (the run must be repeated with an
    /// exclusive one).
    NeedsStore,
}

impl From<ArithmeticError> for ExecError {
    fn from(e: ArithmeticError) -> ExecError {
        ExecError::Arithmetic(e)
    }
}

/// The value store an executor reads; an exclusive one also takes the numbers rules compute.
pub enum Store<'a> {
    Exclusive(&'a mut ValueStore),
    /// Shared with executors running at the same time (see `parallel`): a computed number that is not
    /// already in the store stops the run with [`ExecError::NeedsStore`].
    Shared(&'a ValueStore),
}

impl Store<'_> {
    pub fn get(&self) -> &ValueStore {
        match self {
            Store::Exclusive(values) => values,
            Store::Shared(values) => values,
        }
    }

    fn number(&mut self, n: Number) -> Result<Value, ExecError> {
        match self {
            Store::Exclusive(values) => Ok(values.number(n)),
            Store::Shared(values) => values.existing_number(n).ok_or(ExecError::NeedsStore),
        }
    }
}

/// Where an executor's new rows go.
pub enum Pending<'a> {
    /// A buffer that drops repeats as rows come.
    Rows(&'a mut Rows),
    /// A parallel chunk's buffer, which may keep repeats for a later deduplication (see
    /// `parallel::ChunkRows`).
    Chunk(&'a mut ChunkRows),
}

/// Everything one run of a plan reads and writes.
pub struct Exec<'a> {
    pub relations: &'a [Rows],
    /// Indexes built for this run only (queries against a finished model).
    pub extra_indexes: &'a [(RelationId, Index)],
    pub windows: &'a [Window],
    pub values: Store<'a>,
    /// Restricts the first step's scan to these rows (one chunk of a parallel run); `None`: all.
    pub first_rows: Option<(usize, usize)>,
    pub deadline: Option<Instant>,
    /// Emitted rows already here are not new (the head relation), if any.
    pub existing: Option<&'a Rows>,
    pub pending: Pending<'a>,
    pub round: u32,
    /// The most rows `pending` may hold.
    pub pending_limit: usize,
    /// Only rows derived before this round are visible (`u32::MAX`: all rows).
    pub below_round: u32,
    pub ticks: u32,
}

impl<'a> Exec<'a> {
    /// Runs `plan` for every binding and emits `head` for each.
    pub fn run(&mut self, plan: &Plan, var_count: usize, head: &[Expr]) -> Result<(), ExecError> {
        let mut bindings = vec![Value::default(); var_count];
        let mut row = Vec::with_capacity(head.len());
        // Each step's index is found once per run, not once per binding of the steps before it.
        let indexes: Vec<Option<&'a Index>> = plan
            .steps
            .iter()
            .map(|step| match step {
                Step::Atom {
                    relation,
                    key_columns,
                    access: Access::Probe,
                    ..
                } => self.index(*relation, key_columns),
                Step::Negated {
                    relation,
                    key_columns,
                    exact: false,
                    ..
                } if !key_columns.is_empty() => self.index(*relation, key_columns),
                _ => None,
            })
            .collect();
        self.step(plan, &indexes, 0, &mut bindings, head, &mut row)
    }

    fn index(&self, relation: RelationId, columns: &[usize]) -> Option<&'a Index> {
        let relations: &'a [Rows] = self.relations;
        if let Some(index) = relations
            .get(relation.index())
            .and_then(|r| r.index(columns))
        {
            return Some(index);
        }
        let extra: &'a [(RelationId, Index)] = self.extra_indexes;
        extra
            .iter()
            .find(|(r, i)| *r == relation && i.columns() == columns)
            .map(|(_, i)| i)
    }

    fn tick(&mut self) -> Result<(), ExecError> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks & 0x3fff == 0 {
            if let Some(deadline) = self.deadline {
                if Instant::now() >= deadline {
                    return Err(ExecError::Timeout);
                }
            }
        }
        Ok(())
    }

    fn step(
        &mut self,
        plan: &Plan,
        indexes: &[Option<&'a Index>],
        i: usize,
        bindings: &mut [Value],
        head: &[Expr],
        row: &mut Vec<Value>,
    ) -> Result<(), ExecError> {
        let Some(step) = plan.steps.get(i) else {
            return self.emit(bindings, head, row);
        };
        match step {
            Step::Atom {
                relation,
                version,
                key_columns,
                key,
                access,
                actions,
            } => {
                let relations: &'a [Rows] = self.relations;
                let Some(rows) = relations.get(relation.index()) else {
                    return Ok(());
                };
                let window = self
                    .windows
                    .get(relation.index())
                    .copied()
                    .unwrap_or_default();
                let (mut start, mut end) = match version {
                    Version::Full => (0, rows.len()),
                    Version::Stable => (0, window.recent_start.min(rows.len())),
                    Version::Recent => (window.recent_start, window.recent_end.min(rows.len())),
                };
                if let (0, Some((from, to))) = (i, self.first_rows) {
                    (start, end) = (start.max(from), end.min(to));
                }
                let mut buffer = KeyBuffer::default();
                let key = buffer.fill(key, bindings);
                let index = indexes.get(i).copied().flatten();
                // Rounds are only read when some are hidden (derivation searches).
                let below = self.below_round;
                let hidden = |r: usize| below != u32::MAX && rows.round(r) >= below;
                if *access == Access::Find {
                    // The key is the whole row (in column order: every column is a key column).
                    if let Some(r) = rows.find(key) {
                        if (start..end).contains(&r) && !hidden(r) {
                            self.tick()?;
                            self.step(plan, indexes, i + 1, bindings, head, row)?;
                        }
                    }
                } else if let Some(index) = index {
                    for r in index.lookup(rows, key, end) {
                        if (r as usize) < start || hidden(r as usize) {
                            continue;
                        }
                        self.tick()?;
                        if bind_row(rows.row(r as usize), actions, bindings) {
                            self.step(plan, indexes, i + 1, bindings, head, row)?;
                        }
                    }
                } else {
                    for r in start..end {
                        self.tick()?;
                        if hidden(r) {
                            continue;
                        }
                        let values = rows.row(r);
                        let matches = key_columns
                            .iter()
                            .zip(key)
                            .all(|(c, k)| values.get(*c) == Some(k));
                        if matches && bind_row(values, actions, bindings) {
                            self.step(plan, indexes, i + 1, bindings, head, row)?;
                        }
                    }
                }
                Ok(())
            }
            Step::Negated {
                relation,
                key_columns,
                key,
                exact,
            } => {
                let Some(rows) = self.relations.get(relation.index()) else {
                    return self.step(plan, indexes, i + 1, bindings, head, row);
                };
                let mut buffer = KeyBuffer::default();
                let key = buffer.fill(key, bindings);
                let found = if *exact {
                    rows.find(key).is_some()
                } else if key_columns.is_empty() {
                    !rows.is_empty()
                } else if let Some(index) = indexes.get(i).copied().flatten() {
                    index.lookup(rows, key, rows.len()).next().is_some()
                } else {
                    !rows.lookup(key_columns, key, rows.len()).is_empty()
                };
                if found {
                    Ok(())
                } else {
                    self.step(plan, indexes, i + 1, bindings, head, row)
                }
            }
            Step::Compare { op, ty, lhs, rhs } => {
                let a = eval_in(lhs, bindings, &mut self.values)?;
                let b = eval_in(rhs, bindings, &mut self.values)?;
                if op.holds(self.values.get().compare(*ty, a, b)) {
                    self.step(plan, indexes, i + 1, bindings, head, row)
                } else {
                    Ok(())
                }
            }
            Step::Bind { var, expr } => {
                let value = eval_in(expr, bindings, &mut self.values)?;
                let Some(slot) = bindings.get_mut(var.index()) else {
                    return Ok(());
                };
                *slot = value;
                self.step(plan, indexes, i + 1, bindings, head, row)
            }
        }
    }

    fn emit(
        &mut self,
        bindings: &[Value],
        head: &[Expr],
        row: &mut Vec<Value>,
    ) -> Result<(), ExecError> {
        row.clear();
        for e in head {
            row.push(eval_in(e, bindings, &mut self.values)?);
        }
        // An empty head relation (a stratum's first run) holds nothing: no need to hash the row twice.
        if self
            .existing
            .is_some_and(|rows| !rows.is_empty() && rows.find(row).is_some())
        {
            return Ok(());
        }
        let fits = match &mut self.pending {
            Pending::Rows(pending) => pending.insert_within(row, self.round, self.pending_limit),
            Pending::Chunk(chunk) => chunk.push(row, self.round, self.pending_limit),
        };
        if !fits {
            return Err(ExecError::Full);
        }
        Ok(())
    }
}

/// A lookup key: on the stack for up to eight columns, on the heap beyond.
#[derive(Default)]
struct KeyBuffer {
    inline: [Value; 8],
    heap: Vec<Value>,
}

impl KeyBuffer {
    fn fill(&mut self, operands: &[Operand], bindings: &[Value]) -> &[Value] {
        if operands.len() <= self.inline.len() {
            for (slot, o) in self.inline.iter_mut().zip(operands) {
                *slot = operand(*o, bindings);
            }
            &self.inline[..operands.len()]
        } else {
            self.heap = operands.iter().map(|o| operand(*o, bindings)).collect();
            &self.heap
        }
    }
}

fn operand(o: Operand, bindings: &[Value]) -> Value {
    match o {
        Operand::Const(v) => v,
        Operand::Var(v) => bindings.get(v.index()).copied().unwrap_or_default(),
    }
}

/// Binds the atom's free columns from `values`; false when a repeated variable does not match.
fn bind_row(values: &[Value], actions: &[(usize, Action)], bindings: &mut [Value]) -> bool {
    for (c, action) in actions {
        let Some(value) = values.get(*c).copied() else {
            return false;
        };
        match action {
            Action::Bind(v) => {
                if let Some(slot) = bindings.get_mut(v.index()) {
                    *slot = value;
                }
            }
            Action::Check(v) => {
                if bindings.get(v.index()) != Some(&value) {
                    return false;
                }
            }
        }
    }
    true
}

/// An integral number of days or calendar units.
fn whole(n: Number) -> Result<i64, ArithmeticError> {
    match n.normalize() {
        Number::Int(i) => Ok(i),
        Number::Decimal(_) => Err(ArithmeticError::DateOutOfRange),
    }
}

/// Evaluates an expression over bound variables; new numbers are interned in `values`.
pub fn eval_expr(
    expr: &Expr,
    bindings: &[Value],
    values: &mut ValueStore,
) -> Result<Value, ArithmeticError> {
    eval_in(expr, bindings, &mut Store::Exclusive(values)).map_err(|e| match e {
        ExecError::Arithmetic(e) => e,
        // An exclusive store takes every number and `eval_in` has no deadline or buffer: unreachable.
        ExecError::NeedsStore | ExecError::Timeout | ExecError::Full => ArithmeticError::Overflow,
    })
}

fn eval_in(expr: &Expr, bindings: &[Value], values: &mut Store) -> Result<Value, ExecError> {
    match expr {
        Expr::Var(v) => Ok(bindings.get(v.index()).copied().unwrap_or_default()),
        Expr::Const(c) => Ok(*c),
        Expr::Arith { op, ty, lhs, rhs } => {
            let a = eval_in(lhs, bindings, values)?;
            let b = eval_in(rhs, bindings, values)?;
            match ty {
                ValueType::Date => {
                    let days = whole(values.get().number_of(b))?;
                    let days = match op {
                        value::ArithOp::Add => days,
                        value::ArithOp::Sub => {
                            days.checked_neg().ok_or(ArithmeticError::Overflow)?
                        }
                        _ => return Err(ArithmeticError::DateOutOfRange.into()),
                    };
                    Ok(
                        value::add_duration(a.as_day(), days, value::DurationUnit::Days)
                            .map(Value::day)?,
                    )
                }
                _ => {
                    let store = values.get();
                    let n = store.number_of(a).apply(*op, store.number_of(b))?;
                    values.number(n)
                }
            }
        }
        Expr::Shift {
            date,
            amount,
            unit,
            negate,
        } => {
            let d = eval_in(date, bindings, values)?;
            let n = eval_in(amount, bindings, values)?;
            let mut n = whole(values.get().number_of(n))?;
            if *negate {
                n = n.checked_neg().ok_or(ArithmeticError::Overflow)?;
            }
            Ok(value::add_duration(d.as_day(), n, *unit).map(Value::day)?)
        }
    }
}
