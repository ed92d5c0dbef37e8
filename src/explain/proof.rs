//! Proof trees: one derivation per derived fact, rebuilt on demand from the rounds the evaluator
//! recorded (see the module doc of [`super`]).
//!
//! A [`Node`] is a fact and how it holds: a base fact with its origin, or a rule with the full binding
//! of its variables and one [`Premise`] per body literal (source order). A derived fact that already
//! has a node in the same proof is not derived twice: later occurrences are [`Step::Seen`] with the
//! number of the first one, which is how shared sub-proofs print once.

use rustc_hash::FxHashMap;

use super::goal::{matches, Goal, GoalArg};
use super::search::{order, unify_head, Matched, Partial, Search};
use super::whynot::{why_not, WhyNot};
use super::{Context, ExplainOptions};
use crate::facts::FactOrigin;
use crate::ir::{Literal, RelationId, RuleId, Term};
use crate::value::Value;

/// The proof of one fact.
#[derive(Clone, Debug)]
pub struct Proof {
    pub root: Node,
}

/// A fact of the model and how it holds.
#[derive(Clone, Debug)]
pub struct Node {
    /// The number of this node, for later references; set on derived facts that are expanded.
    pub id: Option<u32>,
    pub relation: RelationId,
    pub row: Vec<Value>,
    pub step: Step,
}

#[derive(Clone, Debug)]
pub enum Step {
    /// A base fact, written in a policy or loaded from data.
    Fact(FactOrigin),
    /// Derived by `rule` with its variables bound to `bindings` (by `VarId`).
    Rule {
        rule: RuleId,
        bindings: Vec<Value>,
        premises: Vec<Premise>,
    },
    /// The output of an aggregate (`program.aggregates[aggregate]`), computed over `rows` input rows.
    /// Only met when an aggregate's own relation is explained; in a rule's body it is a
    /// [`Premise::Aggregate`].
    Aggregate { aggregate: usize, rows: usize },
    /// Derived; its proof is the node numbered so, shown earlier.
    Seen(u32),
    /// Derived; not expanded because the depth limit was reached.
    DepthLimit,
    /// Holds; its proof is not part of this explanation (premises of a why-not's partial match).
    Omitted,
    /// Derived, but the search found no derivation within its budget.
    Unexplained,
}

/// How one body literal of a rule held.
#[derive(Clone, Debug)]
pub enum Premise {
    /// A positive atom, matched by this fact.
    Atom { literal: usize, node: Node },
    /// A comparison that held, with both sides' values.
    Compare {
        literal: usize,
        lhs: Value,
        rhs: Value,
    },
    /// A binding `v = expr` (or an `=` that bound a variable) and the value bound.
    Bind { literal: usize, value: Value },
    /// A negated atom that no fact matches.
    Absent { literal: usize },
    /// A negation over an exception's defeat relation: the exceptions checked did not apply, and why
    /// not (each exception's failed premise, one level deep).
    ExceptionNotApplied {
        literal: usize,
        why_not: Option<Box<WhyNot>>,
    },
    /// An aggregate's result, and how many rows its group ranged over.
    Aggregate {
        literal: usize,
        aggregate: usize,
        result: Value,
        rows: usize,
    },
}

impl Premise {
    pub fn literal(&self) -> usize {
        match self {
            Premise::Atom { literal, .. }
            | Premise::Compare { literal, .. }
            | Premise::Bind { literal, .. }
            | Premise::Absent { literal }
            | Premise::ExceptionNotApplied { literal, .. }
            | Premise::Aggregate { literal, .. } => *literal,
        }
    }
}

/// Proofs of every fact matching `goal` (at most `options.limit`), in ascending order of their values.
pub fn explain(ctx: &mut Context<'_>, goal: &Goal, options: &ExplainOptions) -> Vec<Proof> {
    let rows = matches(ctx, goal, options.limit);
    rows.into_iter()
        .map(|r| {
            let mut prover = Prover::new(options);
            Proof {
                root: prover.node(ctx, goal.relation, r, 0),
            }
        })
        .collect()
}

/// Builds proof nodes; numbers them in preorder and remembers which derived facts it has expanded.
pub(crate) struct Prover {
    shown: FxHashMap<(RelationId, usize), u32>,
    next: u32,
    depth: usize,
    budget: usize,
}

impl Prover {
    pub fn new(options: &ExplainOptions) -> Prover {
        Prover {
            shown: FxHashMap::default(),
            next: 1,
            depth: options
                .depth
                .unwrap_or(super::DEFAULT_PROOF_DEPTH)
                .min(super::MAX_DEPTH),
            budget: options.budget,
        }
    }

