//! The abstract syntax tree: a plain, spanned value that mirrors what the author wrote.
//!
//! Produced by [`super::parse`], consumed by `check` and the formatter. Nothing after parsing looks at
//! pest pairs or re-reads source text: every node carries its [`Span`], and spans are ignored by
//! equality, so `parse(format(ast)) == ast` compares meaning only.
//!
//! Sugar is kept as written (disjunctions, subject blocks, annotations, aggregates, durations); `check`
//! resolves and lowers it.
//!
//! Names, texts and sources are [`SmolStr`]: up to 23 bytes held inline (every variable, relation
//! name and country code in practice), longer ones shared, so building the tree and copying names
//! into `check`'s drafts and the IR's rule origins allocates nothing per name.

use super::Span;
pub use crate::ir::{AggregateOp, CompareOp};
use crate::value::{ArithOp, DurationUnit};
pub use smol_str::SmolStr;

/// One parsed policy file.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceFile {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Import(Import),
    Relation(RelationDecl),
    Fact(Box<FactDecl>),
    Rule(Box<RuleDecl>),
    Subject(SubjectBlock),
    Test(TestBlock),
    Records(RecordsDecl),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Import(i) => i.span,
            Item::Relation(r) => r.span,
            Item::Fact(f) => f.span,
            Item::Rule(r) => r.span,
            Item::Subject(s) => s.span,
            Item::Test(t) => t.span,
            Item::Records(r) => r.span,
        }
    }
}

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    pub text: SmolStr,
    pub span: Span,
}

/// `import "relative/path.accord".`
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub path: String,
    pub path_span: Span,
    pub span: Span,
}

/// `symmetric relation mra(a: text, b: text, since: date).`
#[derive(Clone, Debug, PartialEq)]
pub struct RelationDecl {
    pub name: Name,
    pub columns: Vec<ColumnDecl>,
    pub symmetric: bool,
    /// `..` at the end: data files may carry further columns, which are ignored.
    pub open: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDecl {
    pub name: Name,
    /// The type as written; `check` validates it.
    pub ty: Name,
    /// `?` after the type: data rows whose value is missing are skipped.
    pub optional: bool,
    pub span: Span,
}

/// A fact, optionally headed: `fact us_mx source "…": mra(US, MX, 2014-10-17).`
#[derive(Clone, Debug, PartialEq)]
pub struct FactDecl {
    pub name: Option<Name>,
    pub annotations: Vec<Annotation>,
    pub atom: Atom,
    pub span: Span,
}

/// A rule, optionally headed with a name and annotations.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    pub name: Option<Name>,
    pub annotations: Vec<Annotation>,
    pub body: Formula,
    pub head: Conclusion,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Annotation {
    /// `source "…"`: the legal text the rule encodes.
    Source { text: SmolStr, span: Span },
    /// `effective from DATE until DATE on VAR`: the rule applies only when the decision date (the
    /// variable, or `today` when no variable is named) falls inside the period, bounds included.
    Effective {
        from: Option<Literal>,
        until: Option<Literal>,
        on: Option<Name>,
        span: Span,
    },
    /// `exception to base, other`: this rule withdraws the named rules' conclusions.
    ExceptionTo { rules: Vec<Name>, span: Span },
}

impl Annotation {
    pub fn span(&self) -> Span {
        match self {
            Annotation::Source { span, .. }
            | Annotation::Effective { span, .. }
            | Annotation::ExceptionTo { span, .. } => *span,
        }
    }
}

/// The conclusion of a rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Conclusion {
    Atom(Atom),
    Subject(SubjectAtom),
}

impl Conclusion {
    pub fn span(&self) -> Span {
        match self {
            Conclusion::Atom(a) => a.span,
            Conclusion::Subject(s) => s.span,
        }
    }
}

/// The premises of a rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Formula {
    And(Vec<Formula>, Span),
    Or(Vec<Formula>, Span),
    /// `¬ premise`
    Not(Box<Formula>, Span),
    /// `( formula )`, kept so the formatter can write the parentheses back.
    Group(Box<Formula>, Span),
    Atom(Atom),
    Subject(SubjectAtom),
    Compare(Comparison),
}

impl Formula {
    pub fn span(&self) -> Span {
        match self {
            Formula::And(_, s) | Formula::Or(_, s) | Formula::Not(_, s) | Formula::Group(_, s) => {
                *s
            }
            Formula::Atom(a) => a.span,
            Formula::Subject(s) => s.span,
            Formula::Compare(c) => c.span,
        }
    }
}

