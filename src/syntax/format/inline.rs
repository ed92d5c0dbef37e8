//! The formatter's inline printer: one AST node to one line of canonical text.
//!
//! Used by [`super`] for everything that is never broken across lines (atoms, expressions, premises,
//! annotations, columns). Parenthesises by precedence: the parser drops the parentheses of an
//! expression (`(x + 1) * 2` has no `Paren` node), so they are put back wherever the tree needs them;
//! a formula keeps its written groups (`Formula::Group`) and gains parentheses only where a tree that
//! was never parsed would otherwise be misread.

use super::super::ast::*;
use super::Connectives;
use crate::value::{quote_text, ArithOp};

/// Words the grammar reserves: never written as a bare name.
const RESERVED: [&str; 6] = ["and", "or", "not", "true", "false", "today"];

pub(super) struct Inline {
    pub connectives: Connectives,
}

impl Inline {
    fn ascii(&self) -> bool {
        self.connectives == Connectives::Ascii
    }

    pub fn and(&self) -> &'static str {
        if self.ascii() {
            "and"
        } else {
            "∧"
        }
    }

    pub fn or(&self) -> &'static str {
        if self.ascii() {
            "or"
        } else {
            "∨"
        }
    }

    pub fn not(&self) -> &'static str {
        if self.ascii() {
            "not"
        } else {
            "¬"
        }
    }

    pub fn implies(&self) -> &'static str {
        if self.ascii() {
            "=>"
        } else {
            "⇒"
        }
    }

    fn compare(&self, op: CompareOp) -> &'static str {
        match (op, self.ascii()) {
            (CompareOp::Ne, true) => "!=",
            (CompareOp::Le, true) => "<=",
            (CompareOp::Ge, true) => ">=",
            _ => op.symbol(),
        }
    }

    pub fn atom(&self, atom: &Atom) -> String {
        format!("{}({})", atom.relation.text, self.args(atom).join(", "))
    }

    pub fn args(&self, atom: &Atom) -> Vec<String> {
        atom.args.iter().map(|a| self.expr(a)).collect()
    }

    pub fn subject_atom(&self, atom: &SubjectAtom) -> String {
        match &atom.qualifier {
            Some(Literal::Text {
                value,
                quoted: false,
                ..
            }) if is_bare_word(value) => format!("{value} {}", atom.relation.text),
            Some(Literal::Text { value, .. }) => {
                format!("{} {}", quote_text(value), atom.relation.text)
            }
            // The grammar only has text qualifiers; another literal cannot come from a parse.
            Some(other) => format!("{} {}", self.literal(other), atom.relation.text),
            None => atom.relation.text.to_string(),
        }
    }

    pub fn conclusion(&self, head: &Conclusion) -> String {
        match head {
            Conclusion::Atom(a) => self.atom(a),
            Conclusion::Subject(s) => self.subject_atom(s),
        }
    }

    /// The top-level premises of a rule body and the word between them (`∧`, or `∨` for a body that
    /// is a disjunction).
    pub fn premises<'f>(&self, body: &'f Formula) -> (Vec<&'f Formula>, &'static str) {
        match body {
            Formula::And(parts, _) => (parts.iter().collect(), self.and()),
            Formula::Or(parts, _) => (parts.iter().collect(), self.or()),
            other => (vec![other], self.and()),
        }
    }

    /// One premise of a body as returned by [`Inline::premises`].
    pub fn premise(&self, parent: &Formula, part: &Formula) -> String {
        let needs_group = match parent {
            Formula::And(..) => matches!(part, Formula::And(..) | Formula::Or(..)),
            Formula::Or(..) => matches!(part, Formula::Or(..)),
            _ => false,
        };
        if needs_group {
            format!("({})", self.formula(part))
        } else {
            self.formula(part)
        }
    }

    pub fn formula(&self, formula: &Formula) -> String {
        match formula {
            Formula::And(..) | Formula::Or(..) => {
                let (parts, word) = self.premises(formula);
                let parts: Vec<String> = parts.iter().map(|p| self.premise(formula, p)).collect();
                parts.join(&format!(" {word} "))
            }
            Formula::Not(inner, _) => {
                let inner = match inner.as_ref() {
                    Formula::Atom(_) | Formula::Subject(_) | Formula::Group(..) => {
                        self.formula(inner)
                    }
                    other => format!("({})", self.formula(other)),
                };
                format!("{} {inner}", self.not())
            }
            Formula::Group(inner, _) => format!("({})", self.formula(inner)),
            Formula::Atom(a) => self.atom(a),
            Formula::Subject(s) => self.subject_atom(s),
            Formula::Compare(c) => format!(
                "{} {} {}",
                self.expr(&c.lhs),
                self.compare(c.op),
                self.expr(&c.rhs)
            ),
        }
    }

    pub fn expr(&self, expr: &Expr) -> String {
        match expr {
            Expr::Var(n) => n.text.to_string(),
            Expr::Wildcard(_) => "_".to_string(),
            Expr::Literal(l) => self.literal(l),
            Expr::Today(_) => "today".to_string(),
            Expr::Binary { op, lhs, rhs, .. } => {
                let (left, right) = match op {
                    ArithOp::Add | ArithOp::Sub => (SUM, PRODUCT),
                    ArithOp::Mul | ArithOp::Div => (PRODUCT, UNARY),
                };
                format!(
                    "{} {} {}",
                    self.expr_at(lhs, left),
                    op.symbol(),
                    self.expr_at(rhs, right)
                )
            }
            Expr::Shift {
                date,
                negate,
                amount,
                unit,
                ..
            } => {
                let amount_text = self.expr_at(amount, PRODUCT);
                let unit = match (unit.name(), amount_text.as_str()) {
                    (name, "1") => name.trim_end_matches('s'),
                    (name, _) => name,
                };
                format!(
                    "{} {} {amount_text} {unit}",
                    self.expr_at(date, SUM),
                    if *negate { "-" } else { "+" },
                )
            }
            Expr::Aggregate(a) => {
                let target = a
                    .target
                    .as_ref()
                    .map(|t| format!(" {}", t.text))
                    .unwrap_or_default();
                format!("{}{target} {{ {} }}", a.op.name(), self.formula(&a.body))
            }
            Expr::Paren(inner, _) => format!("({})", self.expr(inner)),
        }
    }

    fn expr_at(&self, expr: &Expr, min: u8) -> String {
        if precedence(expr) < min {
            format!("({})", self.expr(expr))
        } else {
            self.expr(expr)
        }
    }

    pub fn literal(&self, literal: &Literal) -> String {
        match literal {
            Literal::Text {
                value,
                quoted: false,
                ..
            } if crate::value::is_bare_constant(value) => value.to_string(),
            Literal::Text { value, .. } => quote_text(value),
            Literal::Number { text, .. } | Literal::Date { text, .. } => text.to_string(),
            Literal::Bool { value, .. } => value.to_string(),
        }
    }

    pub fn annotation(&self, annotation: &Annotation) -> String {
        match annotation {
            Annotation::Source { text, .. } => format!("source {}", quote_text(text)),
            Annotation::Effective {
                from, until, on, ..
            } => {
                let mut out = "effective".to_string();
                if let Some(from) = from {
                    out.push_str(&format!(" from {}", self.literal(from)));
                }
                if let Some(until) = until {
                    out.push_str(&format!(" until {}", self.literal(until)));
                }
                if let Some(on) = on {
                    out.push_str(&format!(" on {}", on.text));
                }
                out
            }
            Annotation::ExceptionTo { rules, .. } => {
                let names: Vec<&str> = rules.iter().map(|r| r.text.as_str()).collect();
                format!("exception to {}", names.join(", "))
            }
        }
    }

    /// `symmetric relation name`, without the columns.
    pub fn relation_head(&self, decl: &RelationDecl) -> String {
        let prefix = if decl.symmetric { "symmetric " } else { "" };
        format!("{prefix}relation {}", decl.name.text)
    }

    /// The columns of a declaration, `..` last when the relation is open.
    pub fn columns(&self, decl: &RelationDecl) -> Vec<String> {
        let mut out: Vec<String> = decl
            .columns
            .iter()
            .map(|c| {
                let mark = if c.optional { "?" } else { "" };
                format!("{}: {}{mark}", c.name.text, c.ty.text)
            })
            .collect();
        if decl.open {
            out.push("..".to_string());
        }
        out
    }

    pub fn relation(&self, decl: &RelationDecl) -> String {
        format!(
            "{}({}).",
            self.relation_head(decl),
            self.columns(decl).join(", ")
        )
    }

    pub fn test_item(&self, item: &TestItem) -> String {
        match item {
            TestItem::Fact(f) => format!("{}.", self.atom(&f.atom)),
            TestItem::Load { path, .. } => format!("load {}.", quote_text(path)),
            TestItem::Expect(Expectation::Holds { atom, .. }) => {
                format!("expect {}.", self.atom(atom))
            }
            // `expect not` reads as a phrase, so it keeps the word in both spellings.
            TestItem::Expect(Expectation::HoldsNot { atom, .. }) => {
                format!("expect not {}.", self.atom(atom))
            }
            TestItem::Expect(Expectation::Answers { query, rows, .. }) => {
                let rows: Vec<String> = rows
                    .iter()
                    .map(|row| {
                        let terms: Vec<String> = row.iter().map(|t| self.expr(t)).collect();
                        format!("({})", terms.join(", "))
                    })
                    .collect();
                let set = if rows.is_empty() {
                    "{}".to_string()
                } else {
                    format!("{{ {} }}", rows.join(", "))
                };
                format!("expect {} = {set}.", self.formula(query))
            }
        }
    }
}

const SUM: u8 = 1;
const PRODUCT: u8 = 2;
const UNARY: u8 = 3;

fn precedence(expr: &Expr) -> u8 {
    match expr {
        Expr::Binary {
            op: ArithOp::Add | ArithOp::Sub,
            ..
        }
        | Expr::Shift { .. } => SUM,
        Expr::Binary { .. } => PRODUCT,
        _ => UNARY,
    }
}

/// A word the grammar reads as a `name`: a letter, then letters, digits and `_`, not reserved.
pub(super) fn is_bare_word(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&s)
}
