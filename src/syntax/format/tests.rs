//! Unit tests of the formatter's layout decisions; the repository-wide round trip, the snapshots of
//! whole files and the property tests live in `tests/fmt.rs` and `tests/fmt_roundtrip.rs`.

use super::*;

fn fmt_with(text: &str, connectives: Connectives) -> String {
    let options = FormatOptions { connectives };
    let once = match format_source(FileId(0), text, &options) {
        Ok(t) => t,
        Err(d) => panic!("{}: {:?}", d.message, d.labels),
    };
    let twice = format_source(FileId(0), &once, &options).ok();
    assert_eq!(twice.as_deref(), Some(once.as_str()), "not idempotent");
    once
}

fn fmt(text: &str) -> String {
    fmt_with(text, Connectives::Unicode)
}

#[test]
fn spacing_is_canonical() {
    assert_eq!(fmt("p(x)and q( x ,y)=>r(x)."), "p(x) ∧ q(x, y) ⇒ r(x).\n");
    assert_eq!(fmt("¬p(x)∧x!=1⇒r(x)."), "¬ p(x) ∧ x ≠ 1 ⇒ r(x).\n");
}

#[test]
fn ascii_spelling() {
    assert_eq!(
        fmt_with(
            "a(x) ∧ ¬ b(x) ∧ (x ≤ 1 ∨ x ≥ 2) ⇒ c(x).",
            Connectives::Ascii
        ),
        "a(x) and not b(x) and (x <= 1 or x >= 2) => c(x).\n"
    );
}

#[test]
fn constants_keep_their_form_and_escapes_are_canonical() {
    assert_eq!(
        fmt("a(US, \"US\", \"tab\\there\", \"q\\\"\\\\\", 007, -2.50, 2024-02-29, true)."),
        "a(US, \"US\", \"tab\\there\", \"q\\\"\\\\\", 007, -2.50, 2024-02-29, true).\n"
    );
}

#[test]
fn parentheses_follow_the_tree() {
    assert_eq!(
        fmt("a(x) ∧ y = ((x + 1)) * (2 - (x - 3)) ∧ z = x - (1 + 2) ∧ d = today + (1) day ⇒ b(y, z, d)."),
        "a(x) ∧ y = (x + 1) * (2 - (x - 3)) ∧ z = x - (1 + 2) ∧ d = today + 1 day ⇒ b(y, z, d).\n"
    );
}

#[test]
fn blank_lines_are_kept_at_most_one() {
    assert_eq!(
        fmt("\n\na(X).\n\n\n\nb(X).\nc(X).\n\n"),
        "a(X).\n\nb(X).\nc(X).\n"
    );
}

#[test]
fn empty_file_stays_empty() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("// only a comment"), "// only a comment\n");
}

#[test]
fn statements_on_one_line_are_split() {
    assert_eq!(
        fmt("a(X). b(Y). // about b\n"),
        "a(X).\nb(Y).  // about b\n"
    );
}

#[test]
fn comment_inside_a_conclusion_moves_to_the_end_of_its_line() {
    assert_eq!(
        fmt("a(x) ⇒ b(x, // why\n  x)."),
        "a(x) ⇒ b(x, x).  // why\n"
    );
}

#[test]
fn comment_inside_a_premise_stays_with_it() {
    assert_eq!(
        fmt("a(x) ∧ (b(x) ∨ // either\n c(x)) ∧ d(x) ⇒ e(x)."),
        "a(x) ∧\n  (b(x) ∨ c(x)) ∧  // either\n  d(x)\n⇒ e(x).\n"
    );
}

#[test]
fn long_declarations_and_commented_declarations_break() {
    assert_eq!(
        fmt("relation r(a: text, // first\n b: number?, ..)."),
        "relation r(\n  a: text,  // first\n  b: number?,\n  ..\n).".to_string() + "\n"
    );
}

#[test]
fn headed_rule_inside_a_subject_block() {
    assert_eq!(
        fmt("subject c { rule r source \"s\": NEEC certified ⇒ fewer. }"),
        "subject c {\n  rule r\n    source \"s\":\n    NEEC certified ⇒ fewer.\n}\n"
    );
}

#[test]
fn long_rule_in_a_block_breaks_relative_to_its_indentation() {
    let premise = "p_with_a_rather_long_name(xxxxxxxxxx, yyyyyyyyyy)";
    let text = format!("subject c {{ {premise} ∧ {premise} ⇒ fewer. }}");
    assert_eq!(
        fmt(&text),
        format!("subject c {{\n  {premise} ∧\n    {premise}\n  ⇒ fewer.\n}}\n")
    );
}

#[test]
fn facts_align_only_within_a_run() {
    assert_eq!(
        fmt("r(A, B).\nr(LONG, B).\n\nr(A, B).\ns(LONG, B).\n"),
        "r(A,    B).\nr(LONG, B).\n\nr(A, B).\ns(LONG, B).\n"
    );
}

#[test]
fn format_ast_needs_no_source() {
    let ast = match parse_file(FileId(0), "a(X).\n\n// gone\nb(x) ⇒ c(x).") {
        Ok(a) => a,
        Err(d) => panic!("{}", d.message),
    };
    assert_eq!(
        format_ast(&ast, &FormatOptions::default()),
        "a(X).\nb(x) ⇒ c(x).\n"
    );
}
