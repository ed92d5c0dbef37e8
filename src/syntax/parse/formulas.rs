//! Lowering of formulas: the premises of a rule, a query or an aggregate — disjunctions, conjunctions,
//! negations, groups, atoms, subject atoms and comparisons.
//!
//! A child of `parse`, so the pairs stay inside the parser; it mirrors the grammar's `formula`,
//! `conjunction`, `premise`, `negation`, `group`, `atom`, `subject_atom` and `comparison` rules, and
//! their `*_fast` twins (whose premises come without a `premise` pair, and whose one-term arguments
//! come as the term's pair rather than an `expr`). The terms inside atoms and comparisons are lowered
//! by `expressions`.
//!
//! Invariant: a disjunction or conjunction of one part lowers to that part, so `Or`/`And` always hold
//! two parts or more; `Group` keeps the author's parentheses (the formatter prints them).

use pest::iterators::Pair;

use super::{internal, Lower, Result, Rule};
use crate::syntax::ast::*;

impl Lower {
    pub(super) fn formula(&self, pair: Pair<Rule>) -> Result<Formula> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::formula | Rule::conjunction | Rule::formula_fast | Rule::conjunction_fast => {
                let is_or = matches!(pair.as_rule(), Rule::formula | Rule::formula_fast);
                let mut inner = pair.into_inner();
                if inner.len() == 1 {
                    let only = inner.next().ok_or_else(|| internal(self.file, "formula"))?;
                    return self.formula(only);
                }
                // The operators between the parts are pairs too.
                let mut parts = Vec::with_capacity(inner.len().div_ceil(2));
                for p in inner {
                    if !matches!(p.as_rule(), Rule::or_op | Rule::and_op) {
                        parts.push(self.formula(p)?);
                    }
                }
                Ok(if is_or {
                    Formula::Or(parts, span)
                } else {
                    Formula::And(parts, span)
                })
            }
            Rule::premise => self.formula(self.first(pair)?),
            Rule::negation => {
                let inner = pair.into_inner().find(|p| p.as_rule() != Rule::not_op);
                let inner = inner.ok_or_else(|| internal(self.file, "negation").label(span, ""))?;
                Ok(Formula::Not(Box::new(self.formula(inner)?), span))
            }
            Rule::group => Ok(Formula::Group(
                Box::new(self.formula(self.first(pair)?)?),
                span,
            )),
            Rule::atom | Rule::atom_fast => Ok(Formula::Atom(self.atom(pair)?)),
            Rule::subject_atom => Ok(Formula::Subject(self.subject_atom(pair)?)),
            Rule::comparison | Rule::comparison_fast => {
                let mut inner = pair.into_inner();
                let missing = || internal(self.file, "comparison").label(span, "");
                let lhs = self.expr(inner.next().ok_or_else(missing)?)?;
                let op_pair = inner.next().ok_or_else(missing)?;
                let op = match op_pair.as_str() {
                    "=" => CompareOp::Eq,
                    "≠" | "!=" => CompareOp::Ne,
                    "<" => CompareOp::Lt,
                    "≤" | "<=" => CompareOp::Le,
                    ">" => CompareOp::Gt,
                    _ => CompareOp::Ge,
                };
                let rhs = self.expr(inner.next().ok_or_else(missing)?)?;
                Ok(Formula::Compare(Comparison {
                    op,
                    op_span: self.span(&op_pair),
                    lhs,
                    rhs,
                    span,
                }))
            }
            _ => Err(self.unexpected(&pair)),
        }
    }

    pub(super) fn atom(&self, pair: Pair<Rule>) -> Result<Atom> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let relation = self.name(
            inner
                .next()
                .ok_or_else(|| internal(self.file, "atom").label(span, ""))?,
        );
        let mut args = Vec::with_capacity(inner.len());
        for p in inner {
            args.push(self.expr(p)?);
        }
        Ok(Atom {
            relation,
            args,
            span,
        })
    }

    pub(super) fn subject_atom(&self, pair: Pair<Rule>) -> Result<SubjectAtom> {
        let span = self.span(&pair);
        let mut qualifier = None;
        let mut relation = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::qualifier => {
                    let q = self.first(p)?;
                    qualifier = Some(match q.as_rule() {
                        Rule::string => Literal::Text {
                            span: self.span(&q),
                            value: self.string(q)?,
                            quoted: true,
                        },
                        _ => Literal::Text {
                            span: self.span(&q),
                            value: SmolStr::new(q.as_str()),
                            quoted: false,
                        },
                    });
                }
                Rule::name => relation = Some(self.name(p)),
                _ => return Err(self.unexpected(&p)),
            }
        }
        let relation =
            relation.ok_or_else(|| internal(self.file, "subject atom").label(span, ""))?;
        Ok(SubjectAtom {
            qualifier,
            relation,
            span,
        })
    }
}
