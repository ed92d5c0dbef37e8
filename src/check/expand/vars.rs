//! The variables an aggregate's formula mentions, for grouping: the ones it shares with the rest of
//! its rule group the aggregate.
//!
//! Invariant: variables come in order of first appearance, each once.

use crate::syntax::ast::{Expr, Formula, Name, SmolStr};

/// The variables a formula mentions, in order of first appearance (the subject variable for subject
/// forms; variables inside nested aggregates too).
pub(super) fn formula_vars(formula: &Formula, subject: Option<&Name>, out: &mut Vec<SmolStr>) {
    let push = |n: &SmolStr, out: &mut Vec<SmolStr>| {
        if !out.contains(n) {
            out.push(n.clone());
        }
    };
    match formula {
        Formula::And(parts, _) | Formula::Or(parts, _) => {
            parts.iter().for_each(|p| formula_vars(p, subject, out))
        }
        Formula::Not(inner, _) | Formula::Group(inner, _) => formula_vars(inner, subject, out),
        Formula::Atom(a) => a.args.iter().for_each(|e| expr_vars(e, out)),
        Formula::Subject(_) => {
            if let Some(s) = subject {
                push(&s.text, out);
            }
        }
        Formula::Compare(c) => {
            expr_vars(&c.lhs, out);
            expr_vars(&c.rhs, out);
        }
    }
}

fn expr_vars(expr: &Expr, out: &mut Vec<SmolStr>) {
    match expr {
        Expr::Var(n) => {
            if !out.contains(&n.text) {
                out.push(n.text.clone());
            }
        }
        Expr::Wildcard(_) | Expr::Literal(_) | Expr::Today(_) => {}
        Expr::Binary { lhs, rhs, .. } => {
            expr_vars(lhs, out);
            expr_vars(rhs, out);
        }
        Expr::Shift { date, amount, .. } => {
            expr_vars(date, out);
            expr_vars(amount, out);
        }
        Expr::Paren(inner, _) => expr_vars(inner, out),
        // A nested aggregate's own variables are local to it; the ones it shares with this formula
        // occur in this formula too.
        Expr::Aggregate(_) => {}
    }
}
