//! Parallel runs of a non-recursive stratum: every rule's first step split into chunks of rows, the
//! chunks run on rayon's threads, each into its own pending buffer.
//!
//! Why it is exact: a non-recursive stratum's rules read only relations of earlier strata (its one
//! relation is a strongly connected component without a self-loop), which are complete and frozen
//! while the stratum runs. A sequential run emits, rule by rule and row by row of the first step, the
//! same rows; so the chunks' buffers, flushed in rule order and then chunk order (the flush drops rows
//! already present), give the relation exactly the rows, and in exactly the order, of the sequential
//! run: the output never depends on the number of threads.
//!
//! What it does not do: anything that would make the two runs differ. A run that stops (a limit, a
//! timeout, arithmetic, a number the shared store does not hold yet) is abandoned whole and the caller
//! runs the stratum sequentially, which reports the stop exactly as it always would. Nothing is
//! flushed before every chunk has succeeded.
//!
//! Flushing: when the stratum's relation is still empty (and unindexed), the chunks' buffers are joined
//! in that same order and adopted whole, deduplicated on every core (`Rows::adopt_derived`) keeping the
//! first of equal rows; otherwise they are appended one by one. A chunk whose buffer is to be adopted
//! whole keeps its rows as they come, repeats included ([`ChunkRows`]): deduplicating them as they
//! are emitted would be done again by the adoption.

use std::time::Instant;

use rayon::prelude::*;

use crate::eval::exec::{Exec, Pending, Store, Window};
use crate::eval::plan::{Plan, Step};
use crate::eval::storage::Rows;
use crate::eval::EvalError;
use crate::ir::{Program, RelationId, RuleId};
use crate::value::{Value, ValueStore};

/// What the chunks read.
pub(super) struct Shared<'a> {
    pub program: &'a Program,
    pub relations: &'a [Rows],
    pub windows: &'a [Window],
    pub values: &'a ValueStore,
    pub deadline: Option<Instant>,
    pub round: u32,
    pub pending_limit: usize,
}

/// The rows the first step of `plan` scans, when it is a scan of a relation (not an index probe).
fn first_scan(plan: &Plan, relations: &[Rows]) -> Option<usize> {
    match plan.steps.first()? {
        Step::Atom {
            relation,
            key_columns,
            ..
        } if key_columns.is_empty() => relations.get(relation.index()).map(Rows::len),
        _ => None,
    }
}

/// Whether running `plans` in parallel can pay: more than one thread, and at least `min_rows` rows
/// scanned by first steps in all.
pub(super) fn worth_it(plans: &[(RuleId, Plan)], relations: &[Rows], min_rows: usize) -> bool {
    let scanned: usize = plans
        .iter()
        .filter_map(|(_, plan)| first_scan(plan, relations))
        .sum();
    rayon::current_num_threads() > 1 && scanned >= min_rows.max(1)
}

/// A chunk's pending rows. `Raw` keeps rows as they come, repeats included, when the stratum's
/// relation is to be adopted whole ([`adoptable`]): the adoption deduplicates every chunk's rows at
/// once, on every core, so deduplicating them here too would be done twice. A raw buffer that passes
/// the pending limit is deduplicated then and goes on `Distinct`, so the limit still bounds a chunk's
/// distinct rows and its memory, and a chunk stops at exactly the point a deduplicating buffer would.
pub(crate) enum ChunkRows {
    Raw {
        arity: usize,
        values: Vec<Value>,
        rows: usize,
    },
    Distinct(Rows),
}

impl ChunkRows {
    fn new(arity: usize, raw: bool) -> ChunkRows {
        if raw {
            ChunkRows::Raw {
                arity,
                values: vec![],
                rows: 0,
            }
        } else {
            ChunkRows::Distinct(Rows::new(arity))
        }
    }

    /// Adds a row derived in `round` (a row of another arity is dropped, as [`Rows::insert`] drops
    /// it); false when the buffer holds more than `limit` distinct rows.
    pub(super) fn push(&mut self, row: &[Value], round: u32, limit: usize) -> bool {
        match self {
            ChunkRows::Distinct(pending) => pending.insert_within(row, round, limit),
            ChunkRows::Raw {
                arity,
                values,
                rows,
            } => {
                if row.len() != *arity {
                    return true;
                }
                values.extend_from_slice(row);
                *rows += 1;
                if *rows <= limit {
                    return true;
                }
                let distinct = Rows::adopt_derived(*arity, std::mem::take(values), *rows, round);
                let fits = distinct.len() <= limit;
                *self = ChunkRows::Distinct(distinct);
                fits
            }
        }
    }

