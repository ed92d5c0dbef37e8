//! Checking text written against an already checked program: ground atoms and queries.
//!
//! Used by the consumers that read policy text after `check` succeeded — test blocks (`crate::testing`)
//! and, later, REPL queries. It reuses the checker's passes on a relation table rebuilt from the
//! [`Program`] (so the program itself is never changed): a ground atom goes through relation
//! resolution and the fact lowering; a query formula becomes a synthetic rule
//! `formula ⇒ __query(vars…)` that goes through `expand`, relation resolution, `types` and `lower`.
//! Diagnostics are the checker's own (`unknown_relation`, `arity_mismatch`, `type_mismatch`,
//! `unsafe_variable`, …), located on the text.
//!
//! Invariant: a [`Query`]'s rules read only relations of the program; their head relation id is one past
//! the program's relations and must not be used to index it.

use rustc_hash::FxHashMap as HashMap;

use super::draft::Draft;
use super::ground::lower_fact;
use super::relations::{
    conclude, resolve_drafts, resolve_ground, ColumnInfo, RelationInfo, RelationTable,
};
use super::{expand, lower, types};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Program, RelationId, RelationKind};
use crate::syntax::ast::{self, Expr, Formula, Literal, SmolStr};
use crate::syntax::Span;
use crate::value::{Value, ValueStore, ValueType};

/// The relation name a query's synthetic rule concludes (not a name an author can write).
const QUERY_HEAD: &str = "__query";

/// A query lowered against a program: one conjunctive rule per disjunct, each concluding the query's
/// variables (in order of first appearance) as its head arguments.
#[derive(Clone, Debug)]
pub struct Query {
    /// The output variables: names and types, in order of first appearance.
    pub columns: Vec<ir::Variable>,
    /// One rule per disjunct; `head_args[i]` is output column `i`.
    pub rules: Vec<ir::Rule>,
}

/// The checker's view of a program's user relations, and their ids.
fn table_of(program: &Program) -> (RelationTable, HashMap<String, RelationId>) {
    let mut table = RelationTable::default();
    let mut ids = HashMap::default();
    for (i, rel) in program.relations.iter().enumerate() {
        if rel.kind != RelationKind::User {
            continue;
        }
        let span = rel.span.unwrap_or_default();
        table.insert(
            rel.name.clone(),
            RelationInfo {
                columns: rel
                    .columns
                    .iter()
                    .map(|c| ColumnInfo {
                        name: c.name.clone(),
                        ty: Some(c.ty),
                        span: rel.declared.then_some(span),
                        optional: c.optional,
                    })
                    .collect(),
                declared: rel.declared,
                span,
                symmetric: false,
                open: rel.open,
                auxiliary: false,
                provided: true,
                used: true,
            },
        );
        ids.insert(rel.name.clone(), RelationId(i as u32));
    }
    (table, ids)
}

/// Checks a ground atom (a test's fact, or an expected atom) against `program` and converts it to a
/// row. `today` replaces `today`. Errors: unknown relation, arity, variables or `_`, types.
pub fn ground_atom(
    program: &Program,
    atom: &ast::Atom,
    values: &mut ValueStore,
) -> Result<(RelationId, Vec<Value>), Vec<Diagnostic>> {
    let (mut table, ids) = table_of(program);
    let mut diags = vec![];
    if !resolve_ground(&mut table, atom, &mut diags) {
        return Err(diags);
    }
    let fact = ast::FactDecl {
        name: None,
        annotations: vec![],
        atom: atom.clone(),
        span: atom.span,
    };
    match lower_fact(&fact, &table, &ids, values, program.today, &mut diags) {
        Some(f) if diags.is_empty() => Ok((f.relation, f.values)),
        _ => Err(diags),
    }
}

