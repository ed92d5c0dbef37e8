//! Lowering from pest's parse tree to the AST, and syntax errors in a policy author's words.
//!
//! The only module that sees [`Pair<Rule>`]. It assumes the grammar's shape (each `match` below mirrors
//! one grammar rule); a shape it does not expect is a bug in this file, reported as an internal syntax
//! error rather than a panic.

use pest::error::InputLocation;
use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use super::ast::*;
use super::{FileId, Span};
use crate::diagnostic::Diagnostic;
use crate::value::{ArithOp, DurationUnit};

mod records;

#[derive(Parser)]
#[grammar = "../grammar/accord.pest"]
struct AccordParser;

/// Parses a whole policy file.
pub fn parse_file(file: FileId, text: &str) -> Result<SourceFile, Diagnostic> {
    let mut pairs = {
        check_nesting(file, text)?;
        AccordParser::parse(Rule::file, text)
    }
    .map_err(|e| syntax_error(file, text, e))?;
    let root = pairs.next().ok_or_else(|| internal(file, "empty parse"))?;
    let lower = Lower { file };
    let mut items = vec![];
    for pair in root.into_inner() {
        if pair.as_rule() == Rule::EOI {
            continue;
        }
        items.push(lower.item(pair)?);
    }
    Ok(SourceFile { items })
}

/// Parses a query: premises without a conclusion, e.g. `fewer_exams(s) ∧ shipment(s, e, US, d)`.
pub fn parse_query(file: FileId, text: &str) -> Result<Formula, Diagnostic> {
    let mut pairs = {
        check_nesting(file, text)?;
        AccordParser::parse(Rule::query, text)
    }
    .map_err(|e| syntax_error(file, text, e))?;
    let root = pairs.next().ok_or_else(|| internal(file, "empty parse"))?;
    let lower = Lower { file };
    let formula = root
        .into_inner()
        .next()
        .ok_or_else(|| internal(file, "empty query"))?;
    lower.formula(formula)
}

/// What a line typed at the REPL is.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplLine {
    Item(Item),
    Query(Formula),
}

/// Parses a REPL input: a statement (fact, rule, declaration) or a query.
pub fn parse_repl_line(file: FileId, text: &str) -> Result<ReplLine, Diagnostic> {
    let mut pairs = {
        check_nesting(file, text)?;
        AccordParser::parse(Rule::repl_line, text)
    }
    .map_err(|e| syntax_error(file, text, e))?;
    let root = pairs.next().ok_or_else(|| internal(file, "empty parse"))?;
    let lower = Lower { file };
    let inner = root
        .into_inner()
        .next()
        .ok_or_else(|| internal(file, "empty input"))?;
    if inner.as_rule() == Rule::query_body {
        let formula = inner
            .into_inner()
            .next()
            .ok_or_else(|| internal(file, "empty query"))?;
        return Ok(ReplLine::Query(lower.formula(formula)?));
    }
    Ok(ReplLine::Item(lower.item(inner)?))
}

/// Whether a REPL input is an unfinished statement: it does not parse, and the only problem is that it
/// stops too early (the parser wanted more at the end of the text). The REPL then asks for more lines.
/// An input that starts with a statement keyword (`rule name`, `relation`, …) must be a whole
/// statement, even when its first line alone would read as a query.
pub fn is_incomplete(text: &str) -> bool {
    let trimmed = text.trim_start();
    let word_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    let keyword = &trimmed[..word_len];
    let statement = matches!(
        keyword,
        "rule" | "fact" | "relation" | "symmetric" | "subject" | "test" | "import"
    ) && !trimmed[word_len..].trim_start().starts_with('(');
    let entry = if statement {
        Rule::file
    } else {
        Rule::repl_line
    };
    match AccordParser::parse(entry, text) {
        Ok(_) => false,
        Err(e) => {
            let pos = match e.location {
                InputLocation::Pos(p) => p,
                InputLocation::Span((s, _)) => s,
            };
            !text.trim().is_empty() && pos >= text.trim_end().len()
        }
    }
}