    /// Rows held, repeats included.
    fn len(&self) -> usize {
        match self {
            ChunkRows::Raw { rows, .. } => *rows,
            ChunkRows::Distinct(pending) => pending.len(),
        }
    }

    fn arity(&self) -> usize {
        match self {
            ChunkRows::Raw { arity, .. } => *arity,
            ChunkRows::Distinct(pending) => pending.arity(),
        }
    }

    fn into_values(self) -> Vec<Value> {
        match self {
            ChunkRows::Raw { values, .. } => values,
            ChunkRows::Distinct(pending) => pending.into_values(),
        }
    }

    /// The distinct rows, in order, the first of equal rows kept; all of `round`.
    fn into_rows(self, round: u32) -> Rows {
        match self {
            ChunkRows::Raw {
                arity,
                values,
                rows,
            } => Rows::adopt_derived(arity, values, rows, round),
            ChunkRows::Distinct(pending) => pending,
        }
    }
}

/// The relation every plan concludes, when it is still empty and unindexed and has columns: it can
/// take the chunks' buffers whole (see [`super::Engine::flush_chunks`]).
pub(super) fn adoptable(
    program: &Program,
    relations: &[Rows],
    plans: &[(RuleId, Plan)],
) -> Option<RelationId> {
    let relation = program.rule(plans.first()?.0).head;
    let same = plans
        .iter()
        .all(|(id, _)| program.rule(*id).head == relation);
    let arity = program.relation(relation).arity();
    let untouched = relations
        .get(relation.index())
        .is_some_and(Rows::is_untouched);
    (same && arity > 0 && untouched).then_some(relation)
}

/// Runs every plan in chunks; per rule, in order, the chunks' pending buffers in order. `None` when a
/// chunk stopped (the caller then runs the stratum sequentially). With `raw`, the buffers keep
/// repeats (see [`ChunkRows`]).
pub(super) fn run(
    shared: &Shared<'_>,
    plans: &[(RuleId, Plan)],
    raw: bool,
) -> Option<Vec<Vec<ChunkRows>>> {
    let chunks_per_rule = 4 * rayon::current_num_threads();
    let mut tasks: Vec<(usize, Option<(usize, usize)>)> = Vec::new();
    for (p, (_, plan)) in plans.iter().enumerate() {
        match first_scan(plan, shared.relations) {
            Some(rows) if rows >= 2 * chunks_per_rule => {
                let size = rows.div_ceil(chunks_per_rule);
                tasks.extend(
                    (0..rows)
                        .step_by(size)
                        .map(|from| (p, Some((from, from + size)))),
                );
            }
            _ => tasks.push((p, None)),
        }
    }
    let results: Vec<Option<ChunkRows>> = tasks
        .par_iter()
        .map(|&(p, first_rows)| {
            let (id, plan) = &plans[p];
            run_chunk(shared, *id, plan, first_rows, raw)
        })
        .collect();
    let mut out: Vec<Vec<ChunkRows>> = plans.iter().map(|_| Vec::new()).collect();
    for ((p, _), pending) in tasks.iter().zip(results) {
        out[*p].push(pending?);
    }
    Some(out)
}

impl super::Engine<'_> {
    /// Appends the pending rows of a parallel run: per rule in order, per chunk in order. When every
    /// rule concludes one relation, still empty and without indexes, and all the rows fit under the
    /// limit, the buffers are joined and adopted whole, deduplicated on every core; the first of equal
    /// rows stays, so the relation gets the rows, in the order, that flushing one by one gives.
    /// `adopt` is what [`adoptable`] said before the chunks ran (the run changes no relation).
    pub(super) fn flush_chunks(
        &mut self,
        plans: &[(RuleId, Plan)],
        chunks: Vec<Vec<ChunkRows>>,
        adopt: Option<RelationId>,
    ) -> Result<(), EvalError> {
        let total: usize = chunks.iter().flatten().map(ChunkRows::len).sum();
        if let Some(relation) = adopt {
            let arity = self.program.relation(relation).arity();
            let whole = chunks.iter().flatten().all(|p| p.arity() == arity)
                && self.facts.saturating_add(total) <= self.max_facts;
            if whole {
                let mut buffers = chunks.into_iter().flatten().map(ChunkRows::into_values);
                let mut values = buffers.next().unwrap_or_default();
                values.reserve((total * arity).saturating_sub(values.len()));
                for more in buffers {
                    values.extend_from_slice(&more);
                }
                let rows = Rows::adopt_derived(arity, values, total, self.round);
                self.facts += rows.len();
                if let Some(slot) = self.relations.get_mut(relation.index()) {
                    *slot = rows;
                }
                return Ok(());
            }
        }
        let round = self.round;
        for ((id, _), pendings) in plans.iter().zip(chunks) {
            for pending in pendings {
                self.flush(
                    self.program.rule(*id).head,
                    pending.into_rows(round),
                    Some(*id),
                )?;
            }
        }
        Ok(())
    }
}

