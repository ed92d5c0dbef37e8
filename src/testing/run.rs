//! Running one test: its own facts, a fresh evaluation, then each expectation against the model.
//!
//! Called by [`super::run_policy`] for each selected block. The facts of a run are the program's own
//! policy facts (inside the program), the block's inline facts and the rows of its `load`ed files —
//! nothing else: a fresh [`FactSet`] per test is what keeps tests isolated.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use super::prepare::{prepare, Expect};
use super::{Detail, Failure, Row, Status, TestOptions, TestOutcome, MAX_ROWS_SHOWN};
use crate::engine::{eval_diagnostic, Engine};
use crate::eval::{answer, evaluate, Model};
use crate::explain;
use crate::facts::{FactOrigin, FactSet};
use crate::ir::{self, Program, RelationId};
use crate::syntax::ast::TestBlock;
use crate::syntax::SourceMap;
use crate::value::{Value, ValueStore, ValueType};

/// Runs `block` and fills `outcome`.
pub fn run(
    engine: &mut Engine,
    block: &TestBlock,
    root: &Path,
    options: &TestOptions,
    outcome: &mut TestOutcome,
) {
    let start = Instant::now();
    let program = &engine.checked.program;
    let prepared = match prepare(block, program, &mut engine.values, &engine.sources, root) {
        Ok(p) => p,
        Err(diagnostics) => {
            outcome.status = Status::Error;
            outcome.diagnostics = diagnostics;
            outcome.elapsed = start.elapsed();
            return;
        }
    };
    let mut facts = FactSet::for_program(program);
    for (relation, row, span) in &prepared.facts {
        facts
            .table_mut(*relation)
            .push(row, FactOrigin::Policy(*span));
    }
    if !prepared.loads.is_empty() {
        match crate::facts::load(
            &prepared.loads,
            program,
            &mut engine.values,
            &mut engine.sources,
        ) {
            Ok(loaded) => facts.merge(loaded),
            Err(diagnostics) => {
                outcome.status = Status::Error;
                outcome.diagnostics = diagnostics;
                outcome.elapsed = start.elapsed();
                return;
            }
        }
    }
    let model = match evaluate(program, &facts, &mut engine.values, &options.eval) {
        Ok(m) => m,
        Err(e) => {
            outcome.status = Status::Error;
            outcome.diagnostics = vec![eval_diagnostic(&e, program)];
            outcome.elapsed = start.elapsed();
            return;
        }
    };
    for expectation in &prepared.expectations {
        match check(
            expectation,
            &model,
            program,
            &facts,
            &mut engine.values,
            &engine.sources,
        ) {
            Ok(None) => {}
            Ok(Some(failure)) => outcome.failures.push(failure),
            Err(e) => outcome.diagnostics.push(eval_diagnostic(&e, program)),
        }
    }
    outcome.status = if !outcome.diagnostics.is_empty() {
        Status::Error
    } else if outcome.failures.is_empty() {
        Status::Passed
    } else {
        Status::Failed
    };
    outcome.elapsed = start.elapsed();
}

