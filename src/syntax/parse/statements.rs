//! Lowering of statements: the items of a file (imports, relation declarations, facts, rules, subject
//! blocks, test blocks) and the contents of a test block (facts, `load`, `expect`).
//!
//! A child of `parse`, so the pairs stay inside the parser; it mirrors the grammar's statement rules
//! (`import_stmt`, `relation_decl`, `fact`/`headed_fact`, `rule`/`headed_rule`, `subject_block`,
//! `test_block` and its `load_stmt`/`expect_stmt`). A rule's premises and conclusion are lowered by
//! `formulas`, a headed statement's name and clauses by `annotations`, a `records` block by `records`.
//!
//! Invariant: a statement lowers whole or not at all; a grammar shape not matched here is an internal
//! error, never a panic.

use pest::iterators::Pair;

use super::{internal, Lower, Result, Rule};
use crate::syntax::ast::*;
use crate::syntax::Span;

impl Lower {
    pub(super) fn item(&self, pair: Pair<Rule>) -> Result<Item> {
        let span = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::import_stmt => {
                let string = self.first(pair)?;
                let path_span = self.span(&string);
                Item::Import(Import {
                    path: self.string(string)?.into(),
                    path_span,
                    span,
                })
            }
            Rule::relation_decl => Item::Relation(self.relation(pair)?),
            Rule::fact | Rule::headed_fact => Item::Fact(Box::new(self.fact(pair)?)),
            Rule::rule | Rule::headed_rule | Rule::rule_fast | Rule::headed_rule_fast => {
                Item::Rule(Box::new(self.rule(pair)?))
            }
            Rule::subject_block => {
                let mut inner = pair.into_inner();
                inner.next(); // kw_subject
                let subject =
                    self.name(inner.next().ok_or_else(|| internal(self.file, "subject"))?);
                let rules = inner.map(|p| self.rule(p)).collect::<Result<_>>()?;
                Item::Subject(SubjectBlock {
                    subject,
                    rules,
                    span,
                })
            }
            Rule::test_block => Item::Test(self.test(pair)?),
            Rule::records_block => Item::Records(self.records(pair)?),
            _ => return Err(self.unexpected(&pair)),
        })
    }

    fn relation(&self, pair: Pair<Rule>) -> Result<RelationDecl> {
        let span = self.span(&pair);
        let mut decl = RelationDecl {
            name: Name {
                text: SmolStr::default(),
                span,
            },
            columns: vec![],
            symmetric: false,
            open: false,
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::property => decl.symmetric = true,
                Rule::kw_relation | Rule::dot => {}
                Rule::name => decl.name = self.name(p),
                Rule::columns => {
                    for c in p.into_inner() {
                        match c.as_rule() {
                            Rule::open_columns => decl.open = true,
                            Rule::column => {
                                let cspan = self.span(&c);
                                let mut parts = c.into_inner();
                                let (Some(name), Some(ty)) = (parts.next(), parts.next()) else {
                                    return Err(internal(self.file, "column").label(cspan, ""));
                                };
                                decl.columns.push(ColumnDecl {
                                    name: self.name(name),
                                    ty: self.name(ty),
                                    optional: parts.next().is_some(),
                                    span: cspan,
                                });
                            }
                            _ => return Err(self.unexpected(&c)),
                        }
                    }
                }
                _ => return Err(self.unexpected(&p)),
            }
        }
        Ok(decl)
    }

    fn fact(&self, pair: Pair<Rule>) -> Result<FactDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        let (name, annotations) = self.header(&mut inner)?;
        let atom = inner
            .next()
            .ok_or_else(|| internal(self.file, "fact").label(span, ""))?;
        Ok(FactDecl {
            name,
            annotations,
            atom: self.atom(atom)?,
            span,
        })
    }

    fn rule(&self, pair: Pair<Rule>) -> Result<RuleDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        let (name, annotations) = self.header(&mut inner)?;
        let missing = || internal(self.file, "rule").label(span, "");
        let body = self.formula(inner.next().ok_or_else(missing)?)?;
        // The reference entry gives `implies` and a `conclusion` around the atom; the fast entry
        // gives the atom alone.
        let mut conclusion = inner.next().ok_or_else(missing)?;
        if conclusion.as_rule() == Rule::implies {
            conclusion = inner.next().ok_or_else(missing)?;
        }
        if conclusion.as_rule() == Rule::conclusion {
            conclusion = self.first(conclusion)?;
        }
        let head = match conclusion.as_rule() {
            Rule::atom | Rule::atom_fast => Conclusion::Atom(self.atom(conclusion)?),
            Rule::subject_atom => Conclusion::Subject(self.subject_atom(conclusion)?),
            _ => return Err(self.unexpected(&conclusion)),
        };
        Ok(RuleDecl {
            name,
            annotations,
            body,
            head,
            span,
        })
    }

    fn test(&self, pair: Pair<Rule>) -> Result<TestBlock> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // kw_test
        let name_pair = inner
            .next()
            .ok_or_else(|| internal(self.file, "test").label(span, ""))?;
        let name_span = self.span(&name_pair);
        let name = self.string(name_pair)?.into();
        let mut items = vec![];
        for p in inner {
            let pspan = self.span(&p);
            items.push(match p.as_rule() {
                Rule::fact => TestItem::Fact(self.fact(p)?),
                Rule::load_stmt => TestItem::Load {
                    path: self.string(self.first(p)?)?.into(),
                    span: pspan,
                },
                Rule::expect_stmt => {
                    let e = p
                        .into_inner()
                        .find(|x| !matches!(x.as_rule(), Rule::kw_expect | Rule::dot));
                    let e = e.ok_or_else(|| internal(self.file, "expect").label(pspan, ""))?;
                    TestItem::Expect(self.expectation(e, pspan)?)
                }
                _ => return Err(self.unexpected(&p)),
            });
        }
        Ok(TestBlock {
            name,
            name_span,
            items,
            span,
        })
    }

    fn expectation(&self, pair: Pair<Rule>, span: Span) -> Result<Expectation> {
        Ok(match pair.as_rule() {
            Rule::expect_holds => Expectation::Holds {
                atom: self.atom(self.first(pair)?)?,
                span,
            },
            Rule::expect_not => {
                let atom = pair.into_inner().find(|p| p.as_rule() == Rule::atom);
                let atom = atom.ok_or_else(|| internal(self.file, "expect not").label(span, ""))?;
                Expectation::HoldsNot {
                    atom: self.atom(atom)?,
                    span,
                }
            }
            Rule::expect_set => {
                let mut inner = pair.into_inner();
                let query =
                    self.formula(inner.next().ok_or_else(|| internal(self.file, "expect"))?)?;
                let mut rows = vec![];
                for tuple in inner {
                    let row = tuple
                        .into_inner()
                        .map(|t| self.expr(t))
                        .collect::<Result<_>>()?;
                    rows.push(row);
                }
                Expectation::Answers { query, rows, span }
            }
            _ => return Err(self.unexpected(&pair)),
        })
    }
}