fn run_chunk(
    shared: &Shared<'_>,
    id: RuleId,
    plan: &Plan,
    first_rows: Option<(usize, usize)>,
    raw: bool,
) -> Option<ChunkRows> {
    let rule = shared.program.rule(id);
    let mut pending = ChunkRows::new(rule.head_args.len(), raw);
    let mut exec = Exec {
        relations: shared.relations,
        extra_indexes: &[],
        windows: shared.windows,
        values: Store::Shared(shared.values),
        first_rows,
        deadline: shared.deadline,
        existing: shared.relations.get(rule.head.index()),
        pending: Pending::Chunk(&mut pending),
        round: shared.round,
        pending_limit: shared.pending_limit,
        below_round: u32::MAX,
        ticks: 0,
    };
    exec.run(plan, rule.vars.len(), &rule.head_args).ok()?;
    Some(pending)
}

#[cfg(test)]
mod tests {
    use crate::eval::testing::*;
    use crate::eval::{evaluate, EvalError, EvalOptions, Model};
    use crate::facts::FactSet;
    use crate::ir::{CompareOp, Expr, RelationId};
    use crate::value::{ArithOp, Number, ValueStore, ValueType::Number as Num};

    type Rows = Vec<Vec<(Vec<u64>, u32)>>;

    /// `e` holds 1 000 rows; `p` gets rows from two rules (many shared, repeated across chunks), `q` a
    /// fraction per row (numbers the shared store does not hold: that stratum falls back). `seeded`
    /// gives `p` a fact of its own, so that its stratum does not start empty.
    fn program(values: &mut ValueStore, seeded: bool) -> (Builder, [RelationId; 3]) {
        let mut b = Builder::default();
        let e = b.relation("e", &[Num, Num]);
        let p = b.relation("p", &[Num]);
        let q = b.relation("q", &[Num]);
        for i in 0..1000 {
            let x = values.number(Number::Int(i));
            let y = values.number(Number::Int(i * 7 % 300));
            b.fact(e, &[x, y]);
        }
        if seeded {
            let seed = values.number(Number::Int(123));
            b.fact(p, &[seed]);
        }
        let limit = values.number(Number::Int(150));
        b.rule(
            p,
            vec![ev(1)],
            vec![
                atom(e, vec![var(0), var(1)]),
                cmp(CompareOp::Lt, Num, ev(1), Expr::Const(limit)),
            ],
            &[Num, Num],
        );
        b.rule(
            p,
            vec![ev(0)],
            vec![atom(e, vec![var(0), var(1)])],
            &[Num, Num],
        );
        let half = values.number(Number::Decimal(rust_decimal::Decimal::new(5, 1)));
        let plus_half = Expr::Arith {
            op: ArithOp::Add,
            ty: Num,
            lhs: Box::new(ev(0)),
            rhs: Box::new(Expr::Const(half)),
        };
        b.rule(
            q,
            vec![plus_half],
            vec![atom(e, vec![var(0), var(1)])],
            &[Num, Num],
        );
        (b, [e, p, q])
    }

    /// Each relation's rows (raw bits) and rounds, in model order.
    fn evaluate_on(threads: usize, min_rows: usize, max_facts: usize) -> Result<Rows, EvalError> {
        evaluate_seeded(threads, min_rows, max_facts, false)
    }

