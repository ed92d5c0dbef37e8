//! Types: inference for undeclared columns and variables, then a strict check of every use.
//!
//! Runs after `expand`/`law` and relation resolution, before `lower`. Declared columns have their types;
//! an undeclared relation's columns take theirs from the facts and rules that conclude it. Inference
//! iterates to a fixpoint; then every atom argument, comparison, arithmetic operand and conclusion is
//! checked, and each mismatch is reported once, with the declaration that fixed the expected type.
//! A column or variable nothing constrains is `text`.

use super::draft::*;
use super::expand::shown;
use super::relations::{ColumnInfo, RelationTable};
use super::varmap::VarMap;
use crate::diagnostic::Diagnostic;
use crate::ir::AggregateOp;
use crate::syntax::ast::Literal;
use crate::syntax::Span;
use crate::value::{ArithOp, ValueType};

pub fn literal_type(l: &Literal) -> ValueType {
    match l {
        Literal::Text { .. } => ValueType::Text,
        Literal::Number { .. } => ValueType::Number,
        Literal::Date { .. } => ValueType::Date,
        Literal::Bool { .. } => ValueType::Bool,
    }
}

/// A draft's variable types, by the names the draft holds.
pub type VarTypes<'a> = VarMap<'a, ValueType>;

/// Infers column types of undeclared relations and the variable types of every draft.
///
/// Rounds visit every draft in order, each one learning from the table as the drafts before it left
/// it, until a round changes nothing. A draft whose every top-level variable and every column it
/// touches has a type can learn and teach nothing more (types are only ever added), so later rounds
/// skip it: the result is the one rounds over every draft give.
pub fn infer<'a>(
    table: &mut RelationTable,
    drafts: &[&'a Draft],
    aggregates: &[AggregateDraft],
) -> Vec<VarTypes<'a>> {
    let mut vars: Vec<VarTypes<'a>> = vec![VarMap::default(); drafts.len()];
    let mut settled = vec![false; drafts.len()];
    for _round in 0..64 {
        let mut changed = false;
        for ((draft, types), settled) in drafts.iter().zip(vars.iter_mut()).zip(&mut settled) {
            if !*settled {
                let (draft_changed, draft_settled) = infer_draft(table, draft, types);
                changed |= draft_changed;
                *settled = draft_settled;
            }
        }
        for agg in aggregates {
            changed |= infer_aggregate(table, agg);
        }
        if !changed {
            break;
        }
    }
    vars
}

/// One draft's round: whether it changed a type, and whether it is settled (nothing it could learn
/// or teach is still missing; `false` may be said of a settled draft, never the other way round).
fn infer_draft<'a>(
    table: &mut RelationTable,
    draft: &'a Draft,
    types: &mut VarTypes<'a>,
) -> (bool, bool) {
    let mut changed = false;
    let mut settled = true;
    let learn = |types: &mut VarTypes<'a>, name: &'a str, ty: ValueType| types.insert_new(name, ty);
    for lit in &draft.body {
        if let DraftLiteral::Atom(a) | DraftLiteral::Negated(a) = lit {
            let Some(rel) = table.get_mut(a.relation.as_str()) else {
                continue;
            };
            for (i, arg) in a.args.iter().enumerate() {
                let Some(col) = rel.columns.get_mut(i) else {
                    continue;
                };
                match (arg, col.ty) {
                    (DraftExpr::Var(n, _), Some(ty)) => changed |= learn(types, n, ty),
                    (DraftExpr::Var(n, _), None) if !rel.declared => {
                        if let Some(ty) = types.get(n) {
                            col.ty = Some(*ty);
                            changed = true;
                        }
                    }
                    (DraftExpr::Const(l), None) if !rel.declared => {
                        col.ty = Some(literal_type(l));
                        changed = true;
                    }
                    _ => {}
                }
                settled &= col.ty.is_some() && typed(arg, types);
            }
        }
    }
    for lit in &draft.body {
        if let DraftLiteral::Compare { lhs, rhs, .. } = lit {
            match (lhs, rhs) {
                (DraftExpr::Var(n, _), other) | (other, DraftExpr::Var(n, _))
                    if !types.contains_key(n) =>
                {
                    if let Some(ty) = expr_type(other, types) {
                        changed |= learn(types, n, ty);
                    }
                }
                _ => {}
            }
            settled &= typed(lhs, types) && typed(rhs, types);
        }
    }
    if let Some(rel) = table.get_mut(draft.head.relation.as_str()) {
        for (i, arg) in draft.head.args.iter().enumerate() {
            let Some(col) = rel.columns.get_mut(i) else {
                continue;
            };
            if col.ty.is_none() {
                if let Some(ty) = expr_type(arg, types) {
                    col.ty = Some(ty);
                    changed = true;
                }
            } else if let (DraftExpr::Var(n, _), Some(ty)) = (arg, col.ty) {
                changed |= learn(types, n, ty);
            }
            settled &= col.ty.is_some() && typed(arg, types);
        }
    }
    (changed, settled)
}

