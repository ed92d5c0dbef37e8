//! The atom to explain: a relation and, per column, a constant, a named variable or a wildcard.
//!
//! [`parse_goal`] reads an atom typed by a user (`fewer_exams(s)`, `reduced_exams(S01)`) through the
//! query grammar ([`crate::syntax::parse_query`]), adds its text to the [`SourceMap`] as `<atom>` and
//! checks it with the checker's conventions: the relation exists (with a "did you mean"), the number of
//! arguments, and each constant's type against its column. Diagnostics point into the atom's text.

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::ir::{Program, RelationId, RelationKind};
use crate::syntax::ast::{Expr, Formula, Literal};
use crate::syntax::{parse_query, SourceMap};
use crate::value::{parse_date, Number, Value, ValueStore, ValueType};

use super::Context;

/// An atom to explain.
#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    pub relation: RelationId,
    pub args: Vec<GoalArg>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GoalArg {
    Const(Value),
    /// A variable: every occurrence of the same name takes the same value.
    Var(String),
    Wildcard,
}

impl Goal {
    /// A ground goal for a row of the relation.
    pub fn ground(relation: RelationId, row: &[Value]) -> Goal {
        Goal {
            relation,
            args: row.iter().map(|v| GoalArg::Const(*v)).collect(),
        }
    }

    /// The constant of each column (`None` for variables and wildcards).
    pub fn constants(&self) -> Vec<Option<Value>> {
        self.args
            .iter()
            .map(|a| match a {
                GoalArg::Const(v) => Some(*v),
                _ => None,
            })
            .collect()
    }

    /// Whether a row agrees with the constants and repeated variables.
    pub fn accepts(&self, row: &[Value]) -> bool {
        self.args.iter().enumerate().all(|(c, a)| match a {
            GoalArg::Const(v) => row.get(c) == Some(v),
            GoalArg::Var(name) => self.args[..c]
                .iter()
                .position(|b| matches!(b, GoalArg::Var(n) if n == name))
                .is_none_or(|first| row.get(first) == row.get(c)),
            GoalArg::Wildcard => true,
        })
    }

    /// The atom as a user would write it.
    pub fn display(&self, program: &Program, values: &ValueStore) -> String {
        let rel = program.relation(self.relation);
        let args: Vec<String> = self
            .args
            .iter()
            .zip(&rel.columns)
            .map(|(a, col)| match a {
                GoalArg::Const(v) => values.literal(col.ty, *v),
                GoalArg::Var(n) => n.clone(),
                GoalArg::Wildcard => "_".to_string(),
            })
            .collect();
        format!("{}({})", rel.name, args.join(", "))
    }
}

/// The row ids matching `goal`, in ascending order of their values, at most `limit`.
pub fn matches(ctx: &mut Context<'_>, goal: &Goal, limit: usize) -> Vec<usize> {
    if ctx
        .program
        .relations
        .get(goal.relation.index())
        .map(|r| r.arity())
        != Some(goal.args.len())
    {
        return vec![];
    }
    let constants = goal.constants();
    let columns: Vec<usize> = (0..constants.len())
        .filter(|c| constants[*c].is_some())
        .collect();
    let key: Vec<Value> = constants.iter().flatten().copied().collect();
    let model = ctx.model;
    let mut rows: Vec<usize> = ctx
        .candidates(goal.relation, &columns, &key)
        .into_iter()
        .filter(|r| goal.accepts(model.row(goal.relation, *r)))
        .collect();
    let types = ctx.program.relation(goal.relation).types();
    let values = &*ctx.values;
    let order = |a: &usize, b: &usize| {
        values.compare_rows(
            &types,
            model.row(goal.relation, *a),
            model.row(goal.relation, *b),
        )
    };
    // The `limit` smallest, without sorting every match.
    if limit < rows.len() {
        rows.select_nth_unstable_by(limit, order);
        rows.truncate(limit);
    }
    rows.sort_by(order);
    rows
}

