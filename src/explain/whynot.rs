//! Why not: for an atom that is not derived, what stopped every rule that could conclude it.
//!
//! For each rule whose conclusion unifies with the atom's constants, the search walks the body (in the
//! order [`super::search::order`] gives, from the head's bindings) over the whole model and keeps the
//! walk that got furthest; the literal it stopped at is the premise that failed first, with the reason:
//! no matching fact (and, for a derived relation, why not that fact, one level down), a comparison that
//! is false, a negated premise that holds (with its proof) or an exception that fired (with its proof).
//!
//! It never loops: the atoms being explained on the current path are remembered, and an atom met again
//! is reported as [`Stop::Recursion`]; descents also stop at the depth limit ([`Stop::Depth`]).

use super::goal::{matches, Goal, GoalArg};
use super::proof::{aggregate_premise, is_defeat, Node, Premise, Proof, Prover, Step};
use super::search::{order, unify_head, Failed, Matched, Partial, Search};
use super::{explain, Context, ExplainOptions};
use crate::ir::{Literal, RuleId, Term};
use crate::value::Value;

/// Why an atom is not derived (or its proofs, when it is).
#[derive(Clone, Debug)]
pub struct WhyNot {
    pub goal: Goal,
    /// Proofs of the matches, when the atom holds after all (then `attempts` is empty).
    pub holds: Vec<Proof>,
    /// One entry per rule that concludes the atom's relation.
    pub attempts: Vec<RuleAttempt>,
    /// Set when this atom was not looked into.
    pub stopped: Option<Stop>,
}

/// Why the descent stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The depth limit was reached.
    Depth,
    /// The atom is already being explained further up (a recursive rule).
    Recursion,
}

#[derive(Clone, Debug)]
pub struct RuleAttempt {
    pub rule: RuleId,
    pub attempt: Attempt,
}

#[derive(Clone, Debug)]
pub enum Attempt {
    /// The rule's conclusion cannot match the atom: it differs in this column.
    Mismatch { column: usize },
    /// The best partial match: the premises that held (walk order), the binding it had, and the
    /// premise that failed (`None` when the failure is in the conclusion).
    Partial {
        bindings: Vec<Option<Value>>,
        held: Vec<Premise>,
        literal: Option<usize>,
        failure: Failure,
    },
}

#[derive(Clone, Debug)]
pub enum Failure {
    /// No fact matches the premise; for a derived relation, why not (one level down).
    NoFact {
        deeper: Option<Box<WhyNot>>,
    },
    /// A comparison is false with these values.
    Compare {
        lhs: Value,
        rhs: Value,
    },
    /// A negated premise holds: this fact matches it.
    NegatedHolds {
        proof: Proof,
    },
    /// An exception fired: the proof of the defeat (its rule is the exception).
    ExceptionFired {
        proof: Proof,
    },
    Arithmetic(String),
    /// Every premise held but the conclusion computes `value` in `column`.
    Conclusion {
        column: usize,
        value: Value,
    },
    /// Every premise held (the model should then hold the atom; reported rather than hidden).
    NoneFailed,
    /// The search gave up after its budget of candidate bindings.
    Budget,
}

/// Why `goal` does not hold (or its proofs, when it does).
pub fn why_not(ctx: &mut Context<'_>, goal: &Goal, options: &ExplainOptions) -> WhyNot {
    let mut path = vec![];
    analyse(ctx, goal, options, 0, &mut path)
}

fn analyse(
    ctx: &mut Context<'_>,
    goal: &Goal,
    options: &ExplainOptions,
    depth: usize,
    path: &mut Vec<Goal>,
) -> WhyNot {
    let mut out = WhyNot {
        goal: goal.clone(),
        holds: vec![],
        attempts: vec![],
        stopped: None,
    };
    if !matches(ctx, goal, 1).is_empty() {
        out.holds = explain(ctx, goal, options);
        return out;
    }
    if path.iter().any(|g| same_atom(g, goal)) {
        out.stopped = Some(Stop::Recursion);
        return out;
    }
    if depth
        >= options
            .depth
            .unwrap_or(super::DEFAULT_WHY_NOT_DEPTH)
            .min(super::MAX_DEPTH)
    {
        out.stopped = Some(Stop::Depth);
        return out;
    }
    path.push(goal.clone());
    let program = ctx.program;
    let wanted = goal.constants();
    for (id, rule) in program.rules.iter().enumerate() {
        if rule.head != goal.relation {
            continue;
        }
        let rule_id = RuleId(id as u32);
        let (values, bound) = match unify_head(rule, &wanted) {
            Ok(b) => b,
            Err(column) => {
                out.attempts.push(RuleAttempt {
                    rule: rule_id,
                    attempt: Attempt::Mismatch { column },
                });
                continue;
            }
        };
        let search = Search::new(
            rule,
            order(rule, &bound),
            u32::MAX,
            wanted.clone(),
            options.budget,
        );
        let partial = match search.run(ctx, values, bound) {
            Ok(complete) => Partial {
                failed: None,
                ..complete
            },
            Err(best) => best,
        };
        let attempt = attempt(ctx, rule_id, &partial, options, depth, path);
        out.attempts.push(RuleAttempt {
            rule: rule_id,
            attempt,
        });
    }
    path.pop();
    out
}