/// Whether `arg` is not a variable without a type (the only variables inference types are the ones
/// standing alone as an argument or a side of a comparison).
fn typed(arg: &DraftExpr, types: &VarTypes) -> bool {
    match arg {
        DraftExpr::Var(n, _) => types.contains_key(n),
        _ => true,
    }
}

fn infer_aggregate(table: &mut RelationTable, agg: &AggregateDraft) -> bool {
    let Some(input) = table.get(agg.input.as_str()) else {
        return false;
    };
    let mut wanted: Vec<Option<ValueType>> = input.columns
        [..agg.group_len.min(input.columns.len())]
        .iter()
        .map(|c| c.ty)
        .collect();
    wanted.push(match agg.op {
        AggregateOp::Count | AggregateOp::Sum => Some(ValueType::Number),
        _ => agg
            .target
            .and_then(|t| input.columns.get(t))
            .and_then(|c| c.ty),
    });
    let Some(output) = table.get_mut(agg.output.as_str()) else {
        return false;
    };
    let mut changed = false;
    for (col, ty) in output.columns.iter_mut().zip(wanted) {
        if col.ty.is_none() && ty.is_some() {
            col.ty = ty;
            changed = true;
        }
    }
    changed
}

/// The type of an expression, if its variables' types are known; `None` also for ill-typed ones
/// (`check` reports those).
pub fn expr_type(e: &DraftExpr, types: &VarTypes) -> Option<ValueType> {
    match e {
        DraftExpr::Var(n, _) => types.get(n).copied(),
        DraftExpr::Wildcard(_) => None,
        DraftExpr::Const(l) => Some(literal_type(l)),
        DraftExpr::Binary { op, lhs, rhs, .. } => {
            match (expr_type(lhs, types)?, expr_type(rhs, types)?, op) {
                (ValueType::Number, ValueType::Number, _) => Some(ValueType::Number),
                (ValueType::Date, ValueType::Number, ArithOp::Add | ArithOp::Sub) => {
                    Some(ValueType::Date)
                }
                _ => None,
            }
        }
        DraftExpr::Shift { .. } => Some(ValueType::Date),
    }
}

