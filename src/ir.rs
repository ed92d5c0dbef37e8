//! The intermediate representation: a checked policy, lowered to what the evaluator runs.
//!
//! Produced by `check` (which lowers the AST after it has validated it) and consumed by `eval`,
//! `explain` and the front ends. Everything the source's sugar expressed is gone by now: disjunctions
//! are split into one [`Rule`] per disjunct, subject blocks are expanded, exceptions are compiled to
//! negations over auxiliary relations, aggregates to [`Aggregate`] definitions over auxiliary relations,
//! effective periods to comparisons, `symmetric` to an extra rule, `today` to a date constant.
//!
//! Invariants (kept by `check::lower`, relied on by `eval`):
//! - every [`RelationId`], [`RuleId`] and [`VarId`] indexes its table;
//! - every term, expression and column has one [`ValueType`]; a rule's literals agree with the column
//!   types of the relations they mention;
//! - rules are safe: every variable of the head, of a negation or of a comparison is bound by a positive
//!   atom, an aggregate's output, or a [`Literal::Bind`] whose inputs are bound (in some order; the planner
//!   finds it);
//! - the program is stratifiable (see [`crate::stratify`]);
//! - nothing here refers to source text; spans live in the side table [`RuleOrigin`] for diagnostics and
//!   explanations.

use crate::syntax::ast::SmolStr;
use crate::syntax::Span;
use crate::value::{ArithOp, DurationUnit, Value, ValueType};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u32);

impl RelationId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl RuleId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl VarId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A lowered, checked policy.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub relations: Vec<Relation>,
    pub rules: Vec<Rule>,
    pub aggregates: Vec<Aggregate>,
    /// Facts written in policy files.
    pub facts: Vec<PolicyFact>,
    /// The evaluation date that `today` was replaced with (a day number).
    pub today: i32,
    /// How record-shaped JSON files map to relations (`records "companies" { … }`), in source order.
    pub mappings: Vec<RecordMapping>,
}

impl Program {
    pub fn relation(&self, id: RelationId) -> &Relation {
        &self.relations[id.index()]
    }

    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.rules[id.index()]
    }

    /// The record mapping for data files with this stem (`companies` for `companies.json`).
    pub fn mapping(&self, name: &str) -> Option<&RecordMapping> {
        self.mappings.iter().find(|m| m.name == name)
    }

    pub fn relation_id(&self, name: &str) -> Option<RelationId> {
        self.relations
            .iter()
            .position(|r| r.name == name)
            .map(|i| RelationId(i as u32))
    }

    /// The relations that some user rule concludes, in output order (see [`Relation::order`]).
    pub fn derived_relations(&self) -> Vec<RelationId> {
        let mut ids: Vec<RelationId> = (0..self.relations.len() as u32)
            .map(RelationId)
            .filter(|id| {
                let rel = self.relation(*id);
                rel.kind == RelationKind::User && self.rules.iter().any(|r| r.head == *id)
            })
            .collect();
        ids.sort_by_key(|id| self.relation(*id).order);
        ids
    }
}

/// A relation: a name and typed columns.
#[derive(Clone, Debug)]
pub struct Relation {
    pub name: String,
    pub columns: Vec<Column>,
    pub kind: RelationKind,
    /// Where the relation was declared, or first concluded when it is not declared.
    pub span: Option<Span>,
    pub declared: bool,
    /// Whether the declaration ends in `..` (`relation r(a: text, ..).`): data files may then carry
    /// columns the declaration does not name, which loaders ignore. Set by the checker; default false.
    pub open: bool,
    /// Output position: relations print in the order of their declaration or, when undeclared, of their
    /// first appearance.
    pub order: u32,
}

impl Relation {
    pub fn arity(&self) -> usize {
        self.columns.len()
    }

    pub fn types(&self) -> Vec<ValueType> {
        self.columns.iter().map(|c| c.ty).collect()
    }

    /// The columns' names as tables head them: the declared name, else `#N` (1-based).
    pub fn column_names(&self) -> Vec<String> {
        (0..self.columns.len())
            .map(|i| self.column_name(i))
            .collect()
    }

