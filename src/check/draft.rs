//! Drafts: conjunctive rules with named variables, the checker's working form between the AST and IR.
//!
//! `expand` produces them (subject blocks expanded, disjunctions split, aggregates extracted into
//! auxiliary relations, `today` replaced); `law` adds exceptions and effective periods; `types` infers
//! and checks their types; `lower` turns them into [`crate::ir::Rule`]s.

use crate::ir::{AggregateOp, CompareOp, RulePurpose};
use crate::syntax::ast::{Literal, Name, SmolStr};
use crate::syntax::Span;
use crate::value::{ArithOp, DurationUnit};

#[derive(Clone, Debug)]
pub struct Draft {
    pub head: DraftAtom,
    pub body: Vec<DraftLiteral>,
    pub name: Option<Name>,
    pub source: Option<SmolStr>,
    pub span: Span,
    pub disjunct: u32,
    pub purpose: RulePurpose,
    /// Index of the source rule this draft came from (all disjuncts share it); auxiliary drafts made
    /// for aggregates have their own index.
    pub source_rule: usize,
}

#[derive(Clone, Debug)]
pub struct DraftAtom {
    pub relation: SmolStr,
    pub relation_span: Span,
    pub args: Vec<DraftExpr>,
    pub span: Span,
    /// Written in the design card's subject form (`NEEC certified`).
    pub subject_form: bool,
}

#[derive(Clone, Debug)]
pub enum DraftLiteral {
    Atom(DraftAtom),
    Negated(DraftAtom),
    Compare {
        op: CompareOp,
        lhs: DraftExpr,
        rhs: DraftExpr,
        span: Span,
    },
}

#[derive(Clone, Debug)]
pub enum DraftExpr {
    Var(SmolStr, Span),
    Wildcard(Span),
    Const(Literal),
    Binary {
        op: ArithOp,
        lhs: Box<DraftExpr>,
        rhs: Box<DraftExpr>,
        span: Span,
    },
    Shift {
        date: Box<DraftExpr>,
        negate: bool,
        amount: Box<DraftExpr>,
        unit: DurationUnit,
        span: Span,
    },
}

impl DraftExpr {
    pub fn span(&self) -> Span {
        match self {
            DraftExpr::Var(_, s) | DraftExpr::Wildcard(s) => *s,
            DraftExpr::Const(l) => l.span(),
            DraftExpr::Binary { span, .. } | DraftExpr::Shift { span, .. } => *span,
        }
    }

    /// Every variable in the expression, with its span, in order.
    pub fn vars<'a>(&'a self, out: &mut Vec<(&'a str, Span)>) {
        match self {
            DraftExpr::Var(n, s) => out.push((n, *s)),
            DraftExpr::Wildcard(_) | DraftExpr::Const(_) => {}
            DraftExpr::Binary { lhs, rhs, .. } => {
                lhs.vars(out);
                rhs.vars(out);
            }
            DraftExpr::Shift { date, amount, .. } => {
                date.vars(out);
                amount.vars(out);
            }
        }
    }
}

impl Draft {
    /// Every variable of the rule (head and body), with the span of its first occurrence, in order.
    pub fn variables(&self) -> Vec<(&str, Span)> {
        // Room for one variable per argument and comparison side (nested ones may add more).
        let places = self
            .body
            .iter()
            .map(|lit| match lit {
                DraftLiteral::Atom(a) | DraftLiteral::Negated(a) => a.args.len(),
                DraftLiteral::Compare { .. } => 2,
            })
            .sum::<usize>()
            + self.head.args.len();
        let mut all = Vec::with_capacity(places);
        for lit in &self.body {
            match lit {
                DraftLiteral::Atom(a) | DraftLiteral::Negated(a) => {
                    a.args.iter().for_each(|e| e.vars(&mut all))
                }
                DraftLiteral::Compare { lhs, rhs, .. } => {
                    lhs.vars(&mut all);
                    rhs.vars(&mut all);
                }
            }
        }
        self.head.args.iter().for_each(|e| e.vars(&mut all));
        if all.len() <= 32 {
            // A rule's few variables: a look back is quicker than a hash set, and keeps the same ones.
            let mut kept = 0;
            for i in 0..all.len() {
                if !all[..kept].iter().any(|(n, _)| *n == all[i].0) {
                    all[kept] = all[i];
                    kept += 1;
                }
            }
            all.truncate(kept);
            return all;
        }
        let mut seen = rustc_hash::FxHashSet::default();
        all.retain(|(n, _)| seen.insert(*n));
        all
    }
}

/// An aggregate extracted from a rule: `output(group…, result)` aggregates `input(group…, …)`.
#[derive(Clone, Debug)]
pub struct AggregateDraft {
    pub op: AggregateOp,
    pub input: SmolStr,
    pub output: SmolStr,
    pub group_len: usize,
    /// Column of `input` holding the aggregated variable (sum, min, max).
    pub target: Option<usize>,
    pub span: Span,
}
