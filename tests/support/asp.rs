//! A translator from IR programs (with their fact sets) to answer set programming in clingo's syntax,
//! for the external oracle of the differential tests (`tests/differential.rs`, `clingo_oracle`).
//!
//! The translation covers what the random generator (`support::random`) produces: relations of numbers
//! and texts, policy facts and fact-set rows as ASP facts, rules with positive atoms, `not` for negated
//! atoms (wildcards become `_`, which clingo projects away inside a negation), comparisons, binds
//! (`V = expr`) and integer `+ - *` in heads and binds. An aggregate `out(g…, v)` over `in` becomes
//!
//! ```text
//! out(X0, V) :- in(X0, _, _), V = #count{ Y1, Y2 : in(X0, Y1, Y2) }.
//! ```
//!
//! so it has a row for each group present in the input (accord's semantics: no row for an empty group);
//! the element tuple holds the non-grouped columns, so `#count` counts distinct rows and `#sum` adds the
//! target of every distinct row (the target is the tuple's first term, the weight), as accord does.
//! `#min`/`#max` compare texts as clingo compares strings, which for the generator's one-letter texts is
//! accord's code-point order. A stratified program has exactly one answer set: its atoms, printed by
//! clingo as `r(1,"a")`, are compared with [`atoms`] of accord's model.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fmt::Write;

use accord::facts::FactSet;
use accord::ir::{AggregateOp, CompareOp, Expr, Literal, Program, Term};
use accord::value::{ArithOp, Number, Value, ValueStore, ValueType};

/// An ASP constant for a value of type `ty`, as clingo prints it.
pub fn constant(values: &ValueStore, ty: ValueType, v: Value) -> Option<String> {
    match ty {
        ValueType::Number => match values.number_of(v) {
            Number::Int(n) => Some(n.to_string()),
            _ => None,
        },
        ValueType::Text => {
            let t = values.text_of(v);
            let mut out = String::from("\"");
            for c in t.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out.push('"');
            Some(out)
        }
        _ => None,
    }
}

/// An atom as clingo prints it: `name` or `name(a,b)`.
pub fn atom_text(name: &str, args: &[String]) -> String {
    if args.is_empty() {
        name.to_string()
    } else {
        format!("{name}({})", args.join(","))
    }
}

/// The atoms of a model given as rows per relation (sorted as text).
pub fn atoms(
    program: &Program,
    rows: &[BTreeSet<Vec<Value>>],
    values: &ValueStore,
) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for (i, relation) in program.relations.iter().enumerate() {
        let types = relation.types();
        for row in &rows[i] {
            let args = row
                .iter()
                .zip(&types)
                .map(|(v, ty)| constant(values, *ty, *v))
                .collect::<Option<Vec<_>>>()?;
            out.insert(atom_text(&asp_name(&relation.name), &args));
        }
    }
    Some(out)
}

/// Relation names in ASP must start lower-case; the generator's do (`r0`, `agg3`), others are prefixed.
fn asp_name(name: &str) -> String {
    if name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        name.to_string()
    } else {
        let cleaned: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format!("rel_{cleaned}")
    }
}

fn var_name(i: usize) -> String {
    format!("V{i}")
}

fn term(values: &ValueStore, ty: ValueType, t: &Term) -> Option<String> {
    Some(match t {
        Term::Var(v) => var_name(v.index()),
        Term::Const(c) => constant(values, ty, *c)?,
        Term::Wildcard => "_".to_string(),
    })
}

fn expr(values: &ValueStore, ty: ValueType, e: &Expr) -> Option<String> {
    Some(match e {
        Expr::Var(v) => var_name(v.index()),
        Expr::Const(c) => constant(values, ty, *c)?,
        Expr::Arith { op, ty, lhs, rhs } if *ty == ValueType::Number => {
            let op = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "*",
                // Accord's division is exact (decimals); ASP's is integer division.
                ArithOp::Div => return None,
            };
            format!(
                "({}{op}{})",
                expr(values, *ty, lhs)?,
                expr(values, *ty, rhs)?
            )
        }
        _ => return None,
    })
}

/// The type of an expression in a rule (its variables' types, else the constant's context).
fn expr_type(rule: &accord::ir::Rule, e: &Expr, context: ValueType) -> ValueType {
    match e {
        Expr::Var(v) => rule.vars[v.index()].ty,
        Expr::Arith { ty, .. } => *ty,
        _ => context,
    }
}

