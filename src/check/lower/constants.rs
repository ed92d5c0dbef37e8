//! Constants in lowering: a literal's value, as a store that is only read can give it, and the
//! placeholders of constants it lacks, filled in once they are interned.
//!
//! Invariant: [`put_constants`] visits a rule's constants in the order lowering makes them (premises
//! in order, a comparison's left side first, then the conclusion), so the place lowering noted for a
//! constant (how many constants it had made before) is the one filled.

use crate::diagnostic::Diagnostic;
use crate::ir::{self, Expr, Literal as IrLiteral, Term};
use crate::syntax::ast::Literal;
use crate::value::{parse_date, Number, Value, ValueStore};

/// Converts a constant to a value, reporting dates and numbers that do not exist.
pub fn constant(l: &Literal, values: &mut ValueStore) -> Result<Value, Diagnostic> {
    Ok(match found_constant(l, values)? {
        Found::Value(v) => v,
        Found::New(c) => c.intern(values),
    })
}

/// A constant as a store that is only read can give it.
pub(super) enum Found<'d> {
    Value(Value),
    /// The store does not hold it yet.
    New(NewConstant<'d>),
}

/// A constant that interning adds to the store.
#[derive(Clone, Copy, Debug)]
pub(super) enum NewConstant<'d> {
    Text(&'d str),
    Number(Number),
}

impl NewConstant<'_> {
    pub(super) fn intern(self, values: &mut ValueStore) -> Value {
        match self {
            NewConstant::Text(s) => values.text(s),
            NewConstant::Number(n) => values.number(n),
        }
    }
}

/// A constant's value, or the constant to intern when the store lacks it.
pub(super) fn found_constant<'d>(
    l: &'d Literal,
    values: &ValueStore,
) -> Result<Found<'d>, Diagnostic> {
    match l {
        Literal::Text { value, .. } => Ok(match values.existing_text(value) {
            Some(v) => Found::Value(v),
            None => Found::New(NewConstant::Text(value)),
        }),
        Literal::Bool { value, .. } => Ok(Found::Value(Value::bool(*value))),
        Literal::Date { text, span } => parse_date(text).map(|d| Found::Value(Value::day(d))).ok_or_else(|| {
            Diagnostic::error("bad_date", format!("`{text}` is not a calendar date"))
                .label(*span, "no such day")
                .help("dates are written `YYYY-MM-DD` and must exist (2024-02-29 does, 2023-02-29 does not)")
        }),
        Literal::Number { text, span } => Number::parse(text)
            .map(|n| match values.existing_number(n) {
                Some(v) => Found::Value(v),
                None => Found::New(NewConstant::Number(n)),
            })
            .ok_or_else(|| {
                Diagnostic::error("bad_number", format!("`{text}` is not a number accord can hold"))
                    .label(*span, "out of range")
                    .help("integers are 64-bit; decimals have at most 28 digits")
            }),
    }
}

/// Puts `values[k]` in the place of the rule's constant number `new[k].0` (counted in the order
/// lowering makes them: premises in order, a comparison's left side first, then the conclusion).
pub(super) fn put_constants(rule: &mut ir::Rule, new: &[(u32, NewConstant)], values: &[Value]) {
    let mut seen = 0u32;
    let mut next = 0usize;
    let mut visit = |v: &mut Value| {
        if new.get(next).is_some_and(|(place, _)| *place == seen) {
            *v = values[next];
            next += 1;
        }
        seen += 1;
    };
    for lit in &mut rule.body {
        match lit {
            IrLiteral::Atom { args, .. } | IrLiteral::Negated { args, .. } => {
                for arg in args {
                    if let Term::Const(v) = arg {
                        visit(v);
                    }
                }
            }
            IrLiteral::Bind { expr, .. } => expr_constants(expr, &mut visit),
            IrLiteral::Compare { lhs, rhs, .. } => {
                expr_constants(lhs, &mut visit);
                expr_constants(rhs, &mut visit);
            }
        }
    }
    for e in &mut rule.head_args {
        expr_constants(e, &mut visit);
    }
    debug_assert_eq!(next, new.len(), "every new constant has its place");
}

fn expr_constants(e: &mut Expr, visit: &mut impl FnMut(&mut Value)) {
    match e {
        Expr::Var(_) => {}
        Expr::Const(v) => visit(v),
        Expr::Arith { lhs, rhs, .. } => {
            expr_constants(lhs, visit);
            expr_constants(rhs, visit);
        }
        Expr::Shift { date, amount, .. } => {
            expr_constants(date, visit);
            expr_constants(amount, visit);
        }
    }
}
