//! Unit tests of the checker on small policies.
use super::*;
use crate::syntax::SourceMap;

fn run(text: &str) -> Result<Checked, Vec<Diagnostic>> {
    let mut sources = SourceMap::new();
    let (policy, diags) = crate::workspace::parse_text("test.accord", text, &mut sources);
    assert!(diags.is_empty(), "{diags:?}");
    let mut values = ValueStore::new();
    check(
        &policy,
        &mut values,
        &CheckOptions {
            today: 20000,
            ..CheckOptions::default()
        },
    )
}

fn codes(text: &str) -> Vec<&'static str> {
    match run(text) {
        Ok(_) => vec![],
        Err(d) => d.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn accepts_the_contract_forms() {
    let checked = run(
        "relation certified(company: text, program: text, status: text, until: date).\n\
         certified(ACME, NEEC, \"active\", 2026-12-31). program(NEEC, MX). mra(MX, US, 2014-10-17).\n\
         certified(c, p, \"active\", until) ∧ program(p, home) ∧ mra(home, dest, since) ⇒ recognized(c, dest).\n\
         x = 0 ∧ y = 0 ⇒ a(x, y).\n\
         ¬ recognized(_, _) ⇒ none().\n",
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(checked.program.rules.len(), 3);
    assert_eq!(checked.program.facts.len(), 3);
}

#[test]
fn reports_every_error_in_one_run() {
    let c = codes(
        "relation r(a: text).\n\
         r(1).\n\
         q(x) ⇒ p(x).\n\
         r(x) ∧ r(x, y) ⇒ s(x).\n\
         r(x) ⇒ t(x, y).\n",
    );
    assert!(c.contains(&"type_mismatch"), "{c:?}");
    assert!(c.contains(&"unknown_relation"), "{c:?}");
    assert!(c.contains(&"arity_mismatch"), "{c:?}");
    assert!(c.contains(&"unsafe_variable"), "{c:?}");
}

#[test]
fn subject_blocks_expand() {
    let checked = run("certified(ACME, NEEC). MRA(US, MX).\n\
         subject c { NEEC certified ∧ MRA(US, MX) ⇒ fewer_exams. }\n")
    .unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(checked.program.rules.len(), 1);
    let c = codes(
        "relation certified(company: text, program: text, status: text, until: date).\n\
         subject c { NEEC certified ⇒ fewer_exams. }\n",
    );
    assert_eq!(c, vec!["subject_arity"]);
}

#[test]
fn negation_cycles_are_rejected() {
    assert_eq!(
        codes("a(X). a(x) ∧ ¬ b(x) ⇒ c(x). c(x) ⇒ b(x).\n"),
        vec!["negation_cycle"]
    );
}

#[test]
fn did_you_mean_for_relations() {
    let r = run("certified(A). certifed(x) ⇒ ok(x).\n")
        .err()
        .unwrap_or_default();
    assert_eq!(r[0].help.as_deref(), Some("did you mean `certified`?"));
}

#[test]
fn the_us_mx_example_checks() {
    let mut sources = SourceMap::new();
    let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/us-mx"));
    let (policy, diags) = crate::workspace::load_policy(&[path], &mut sources);
    assert!(diags.is_empty(), "{diags:?}");
    let mut values = ValueStore::new();
    if let Err(d) = check(
        &policy,
        &mut values,
        &CheckOptions {
            today: 20000,
            ..CheckOptions::default()
        },
    ) {
        panic!(
            "{}",
            crate::diagnostic::render_all(&d, &sources, Default::default())
        );
    }
}
