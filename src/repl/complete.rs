//! What the line editor offers to complete a constant with: every text the loaded data, the policy's
//! facts and its rules mention, written as a policy author would type it (quoted only when it must be).
//!
//! Texts are gathered from where they occur, not from the value store, because short texts are packed
//! into their values and never interned (see [`crate::value::text`]).

use crate::engine::Engine;
use crate::ir::{Expr, Literal, Program, RelationId, Term};
use crate::value::{quote_text_if_needed, Value, ValueType};

/// The text constants of `engine`'s data and policy, sorted and without repeats.
pub(super) fn text_constants(engine: &Engine) -> Vec<String> {
    let program = &engine.checked.program;
    let mut texts: Vec<Value> = Vec::new();
    for (i, table) in engine.facts.tables.iter().enumerate() {
        let columns = text_columns(program, RelationId(i as u32));
        for (row, _) in table.rows() {
            texts.extend(columns.iter().filter_map(|c| row.get(*c)));
        }
    }
    for fact in &program.facts {
        let columns = text_columns(program, fact.relation);
        texts.extend(columns.iter().filter_map(|c| fact.values.get(*c)));
    }
    for rule in &program.rules {
        let head = program.relation(rule.head);
        for (arg, column) in rule.head_args.iter().zip(&head.columns) {
            if let (Expr::Const(v), ValueType::Text) = (arg, column.ty) {
                texts.push(*v);
            }
        }
        for literal in &rule.body {
            match literal {
                Literal::Atom { relation, args, .. } | Literal::Negated { relation, args, .. } => {
                    let columns = &program.relation(*relation).columns;
                    for (arg, column) in args.iter().zip(columns) {
                        if let (Term::Const(v), ValueType::Text) = (arg, column.ty) {
                            texts.push(*v);
                        }
                    }
                }
                Literal::Compare {
                    ty: ValueType::Text,
                    lhs,
                    rhs,
                    ..
                } => {
                    texts.extend([lhs, rhs].into_iter().filter_map(|e| match e {
                        Expr::Const(v) => Some(*v),
                        _ => None,
                    }));
                }
                Literal::Compare { .. } | Literal::Bind { .. } => {}
            }
        }
    }
    texts.sort_unstable();
    texts.dedup();
    let values = &engine.values;
    let mut out: Vec<String> = texts
        .into_iter()
        .map(|v| quote_text_if_needed(&values.text_of(v)))
        .chain(values.interned_texts().map(quote_text_if_needed))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn text_columns(program: &Program, relation: RelationId) -> Vec<usize> {
    program
        .relation(relation)
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.ty == ValueType::Text)
        .map(|(i, _)| i)
        .collect()
}
