//! Queries: lowers a premise list typed at the REPL (or given by a library user) against a program
//! that already passed [`super::check`].
//!
//! A query is checked like the body of a rule `QUERY ⇒ __query(v1, …, vn)` whose conclusion holds every
//! named variable of the query in order of first appearance: the same expansion (disjunctions, `today`),
//! relation resolution (unknown relations and arities with did-you-mean), type checking and safety as
//! a rule, so its diagnostics read the same. The program is not changed: relation ids in the lowered
//! bodies are the program's. Aggregates inside a query are refused (they would need relations the
//! program does not have); a rule that concludes the aggregate can be queried instead.

use std::collections::HashMap;

use super::draft::DraftLiteral;
use super::{expand, lower, resolve_use, types, ColumnInfo, RelationInfo, RelationTable};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Program, RelationId, RelationKind};
use crate::syntax::ast::{self, Conclusion, Formula, Name, RuleDecl};
use crate::value::{ValueStore, ValueType};

/// A lowered query: the answer columns and one conjunctive body per disjunct.
#[derive(Clone, Debug)]
pub struct Query {
    /// The query's named variables, in order of first appearance, with their types.
    pub columns: Vec<ir::Variable>,
    /// One rule per disjunct; its head is a placeholder relation outside the program.
    pub disjuncts: Vec<ir::Rule>,
}

impl Query {
    /// For disjunct `d`, the position in its `vars` of each answer column.
    pub fn projection(&self, d: usize) -> Vec<usize> {
        let Some(rule) = self.disjuncts.get(d) else {
            return vec![];
        };
        self.columns
            .iter()
            .filter_map(|c| rule.vars.iter().position(|v| v.name == c.name))
            .collect()
    }
}

const QUERY_RELATION: &str = "__query";

