//! Test support: a terse builder for IR programs, shared by the evaluator's, stratifier's and
//! explainer's unit tests and by the integration tests (`tests/support` includes this file by path).
//!
//! It names the crate `accord::` (the library calls itself so too, see `lib.rs`), so the same text
//! compiles inside the library and in a test crate. Spans are all default; relation order follows
//! creation order.

use accord::ir::*;
use accord::syntax::Span;
use accord::value::{Value, ValueType};

pub fn var(i: u32) -> Term {
    Term::Var(VarId(i))
}

pub fn cst(v: Value) -> Term {
    Term::Const(v)
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

/// A declared user relation with the given columns (named or not), at `order` among the relations.
pub fn user_relation(name: &str, columns: &[(Option<&str>, ValueType)], order: u32) -> Relation {
    Relation {
        name: name.to_string(),
        columns: columns
            .iter()
            .map(|(name, ty)| Column {
                name: name.map(str::to_string),
                ty: *ty,
                optional: false,
            })
            .collect(),
        kind: RelationKind::User,
        span: None,
        declared: true,
        open: false,
        order,
    }
}

/// A relation of `program` with the given column types, declared, its columns unnamed.
pub fn relation(program: &mut Program, name: &str, types: &[ValueType]) -> RelationId {
    let id = RelationId(program.relations.len() as u32);
    let columns: Vec<_> = types.iter().map(|ty| (None, *ty)).collect();
    program.relations.push(user_relation(name, &columns, id.0));
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

/// A rule whose variables have the given types (variable `i` is `types[i]`).
pub fn rule(
    program: &mut Program,
    head: RelationId,
    head_args: Vec<Expr>,
    body: Vec<Literal>,
    types: &[ValueType],
) -> RuleId {
    let id = RuleId(program.rules.len() as u32);
    program.rules.push(Rule {
        head,
        head_args,
        body,
        vars: types
            .iter()
            .enumerate()
            .map(|(i, ty)| Variable {
                name: format!("v{i}").into(),
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
    id
}

pub fn aggregate(
    program: &mut Program,
    op: AggregateOp,
    input: RelationId,
    output: RelationId,
    group: &[usize],
    target: Option<usize>,
) -> usize {
    program.aggregates.push(Aggregate {
        op,
        input,
        output,
        group: group.to_vec(),
        target,
        span: Span::default(),
    });
    program.aggregates.len() - 1
}

/// The functions above over a program of its own, for tests that build one program.
#[derive(Default)]
pub struct Builder {
    pub program: Program,
}

impl Builder {
    pub fn relation(&mut self, name: &str, types: &[ValueType]) -> RelationId {
        relation(&mut self.program, name, types)
    }

    pub fn fact(&mut self, relation: RelationId, values: &[Value]) {
        fact(&mut self.program, relation, values)
    }

    pub fn rule(
        &mut self,
        head: RelationId,
        head_args: Vec<Expr>,
        body: Vec<Literal>,
        types: &[ValueType],
    ) -> RuleId {
        rule(&mut self.program, head, head_args, body, types)
    }

    pub fn aggregate(
        &mut self,
        op: AggregateOp,
        input: RelationId,
        output: RelationId,
        group: &[usize],
        target: Option<usize>,
    ) -> usize {
        aggregate(&mut self.program, op, input, output, group, target)
    }

    /// `path` as the transitive closure of `edge` (both two number columns): `edge(x, y) ⇒ path(x, y)`
    /// and `path(x, y) ∧ edge(y, z) ⇒ path(x, z)`. Returns the recursive rule.
    pub fn transitive_closure(&mut self, edge: RelationId, path: RelationId) -> RuleId {
        use ValueType::Number;
        self.rule(
            path,
            vec![ev(0), ev(1)],
            vec![atom(edge, vec![var(0), var(1)])],
            &[Number, Number],
        );
        self.rule(
            path,
            vec![ev(0), ev(2)],
            vec![
                atom(path, vec![var(0), var(1)]),
                atom(edge, vec![var(1), var(2)]),
            ],
            &[Number, Number, Number],
        )
    }
}