    /// Column `i`'s name as tables head it (see [`Relation::column_names`]).
    pub fn column_name(&self, i: usize) -> String {
        self.columns
            .get(i)
            .and_then(|c| c.name.clone())
            .unwrap_or_else(|| format!("#{}", i + 1))
    }
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: Option<String>,
    pub ty: ValueType,
    /// Whether a data row may leave this column empty; such a row is skipped (and counted in
    /// [`crate::facts::FactSet::skipped`]) rather than rejected. Default false.
    pub optional: bool,
}

/// Who made a relation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    /// Declared or used by the policy author; printed by `eval`.
    User,
    /// Made by the lowering (aggregate inputs and outputs, exception defeats); never printed.
    Auxiliary,
}

/// A fact written in a policy file.
#[derive(Clone, Debug)]
pub struct PolicyFact {
    pub relation: RelationId,
    pub values: Vec<Value>,
    pub span: Span,
    /// The author's name for the fact (`fact us_mx …:`), if given.
    pub name: Option<SmolStr>,
    /// The legal source the fact encodes, if given.
    pub source: Option<SmolStr>,
}

/// A conjunctive rule: when every literal of `body` holds, `head(head_args)` holds.
#[derive(Clone, Debug)]
pub struct Rule {
    pub head: RelationId,
    pub head_args: Vec<Expr>,
    /// In source order; the evaluator's planner chooses the join order.
    pub body: Vec<Literal>,
    /// Names and types of the rule's variables, indexed by [`VarId`].
    pub vars: Vec<Variable>,
    pub origin: RuleOrigin,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: SmolStr,
    pub ty: ValueType,
}

/// Where a rule came from, for diagnostics and explanations.
#[derive(Clone, Debug)]
pub struct RuleOrigin {
    /// The author's name for the rule, if given.
    pub name: Option<SmolStr>,
    /// The legal source the rule encodes, if given.
    pub source: Option<SmolStr>,
    /// The span of the whole source rule (all disjuncts of a rule share it).
    pub span: Span,
    /// Which disjunct of the source rule this is (0 when it had no disjunction).
    pub disjunct: u32,
    /// What the lowering made this rule for.
    pub purpose: RulePurpose,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulePurpose {
    /// A rule the author wrote.
    Written,
    /// The reverse direction of a `symmetric` relation.
    Symmetry,
    /// Collects the bindings an aggregate ranges over.
    AggregateInput,
    /// Concludes that a rule's conclusion is withdrawn by an exception.
    Exception,
}

/// One premise of a conjunctive rule.
#[derive(Clone, Debug)]
pub enum Literal {
    /// A positive atom: a row of `relation` matches `args`.
    Atom {
        relation: RelationId,
        args: Vec<Term>,
        span: Span,
    },
    /// A negated atom: no row of `relation` matches `args` (wildcards match anything).
    Negated {
        relation: RelationId,
        args: Vec<Term>,
        span: Span,
    },
    /// A comparison between two expressions of type `ty`.
    Compare {
        op: CompareOp,
        ty: ValueType,
        lhs: Expr,
        rhs: Expr,
        span: Span,
    },
    /// `var = expr`: binds `var`, which nothing else binds, to the value of `expr`.
    Bind { var: VarId, expr: Expr, span: Span },
}

impl Literal {
    pub fn span(&self) -> Span {
        match self {
            Literal::Atom { span, .. }
            | Literal::Negated { span, .. }
            | Literal::Compare { span, .. }
            | Literal::Bind { span, .. } => *span,
        }
    }
}

/// An argument of an atom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Term {
    Var(VarId),
    Const(Value),
    Wildcard,
}

/// An expression over bound variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Var(VarId),
    Const(Value),
    /// Arithmetic on numbers (`ty` = number), or a date plus or minus a number of days (`ty` = date, the
    /// date on the left, the number on the right, `op` is `Add` or `Sub`).
    Arith {
        op: ArithOp,
        ty: ValueType,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// A date moved by a number of calendar units: `date + amount unit`, `date - amount unit`.
    Shift {
        date: Box<Expr>,
        amount: Box<Expr>,
        unit: DurationUnit,
        negate: bool,
    },
}

