//! Syntax errors in a policy author's words: what was expected, where, and the special messages for
//! mistakes people make often (`:-`, `==`, `,` between premises).

use pest::error::{ErrorVariant, InputLocation};

use super::Rule;
use crate::diagnostic::Diagnostic;
use crate::syntax::{FileId, Span};

/// A pest error turned into a diagnostic that speaks of what the author can write next.
pub(super) fn syntax_error(
    file: FileId,
    text: &str,
    error: pest::error::Error<Rule>,
) -> Diagnostic {
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