/// Checks one expectation; `Some` when it does not hold.
fn check(
    expectation: &Expect,
    model: &Model,
    program: &Program,
    facts: &FactSet,
    values: &mut ValueStore,
    sources: &SourceMap,
) -> Result<Option<Failure>, crate::eval::EvalError> {
    let written = |span| {
        let text = sources.snippet(span).trim();
        let text = text.strip_prefix("expect").unwrap_or(text).trim_start();
        text.strip_suffix('.')
            .unwrap_or(text)
            .trim_end()
            .to_string()
    };
    Ok(match expectation {
        Expect::Holds {
            relation,
            row,
            span,
        } => (!model.contains(*relation, row)).then(|| {
            let all = model.sorted_rows(*relation, program, values);
            let types = program.relation(*relation).types();
            Failure {
                kind: "holds",
                expectation: written(*span),
                location: sources.location(*span).to_string(),
                detail: Detail::Missing {
                    relation: program.relation(*relation).name.clone(),
                    rows: all
                        .iter()
                        .take(MAX_ROWS_SHOWN)
                        .map(|r| render(r, &types, values))
                        .collect(),
                    total: all.len(),
                    why_not: why_not(model, program, facts, values, sources, *relation, row),
                },
            }
        }),
        Expect::HoldsNot {
            relation,
            row,
            span,
        } => model.contains(*relation, row).then(|| Failure {
            kind: "holds_not",
            expectation: written(*span),
            location: sources.location(*span).to_string(),
            detail: Detail::Present {
                proof: why(model, program, facts, values, sources, *relation, row),
            },
        }),
        Expect::Answers { query, rows, span } => {
            let actual = answers(model, program, query, values)?;
            let types: Vec<ValueType> = query.columns.iter().map(|c| c.ty).collect();
            let mut expected: Vec<Vec<Value>> = vec![];
            for r in rows {
                if !expected.contains(r) {
                    expected.push(r.clone());
                }
            }
            expected.sort_by(|a, b| values.compare_rows(&types, a, b));
            let actual_set: HashSet<&Vec<Value>> = actual.iter().collect();
            let expected_set: HashSet<&Vec<Value>> = expected.iter().collect();
            if actual_set == expected_set {
                None
            } else {
                let show = |rows: Vec<&Vec<Value>>| -> Vec<Row> {
                    rows.into_iter()
                        .map(|r| render(r, &types, values))
                        .collect()
                };
                Some(Failure {
                    kind: "answers",
                    expectation: written(*span),
                    location: sources.location(*span).to_string(),
                    detail: Detail::Answers {
                        columns: query.columns.iter().map(|c| c.name.to_string()).collect(),
                        missing: show(
                            expected
                                .iter()
                                .filter(|r| !actual_set.contains(r))
                                .collect(),
                        ),
                        unexpected: show(
                            actual
                                .iter()
                                .filter(|r| !expected_set.contains(r))
                                .collect(),
                        ),
                        actual: show(actual.iter().collect()),
                    },
                })
            }
        }
    })
}

/// The distinct answers of a query, sorted by value.
pub fn answers(
    model: &Model,
    program: &Program,
    query: &crate::check::query::Query,
    values: &mut ValueStore,
) -> Result<Vec<Vec<Value>>, crate::eval::EvalError> {
    let mut out: Vec<Vec<Value>> = vec![];
    let mut seen: HashSet<Vec<Value>> = HashSet::new();
    for rule in &query.rules {
        let rows = answer(model, program, &rule.body, &rule.vars, values)?;
        for row in rows {
            let projected: Vec<Value> = rule
                .head_args
                .iter()
                .map(|arg| match arg {
                    ir::Expr::Var(v) => row.get(v.index()).copied().unwrap_or_default(),
                    _ => Value::default(),
                })
                .collect();
            if seen.insert(projected.clone()) {
                out.push(projected);
            }
        }
    }
    let types: Vec<ValueType> = query.columns.iter().map(|c| c.ty).collect();
    out.sort_by(|a, b| values.compare_rows(&types, a, b));
    Ok(out)
}

fn render(row: &[Value], types: &[ValueType], values: &ValueStore) -> Row {
    Row {
        literal: row
            .iter()
            .zip(types)
            .map(|(v, t)| values.literal(*t, *v))
            .collect(),
        json: row
            .iter()
            .zip(types)
            .map(|(v, t)| values.to_json(*t, *v))
            .collect(),
    }
}

/// Why `relation(row)` was not derived: the why-not explanation, as `accord explain --why-not` draws it.
fn why_not(
    model: &Model,
    program: &Program,
    facts: &FactSet,
    values: &mut ValueStore,
    sources: &SourceMap,
    relation: RelationId,
    row: &[Value],
) -> Option<String> {
    let mut ctx = explain::Context::new(model, program, facts, values, sources);
    let goal = explain::Goal::ground(relation, row);
    let answer = explain::why_not(&mut ctx, &goal, &explain::ExplainOptions::default());
    Some(explain::render_why_not(&ctx, &answer))
}

/// The proof of an atom that an `expect not` says must not hold, as `accord explain` draws it.
fn why(
    model: &Model,
    program: &Program,
    facts: &FactSet,
    values: &mut ValueStore,
    sources: &SourceMap,
    relation: RelationId,
    row: &[Value],
) -> Option<String> {
    let mut ctx = explain::Context::new(model, program, facts, values, sources);
    let goal = explain::Goal::ground(relation, row);
    let proofs = explain::explain(&mut ctx, &goal, &explain::ExplainOptions::default());
    let text: Vec<String> = proofs
        .iter()
        .map(|p| explain::render_text(&ctx, p))
        .collect();
    (!text.is_empty()).then(|| text.join(""))
}