/// Checks a query formula against `program` and lowers it. Aggregates are not supported in queries
/// (name them with a rule in the policy).
pub fn lower_query(
    program: &Program,
    formula: &Formula,
    values: &mut ValueStore,
) -> Result<Query, Vec<Diagnostic>> {
    let (mut table, mut ids) = table_of(program);
    let mut diags = vec![];
    let mut outputs: Vec<ast::Name> = vec![];
    formula_vars(formula, &mut outputs, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let head = ast::Atom {
        relation: ast::Name {
            text: SmolStr::new_static(QUERY_HEAD),
            span: formula.span(),
        },
        args: outputs.iter().cloned().map(Expr::Var).collect(),
        span: formula.span(),
    };
    let rule = ast::RuleDecl {
        name: None,
        annotations: vec![],
        body: formula.clone(),
        head: ast::Conclusion::Atom(head),
        span: formula.span(),
    };
    let mut expander = expand::Expander::new(program.today);
    expander.rule(&rule, None);
    diags.append(&mut expander.diagnostics);
    if !diags.is_empty() {
        return Err(diags);
    }
    conclude(&mut table, QUERY_HEAD, outputs.len(), formula.span(), true);
    ids.insert(
        QUERY_HEAD.to_string(),
        RelationId(program.relations.len() as u32),
    );
    let drafts = expander.drafts;
    resolve_drafts(&mut table, &drafts, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let drafts: Vec<&Draft> = drafts.iter().collect();
    let mut var_types = types::infer(&mut table, &drafts, &[]);
    types::check(&table, &drafts, &mut var_types, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let (rules, mut lowered) = lower::lower_rules(&drafts, &var_types, &ids, values);
    diags.append(&mut lowered);
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut columns: Vec<ir::Variable> = vec![];
    for (i, name) in outputs.iter().enumerate() {
        let mut ty = None;
        for rule in &rules {
            let this = match rule.head_args.get(i) {
                Some(ir::Expr::Var(v)) => rule.vars[v.index()].ty,
                _ => continue,
            };
            match ty {
                None => ty = Some(this),
                Some(t) if t != this => diags.push(
                    Diagnostic::error(
                        "type_mismatch",
                        format!(
                            "`{}` is a {t} in one alternative of the query and a {this} in another",
                            name.text
                        ),
                    )
                    .label(name.span, "first used here")
                    .help("a query's variable has one type in every alternative"),
                ),
                Some(_) => {}
            }
        }
        columns.push(ir::Variable {
            name: name.text.clone(),
            ty: ty.unwrap_or(ValueType::Text),
        });
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Query { columns, rules })
}

/// Converts an expected row of constants (`(ACME, 2025-01-01)`) to values of the given column types.
pub fn constant_row(
    columns: &[ir::Variable],
    row: &[Expr],
    span: Span,
    today: i32,
    values: &mut ValueStore,
) -> Result<Vec<Value>, Vec<Diagnostic>> {
    let mut diags = vec![];
    if row.len() != columns.len() {
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        diags.push(
            Diagnostic::error(
                "arity_mismatch",
                format!(
                    "the query has {}, but this row has {}",
                    count(columns.len(), "variable"),
                    count(row.len(), "value")
                ),
            )
            .label(span, count(row.len(), "value"))
            .help(format!(
                "a row gives one value per variable of the query, in order of first appearance: ({})",
                names.join(", ")
            )),
        );
        return Err(diags);
    }
    let mut out = vec![];
    for (expr, column) in row.iter().zip(columns) {
        let literal = match expr {
            Expr::Literal(l) => l.clone(),
            Expr::Today(span) => Literal::day(today, *span),
            other => {
                let message = match other {
                    Expr::Var(n) => {
                        format!("an expected row cannot contain the variable `{}`", n.text)
                    }
                    _ => "an expected row holds values".to_string(),
                };
                diags.push(
                    Diagnostic::error("variable_in_fact", message)
                        .label(other.span(), "not a value")
                        .help("write constants: an upper-case name or a quoted text, a number, a date, true or false"),
                );
                continue;
            }
        };
        let got = types::literal_type(&literal);
        if got != column.ty {
            diags.push(
                Diagnostic::error(
                    "type_mismatch",
                    format!("`{}` is a {}, not a {got}", column.name, column.ty),
                )
                .label(literal.span(), format!("a {got}"))
                .help(if column.ty == ValueType::Date {
                    "write dates without quotes, as `YYYY-MM-DD`"
                } else {
                    "each value of a row has the type of its query variable"
                }),
            );
            continue;
        }
        match lower::constant(&literal, values) {
            Ok(v) => out.push(v),
            Err(d) => diags.push(d),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// The variables of a query in order of first appearance (outside aggregates, which are refused).
fn formula_vars(formula: &Formula, out: &mut Vec<ast::Name>, diags: &mut Vec<Diagnostic>) {
    match formula {
        Formula::And(parts, _) | Formula::Or(parts, _) => {
            parts.iter().for_each(|p| formula_vars(p, out, diags))
        }
        Formula::Not(inner, _) | Formula::Group(inner, _) => formula_vars(inner, out, diags),
        Formula::Atom(a) => a.args.iter().for_each(|e| expr_vars(e, out, diags)),
        Formula::Subject(_) => {}
        Formula::Compare(c) => {
            expr_vars(&c.lhs, out, diags);
            expr_vars(&c.rhs, out, diags);
        }
    }
}

fn expr_vars(expr: &Expr, out: &mut Vec<ast::Name>, diags: &mut Vec<Diagnostic>) {
    match expr {
        Expr::Var(n) => {
            if !out.iter().any(|o| o.text == n.text) {
                out.push(n.clone());
            }
        }
        Expr::Wildcard(_) | Expr::Literal(_) | Expr::Today(_) => {}
        Expr::Binary { lhs, rhs, .. } => {
            expr_vars(lhs, out, diags);
            expr_vars(rhs, out, diags);
        }
        Expr::Shift { date, amount, .. } => {
            expr_vars(date, out, diags);
            expr_vars(amount, out, diags);
        }
        Expr::Paren(inner, _) => expr_vars(inner, out, diags),
        Expr::Aggregate(a) => diags.push(
            Diagnostic::error("aggregate_in_query", "a query cannot contain an aggregate")
                .label(a.span, "this aggregate")
                .help("conclude the aggregate in a rule of the policy (`… ⇒ total(x, n)`) and query that relation"),
        ),
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check, CheckOptions};
    use crate::syntax::{parse_query, FileId};

    const POLICY: &str = "relation company(id: text, country: text).\n\
        relation founded(id: text, on: date).\n\
        company(c, MX) ⇒ mexican(c).\n";

    fn program(values: &mut ValueStore) -> Program {
        let mut sources = crate::syntax::SourceMap::new();
        let (policy, d) = crate::workspace::parse_text("p.accord", POLICY, &mut sources);
        assert!(d.is_empty(), "{d:?}");
        let options = CheckOptions {
            today: 20000,
            ..CheckOptions::default()
        };
        check(&policy, values, &options)
            .unwrap_or_else(|d| panic!("{d:?}"))
            .program
    }

    fn lowered(text: &str) -> Result<Query, Vec<&'static str>> {
        let mut values = ValueStore::new();
        let program = program(&mut values);
        let formula = parse_query(FileId(1), text).unwrap_or_else(|d| panic!("{d:?}"));
        lower_query(&program, &formula, &mut values).map_err(|d| d.iter().map(|d| d.code).collect())
    }

    #[test]
    fn a_query_outputs_its_variables_in_order_of_first_appearance() {
        let q = lowered("founded(c, d) ∧ company(c, k) ∧ d < 2020-01-01").expect("lowers");
        let columns: Vec<(&str, ValueType)> =
            q.columns.iter().map(|c| (c.name.as_str(), c.ty)).collect();
        assert_eq!(
            columns,
            [
                ("c", ValueType::Text),
                ("d", ValueType::Date),
                ("k", ValueType::Text)
            ]
        );
        assert_eq!(q.rules.len(), 1);
    }

    #[test]
    fn a_disjunction_gives_one_rule_per_alternative() {
        let q = lowered("company(c, MX) ∨ founded(c, _)").expect("lowers");
        assert_eq!(q.rules.len(), 2);
        assert_eq!(q.columns.len(), 1);
    }

    #[test]
    fn a_query_gets_the_checker_s_diagnostics() {
        assert_eq!(
            lowered("compnay(c, MX)").err(),
            Some(vec!["unknown_relation"])
        );
        assert_eq!(lowered("company(c)").err(), Some(vec!["arity_mismatch"]));
        assert_eq!(
            lowered("founded(c, d) ∧ d = 3").err(),
            Some(vec!["type_mismatch"])
        );
        assert_eq!(
            lowered("¬ mexican(c)").err(),
            Some(vec!["unsafe_variable"; 2])
        );
        assert_eq!(
            lowered("mexican(c) ∧ n = count { company(x, _) }").err(),
            Some(vec!["aggregate_in_query"])
        );
    }

    #[test]
    fn ground_atoms_and_expected_rows_are_typed() {
        let mut values = ValueStore::new();
        let program = program(&mut values);
        let file = "founded(ACME, 2020-01-01).";
        let Ok(formula) = parse_query(FileId(1), file) else {
            panic!("parses")
        };
        let Formula::Atom(atom) = formula else {
            panic!("an atom")
        };
        let (relation, row) = ground_atom(&program, &atom, &mut values).expect("a row");
        assert_eq!(program.relation(relation).name, "founded");
        assert_eq!(
            row[1],
            Value::day(crate::value::parse_date("2020-01-01").unwrap_or(0))
        );
        let bad = parse_query(FileId(1), "founded(ACME, \"2020-01-01\")").expect("parses");
        let Formula::Atom(bad) = bad else {
            panic!("an atom")
        };
        let codes: Vec<&str> = ground_atom(&program, &bad, &mut values)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(codes, ["type_mismatch"]);
    }
}