/// Parses and checks an atom typed by a user; its text is added to `sources` as `<atom>`.
pub fn parse_goal(
    text: &str,
    program: &Program,
    values: &mut ValueStore,
    sources: &mut SourceMap,
) -> Result<Goal, Vec<Diagnostic>> {
    let file = sources.add("<atom>", None, text.to_string());
    let formula = parse_query(file, text).map_err(|d| vec![d])?;
    let atom = match formula {
        Formula::Atom(atom) => atom,
        other => {
            return Err(vec![Diagnostic::error("not_an_atom", "explain takes one atom")
                .label(other.span(), "not a single atom")
                .help("write one atom with constants and variables, e.g. `fewer_exams(ACME)` or `fewer_exams(c)`")])
        }
    };
    let name = &atom.relation.text;
    let relation = program
        .relation_id(name)
        .filter(|id| program.relation(*id).kind == RelationKind::User);
    let Some(relation) = relation else {
        let names = program
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::User)
            .map(|r| r.name.as_str());
        let d = Diagnostic::error("unknown_relation", format!("unknown relation `{name}`")).label(
            atom.relation.span,
            "no declaration, fact or rule gives this relation",
        );
        return Err(vec![match did_you_mean(name, names) {
            Some(close) => d.help(format!("did you mean `{close}`?")),
            None => d.help("explain a relation the policy declares or concludes"),
        }]);
    };
    let rel = program.relation(relation);
    if atom.args.len() != rel.arity() {
        return Err(vec![Diagnostic::error(
            "arity_mismatch",
            format!(
                "`{name}` has {} columns, but {} arguments are given",
                rel.arity(),
                atom.args.len()
            ),
        )
        .label(atom.span, format!("{} arguments", atom.args.len()))
        .help(format!(
            "give `{name}` exactly {} arguments (`_` for a column you do not care about)",
            rel.arity()
        ))]);
    }
    let mut diags = vec![];
    let mut args = vec![];
    for (expr, column) in atom.args.iter().zip(&rel.columns) {
        let (literal_type, value) = match expr {
            Expr::Var(n) => {
                args.push(GoalArg::Var(n.text.to_string()));
                continue;
            }
            Expr::Wildcard(_) => {
                args.push(GoalArg::Wildcard);
                continue;
            }
            Expr::Today(_) => (ValueType::Date, Some(Value::day(program.today))),
            Expr::Literal(Literal::Text { value, .. }) => {
                (ValueType::Text, Some(values.text(value)))
            }
            Expr::Literal(Literal::Number { text, .. }) => (
                ValueType::Number,
                Number::parse(text).map(|n| values.number(n)),
            ),
            Expr::Literal(Literal::Date { text, .. }) => {
                (ValueType::Date, parse_date(text).map(Value::day))
            }
            Expr::Literal(Literal::Bool { value, .. }) => {
                (ValueType::Bool, Some(Value::bool(*value)))
            }
            other => {
                diags.push(
                    Diagnostic::error(
                        "expression_in_premise",
                        "an explained atom takes constants and variables only",
                    )
                    .label(other.span(), "an expression")
                    .help("write the value itself, e.g. `2025-06-30` or `42`"),
                );
                continue;
            }
        };
        let column_name = column
            .name
            .as_ref()
            .map_or(String::new(), |n| format!("column `{n}` of "));
        if literal_type != column.ty {
            diags.push(
                Diagnostic::error(
                    "type_mismatch",
                    format!(
                        "{column_name}`{name}` holds a {}, not a {literal_type}",
                        column.ty
                    ),
                )
                .label(expr.span(), format!("a {literal_type}"))
                .help("every row of a relation has the same column types"),
            );
            continue;
        }
        match value {
            Some(v) => args.push(GoalArg::Const(v)),
            None => diags.push(
                Diagnostic::error(
                    "bad_date",
                    format!("`{}` is not a {literal_type}", sources.snippet(expr.span())),
                )
                .label(expr.span(), "not a valid value")
                .help("dates are YYYY-MM-DD and must exist"),
            ),
        }
    }
    if diags.is_empty() {
        Ok(Goal { relation, args })
    } else {
        Err(diags)
    }
}