/// Lowers `formula` against `program`; every diagnostic found when it does not check.
pub fn lower_query(
    formula: &Formula,
    program: &Program,
    values: &mut ValueStore,
) -> Result<Query, Vec<Diagnostic>> {
    let mut table = RelationTable::new();
    let mut relation_ids: HashMap<String, RelationId> = HashMap::new();
    for (i, rel) in program.relations.iter().enumerate() {
        relation_ids.insert(rel.name.clone(), RelationId(i as u32));
        table.insert(
            rel.name.clone(),
            RelationInfo {
                columns: rel
                    .columns
                    .iter()
                    .map(|c| ColumnInfo {
                        name: c.name.clone(),
                        ty: Some(c.ty),
                        span: None,
                        optional: c.optional,
                    })
                    .collect(),
                declared: true,
                span: rel.span.unwrap_or_default(),
                symmetric: false,
                open: rel.open,
                auxiliary: rel.kind == RelationKind::Auxiliary,
                provided: true,
                used: true,
            },
        );
    }
    let mut names = vec![];
    expand::formula_vars(formula, None, &mut names);
    let span = formula.span();
    let head_args: Vec<ast::Expr> = names
        .iter()
        .map(|n| {
            ast::Expr::Var(Name {
                text: n.clone(),
                span,
            })
        })
        .collect();
    table.insert(
        QUERY_RELATION.to_string(),
        RelationInfo {
            columns: names
                .iter()
                .map(|n| ColumnInfo {
                    name: Some(n.clone()),
                    ty: None,
                    span: None,
                    optional: false,
                })
                .collect(),
            declared: false,
            span,
            symmetric: false,
            open: false,
            auxiliary: true,
            provided: true,
            used: true,
        },
    );
    relation_ids.insert(
        QUERY_RELATION.to_string(),
        RelationId(program.relations.len() as u32),
    );
    let rule = RuleDecl {
        name: None,
        annotations: vec![],
        body: formula.clone(),
        head: Conclusion::Atom(ast::Atom {
            relation: Name {
                text: QUERY_RELATION.to_string(),
                span,
            },
            args: head_args,
            span,
        }),
        span,
    };
    let mut expander = expand::Expander::new(program.today);
    expander.rule(&rule, None);
    let mut diags = std::mem::take(&mut expander.diagnostics);
    if let Some(first) = expander.aggregates.first() {
        diags.push(
            Diagnostic::error("aggregate_in_query", "a query cannot hold an aggregate")
                .label(first.span, "this aggregate")
                .help("write a rule that concludes the aggregate (`… ⇒ total(d, n).`) and query that relation"),
        );
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let drafts = std::mem::take(&mut expander.drafts);
    for d in &drafts {
        for lit in &d.body {
            if let DraftLiteral::Atom(a) | DraftLiteral::Negated(a) = lit {
                resolve_use(&mut table, a, &mut diags);
            }
        }
    }
    if !diags.is_empty() {
        crate::diagnostic::sort(&mut diags);
        diags.dedup_by(|a, b| {
            a.message == b.message
                && a.primary_span().map(|s| (s.start, s.end))
                    == b.primary_span().map(|s| (s.start, s.end))
        });
        return Err(diags);
    }
    let mut var_types = types::infer(&mut table, &drafts, &[]);
    types::check(&table, &drafts, &mut var_types, &mut diags);
    if !diags.is_empty() {
        crate::diagnostic::sort(&mut diags);
        return Err(diags);
    }
    let mut lowering = lower::Lowering {
        relation_ids: &relation_ids,
        values,
        diagnostics: vec![],
    };
    let mut disjuncts = vec![];
    for (draft, types) in drafts.iter().zip(&var_types) {
        if let Some(rule) = lowering.rule(draft, types) {
            disjuncts.push(rule);
        }
    }
    let mut diags = lowering.diagnostics;
    if !diags.is_empty() || disjuncts.is_empty() {
        crate::diagnostic::sort(&mut diags);
        diags.dedup_by(|a, b| a.message == b.message);
        return Err(diags);
    }
    let columns = names
        .iter()
        .map(|n| ir::Variable {
            name: n.clone(),
            ty: var_types
                .iter()
                .find_map(|t| t.get(n).copied())
                .unwrap_or(ValueType::Text),
        })
        .collect();
    Ok(Query { columns, disjuncts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check, CheckOptions};
    use crate::syntax::{parse_query, FileId, SourceMap};
    use crate::workspace::parse_text;

    fn program(text: &str) -> (Program, ValueStore) {
        let mut sources = SourceMap::new();
        let (policy, diags) = parse_text("p", text, &mut sources);
        assert!(diags.is_empty());
        let mut values = ValueStore::new();
        let checked = check(&policy, &mut values, &CheckOptions::default()).expect("checks");
        (checked.program, values)
    }

    #[test]
    fn lowers_a_join_with_typed_columns() {
        let (p, mut values) = program("relation e(a: text, n: number). e(X, 1). e(a, n) ⇒ f(a).");
        let q = parse_query(FileId(1), "f(a) ∧ e(a, n) ∧ n > 0").expect("parses");
        let query = lower_query(&q, &p, &mut values).expect("lowers");
        let cols: Vec<(&str, ValueType)> = query
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.ty))
            .collect();
        assert_eq!(cols, [("a", ValueType::Text), ("n", ValueType::Number)]);
        assert_eq!(query.disjuncts.len(), 1);
        assert_eq!(query.projection(0).len(), 2);
    }

    #[test]
    fn reports_unknown_relations_with_a_suggestion() {
        let (p, mut values) = program("e(X). e(a) ⇒ f(a).");
        let q = parse_query(FileId(1), "ff(a)").expect("parses");
        let diags = lower_query(&q, &p, &mut values).expect_err("unknown");
        assert_eq!(diags[0].code, "unknown_relation");
        assert!(diags[0].help.as_deref().unwrap_or("").contains("`f`"));
    }

    #[test]
    fn refuses_unsafe_and_aggregate_queries() {
        let (p, mut values) = program("e(X).");
        let q = parse_query(FileId(1), "¬ e(a)").expect("parses");
        assert!(lower_query(&q, &p, &mut values).is_err());
        let q = parse_query(FileId(1), "n = count { e(a) }").expect("parses");
        let diags = lower_query(&q, &p, &mut values).expect_err("aggregate");
        assert_eq!(diags[0].code, "aggregate_in_query");
    }
}
