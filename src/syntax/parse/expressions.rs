//! Lowering of expressions: variables, constants, `today`, `_`, arithmetic (with date shifts by a
//! duration) and aggregates; literals, and text escapes.
//!
//! A child of `parse`, so the pairs stay inside the parser; it mirrors the grammar's `expr`, `product`,
//! `aggregate` and literal rules. A name that starts with an upper-case letter is a text constant,
//! any other name a variable.
//!
//! Invariants: operator chains are left-nested and at most [`MAX_NESTING`] operators long
//! (`too_deeply_nested`), so later passes cannot recurse too deep; a text's value has its escapes
//! resolved, and an unknown escape is a `bad_escape` error on its exact span.

use pest::iterators::Pair;

use super::{internal, Lower, Result, Rule, MAX_NESTING};
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::Span;
use crate::value::{ArithOp, DurationUnit};

impl Lower {
    pub(super) fn expr(&self, pair: Pair<Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr_inner => self.expr(
                pair.into_inner()
                    .next()
                    .ok_or_else(|| internal(self.file, "expr").label(span, ""))?,
            ),
            Rule::expr => {
                self.operator_chain(&pair)?;
                let mut inner = pair.into_inner().peekable();
                let first = inner
                    .next()
                    .ok_or_else(|| internal(self.file, "expr").label(span, ""))?;
                let mut acc = self.expr(first)?;
                while let Some(op) = inner.next() {
                    let rhs_pair = inner
                        .next()
                        .ok_or_else(|| internal(self.file, "expr").label(span, ""))?;
                    let rhs = self.expr(rhs_pair)?;
                    let negate = op.as_str() == "-";
                    let unit = inner.next_if(|p| p.as_rule() == Rule::unit);
                    let whole = acc.span().to(rhs.span());
                    acc = match unit {
                        Some(u) => {
                            let unit = match u.as_str().trim_end_matches('s') {
                                "day" => DurationUnit::Days,
                                "month" => DurationUnit::Months,
                                _ => DurationUnit::Years,
                            };
                            let whole = whole.to(self.span(&u));
                            Expr::Shift {
                                date: Box::new(acc),
                                negate,
                                amount: Box::new(rhs),
                                unit,
                                span: whole,
                            }
                        }
                        None => Expr::Binary {
                            op: if negate { ArithOp::Sub } else { ArithOp::Add },
                            lhs: Box::new(acc),
                            rhs: Box::new(rhs),
                            span: whole,
                        },
                    };
                }
                Ok(acc)
            }
            Rule::product => {
                self.operator_chain(&pair)?;
                let mut inner = pair.into_inner();
                let first = inner
                    .next()
                    .ok_or_else(|| internal(self.file, "product").label(span, ""))?;
                let mut acc = self.expr(first)?;
                while let Some(op) = inner.next() {
                    let rhs_pair = inner
                        .next()
                        .ok_or_else(|| internal(self.file, "product").label(span, ""))?;
                    let rhs = self.expr(rhs_pair)?;
                    let whole = acc.span().to(rhs.span());
                    let op = if op.as_str() == "*" {
                        ArithOp::Mul
                    } else {
                        ArithOp::Div
                    };
                    acc = Expr::Binary {
                        op,
                        lhs: Box::new(acc),
                        rhs: Box::new(rhs),
                        span: whole,
                    };
                }
                Ok(acc)
            }
            Rule::aggregate => {
                let mut inner = pair.into_inner().peekable();
                let op = match inner.next().map(|p| p.as_str().to_string()).as_deref() {
                    Some("count") => AggregateOp::Count,
                    Some("sum") => AggregateOp::Sum,
                    Some("min") => AggregateOp::Min,
                    _ => AggregateOp::Max,
                };
                let target = inner
                    .next_if(|p| p.as_rule() == Rule::name)
                    .map(|p| self.name(p));
                let body = inner
                    .next()
                    .ok_or_else(|| internal(self.file, "aggregate").label(span, ""))?;
                Ok(Expr::Aggregate(Box::new(AggregateExpr {
                    op,
                    target,
                    body: self.formula(body)?,
                    span,
                })))
            }
            Rule::name | Rule::name_fast => {
                let text = pair.as_str();
                if text.starts_with(|c: char| c.is_ascii_uppercase()) {
                    Ok(Expr::Literal(Literal::Text {
                        value: SmolStr::new(text),
                        quoted: false,
                        span,
                    }))
                } else {
                    Ok(Expr::Var(self.name(pair)))
                }
            }
            Rule::wildcard => Ok(Expr::Wildcard(span)),
            Rule::today => Ok(Expr::Today(span)),
            Rule::date | Rule::number | Rule::string | Rule::boolean => {
                Ok(Expr::Literal(self.literal(pair)?))
            }
            _ => {
                // a parenthesised expression: `( expr )` arrives as the inner expr pair
                Err(self.unexpected(&pair))
            }
        }
    }

    /// Rejects an arithmetic chain so long that the left-nested tree it lowers to would make later
    /// passes recurse too deep (see [`MAX_NESTING`]).
    fn operator_chain(&self, pair: &Pair<Rule>) -> Result<()> {
        let children = pair.clone().into_inner();
        // Every operator follows an operand: a chain of few children has fewer operators.
        if children.len() <= MAX_NESTING {
            return Ok(());
        }
        let operators = children
            .filter(|p| matches!(p.as_rule(), Rule::add_op | Rule::mul_op))
            .count();
        if operators > MAX_NESTING {
            return Err(Diagnostic::error(
                "too_deeply_nested",
                format!(
                    "an expression with {operators} operators; at most {MAX_NESTING} are allowed"
                ),
            )
            .label(self.span(pair), "too long")
            .help("split the computation over several equalities: `a = x + y ∧ b = a + z`"));
        }
        Ok(())
    }

    pub(super) fn literal(&self, pair: Pair<Rule>) -> Result<Literal> {
        let span = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::date => Literal::Date {
                text: SmolStr::new(pair.as_str()),
                span,
            },
            Rule::number => Literal::Number {
                text: SmolStr::new(pair.as_str()),
                span,
            },
            Rule::boolean => Literal::Bool {
                value: pair.as_str() == "true",
                span,
            },
            Rule::string => Literal::Text {
                value: self.string(pair)?,
                quoted: true,
                span,
            },
            _ => return Err(self.unexpected(&pair)),
        })
    }

    /// The value of a `"…"` literal, with escapes resolved.
    pub(super) fn string(&self, pair: Pair<Rule>) -> Result<SmolStr> {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
        if !raw.contains('\\') {
            return Ok(SmolStr::new(raw));
        }
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((j, other)) => {
                    let start = span.start as usize + 1 + i;
                    let end = span.start as usize + 1 + j + other.len_utf8();
                    return Err(Diagnostic::error(
                        "bad_escape",
                        format!("unknown escape `\\{other}` in a text"),
                    )
                    .label(
                        Span::new(self.file, start, end),
                        "not an escape accord knows",
                    )
                    .help("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`"));
                }
                None => out.push('\\'),
            }
        }
        Ok(out.into())
    }
}