    /// The node of row `r` of `relation`, expanded unless `depth` reached the limit.
    pub fn node(
        &mut self,
        ctx: &mut Context<'_>,
        relation: RelationId,
        r: usize,
        depth: usize,
    ) -> Node {
        let model = ctx.model;
        let row = model.row(relation, r).to_vec();
        let leaf = |step| Node {
            id: None,
            relation,
            row: row.clone(),
            step,
        };
        if let Some(origin) = model.origin(relation, r) {
            return leaf(Step::Fact(origin));
        }
        if let Some(a) = ctx
            .program
            .aggregates
            .iter()
            .position(|a| a.output == relation)
        {
            let rows = match aggregate_premise(ctx, 0, a, r) {
                Premise::Aggregate { rows, .. } => rows,
                _ => 0,
            };
            return leaf(Step::Aggregate { aggregate: a, rows });
        }
        if let Some(id) = self.shown.get(&(relation, r)) {
            return leaf(Step::Seen(*id));
        }
        if depth >= self.depth {
            return leaf(Step::DepthLimit);
        }
        let id = self.next;
        self.next += 1;
        self.shown.insert((relation, r), id);
        let Some((rule, partial)) = derivation(ctx, relation, r, self.budget) else {
            return Node {
                id: Some(id),
                ..leaf(Step::Unexplained)
            };
        };
        let premises = self.premises(ctx, rule, &partial, depth);
        Node {
            id: Some(id),
            relation,
            row,
            step: Step::Rule {
                rule,
                bindings: partial.values,
                premises,
            },
        }
    }

    /// The premises of a complete walk, in the body's source order.
    pub fn premises(
        &mut self,
        ctx: &mut Context<'_>,
        rule: RuleId,
        partial: &Partial,
        depth: usize,
    ) -> Vec<Premise> {
        let bindings = &partial.values;
        let mut by_literal: Vec<(usize, Matched)> = partial.matched.clone();
        by_literal.sort_by_key(|(i, _)| *i);
        by_literal
            .into_iter()
            .map(|(literal, matched)| self.premise(ctx, rule, literal, matched, bindings, depth))
            .collect()
    }

    fn premise(
        &mut self,
        ctx: &mut Context<'_>,
        rule: RuleId,
        literal: usize,
        matched: Matched,
        bindings: &[Value],
        depth: usize,
    ) -> Premise {
        let program = ctx.program;
        let body = &program.rule(rule).body;
        match (matched, &body[literal]) {
            (Matched::Row(r), Literal::Atom { relation, .. }) => {
                if let Some(a) = program
                    .aggregates
                    .iter()
                    .position(|a| a.output == *relation)
                {
                    return aggregate_premise(ctx, literal, a, r);
                }
                Premise::Atom {
                    literal,
                    node: self.node(ctx, *relation, r, depth + 1),
                }
            }
            (Matched::Compare(lhs, rhs), _) => Premise::Compare { literal, lhs, rhs },
            (Matched::Bind(value), _) => Premise::Bind { literal, value },
            (_, Literal::Negated { relation, args, .. }) if is_defeat(ctx, *relation) => {
                let goal = Goal {
                    relation: *relation,
                    args: args
                        .iter()
                        .map(|a| match a {
                            Term::Const(v) => GoalArg::Const(*v),
                            Term::Var(v) => GoalArg::Const(bindings[v.index()]),
                            Term::Wildcard => GoalArg::Wildcard,
                        })
                        .collect(),
                };
                let options = ExplainOptions {
                    depth: Some(1),
                    limit: 1,
                    budget: self.budget,
                };
                Premise::ExceptionNotApplied {
                    literal,
                    why_not: Some(Box::new(why_not(ctx, &goal, &options))),
                }
            }
            _ => Premise::Absent { literal },
        }
    }
}

/// Whether `relation` is an exception's defeat relation (`__defeated_R`).
pub(crate) fn is_defeat(ctx: &Context<'_>, relation: RelationId) -> bool {
    let rel = ctx.program.relation(relation);
    rel.kind == crate::ir::RelationKind::Auxiliary && rel.name.starts_with("__defeated_")
}

/// An aggregate premise: the output row `r` of aggregate `a`, and the size of its group.
pub(crate) fn aggregate_premise(
    ctx: &mut Context<'_>,
    literal: usize,
    a: usize,
    r: usize,
) -> Premise {
    let program = ctx.program;
    let aggregate = &program.aggregates[a];
    let row = ctx.model.row(aggregate.output, r).to_vec();
    let group = &row[..row.len().saturating_sub(1)];
    let rows = ctx
        .candidates(aggregate.input, &aggregate.group, group)
        .len();
    Premise::Aggregate {
        literal,
        aggregate: a,
        result: row.last().copied().unwrap_or_default(),
        rows,
    }
}

/// One derivation of row `r` of `relation` from rows of smaller rounds: the rule and the complete walk.
pub(crate) fn derivation(
    ctx: &mut Context<'_>,
    relation: RelationId,
    r: usize,
    budget: usize,
) -> Option<(RuleId, Partial)> {
    let model = ctx.model;
    let program = ctx.program;
    let row: Vec<Option<Value>> = model.row(relation, r).iter().map(|v| Some(*v)).collect();
    let round = model.round(relation, r);
    for (id, rule) in program.rules.iter().enumerate() {
        if rule.head != relation {
            continue;
        }
        let Ok((values, bound)) = unify_head(rule, &row) else {
            continue;
        };
        let search = Search::new(rule, order(rule, &bound), round, row.clone(), budget);
        if let Ok(partial) = search.run(ctx, values, bound) {
            return Some((RuleId(id as u32), partial));
        }
    }
    None
}