/// Two goals name the same atom (variables compared by position, not name).
fn same_atom(a: &Goal, b: &Goal) -> bool {
    a.relation == b.relation && a.constants() == b.constants()
}

fn attempt(
    ctx: &mut Context<'_>,
    rule: RuleId,
    partial: &Partial,
    options: &ExplainOptions,
    depth: usize,
    path: &mut Vec<Goal>,
) -> Attempt {
    let program = ctx.program;
    let body = &program.rule(rule).body;
    let model = ctx.model;
    let held: Vec<Premise> = partial
        .matched
        .iter()
        .map(|(literal, matched)| match (matched, &body[*literal]) {
            (Matched::Row(r), Literal::Atom { relation, .. }) => {
                if let Some(a) = program
                    .aggregates
                    .iter()
                    .position(|a| a.output == *relation)
                {
                    return aggregate_premise(ctx, *literal, a, *r);
                }
                let step = model
                    .origin(*relation, *r)
                    .map_or(Step::Omitted, Step::Fact);
                Premise::Atom {
                    literal: *literal,
                    node: Node {
                        id: None,
                        relation: *relation,
                        row: model.row(*relation, *r).to_vec(),
                        step,
                    },
                }
            }
            (Matched::Compare(lhs, rhs), _) => Premise::Compare {
                literal: *literal,
                lhs: *lhs,
                rhs: *rhs,
            },
            (Matched::Bind(value), _) => Premise::Bind {
                literal: *literal,
                value: *value,
            },
            (_, Literal::Negated { relation, .. }) if is_defeat(ctx, *relation) => {
                Premise::ExceptionNotApplied {
                    literal: *literal,
                    why_not: None,
                }
            }
            _ => Premise::Absent { literal: *literal },
        })
        .collect();
    let bindings: Vec<Option<Value>> = partial
        .values
        .iter()
        .zip(&partial.bound)
        .map(|(v, b)| b.then_some(*v))
        .collect();
    let (literal, failed) = match &partial.failed {
        Some((literal, failed)) => (*literal, failed.clone()),
        None => {
            return Attempt::Partial {
                bindings,
                held,
                literal: None,
                failure: Failure::NoneFailed,
            }
        }
    };
    let failure = match (failed, literal.map(|i| &body[i])) {
        (Failed::NoRow, Some(Literal::Atom { relation, args, .. })) => {
            let derived = program.rules.iter().any(|r| r.head == *relation);
            let deeper = derived.then(|| {
                let goal = Goal {
                    relation: *relation,
                    args: args
                        .iter()
                        .map(|a| match a {
                            Term::Const(v) => GoalArg::Const(*v),
                            Term::Var(v) => match bindings[v.index()] {
                                Some(value) => GoalArg::Const(value),
                                None => GoalArg::Var(
                                    program.rule(rule).vars[v.index()].name.to_string(),
                                ),
                            },
                            Term::Wildcard => GoalArg::Wildcard,
                        })
                        .collect(),
                };
                Box::new(analyse(ctx, &goal, options, depth + 1, path))
            });
            Failure::NoFact { deeper }
        }
        (Failed::NegatedRow(r), Some(Literal::Negated { relation, .. })) => {
            let mut prover = Prover::new(options);
            let proof = Proof {
                root: prover.node(ctx, *relation, r, 0),
            };
            if is_defeat(ctx, *relation) {
                Failure::ExceptionFired { proof }
            } else {
                Failure::NegatedHolds { proof }
            }
        }
        (Failed::Compare(lhs, rhs), _) => Failure::Compare { lhs, rhs },
        (Failed::Arithmetic(e), _) => Failure::Arithmetic(e.to_string()),
        (Failed::Head { column, value }, _) => Failure::Conclusion { column, value },
        (Failed::Budget, _) => Failure::Budget,
        _ => Failure::NoneFailed,
    };
    Attempt::Partial {
        bindings,
        held,
        literal,
        failure,
    }
}