    fn evaluate_seeded(
        threads: usize,
        min_rows: usize,
        max_facts: usize,
        seeded: bool,
    ) -> Result<Rows, EvalError> {
        let mut values = ValueStore::new();
        let (b, relations) = program(&mut values, seeded);
        let options = EvalOptions {
            parallel_min_rows: min_rows,
            max_facts,
            ..EvalOptions::default()
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let facts = FactSet::for_program(&b.program);
        let model: Model = pool.install(|| evaluate(&b.program, &facts, &mut values, &options))?;
        Ok(relations
            .iter()
            .map(|&r| {
                (0..model.len(r))
                    .map(|i| {
                        let row = model.row(r, i).iter().map(|v| v.raw()).collect();
                        (row, model.round(r, i))
                    })
                    .collect()
            })
            .collect())
    }

    #[test]
    fn chunks_give_the_sequential_rows_in_the_sequential_order() {
        let sequential = evaluate_on(1, usize::MAX, 50_000).expect("evaluates");
        assert_eq!(
            sequential[1].len(),
            1000,
            "p: every x (the y below 150 are among them)"
        );
        assert_eq!(sequential[2].len(), 1000, "q: every x + 0.5");
        for threads in [2, 3] {
            assert_eq!(
                evaluate_on(threads, 1, 50_000).expect("evaluates"),
                sequential
            );
        }
    }

    #[test]
    fn a_relation_not_empty_takes_the_buffers_one_by_one_with_the_same_result() {
        let sequential = evaluate_seeded(1, usize::MAX, 50_000, true).expect("evaluates");
        assert_eq!(sequential[1].len(), 1000, "p: the seed 123 is among the x");
        let seed = ValueStore::new().number(Number::Int(123)).raw();
        assert_eq!(
            sequential[1][0],
            (vec![seed], 0),
            "the fact first, of round 0"
        );
        for threads in [2, 3] {
            let parallel = evaluate_seeded(threads, 1, 50_000, true).expect("evaluates");
            assert_eq!(parallel, sequential);
        }
    }

    #[test]
    fn a_raw_chunk_buffer_holds_what_a_deduplicating_one_holds_and_stops_where_it_stops() {
        use crate::eval::parallel::ChunkRows;
        use crate::eval::storage::Rows;
        use crate::value::Value;
        // 400 rows with many repeats (40 distinct), in an order where repeats come late too.
        let rows: Vec<[Value; 2]> = (0..400u64)
            .map(|i| [Value::from_raw(i * 7 % 40), Value::from_raw(i % 2)])
            .collect();
        let distinct = |limit: usize| {
            let mut reference = Rows::new(2);
            let mut stopped = None;
            for (i, row) in rows.iter().enumerate() {
                if reference.insert(row, 3) && reference.len() > limit {
                    stopped = Some(i);
                    break;
                }
            }
            (reference, stopped)
        };
        for limit in [0, 1, 10, 39, 40, 41, 100, 399, 400, usize::MAX] {
            let (reference, stopped) = distinct(limit);
            let mut raw = ChunkRows::new(2, true);
            let mut raw_stopped = None;
            for (i, row) in rows.iter().enumerate() {
                if !raw.push(row, 3, limit) {
                    raw_stopped = Some(i);
                    break;
                }
                // A row of another arity is dropped, as a deduplicating buffer drops it.
                assert!(raw.push(&row[..1], 3, limit));
            }
            assert_eq!(raw_stopped, stopped, "limit {limit}");
            if stopped.is_some() {
                continue;
            }
            let got = raw.into_rows(3);
            let all = |r: &Rows| -> Vec<(Vec<Value>, u32)> {
                (0..r.len())
                    .map(|i| (r.row(i).to_vec(), r.round(i)))
                    .collect()
            };
            assert_eq!(all(&got), all(&reference), "limit {limit}");
            assert_eq!(got.find(&rows[399]), reference.find(&rows[399]));
        }
    }

    #[test]
    fn a_chunk_that_stops_leaves_the_error_to_the_sequential_run() {
        // 1 000 facts of `e`, then `p` passes the limit of 1 500 in its second rule.
        let sequential = evaluate_on(1, usize::MAX, 1500);
        let parallel = evaluate_on(2, 1, 1500);
        match (&sequential, &parallel) {
            (
                Err(EvalError::TooManyFacts {
                    relation: a,
                    rule: ra,
                    ..
                }),
                Err(EvalError::TooManyFacts {
                    relation: b,
                    rule: rb,
                    ..
                }),
            ) => assert_eq!((a, ra), (b, rb)),
            other => panic!("expected the same limit error twice, got {other:?}"),
        }
    }
}
