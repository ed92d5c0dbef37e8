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

/// Found by fuzzing (`fuzz/`, target `check`): a long conjunction was expanded by copying it once per
/// premise (quadratic time and memory: 15 000 premises took minutes and gigabytes). It is now refused
/// before expansion; regression input `tests/corpus/no_panic/many_premises.accord`.
#[test]
fn long_conjunctions_are_refused_before_expansion() {
    let long = vec!["a(x)"; 20_000].join(" ∧ ");
    let start = std::time::Instant::now();
    let c = codes(&format!("a(1).\n{long} ⇒ b(x).\n"));
    assert_eq!(c, vec!["too_many_premises"]);
    // Linear: about a second in a debug build; the quadratic expansion took minutes.
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    // With `∨` alternatives in front, every alternative is refused once it is too long.
    let ors = ["(a(x) ∨ c(x))"; 3].join(" ∧ ");
    let long = vec!["a(x)"; 300].join(" ∧ ");
    let c = codes(&format!("a(1). c(2).\n{ors} ∧ {long} ⇒ b(x).\n"));
    assert!(
        !c.is_empty() && c.iter().all(|&d| d == "too_many_premises"),
        "{c:?}"
    );
    // At the limit a conjunction still checks, alternatives and all.
    let ok = vec!["a(x)"; 250].join(" ∧ ");
    let checked = run(&format!("a(1). c(2).\n(a(x) ∨ c(x)) ∧ {ok} ⇒ b(x).\n"))
        .unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(checked.program.rules.len(), 2);
}
