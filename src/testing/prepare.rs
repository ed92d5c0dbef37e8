//! Preparing a test block: its facts, data files and expectations, checked against the program.
//!
//! Runs before a test is evaluated (called by `run`). Every fact and expected atom is checked as a ground
//! atom, every query as a query, through [`crate::check::query`], so the diagnostics are the checker's.
//! A `load "file"` is resolved relative to the policy file that holds the test and must stay inside the
//! policy root ([`crate::workspace::confine`]). All problems of a block are collected.

use std::path::{Path, PathBuf};

use crate::check::query::{constant_row, ground_atom, lower_query, Query};
use crate::diagnostic::Diagnostic;
use crate::ir::{Program, RelationId};
use crate::syntax::ast::{Atom, Expectation, Expr, TestBlock, TestItem};
use crate::syntax::{SourceMap, Span};
use crate::value::{Value, ValueStore};
use crate::workspace::confine;

/// A test block checked against a program.
pub struct Prepared {
    pub facts: Vec<(RelationId, Vec<Value>, Span)>,
    /// Data files, as paths to open.
    pub loads: Vec<PathBuf>,
    pub expectations: Vec<Expect>,
}

pub enum Expect {
    Holds {
        relation: RelationId,
        row: Vec<Value>,
        span: Span,
    },
    HoldsNot {
        relation: RelationId,
        row: Vec<Value>,
        span: Span,
    },
    Answers {
        query: Query,
        rows: Vec<Vec<Value>>,
        span: Span,
    },
}

/// Checks `block` against `program`. `root` is the canonical policy root.
pub fn prepare(
    block: &TestBlock,
    program: &Program,
    values: &mut ValueStore,
    sources: &SourceMap,
    root: &Path,
) -> Result<Prepared, Vec<Diagnostic>> {
    let mut diags = vec![];
    let mut prepared = Prepared {
        facts: vec![],
        loads: vec![],
        expectations: vec![],
    };
    for item in &block.items {
        match item {
            TestItem::Fact(fact) => match ground_atom(program, &fact.atom, values) {
                Ok((relation, row)) => prepared.facts.push((relation, row, fact.span)),
                Err(mut d) => diags.append(&mut d),
            },
            TestItem::Load { path, span } => match data_path(path, *span, sources, root) {
                Ok(p) => prepared.loads.push(p),
                Err(d) => diags.push(d),
            },
            TestItem::Expect(Expectation::Holds { atom, span }) => {
                if let Err(mut d) = only_values(atom) {
                    diags.append(&mut d);
                    continue;
                }
                match ground_atom(program, atom, values) {
                    Ok((relation, row)) => prepared.expectations.push(Expect::Holds {
                        relation,
                        row,
                        span: *span,
                    }),
                    Err(mut d) => diags.append(&mut d),
                }
            }
            TestItem::Expect(Expectation::HoldsNot { atom, span }) => {
                if let Err(mut d) = only_values(atom) {
                    diags.append(&mut d);
                    continue;
                }
                match ground_atom(program, atom, values) {
                    Ok((relation, row)) => prepared.expectations.push(Expect::HoldsNot {
                        relation,
                        row,
                        span: *span,
                    }),
                    Err(mut d) => diags.append(&mut d),
                }
            }
            TestItem::Expect(Expectation::Answers { query, rows, span }) => {
                let lowered = match lower_query(program, query, values) {
                    Ok(q) => q,
                    Err(mut d) => {
                        diags.append(&mut d);
                        continue;
                    }
                };
                let mut expected = vec![];
                for row in rows {
                    let row_span = row
                        .first()
                        .map(|first| {
                            first
                                .span()
                                .to(row.last().map_or(first.span(), |l| l.span()))
                        })
                        .unwrap_or(*span);
                    match constant_row(&lowered.columns, row, row_span, program.today, values) {
                        Ok(r) => expected.push(r),
                        Err(mut d) => diags.append(&mut d),
                    }
                }
                prepared.expectations.push(Expect::Answers {
                    query: lowered,
                    rows: expected,
                    span: *span,
                });
            }
        }
    }
    if diags.is_empty() {
        Ok(prepared)
    } else {
        Err(diags)
    }
}

/// An expected atom names one row: its arguments are values, not variables or `_`.
fn only_values(atom: &Atom) -> Result<(), Vec<Diagnostic>> {
    let diags: Vec<Diagnostic> = atom
        .args
        .iter()
        .filter_map(|arg| {
            let what = match arg {
                Expr::Var(n) => format!("the variable `{}`", n.text),
                Expr::Wildcard(_) => "`_`".to_string(),
                _ => return None,
            };
            Some(
                Diagnostic::error(
                    "variable_in_expectation",
                    format!("an expected atom cannot contain {what}"),
                )
                .label(arg.span(), "not a value")
                .help(format!(
                    "`expect` names one row, written with values; to state which rows a relation has, \
                     write a query and its answers: `expect {}(x, …) = {{ (…), … }}.`",
                    atom.relation.text
                )),
            )
        })
        .collect();
    if diags.is_empty() {
        Ok(())
    } else {
        Err(diags)
    }
}

/// The data file of `load "path".`: relative to the policy file, inside the policy root.
fn data_path(
    relative: &str,
    span: Span,
    sources: &SourceMap,
    root: &Path,
) -> Result<PathBuf, Diagnostic> {
    let source = sources.get(span.file);
    let shown_dir = Path::new(&source.name)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let target = shown_dir.join(relative);
    if !target.exists() {
        return Err(Diagnostic::error(
            "unreadable_file",
            format!("cannot read `{}`", target.display()),
        )
        .label(span, "loaded here")
        .help("a test's data file is relative to the policy file that holds the test"));
    }
    match confine(&target, root) {
        Ok(()) => Ok(target),
        Err(reason) => Err(Diagnostic::error(
            "load_outside_root",
            format!("`{relative}` {reason}"),
        )
        .label(span, "loaded here")
        .help(format!(
            "a test's data file must stay inside the policy root `{}`",
            root.display()
        ))),
    }
}
