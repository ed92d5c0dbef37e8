//! Shared test support: an IR program builder, the random program generator, the naive reference
//! evaluator and the ASP translator (the clingo oracle).

#![allow(dead_code)]

pub mod asp;
pub mod random;
pub mod reference;

use accord::ir::*;
use accord::syntax::Span;
use accord::value::{Value, ValueType};

pub fn var(i: u32) -> Term {
    Term::Var(VarId(i))
}

pub fn ev(i: u32) -> Expr {
    Expr::Var(VarId(i))
}

pub fn atom(relation: RelationId, args: Vec<Term>) -> Literal {
    Literal::Atom {
        relation,
        args,
        span: Span::default(),
    }
}

pub fn neg(relation: RelationId, args: Vec<Term>) -> Literal {
    Literal::Negated {
        relation,
        args,
        span: Span::default(),
    }
}

pub fn cmp(op: CompareOp, ty: ValueType, lhs: Expr, rhs: Expr) -> Literal {
    Literal::Compare {
        op,
        ty,
        lhs,
        rhs,
        span: Span::default(),
    }
}

pub fn bind(v: u32, expr: Expr) -> Literal {
    Literal::Bind {
        var: VarId(v),
        expr,
        span: Span::default(),
    }
}

pub fn relation(program: &mut Program, name: &str, types: &[ValueType]) -> RelationId {
    let id = RelationId(program.relations.len() as u32);
    program.relations.push(Relation {
        name: name.to_string(),
        columns: types
            .iter()
            .map(|ty| Column {
                name: None,
                ty: *ty,
                optional: false,
            })
            .collect(),
        kind: RelationKind::User,
        span: None,
        declared: true,
        open: false,
        order: id.0,
    });
    id
}

pub fn fact(program: &mut Program, relation: RelationId, values: &[Value]) {
    program.facts.push(PolicyFact {
        relation,
        values: values.to_vec(),
        span: Span::default(),
        name: None,
        source: None,
    });
}

/// A rule whose variable `i` has type `types[i]`.
pub fn rule(
    program: &mut Program,
    head: RelationId,
    head_args: Vec<Expr>,
    body: Vec<Literal>,
    types: &[ValueType],
) {
    program.rules.push(Rule {
        head,
        head_args,
        body,
        vars: types
            .iter()
            .enumerate()
            .map(|(i, ty)| Variable {
                name: format!("v{i}"),
                ty: *ty,
            })
            .collect(),
        origin: RuleOrigin {
            name: None,
            source: None,
            span: Span::default(),
            disjunct: 0,
            purpose: RulePurpose::Written,
        },
    });
}

pub fn aggregate(
    program: &mut Program,
    op: AggregateOp,
    input: RelationId,
    output: RelationId,
    group: &[usize],
    target: Option<usize>,
) {
    program.aggregates.push(Aggregate {
        op,
        input,
        output,
        group: group.to_vec(),
        target,
        span: Span::default(),
    });
}