/// How deeply parentheses and braces may nest. The parser and every later pass recurse over the
/// nesting, so a bound keeps any input from exhausting the stack; real policies nest a few levels.
pub const MAX_NESTING: usize = 128;

/// Rejects input nested deeper than [`MAX_NESTING`], before the recursive parser sees it.
fn check_nesting(file: FileId, text: &str) -> Result<(), Diagnostic> {
    let (mut depth, mut in_string, mut escaped, mut in_comment) = (0usize, false, false, false);
    let mut prev = '\0';
    for (i, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
        } else if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_string = true,
                '/' if prev == '/' => in_comment = true,
                '(' | '{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(Diagnostic::error(
                            "too_deeply_nested",
                            format!(
                                "parentheses and braces nest more than {MAX_NESTING} deep here"
                            ),
                        )
                        .label(Span::new(file, i, i + 1), "too deep")
                        .help("split the rule into smaller rules, each naming a part of it"));
                    }
                }
                ')' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        prev = c;
    }
    Ok(())
}

type Result<T, E = Diagnostic> = std::result::Result<T, E>;

fn internal(file: FileId, what: &str) -> Diagnostic {
    Diagnostic::error("syntax", format!("internal parser error: {what}"))
        .label(Span::new(file, 0, 0), "")
        .help("this is a bug in accord; please report it with the input")
}

struct Lower {
    file: FileId,
}

impl Lower {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn unexpected(&self, pair: &Pair<Rule>) -> Diagnostic {
        Diagnostic::error(
            "syntax",
            format!("internal parser error: unexpected {:?}", pair.as_rule()),
        )
        .label(self.span(pair), "here")
        .help("this is a bug in accord; please report it with the input")
    }

    fn name(&self, pair: Pair<Rule>) -> Name {
        Name {
            span: self.span(&pair),
            text: pair.as_str().to_string(),
        }
    }

