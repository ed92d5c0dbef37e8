//! Lowering of a headed statement's header: `rule name` or `fact name`, then its clauses — `source "…"`,
//! `effective from … until … on …` and `exception to …` (the clauses `check::law` interprets).
//!
//! A child of `parse`, so the pairs stay inside the parser; it mirrors the grammar's `headed_rule` and
//! `headed_fact` prefixes and the `annotation` rules.
//!
//! Invariant: an unheaded statement has no name and no annotations; clauses keep their written order.

use pest::iterators::{Pair, Pairs};

use super::{internal, Lower, Result, Rule};
use crate::syntax::ast::{Annotation, Name};

impl Lower {
    /// Name and annotations of a headed rule or fact; returns the remaining pairs.
    pub(super) fn header<'a>(
        &self,
        inner: &mut std::iter::Peekable<Pairs<'a, Rule>>,
    ) -> Result<(Option<Name>, Vec<Annotation>)> {
        let mut name = None;
        let mut annotations = vec![];
        if inner
            .peek()
            .is_some_and(|p| matches!(p.as_rule(), Rule::kw_rule | Rule::kw_fact))
        {
            inner.next();
            if let Some(n) = inner.next() {
                name = Some(self.name(n));
            }
            while inner
                .peek()
                .is_some_and(|p| p.as_rule() == Rule::annotation)
            {
                if let Some(a) = inner.next() {
                    // Most rules carry one annotation: no room for four (an annotation is large).
                    if annotations.is_empty() {
                        annotations.reserve_exact(1);
                    }
                    annotations.push(self.annotation(a)?);
                }
            }
        }
        Ok((name, annotations))
    }

    fn annotation(&self, pair: Pair<Rule>) -> Result<Annotation> {
        let inner = self.first(pair)?;
        let span = self.span(&inner);
        Ok(match inner.as_rule() {
            Rule::source_annotation => {
                let s = inner.into_inner().find(|p| p.as_rule() == Rule::string);
                let s = s.ok_or_else(|| internal(self.file, "source").label(span, ""))?;
                Annotation::Source {
                    text: self.string(s)?,
                    span,
                }
            }
            Rule::effective_annotation => {
                let (mut from, mut until, mut on) = (None, None, None);
                let mut last = Rule::kw_effective;
                for p in inner.into_inner() {
                    match p.as_rule() {
                        Rule::kw_from | Rule::kw_until | Rule::kw_on | Rule::kw_effective => {
                            last = p.as_rule()
                        }
                        Rule::date if last == Rule::kw_from => from = Some(self.literal(p)?),
                        Rule::date => until = Some(self.literal(p)?),
                        Rule::name => on = Some(self.name(p)),
                        _ => return Err(self.unexpected(&p)),
                    }
                }
                Annotation::Effective {
                    from,
                    until,
                    on,
                    span,
                }
            }
            Rule::exception_annotation => {
                let rules = inner
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::name)
                    .map(|p| self.name(p))
                    .collect();
                Annotation::ExceptionTo { rules, span }
            }
            _ => return Err(self.unexpected(&inner)),
        })
    }
}
