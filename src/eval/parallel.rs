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

use std::time::Instant;

use rayon::prelude::*;

use crate::eval::exec::{Exec, Store, Window};
use crate::eval::plan::{Plan, Step};
use crate::eval::storage::Rows;
use crate::ir::{Program, RuleId};
use crate::value::ValueStore;

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

/// Runs every plan in chunks; per rule, in order, the chunks' pending buffers in order. `None` when a
/// chunk stopped (the caller then runs the stratum sequentially).
pub(super) fn run(shared: &Shared<'_>, plans: &[(RuleId, Plan)]) -> Option<Vec<Vec<Rows>>> {
    let chunks_per_rule = 4 * rayon::current_num_threads();
    let mut tasks: Vec<(usize, Option<(usize, usize)>)> = Vec::new();
    for (p, (_, plan)) in plans.iter().enumerate() {
        match first_scan(plan, shared.relations) {
            Some(rows) if rows >= 2 * chunks_per_rule => {
                let size = rows.div_ceil(chunks_per_rule);
                tasks.extend((0..rows).step_by(size).map(|from| (p, Some((from, from + size)))));
            }
            _ => tasks.push((p, None)),
        }
    }
    let results: Vec<Option<Rows>> = tasks
        .par_iter()
        .map(|&(p, first_rows)| {
            let (id, plan) = &plans[p];
            run_chunk(shared, *id, plan, first_rows)
        })
        .collect();
    let mut out: Vec<Vec<Rows>> = plans.iter().map(|_| Vec::new()).collect();
    for ((p, _), pending) in tasks.iter().zip(results) {
        out[*p].push(pending?);
    }
    Some(out)
}

fn run_chunk(
    shared: &Shared<'_>,
    id: RuleId,
    plan: &Plan,
    first_rows: Option<(usize, usize)>,
) -> Option<Rows> {
    let rule = shared.program.rule(id);
    let mut pending = Rows::new(rule.head_args.len());
    let mut exec = Exec {
        relations: shared.relations,
        extra_indexes: &[],
        windows: shared.windows,
        values: Store::Shared(shared.values),
        first_rows,
        deadline: shared.deadline,
        existing: shared.relations.get(rule.head.index()),
        pending: &mut pending,
        round: shared.round,
        pending_limit: shared.pending_limit,
        below_round: u32::MAX,
        ticks: 0,
    };
    exec.run(plan, rule.vars.len(), &rule.head_args).ok()?;
    Some(pending)
}