impl Expr {
    /// Appends the variables the expression reads, in order (with repeats).
    pub fn vars(&self, out: &mut Vec<VarId>) {
        match self {
            Expr::Var(v) => out.push(*v),
            Expr::Const(_) => {}
            Expr::Arith { lhs, rhs, .. } => {
                lhs.vars(out);
                rhs.vars(out);
            }
            Expr::Shift { date, amount, .. } => {
                date.vars(out);
                amount.vars(out);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "≠",
            CompareOp::Lt => "<",
            CompareOp::Le => "≤",
            CompareOp::Gt => ">",
            CompareOp::Ge => "≥",
        }
    }

    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CompareOp::Eq => ord == Equal,
            CompareOp::Ne => ord != Equal,
            CompareOp::Lt => ord == Less,
            CompareOp::Le => ord != Greater,
            CompareOp::Gt => ord == Greater,
            CompareOp::Ge => ord != Less,
        }
    }
}

/// `output(group…, result)` holds for every group of rows of `input` (grouped by the `group` columns)
/// with `result` the aggregate of the group. Only groups with at least one row produce an output row.
#[derive(Clone, Debug)]
pub struct Aggregate {
    pub op: AggregateOp,
    pub input: RelationId,
    pub output: RelationId,
    /// Columns of `input` that form the group key, in the order they appear in `output`.
    pub group: Vec<usize>,
    /// The column of `input` aggregated by `sum`, `min` and `max`; `None` for `count`, which counts the
    /// group's (distinct) rows.
    pub target: Option<usize>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggregateOp {
    Count,
    Sum,
    Min,
    Max,
}

impl AggregateOp {
    pub fn name(self) -> &'static str {
        match self {
            AggregateOp::Count => "count",
            AggregateOp::Sum => "sum",
            AggregateOp::Min => "min",
            AggregateOp::Max => "max",
        }
    }
}

/// How the records of a record-shaped JSON or JSON Lines file become rows: `records "companies" { … }`.
///
/// Invariants (kept by `check::mapping`): every row's relation is a declared user relation, with as
/// many fields as columns; a field's `up` is at most the depth of its level.
#[derive(Clone, Debug)]
pub struct RecordMapping {
    /// The file stem it applies to: `companies` for `companies.json` and `companies.jsonl`.
    pub name: String,
    pub span: Span,
    /// What each top-level record gives.
    pub root: RecordLevel,
}

/// The rows one record gives, and the nested lists whose elements give more.
#[derive(Clone, Debug, Default)]
pub struct RecordLevel {
    pub rows: Vec<RecordRow>,
    pub nested: Vec<NestedRecords>,
}

/// `each certifications { … }`: every element of the list at `path` is a record of the inner level.
#[derive(Clone, Debug)]
pub struct NestedRecords {
    pub path: Vec<String>,
    pub level: RecordLevel,
    pub span: Span,
}

/// `certified(^id, program, status, valid_until).`: one row of `relation` per record.
#[derive(Clone, Debug)]
pub struct RecordRow {
    pub relation: RelationId,
    /// One per column, in column order.
    pub fields: Vec<RecordField>,
    pub span: Span,
}

/// A field of a record: `status`, `address.country`, or `^id` (a field of the enclosing record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordField {
    /// How many levels up the record is: 0 for the current record, 1 for its parent.
    pub up: u32,
    /// Keys to follow, one per dotted segment.
    pub path: Vec<String>,
    pub span: Span,
}

impl RecordField {
    /// The field as written: `^id`, `address.country` (segments that are not plain names quoted).
    pub fn display(&self) -> String {
        let mut out = "^".repeat(self.up as usize);
        for (i, segment) in self.path.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&display_segment(segment));
        }
        out
    }
}

/// A key as written in a mapping: bare when it is a plain name, quoted otherwise.
pub fn display_segment(segment: &str) -> String {
    let plain = segment
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        segment.to_string()
    } else {
        format!("{segment:?}")
    }
}
