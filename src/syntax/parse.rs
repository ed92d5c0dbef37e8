//! Lowering from pest's parse tree to the AST, and syntax errors in a policy author's words.
//!
//! The only module that sees [`Pair<Rule>`]. It assumes the grammar's shape (each `match` below mirrors
//! one grammar rule); a shape it does not expect is a bug in this file, reported as an internal syntax
//! error rather than a panic.

use pest::error::{ErrorVariant, InputLocation};
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

/// A pest error turned into a diagnostic that speaks of what the author can write next.
fn syntax_error(file: FileId, text: &str, error: pest::error::Error<Rule>) -> Diagnostic {
    let pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let rest = &text[pos.min(text.len())..];
    let found_len = rest.chars().next().map(|c| c.len_utf8()).unwrap_or(0);
    let word_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let mut here = Span::new(file, pos, pos + word_len.max(found_len));
    let at_end = text[pos.min(text.len())..].trim().is_empty();
    if at_end {
        // Point at the last thing written, not at the invisible end of the file.
        let end = text.trim_end().len();
        let last = text[..end]
            .chars()
            .next_back()
            .map(|c| c.len_utf8())
            .unwrap_or(0);
        here = Span::new(file, end - last, end);
    }

    if let Some(d) = special_mistake(file, text, pos) {
        return d;
    }

    let expected: Vec<Rule> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => vec![],
    };
    let mut words: Vec<&'static str> = expected.iter().filter_map(|r| describe(*r)).collect();
    words.sort();
    words.dedup();
    let found = if rest.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{}`", &rest[..word_len.max(found_len)])
    };
    let message = match words.as_slice() {
        [] => format!("unexpected {found}"),
        [one] => format!("expected {one}, found {found}"),
        many => {
            let (last, init) = many.split_last().unwrap_or((&"", &[]));
            format!("expected {} or {last}, found {found}", init.join(", "))
        }
    };
    let help = if rest.is_empty() || rest.trim_start().is_empty() {
        "every statement ends with `.`; check that the last one is complete".to_string()
    } else {
        "a statement is a declaration (`relation r(a: text).`), a fact (`r(A).`) or a rule \
         (`p(x) ∧ q(x) ⇒ r(x).`), each ending with `.`"
            .to_string()
    };
    let label = if at_end {
        "the input ends here"
    } else {
        "unexpected here"
    };
    Diagnostic::error("syntax", message)
        .label(here, label)
        .help(help)
}

/// Mistakes people make often enough to deserve their own message: looked for in the statement that
/// failed to parse (from the previous `.` to the next one), outside strings and comments.
fn special_mistake(file: FileId, text: &str, pos: usize) -> Option<Diagnostic> {
    let start = statement_start(text, pos);
    let bytes = text.as_bytes();
    let (mut i, mut depth, mut in_string) = (start, 0i32, false);
    let span = |at: usize, len: usize| Span::new(file, at, at + len);
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        match (c, next) {
            (b'"', _) => in_string = true,
            (b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            (b'.', Some(b'.')) => i += 1,
            (b'.', _) if i >= pos => return None,
            (b'(', _) | (b'{', _) => depth += 1,
            (b')', _) | (b'}', _) => depth -= 1,
            (b':', Some(b'-')) => {
                return Some(
                    Diagnostic::error(
                        "prolog_rule",
                        "accord rules are written premises first, with `⇒`",
                    )
                    .label(span(i, 2), "`:-` is Prolog's arrow")
                    .help("write `premise ∧ premise ⇒ conclusion.` (or `=>` in ASCII)"),
                )
            }
            (b'=', Some(b'=')) => {
                return Some(
                    Diagnostic::error("double_equals", "equality is written with a single `=`")
                        .label(span(i, 2), "`==` is not an operator here")
                        .help("write `x = y`"),
                )
            }
            (b',', _) if depth == 0 => {
                return Some(
                    Diagnostic::error(
                        "comma_between_premises",
                        "premises are joined with `∧`, not `,`",
                    )
                    .label(span(i, 1), "a comma only separates arguments")
                    .help("write `p(x) ∧ q(x)` (or `and` in ASCII)"),
                )
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The byte offset where the statement containing `pos` starts: after the last `.` that ends a
/// statement before it (ignoring `..`, dates and decimals is not needed: a stray stop only narrows the
/// search).
fn statement_start(text: &str, pos: usize) -> usize {
    let before = &text.as_bytes()[..pos.min(text.len())];
    let mut i = before.len();
    while i > 0 {
        i -= 1;
        if before[i] == b'.'
            && !before
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
        {
            return i + 1;
        }
        if before[i] == b'{' || before[i] == b'}' {
            return i + 1;
        }
    }
    0
}

/// What a grammar rule is, in a policy author's words; `None` for rules not worth mentioning.
fn describe(grammar_rule: Rule) -> Option<&'static str> {
    Some(match grammar_rule {
        Rule::name => "a name",
        Rule::EOI => "the end of the input",
        Rule::implies => "`⇒`",
        Rule::dot => "`.`",
        Rule::and_op => "`∧`",
        Rule::or_op => "`∨`",
        Rule::not_op | Rule::negation => "`¬`",
        Rule::cmp_op => "a comparison (`=`, `≠`, `<`, `≤`, `>`, `≥`)",
        Rule::add_op | Rule::mul_op => "an arithmetic operator",
        Rule::expr | Rule::product => "a value or a variable",
        Rule::date | Rule::number | Rule::string | Rule::boolean | Rule::today | Rule::wildcard => {
            "a value or a variable"
        }
        Rule::atom | Rule::premise | Rule::formula | Rule::conjunction => "a premise",
        Rule::subject_atom => "a premise",
        Rule::comparison => "a comparison",
        Rule::conclusion => "a conclusion",
        Rule::column | Rule::columns => "a column (`name: type`)",
        Rule::open_columns => "`..`",
        Rule::optional_mark => "`?`",
        Rule::relation_decl | Rule::kw_relation => "a declaration",
        Rule::fact | Rule::headed_fact => "a fact",
        Rule::rule | Rule::headed_rule => "a rule",
        Rule::import_stmt => "an import",
        Rule::subject_block => "a subject block",
        Rule::test_block => "a test",
        Rule::annotation
        | Rule::source_annotation
        | Rule::effective_annotation
        | Rule::exception_annotation => {
            "an annotation (`source`, `effective`, `exception to`) or `:`"
        }
        Rule::expect_stmt | Rule::expect_holds | Rule::expect_not | Rule::expect_set => {
            "an expectation"
        }
        Rule::load_stmt => "`load`",
        Rule::tuple => "a row",
        Rule::unit => "a unit (`days`, `months`, `years`)",
        Rule::aggregate | Rule::agg_op => "an aggregate",
        Rule::kw_from => "`from`",
        Rule::kw_until => "`until`",
        Rule::kw_on => "`on`",
        Rule::kw_to => "`to`",
        Rule::records_block => "a records mapping",
        Rule::record_row => "a row (`relation(field, …).`) or `each`",
        Rule::record_each | Rule::kw_each => "`each`",
        Rule::field_ref | Rule::field_path | Rule::field_key | Rule::field_name => {
            "a field (`name`, `a.b`, `^name`)"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SourceFile {
        match parse_file(FileId(0), text) {
            Ok(f) => f,
            Err(d) => panic!("{}: {:?}", d.message, d.labels),
        }
    }

    fn error(text: &str) -> Diagnostic {
        match parse_file(FileId(0), text) {
            Ok(f) => panic!("parsed: {f:?}"),
            Err(d) => d,
        }
    }

    #[test]
    fn parses_contract_forms() {
        let f = parse(
            "relation certified(company: text, program: text, status: text, until: date).\n\
             relation open().\n\
             open().\n\
             program(NEEC, MX). mra(US, MX, 2014-10-17). n(42, -3, 2.5, true, \"a \\\"q\\\" \\\\ \\n\").\n\
             certified(c, p, \"active\", until) ∧ program(p, home) and mra(home, dest, since) ⇒ recognized(c, dest).\n\
             a(x) and not b(x, _) and (x < 3 ∨ x >= 5 or c(x)) => d(x).\n\
             x = 0 ∧ y = 0 ⇒ z(x, y).\n\
             ¬ incon(_) ⇒ ok(\"Yes\").\n\
             gate(_) ⇒ open().\n\
             t(x) ∧ y = x + 1 * 2 ∧ d = today + 90 days ⇒ u(y, d).\n",
        );
        assert_eq!(f.items.len(), 12);
        let Item::Rule(r) = &f.items[6] else { panic!() };
        assert!(matches!(r.body, Formula::And(ref parts, _) if parts.len() == 3));
    }

    #[test]
    fn parses_subject_blocks_and_headers() {
        let f = parse(
            "subject c {\n  NEEC certified ∧ MRA(US, MX) ⇒ fewer_exams.\n}\n\
             rule card source \"CBP, U.S.-Mexico MRA, signed 2014-10-17\" effective from 2014-10-17 on d:\n\
               shipment(s, d) ⇒ ok(s).\n\
             rule carve exception to card, other: bad(s) ⇒ ok(s).\n\
             fact us_mx source \"https://www.cbp.gov\": mra(US, MX, 2014-10-17).\n",
        );
        let Item::Subject(block) = &f.items[0] else {
            panic!()
        };
        let Formula::And(parts, _) = &block.rules[0].body else {
            panic!()
        };
        let Formula::Subject(s) = &parts[0] else {
            panic!("{:?}", parts[0])
        };
        assert_eq!(s.relation.text, "certified");
        assert!(matches!(&s.qualifier, Some(Literal::Text { value, .. }) if value == "NEEC"));
        assert!(matches!(&parts[1], Formula::Atom(a) if a.relation.text == "MRA"));
        assert!(
            matches!(&block.rules[0].head, Conclusion::Subject(h) if h.relation.text == "fewer_exams")
        );
        let Item::Rule(r) = &f.items[1] else { panic!() };
        assert_eq!(r.name.as_ref().map(|n| n.text.as_str()), Some("card"));
        assert_eq!(r.annotations.len(), 2);
        let Item::Rule(r) = &f.items[2] else { panic!() };
        assert!(
            matches!(&r.annotations[0], Annotation::ExceptionTo { rules, .. } if rules.len() == 2)
        );
        assert!(matches!(
            &f.items[3],
            Item::Fact(FactDecl { name: Some(_), .. })
        ));
    }

    #[test]
    fn parses_aggregates_tests_and_imports() {
        let f = parse(
            "import \"lib/base.accord\".\n\
             symmetric relation mra(a: text, b: text, since: date).\n\
             relation company(id: text, country: text, ..).\n\
             n = count s { shipment(s, d) ∧ fewer(s) } ⇒ per_dest(d, n).\n\
             company(c, _) ∧ count p { certified(c, p) } ≥ 3 ⇒ big(c).\n\
             test \"card\" { a(X). load \"t.json\". expect b(X). expect not c(X). expect b(x) = { (X), Y }. }\n",
        );
        assert_eq!(f.items.len(), 6);
        let Item::Relation(r) = &f.items[1] else {
            panic!()
        };
        assert!(r.symmetric);
        let Item::Relation(r) = &f.items[2] else {
            panic!()
        };
        assert!(r.open);
        let Item::Test(t) = &f.items[5] else { panic!() };
        assert_eq!(t.items.len(), 5);
    }

    #[test]
    fn keywords_are_contextual() {
        parse("source(A). test(B). count(C). relation(D). rule(x) ⇒ fact(x).\n");
    }

    #[test]
    fn errors_speak_plainly() {
        let d = error("a(X) ⇒ b(X)\n");
        assert!(
            d.message.contains("found the end of the file"),
            "{}",
            d.message
        );
        let d = error("b(x) :- a(x).");
        assert_eq!(d.code, "prolog_rule");
        let d = error("a(x), b(x) ⇒ c(x).");
        assert_eq!(d.code, "comma_between_premises");
        let d = error("a(x) ∧ x == 3 ⇒ c(x).");
        assert_eq!(d.code, "double_equals");
        let d = error("a(\"x\\q\").");
        assert_eq!(d.code, "bad_escape");
    }

    #[test]
    fn spans_are_exact() {
        let f = parse("  program(NEEC, MX).");
        let Item::Fact(fact) = &f.items[0] else {
            panic!()
        };
        assert_eq!(
            (fact.atom.relation.span.start, fact.atom.relation.span.end),
            (2, 9)
        );
        assert_eq!((fact.span.start, fact.span.end), (2, 20));
    }

    #[test]
    fn queries_and_repl_lines() {
        assert!(parse_query(FileId(0), "fewer_exams(s) ∧ shipment(s, e, US, d)").is_ok());
        assert!(matches!(
            parse_repl_line(FileId(0), "a(X)."),
            Ok(ReplLine::Item(Item::Fact(_)))
        ));
        assert!(matches!(
            parse_repl_line(FileId(0), "a(x)"),
            Ok(ReplLine::Query(_))
        ));
    }
}