fn args(
    values: &ValueStore,
    program: &Program,
    relation: accord::ir::RelationId,
    args: &[Term],
) -> Option<Vec<String>> {
    args.iter()
        .zip(program.relation(relation).types())
        .map(|(t, ty)| term(values, ty, t))
        .collect()
}

/// The program and its facts as an ASP program; `None` when it uses something the translation does
/// not cover (dates, decimals, division).
pub fn translate(program: &Program, facts: &FactSet, values: &ValueStore) -> Option<String> {
    let mut out = String::new();
    let name = |r: accord::ir::RelationId| asp_name(&program.relation(r).name);
    let fact = |out: &mut String, r: accord::ir::RelationId, row: &[Value]| -> Option<()> {
        let types = program.relation(r).types();
        let args = row
            .iter()
            .zip(&types)
            .map(|(v, ty)| constant(values, *ty, *v))
            .collect::<Option<Vec<_>>>()?;
        let _ = writeln!(out, "{}.", atom_text(&name(r), &args));
        Some(())
    };
    for f in &program.facts {
        fact(&mut out, f.relation, &f.values)?;
    }
    for (i, table) in facts.tables.iter().enumerate() {
        for (row, _) in table.rows() {
            fact(&mut out, accord::ir::RelationId(i as u32), row)?;
        }
    }
    for rule in &program.rules {
        let head_types = program.relation(rule.head).types();
        let head = rule
            .head_args
            .iter()
            .zip(&head_types)
            .map(|(e, ty)| expr(values, *ty, e))
            .collect::<Option<Vec<_>>>()?;
        let mut body = vec![];
        for literal in &rule.body {
            body.push(match literal {
                Literal::Atom {
                    relation, args: a, ..
                } => atom_text(&name(*relation), &args(values, program, *relation, a)?),
                Literal::Negated {
                    relation, args: a, ..
                } => format!(
                    "not {}",
                    atom_text(&name(*relation), &args(values, program, *relation, a)?)
                ),
                Literal::Compare {
                    op, ty, lhs, rhs, ..
                } => {
                    if !matches!(ty, ValueType::Number | ValueType::Text) {
                        return None;
                    }
                    let op = match op {
                        CompareOp::Eq => "=",
                        CompareOp::Ne => "!=",
                        CompareOp::Lt => "<",
                        CompareOp::Le => "<=",
                        CompareOp::Gt => ">",
                        CompareOp::Ge => ">=",
                    };
                    format!("{}{op}{}", expr(values, *ty, lhs)?, expr(values, *ty, rhs)?)
                }
                Literal::Bind { var, expr: e, .. } => {
                    let ty = rule.vars[var.index()].ty;
                    format!(
                        "{}={}",
                        var_name(var.index()),
                        expr(values, expr_type(rule, e, ty), e)?
                    )
                }
            });
        }
        let head = atom_text(&name(rule.head), &head);
        if body.is_empty() {
            let _ = writeln!(out, "{head}.");
        } else {
            let _ = writeln!(out, "{head} :- {}.", body.join(", "));
        }
    }
    for aggregate in &program.aggregates {
        let arity = program.relation(aggregate.input).arity();
        let grouped = |c: usize| aggregate.group.contains(&c);
        let outer: Vec<String> = (0..arity)
            .map(|c| {
                if grouped(c) {
                    format!("X{c}")
                } else {
                    "_".to_string()
                }
            })
            .collect();
        let inner: Vec<String> = (0..arity)
            .map(|c| {
                if grouped(c) {
                    format!("X{c}")
                } else {
                    format!("Y{c}")
                }
            })
            .collect();
        let free: Vec<String> = (0..arity)
            .filter(|c| !grouped(*c))
            .map(|c| format!("Y{c}"))
            .collect();
        let mut tuple = vec![];
        let op = match aggregate.op {
            AggregateOp::Count => "#count",
            AggregateOp::Sum => "#sum",
            AggregateOp::Min => "#min",
            AggregateOp::Max => "#max",
        };
        if let Some(t) = aggregate.target {
            tuple.push(inner[t].clone());
        }
        tuple.extend(free);
        if tuple.is_empty() {
            tuple.push("0".to_string());
        }
        let input = name(aggregate.input);
        let mut head: Vec<String> = aggregate.group.iter().map(|c| format!("X{c}")).collect();
        head.push("AggV".to_string());
        let _ = writeln!(
            out,
            "{} :- {}, AggV = {op}{{ {} : {} }}.",
            atom_text(&name(aggregate.output), &head),
            atom_text(&input, &outer),
            tuple.join(","),
            atom_text(&input, &inner),
        );
    }
    Some(out)
}
