//! Explanations: why a fact holds (a proof tree down to base facts) and why an atom does not.
//!
//! A consumer of [`crate::eval`]: it runs after evaluation, on the finished [`Model`], and never during
//! it. Provenance is (nearly) free because the evaluator already records, for every row, the semi-naive
//! round that derived it (base facts: round 0 with their [`FactOrigin`]). To explain a derived row of
//! round `r`, [`search`] looks for a rule concluding its relation and a binding of the rule's body whose
//! positive premises are rows of round `< r`, whose comparisons hold and whose negated premises match
//! no row; it then explains those premises the same way. Rounds strictly decrease along every path, so
//! proofs are well-founded and the recursion ends. Every step probes hash indexes on the bound columns
//! (the evaluator's, or one this module builds once and caches in the [`Context`]), never scans a large
//! relation per step.
//!
//! The library API (the CLI's `accord explain` and the REPL's `:why` / `:whynot` use it):
//!
//! ```text
//! let mut ctx = Context::new(&model, program, &facts, &mut values, &sources);
//! let goal = parse_goal("fewer_exams(s)", program, ctx.values, &mut sources)?;  // or build a Goal
//! let proofs: Vec<Proof> = explain(&mut ctx, &goal, &ExplainOptions::default());
//! let text = render_text(&ctx, &proofs[0]);          // a drawn tree
//! let json = proof_json(&ctx, &proofs[0]);           // the schema of docs/explain.md
//! let why_not: WhyNot = why_not(&mut ctx, &goal, &ExplainOptions::default());
//! let text = render_why_not(&ctx, &why_not);  let json = why_not_json(&ctx, &why_not);
//! let cache = ctx.into_cache();   // keep the indexes built; Context::with_cache(…, cache) reuses them
//! ```
//!
//! Invariants: a [`Proof`] only cites rows of the model; every [`Step::Rule`] carries the rule's full
//! binding, so replaying the rule's body with it reproduces the node's row (`tests/explain.rs` checks
//! this on random programs); auxiliary relations made by the lowering (`__aggregateN`, `__defeated_R`)
//! never appear as nodes: aggregates show as their result, exceptions as "exception … does not apply".
//!
//! Modules: [`goal`] (the atom to explain: parsing and checking), [`search`] (index probes, body
//! order, the search for one derivation or the best partial match), [`proof`] (proof trees), [`whynot`]
//! (counter-proofs), [`render`] (text), [`json`] (JSON).

mod describe;
pub mod goal;
mod json;
mod limit;
mod proof;
mod render;
pub(crate) mod search;
mod whynot;

#[cfg(test)]
mod tests;

pub use goal::{parse_goal, Goal, GoalArg};
pub use json::{proof_json, why_not_json};
pub use limit::{depth_cut, depth_diagnostic, DepthCut};
pub use proof::{explain, Node, Premise, Proof, Step};
pub use render::{render_text, render_why_not};
pub use whynot::{why_not, Attempt, Failure, RuleAttempt, Stop, WhyNot};

use rustc_hash::FxHashMap;

use crate::eval::storage::Index;
use crate::eval::Model;
use crate::facts::{FactOrigin, FactSet};
use crate::ir::{Program, RelationId};
use crate::syntax::SourceMap;
use crate::value::ValueStore;

/// How deep a proof goes unless asked otherwise (`--depth N`): far deeper than any policy's own
/// reasoning, yet a recursive chain (a path over thousands of links) is cut, with [`depth_diagnostic`]
/// saying where, instead of drawing thousands of levels.
pub const DEFAULT_PROOF_DEPTH: usize = 100;
/// How deep a why-not descends unless asked otherwise.
pub const DEFAULT_WHY_NOT_DEPTH: usize = 4;
/// The deepest any explanation goes, whatever is asked: proofs and why-nots are built by recursion, and
/// this bound keeps it far from the stack's limit (`--depth` above it is refused by the CLI).
pub const MAX_DEPTH: usize = 1000;

/// Limits of one explanation.
#[derive(Clone, Debug)]
pub struct ExplainOptions {
    /// How deep proofs (and why-not descents) go; `None`: proofs [`DEFAULT_PROOF_DEPTH`] levels,
    /// why-nots [`DEFAULT_WHY_NOT_DEPTH`]. Never more than [`MAX_DEPTH`].
    pub depth: Option<usize>,
    /// How many matches of an atom with variables are explained.
    pub limit: usize,
    /// How many candidate bindings one search may try before it gives up.
    pub budget: usize,
}

impl Default for ExplainOptions {
    fn default() -> ExplainOptions {
        ExplainOptions {
            depth: None,
            limit: 20,
            budget: 1_000_000,
        }
    }
}

/// Everything an explanation reads, plus the indexes it builds on demand.
pub struct Context<'a> {
    pub model: &'a Model,
    pub program: &'a Program,
    pub facts: &'a FactSet,
    /// Mutable only so that arithmetic in rules can intern the numbers it computes (as in evaluation).
    pub values: &'a mut ValueStore,
    pub sources: &'a SourceMap,
    indexes: IndexCache,
}

/// The indexes an explanation built, kept so that a later [`Context`] over the same model can reuse them
/// ([`Context::into_cache`], [`Context::with_cache`]). Invariant: a cache is only given back with the
/// model it was built on (a REPL drops it when `:assert` or `:reload` makes a new model); as a guard,
/// an index whose row count differs from its relation's is dropped, never used.
#[derive(Default)]
pub struct IndexCache {
    map: FxHashMap<(RelationId, Vec<usize>), Index>,
}

impl<'a> Context<'a> {
    pub fn new(
        model: &'a Model,
        program: &'a Program,
        facts: &'a FactSet,
        values: &'a mut ValueStore,
        sources: &'a SourceMap,
    ) -> Context<'a> {
        Context {
            model,
            program,
            facts,
            values,
            sources,
            indexes: IndexCache::default(),
        }
    }

    /// A context that starts with the indexes a previous one built (see [`IndexCache`]).
    pub fn with_cache(
        model: &'a Model,
        program: &'a Program,
        facts: &'a FactSet,
        values: &'a mut ValueStore,
        sources: &'a SourceMap,
        mut cache: IndexCache,
    ) -> Context<'a> {
        cache.map.retain(|(relation, _), index| {
            model.storage(*relation).map(|rows| rows.len()) == Some(index.covered())
        });
        Context {
            indexes: cache,
            ..Context::new(model, program, facts, values, sources)
        }
    }

    /// The indexes built so far, for [`Context::with_cache`].
    pub fn into_cache(self) -> IndexCache {
        self.indexes
    }

    /// Where a base fact came from, as `file:line` (policy) or `file:line, row N` (data).
    pub fn origin_text(&self, origin: FactOrigin) -> String {
        match origin {
            FactOrigin::Policy(span) => self.sources.location(span).to_string(),
            FactOrigin::Data { file, line, row } => {
                let name = self
                    .facts
                    .files
                    .get(file as usize)
                    .map_or("<data>", String::as_str);
                if line > 0 {
                    format!("{name}:{line}, row {}", row as u64 + 1)
                } else {
                    format!("{name}, row {}", row as u64 + 1)
                }
            }
            FactOrigin::Asserted { input } => format!("asserted at input {input}"),
        }
    }
}