    fn item(&self, pair: Pair<Rule>) -> Result<Item> {
        let span = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::import_stmt => {
                let string = self.first(pair)?;
                let path_span = self.span(&string);
                Item::Import(Import {
                    path: self.string(string)?,
                    path_span,
                    span,
                })
            }
            Rule::relation_decl => Item::Relation(self.relation(pair)?),
            Rule::fact | Rule::headed_fact => Item::Fact(self.fact(pair)?),
            Rule::rule | Rule::headed_rule => Item::Rule(self.rule(pair)?),
            Rule::subject_block => {
                let mut inner = pair.into_inner();
                inner.next(); // kw_subject
                let subject =
                    self.name(inner.next().ok_or_else(|| internal(self.file, "subject"))?);
                let rules = inner.map(|p| self.rule(p)).collect::<Result<_>>()?;
                Item::Subject(SubjectBlock {
                    subject,
                    rules,
                    span,
                })
            }
            Rule::test_block => Item::Test(self.test(pair)?),
            Rule::records_block => Item::Records(self.records(pair)?),
            _ => return Err(self.unexpected(&pair)),
        })
    }

    fn first<'a>(&self, pair: Pair<'a, Rule>) -> Result<Pair<'a, Rule>> {
        let span = self.span(&pair);
        pair.into_inner()
            .find(|p| !matches!(p.as_rule(), Rule::kw_import | Rule::kw_load | Rule::dot))
            .ok_or_else(|| internal(self.file, "missing child").label(span, ""))
    }

    fn relation(&self, pair: Pair<Rule>) -> Result<RelationDecl> {
        let span = self.span(&pair);
        let mut decl = RelationDecl {
            name: Name {
                text: String::new(),
                span,
            },
            columns: vec![],
            symmetric: false,
            open: false,
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::property => decl.symmetric = true,
                Rule::kw_relation | Rule::dot => {}
                Rule::name => decl.name = self.name(p),
                Rule::columns => {
                    for c in p.into_inner() {
                        match c.as_rule() {
                            Rule::open_columns => decl.open = true,
                            Rule::column => {
                                let cspan = self.span(&c);
                                let mut parts = c.into_inner();
                                let (Some(name), Some(ty)) = (parts.next(), parts.next()) else {
                                    return Err(internal(self.file, "column").label(cspan, ""));
                                };
                                decl.columns.push(ColumnDecl {
                                    name: self.name(name),
                                    ty: self.name(ty),
                                    optional: parts.next().is_some(),
                                    span: cspan,
                                });
                            }
                            _ => return Err(self.unexpected(&c)),
                        }
                    }
                }
                _ => return Err(self.unexpected(&p)),
            }
        }
        Ok(decl)
    }

    /// Name and annotations of a headed rule or fact; returns the remaining pairs.
    fn header<'a>(
        &self,
        inner: &mut std::iter::Peekable<pest::iterators::Pairs<'a, Rule>>,
    ) -> Result<(Option<Name>, Vec<Annotation>)> {
        let mut name = None;
        let mut annotations = vec![];
        if inner
            .peek()
            .is_some_and(|p| matches!(p.as_rule(), Rule::kw_rule | Rule::kw_fact))
        {
            inner.next();
            if let Some(n) = inner.next() {
                name = Some(self.name(n));
            }
            while inner
                .peek()
                .is_some_and(|p| p.as_rule() == Rule::annotation)
            {
                if let Some(a) = inner.next() {
                    annotations.push(self.annotation(a)?);
                }
            }
        }
        Ok((name, annotations))
    }

    fn annotation(&self, pair: Pair<Rule>) -> Result<Annotation> {
        let inner = self.first(pair)?;
        let span = self.span(&inner);
        Ok(match inner.as_rule() {
            Rule::source_annotation => {
                let s = inner.into_inner().find(|p| p.as_rule() == Rule::string);
                let s = s.ok_or_else(|| internal(self.file, "source").label(span, ""))?;
                Annotation::Source {
                    text: self.string(s)?,
                    span,
                }
            }
            Rule::effective_annotation => {
                let (mut from, mut until, mut on) = (None, None, None);
                let mut last = Rule::kw_effective;
                for p in inner.into_inner() {
                    match p.as_rule() {
                        Rule::kw_from | Rule::kw_until | Rule::kw_on | Rule::kw_effective => {
                            last = p.as_rule()
                        }
                        Rule::date if last == Rule::kw_from => from = Some(self.literal(p)?),
                        Rule::date => until = Some(self.literal(p)?),
                        Rule::name => on = Some(self.name(p)),
                        _ => return Err(self.unexpected(&p)),
                    }
                }
                Annotation::Effective {
                    from,
                    until,
                    on,
                    span,
                }
            }
            Rule::exception_annotation => {
                let rules = inner
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::name)
                    .map(|p| self.name(p))
                    .collect();
                Annotation::ExceptionTo { rules, span }
            }
            _ => return Err(self.unexpected(&inner)),
        })
    }

    fn fact(&self, pair: Pair<Rule>) -> Result<FactDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        let (name, annotations) = self.header(&mut inner)?;
        let atom = inner
            .next()
            .ok_or_else(|| internal(self.file, "fact").label(span, ""))?;
        Ok(FactDecl {
            name,
            annotations,
            atom: self.atom(atom)?,
            span,
        })
    }

    fn rule(&self, pair: Pair<Rule>) -> Result<RuleDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        let (name, annotations) = self.header(&mut inner)?;
        let missing = || internal(self.file, "rule").label(span, "");
        let body = self.formula(inner.next().ok_or_else(missing)?)?;
        inner.next(); // implies
        let conclusion = self.first(inner.next().ok_or_else(missing)?)?;
        let head = match conclusion.as_rule() {
            Rule::atom => Conclusion::Atom(self.atom(conclusion)?),
            Rule::subject_atom => Conclusion::Subject(self.subject_atom(conclusion)?),
            _ => return Err(self.unexpected(&conclusion)),
        };
        Ok(RuleDecl {
            name,
            annotations,
            body,
            head,
            span,
        })
    }

    fn formula(&self, pair: Pair<Rule>) -> Result<Formula> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::formula | Rule::conjunction => {
                let is_or = pair.as_rule() == Rule::formula;
                let mut parts = vec![];
                for p in pair.into_inner() {
                    if !matches!(p.as_rule(), Rule::or_op | Rule::and_op) {
                        parts.push(self.formula(p)?);
                    }
                }
                if parts.len() == 1 {
                    return parts.pop().ok_or_else(|| internal(self.file, "formula"));
                }
                Ok(if is_or {
                    Formula::Or(parts, span)
                } else {
                    Formula::And(parts, span)
                })
            }
            Rule::premise => self.formula(self.first(pair)?),
            Rule::negation => {
                let inner = pair.into_inner().find(|p| p.as_rule() != Rule::not_op);
                let inner = inner.ok_or_else(|| internal(self.file, "negation").label(span, ""))?;
                Ok(Formula::Not(Box::new(self.formula(inner)?), span))
            }
            Rule::group => Ok(Formula::Group(
                Box::new(self.formula(self.first(pair)?)?),
                span,
            )),
            Rule::atom => Ok(Formula::Atom(self.atom(pair)?)),
            Rule::subject_atom => Ok(Formula::Subject(self.subject_atom(pair)?)),
            Rule::comparison => {
                let mut inner = pair.into_inner();
                let missing = || internal(self.file, "comparison").label(span, "");
                let lhs = self.expr(inner.next().ok_or_else(missing)?)?;
                let op_pair = inner.next().ok_or_else(missing)?;
                let op = match op_pair.as_str() {
                    "=" => CompareOp::Eq,
                    "≠" | "!=" => CompareOp::Ne,
                    "<" => CompareOp::Lt,
                    "≤" | "<=" => CompareOp::Le,
                    ">" => CompareOp::Gt,
                    _ => CompareOp::Ge,
                };
                let rhs = self.expr(inner.next().ok_or_else(missing)?)?;
                Ok(Formula::Compare(Comparison {
                    op,
                    op_span: self.span(&op_pair),
                    lhs,
                    rhs,
                    span,
                }))
            }
            _ => Err(self.unexpected(&pair)),
        }
    }

    fn atom(&self, pair: Pair<Rule>) -> Result<Atom> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let relation = self.name(
            inner
                .next()
                .ok_or_else(|| internal(self.file, "atom").label(span, ""))?,
        );
        let args = inner.map(|p| self.expr(p)).collect::<Result<_>>()?;
        Ok(Atom {
            relation,
            args,
            span,
        })
    }

    fn subject_atom(&self, pair: Pair<Rule>) -> Result<SubjectAtom> {
        let span = self.span(&pair);
        let mut qualifier = None;
        let mut relation = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::qualifier => {
                    let q = self.first(p)?;
                    qualifier = Some(match q.as_rule() {
                        Rule::string => Literal::Text {
                            span: self.span(&q),
                            value: self.string(q)?,
                            quoted: true,
                        },
                        _ => Literal::Text {
                            span: self.span(&q),
                            value: q.as_str().to_string(),
                            quoted: false,
                        },
                    });
                }
                Rule::name => relation = Some(self.name(p)),
                _ => return Err(self.unexpected(&p)),
            }
        }
        let relation =
            relation.ok_or_else(|| internal(self.file, "subject atom").label(span, ""))?;
        Ok(SubjectAtom {
            qualifier,
            relation,
            span,
        })
    }

    fn expr(&self, pair: Pair<Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr => {
                self.operator_chain(&pair)?;
                let mut inner = pair.into_inner().peekable();
                let first = inner
                    .next()
                    .ok_or_else(|| internal(self.file, "expr").label(span, ""))?;
                let mut acc = self.expr(first)?;
                while let Some(op) = inner.next() {
                    let rhs_pair = inner
                        .next()
                        .ok_or_else(|| internal(self.file, "expr").label(span, ""))?;
                    let rhs = self.expr(rhs_pair)?;
                    let negate = op.as_str() == "-";
                    let unit = inner.next_if(|p| p.as_rule() == Rule::unit);
                    let whole = acc.span().to(rhs.span());
                    acc = match unit {
                        Some(u) => {
                            let unit = match u.as_str().trim_end_matches('s') {
                                "day" => DurationUnit::Days,
                                "month" => DurationUnit::Months,
                                _ => DurationUnit::Years,
                            };
                            let whole = whole.to(self.span(&u));
                            Expr::Shift {
                                date: Box::new(acc),
                                negate,
                                amount: Box::new(rhs),
                                unit,
                                span: whole,
                            }
                        }
                        None => Expr::Binary {
                            op: if negate { ArithOp::Sub } else { ArithOp::Add },
                            lhs: Box::new(acc),
                            rhs: Box::new(rhs),
                            span: whole,
                        },
                    };
                }
                Ok(acc)
            }
            Rule::product => {
                self.operator_chain(&pair)?;
                let mut inner = pair.into_inner();
                let first = inner
                    .next()
                    .ok_or_else(|| internal(self.file, "product").label(span, ""))?;
                let mut acc = self.expr(first)?;
                while let Some(op) = inner.next() {
                    let rhs_pair = inner
                        .next()
                        .ok_or_else(|| internal(self.file, "product").label(span, ""))?;
                    let rhs = self.expr(rhs_pair)?;
                    let whole = acc.span().to(rhs.span());
                    let op = if op.as_str() == "*" {
                        ArithOp::Mul
                    } else {
                        ArithOp::Div
                    };
                    acc = Expr::Binary {
                        op,
                        lhs: Box::new(acc),
                        rhs: Box::new(rhs),
                        span: whole,
                    };
                }
                Ok(acc)
            }
            Rule::aggregate => {
                let mut inner = pair.into_inner().peekable();
                let op = match inner.next().map(|p| p.as_str().to_string()).as_deref() {
                    Some("count") => AggregateOp::Count,
                    Some("sum") => AggregateOp::Sum,
                    Some("min") => AggregateOp::Min,
                    _ => AggregateOp::Max,
                };
                let target = inner
                    .next_if(|p| p.as_rule() == Rule::name)
                    .map(|p| self.name(p));
                let body = inner
                    .next()
                    .ok_or_else(|| internal(self.file, "aggregate").label(span, ""))?;
                Ok(Expr::Aggregate(Box::new(AggregateExpr {
                    op,
                    target,
                    body: self.formula(body)?,
                    span,
                })))
            }
            Rule::name => {
                let text = pair.as_str();
                if text.starts_with(|c: char| c.is_ascii_uppercase()) {
                    Ok(Expr::Literal(Literal::Text {
                        value: text.to_string(),
                        quoted: false,
                        span,
                    }))
                } else {
                    Ok(Expr::Var(self.name(pair)))
                }
            }
            Rule::wildcard => Ok(Expr::Wildcard(span)),
            Rule::today => Ok(Expr::Today(span)),
            Rule::date | Rule::number | Rule::string | Rule::boolean => {
                Ok(Expr::Literal(self.literal(pair)?))
            }
            _ => {
                // a parenthesised expression: `( expr )` arrives as the inner expr pair
                Err(self.unexpected(&pair))
            }
        }
    }

    /// Rejects an arithmetic chain so long that the left-nested tree it lowers to would make later
    /// passes recurse too deep (see [`MAX_NESTING`]).
    fn operator_chain(&self, pair: &Pair<Rule>) -> Result<()> {
        let operators = pair
            .clone()
            .into_inner()
            .filter(|p| matches!(p.as_rule(), Rule::add_op | Rule::mul_op))
            .count();
        if operators > MAX_NESTING {
            return Err(Diagnostic::error(
                "too_deeply_nested",
                format!(
                    "an expression with {operators} operators; at most {MAX_NESTING} are allowed"
                ),
            )
            .label(self.span(pair), "too long")
            .help("split the computation over several equalities: `a = x + y ∧ b = a + z`"));
        }
        Ok(())
    }

    fn literal(&self, pair: Pair<Rule>) -> Result<Literal> {
        let span = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::date => Literal::Date {
                text: pair.as_str().to_string(),
                span,
            },
            Rule::number => Literal::Number {
                text: pair.as_str().to_string(),
                span,
            },
            Rule::boolean => Literal::Bool {
                value: pair.as_str() == "true",
                span,
            },
            Rule::string => Literal::Text {
                value: self.string(pair)?,
                quoted: true,
                span,
            },
            _ => return Err(self.unexpected(&pair)),
        })
    }

    /// The value of a `"…"` literal, with escapes resolved.
    fn string(&self, pair: Pair<Rule>) -> Result<String> {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((j, other)) => {
                    let start = span.start as usize + 1 + i;
                    let end = span.start as usize + 1 + j + other.len_utf8();
                    return Err(Diagnostic::error(
                        "bad_escape",
                        format!("unknown escape `\\{other}` in a text"),
                    )
                    .label(
                        Span::new(self.file, start, end),
                        "not an escape accord knows",
                    )
                    .help("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`"));
                }
                None => out.push('\\'),
            }
        }
        Ok(out)
    }

    fn test(&self, pair: Pair<Rule>) -> Result<TestBlock> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // kw_test
        let name_pair = inner
            .next()
            .ok_or_else(|| internal(self.file, "test").label(span, ""))?;
        let name_span = self.span(&name_pair);
        let name = self.string(name_pair)?;
        let mut items = vec![];
        for p in inner {
            let pspan = self.span(&p);
            items.push(match p.as_rule() {
                Rule::fact => TestItem::Fact(self.fact(p)?),
                Rule::load_stmt => TestItem::Load {
                    path: self.string(self.first(p)?)?,
                    span: pspan,
                },
                Rule::expect_stmt => {
                    let e = p
                        .into_inner()
                        .find(|x| !matches!(x.as_rule(), Rule::kw_expect | Rule::dot));
                    let e = e.ok_or_else(|| internal(self.file, "expect").label(pspan, ""))?;
                    TestItem::Expect(self.expectation(e, pspan)?)
                }
                _ => return Err(self.unexpected(&p)),
            });
        }
        Ok(TestBlock {
            name,
            name_span,
            items,
            span,
        })
    }

    fn expectation(&self, pair: Pair<Rule>, span: Span) -> Result<Expectation> {
        Ok(match pair.as_rule() {
            Rule::expect_holds => Expectation::Holds {
                atom: self.atom(self.first(pair)?)?,
                span,
            },
            Rule::expect_not => {
                let atom = pair.into_inner().find(|p| p.as_rule() == Rule::atom);
                let atom = atom.ok_or_else(|| internal(self.file, "expect not").label(span, ""))?;
                Expectation::HoldsNot {
                    atom: self.atom(atom)?,
                    span,
                }
            }
            Rule::expect_set => {
                let mut inner = pair.into_inner();
                let query =
                    self.formula(inner.next().ok_or_else(|| internal(self.file, "expect"))?)?;
                let mut rows = vec![];
                for tuple in inner {
                    let row = tuple
                        .into_inner()
                        .map(|t| self.expr(t))
                        .collect::<Result<_>>()?;
                    rows.push(row);
                }
                Expectation::Answers { query, rows, span }
            }
            _ => return Err(self.unexpected(&pair)),
        })
    }
}

mod errors;
#[cfg(test)]
mod tests;

use errors::syntax_error;