/// Checks every use against the inferred and declared types; reports each mismatch, draft by draft
/// in order. Each draft is checked on its own, so on several threads they are checked in parallel
/// and their reports concatenated in order: the same report as one thread gives.
pub fn check<'a>(
    table: &RelationTable,
    drafts: &[&'a Draft],
    vars: &mut [VarTypes<'a>],
    diags: &mut Vec<Diagnostic>,
) {
    use rayon::prelude::*;
    let found: Vec<Vec<Diagnostic>> = drafts
        .par_iter()
        .zip(vars.par_iter_mut())
        .with_min_len(64)
        .map(|(draft, types)| {
            let mut found = vec![];
            check_draft(table, draft, &draft.variables(), types, &mut found);
            found
        })
        .collect();
    diags.extend(found.into_iter().flatten());
}

/// Checks one draft (`variables` are its [`Draft::variables`]): its unconstrained variables become
/// text, and each mismatch is reported.
pub(super) fn check_draft<'a>(
    table: &RelationTable,
    draft: &'a Draft,
    variables: &[(&'a str, Span)],
    types: &mut VarTypes<'a>,
    diags: &mut Vec<Diagnostic>,
) {
    // Variables nothing constrains are text.
    for (name, _) in variables {
        types.insert_new(name, ValueType::Text);
    }
    for lit in &draft.body {
        match lit {
            DraftLiteral::Atom(a) | DraftLiteral::Negated(a) => check_atom(table, a, types, diags),
            DraftLiteral::Compare { lhs, rhs, .. } => {
                let (l, r) = (check_expr(lhs, types, diags), check_expr(rhs, types, diags));
                if let (Some(l), Some(r)) = (l, r) {
                    if l != r {
                        diags.push(
                            Diagnostic::error(
                                "type_mismatch",
                                format!("cannot compare a {l} with a {r}"),
                            )
                            .label(lhs.span(), format!("a {l}"))
                            .label(rhs.span(), format!("a {r}"))
                            .help("both sides of a comparison must have the same type"),
                        );
                    }
                }
            }
        }
    }
    check_atom(table, &draft.head, types, diags);
}

fn check_atom(
    table: &RelationTable,
    atom: &DraftAtom,
    types: &VarTypes,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(rel) = table.get(atom.relation.as_str()) else {
        return;
    };
    for (i, arg) in atom.args.iter().enumerate() {
        let Some(col) = rel.columns.get(i) else {
            return;
        };
        let Some(want) = col.ty else { continue };
        let Some(got) = check_expr(arg, types, diags) else {
            continue;
        };
        if got != want && atom.relation.starts_with("__aggregate") {
            // The aggregate's own result column: say so in the author's terms, not the auxiliary's.
            diags.push(
                Diagnostic::error(
                    "type_mismatch",
                    format!("the aggregate gives a {want}, but it is used as a {got}"),
                )
                .label(arg.span(), format!("gives a {want}"))
                .help(format!(
                    "compare or bind the aggregate with a {want} (`count` and `sum` give numbers; \
                     `min` and `max` the type of the aggregated variable)"
                )),
            );
            continue;
        }
        if got != want {
            let what = match arg {
                DraftExpr::Var(n, _) => format!("`{}` is a {got}", shown(n)),
                _ => format!("a {got}"),
            };
            let mut d = column_mismatch(&atom.relation, col, i, want, got).label(arg.span(), what);
            if let Some(span) = col.span {
                d = d.label(span, format!("declared as {want} here"));
            }
            let help = match (want, arg) {
                (ValueType::Date, DraftExpr::Const(Literal::Text { .. })) => {
                    "write dates without quotes, as `YYYY-MM-DD`".to_string()
                }
                (ValueType::Text, DraftExpr::Const(Literal::Number { .. })) => {
                    "quote the value to make it a text: `\"…\"`".to_string()
                }
                _ => format!("use a {want} here, or change the declaration"),
            };
            diags.push(d.help(help));
        }
    }
}

/// The type of an expression, reporting ill-typed arithmetic.
fn check_expr(e: &DraftExpr, types: &VarTypes, diags: &mut Vec<Diagnostic>) -> Option<ValueType> {
    match e {
        DraftExpr::Binary { op, lhs, rhs, span } => {
            let (l, r) = (
                check_expr(lhs, types, diags)?,
                check_expr(rhs, types, diags)?,
            );
            let result = expr_type(e, types);
            if result.is_none() {
                let help = if l == ValueType::Date && r == ValueType::Date {
                    "the difference of two dates is not a number; to compare it with a number of days, \
                     move the days to a date: `until < today + 90`, not `until - today < 90`"
                } else {
                    "arithmetic works on numbers; a date plus or minus a number of days is a date"
                };
                diags.push(
                    Diagnostic::error(
                        "type_mismatch",
                        format!("cannot apply `{}` to a {l} and a {r}", op.symbol()),
                    )
                    .label(*span, "here")
                    .help(help),
                );
            }
            result
        }
        DraftExpr::Shift {
            date, amount, span, ..
        } => {
            let d = check_expr(date, types, diags);
            let a = check_expr(amount, types, diags);
            let bad = |what: &str, got: ValueType, at: Span| {
                Diagnostic::error(
                    "type_mismatch",
                    format!("a duration needs {what}, found a {got}"),
                )
                .label(at, format!("a {got}"))
                .label(*span, "")
                .help("write `date + 90 days`, `date - 6 months`, `date + 1 year`")
            };
            if let Some(d) = d.filter(|t| *t != ValueType::Date) {
                diags.push(bad("a date on the left", d, date.span()));
            }
            if let Some(a) = a.filter(|t| *t != ValueType::Number) {
                diags.push(bad("a number of units", a, amount.span()));
            }
            Some(ValueType::Date)
        }
        other => expr_type(other, types),
    }
}

/// The type of a column once inference is done (unconstrained columns are text).
pub fn settled(ty: Option<ValueType>) -> ValueType {
    ty.unwrap_or(ValueType::Text)
}

/// The `type_mismatch` error for a value of type `got` given to column `index` of `relation`, which
/// holds `want`s; the column is named by its name, or by its position when it has none. The caller adds
/// the labels and the help.
pub(super) fn column_mismatch(
    relation: &str,
    col: &ColumnInfo,
    index: usize,
    want: ValueType,
    got: ValueType,
) -> Diagnostic {
    let column = col
        .name
        .as_deref()
        .map(|n| format!("`{n}`"))
        .unwrap_or_else(|| format!("{}", index + 1));
    Diagnostic::error(
        "type_mismatch",
        format!("column {column} of `{relation}` holds a {want}, not a {got}"),
    )
}