/// `relation(arg, …)`
#[derive(Clone, Debug, PartialEq)]
pub struct Atom {
    pub relation: Name,
    pub args: Vec<Expr>,
    pub span: Span,
}

/// The design card's form: `NEEC certified` or `fewer_exams`, inside a subject block.
#[derive(Clone, Debug, PartialEq)]
pub struct SubjectAtom {
    pub qualifier: Option<Literal>,
    pub relation: Name,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub op: CompareOp,
    pub op_span: Span,
    pub lhs: Expr,
    pub rhs: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Var(Name),
    Wildcard(Span),
    Literal(Literal),
    Today(Span),
    Binary {
        op: ArithOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        span: Span,
    },
    /// `date ± amount unit`
    Shift {
        date: Box<Expr>,
        negate: bool,
        amount: Box<Expr>,
        unit: DurationUnit,
        span: Span,
    },
    Aggregate(Box<AggregateExpr>),
    /// `( expr )`, kept for the formatter.
    Paren(Box<Expr>, Span),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Var(n) => n.span,
            Expr::Wildcard(s) | Expr::Today(s) | Expr::Paren(_, s) => *s,
            Expr::Literal(l) => l.span(),
            Expr::Binary { span, .. } | Expr::Shift { span, .. } => *span,
            Expr::Aggregate(a) => a.span,
        }
    }
}

/// `count s { premises }`, `sum v { … }`, `min d { … }`, `max d { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateExpr {
    pub op: AggregateOp,
    pub target: Option<Name>,
    pub body: Formula,
    pub span: Span,
}

/// A constant as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `"…"` (unescaped) or a bare upper-case name such as `US`: both are the same text value.
    Text {
        value: SmolStr,
        quoted: bool,
        span: Span,
    },
    /// The number's text as written (`42`, `-3`, `2.5`); `check` converts it.
    Number {
        text: SmolStr,
        span: Span,
    },
    Date {
        text: SmolStr,
        span: Span,
    },
    Bool {
        value: bool,
        span: Span,
    },
}

impl Literal {
    /// The date of day number `day` (days since 1970-01-01) as the author would write it: what
    /// `today` stands for once the evaluation date is known.
    pub fn day(day: i32, span: Span) -> Literal {
        Literal::Date {
            text: smol_str::format_smolstr!("{}", crate::value::DayText(day)),
            span,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Literal::Text { span, .. }
            | Literal::Number { span, .. }
            | Literal::Date { span, .. }
            | Literal::Bool { span, .. } => *span,
        }
    }
}

/// `subject c { rules }`: inside, `CONST word` means `word(c, CONST)` and a bare `word` means `word(c)`.
#[derive(Clone, Debug, PartialEq)]
pub struct SubjectBlock {
    pub subject: Name,
    pub rules: Vec<RuleDecl>,
    pub span: Span,
}

/// `test "name" { facts, loads, expectations }`
#[derive(Clone, Debug, PartialEq)]
pub struct TestBlock {
    pub name: String,
    pub name_span: Span,
    pub items: Vec<TestItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TestItem {
    Fact(FactDecl),
    /// `load "data.json".`, relative to the policy file.
    Load {
        path: String,
        span: Span,
    },
    Expect(Expectation),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// `expect atom.`
    Holds { atom: Atom, span: Span },
    /// `expect not atom.`
    HoldsNot { atom: Atom, span: Span },
    /// `expect query = { (…), … }.`: the query's answers (its variables in order of first appearance)
    /// are exactly these rows.
    Answers {
        query: Formula,
        rows: Vec<Vec<Expr>>,
        span: Span,
    },
}

/// `records "companies" { company(id, country). each certifications { … } }`: how the records of a
/// record-shaped data file named `companies.json` or `companies.jsonl` become rows.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordsDecl {
    /// The data file's stem.
    pub name: String,
    pub name_span: Span,
    pub items: Vec<RecordItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RecordItem {
    /// `certified(^id, program, status).`: one row per record.
    Row(RecordRow),
    /// `each certifications { … }`: the items apply to every element of the list.
    Each(RecordEach),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordRow {
    pub relation: Name,
    pub fields: Vec<FieldRef>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordEach {
    /// The list's field (a path from the current record).
    pub path: Vec<String>,
    pub path_span: Span,
    pub items: Vec<RecordItem>,
    pub span: Span,
}

/// A field: `status`, `address.country`, `"valid-until"`, or `^id` (one `^` per level up).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldRef {
    pub up: u32,
    pub path: Vec<String>,
    pub span: Span,
}
