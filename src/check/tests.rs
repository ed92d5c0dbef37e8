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

/// A policy of `rules` generated rules over declared relations, with aggregates, subject blocks and
/// disjunctions throughout, and constants the store interns (long texts, some already in a fact, and
/// decimals; in premises, comparisons, binds and conclusions). With `errors` 1, every 97th rule has a
/// type error; with 2, every 89th an unsafe variable and every 91st a date that does not exist
/// between two new long texts (both reported only without type errors); with either, every 83rd a
/// subject form outside a block.
fn generated_policy(rules: usize, errors: u8) -> String {
    let mut text = String::from(
        "relation shipment(id: text, exporter: text, destination: text, date: date).\n\
         relation active(company: text, program: text, until: date).\n\
         relation weight(id: text, kg: number).\n\
         relation certified(company: text, program: text).\n\
         certified(\"a-company-with-a-long-name\", \"PROGRAMME-3\").\n",
    );
    for i in 0..rules {
        let rule = match i % 6 {
            _ if errors == 1 && i % 97 == 5 => format!("shipment(s, e, d, t) ∧ t = 3 ⇒ bad{i}(s).\n"),
            _ if errors == 2 && i % 89 == 7 => format!("shipment(s, e, d, t) ⇒ bad{i}(s, u).\n"),
            _ if errors == 2 && i % 79 == 11 => {
                format!("shipment(s, e, d) ∧ nowhere{i}(s) ⇒ bad{i}(s).\n")
            }
            _ if errors == 2 && i % 91 == 8 => format!(
                "shipment(s, e, d, t) ∧ e ≠ \"before-a-bad-date-{i}\" ∧ t ≥ 2023-02-29 ∧ \
                 e = \"after-a-bad-date-{i}\" ⇒ bad{i}(s).\n"
            ),
            _ if errors > 0 && i % 83 == 9 => format!("certified ⇒ bad{i}(x).\n"),
            0 => format!(
                "rule r{i} source \"rule {i}\": shipment(s, e, D{i}, t) ∧ active(e, \"P{i}\", u) ∧ t ≤ u ∧ \
                 certified(e, \"PROGRAMME-{}\") ⇒ b{i}(s).\n",
                i % 13
            ),
            1 => format!(
                "n = count s {{ shipment(s, _, d, _) ∧ b{}(s) }} ∧ k = sum w {{ weight(x, w) ∧ shipment(x, _, d, _) }} ⇒ per{i}(d, n, k).\n",
                i - 1
            ),
            2 => format!("subject s {{ \"P{i}\" certified ∧ ¬ b{}(s) ⇒ s{i}. }}\n", i - 2),
            3 => format!(
                "(b{}(s) ∨ s{}(s)) ∧ weight(s, w) ∧ w > {i}.5 ⇒ heavy{i}(s, w + 1.{}, \"a-long-label-{}\").\n",
                i - 3,
                i - 1,
                i % 7,
                i % 11
            ),
            4 => format!("shipment(s, e, d, t) ∧ t ≥ 2024-01-{:02} ⇒ late{i}(s, t + {i} days).\n", i % 28 + 1),
            _ => format!(
                "m = max t {{ shipment(_, e, _, t) }} ∧ active(e, p, _) ∧ tag = \"the-latest-{}\" ⇒ last{i}(e, p, m, tag).\n",
                i % 5
            ),
        };
        text.push_str(&rule);
    }
    text
}

/// Everything `check` gives, and the value store it leaves, as text.
fn checked_on(threads: usize, text: &str) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        let mut sources = SourceMap::new();
        let (policy, diags) = crate::workspace::parse_text("test.accord", text, &mut sources);
        assert!(diags.is_empty(), "{diags:?}");
        let mut values = ValueStore::new();
        let options = CheckOptions {
            today: 20000,
            ..CheckOptions::default()
        };
        let result = check(&policy, &mut values, &options);
        format!("{result:?}\n{values:?}")
    })
}

#[test]
fn checking_on_several_threads_gives_the_one_thread_result() {
    for errors in [0, 1, 2] {
        let text = generated_policy(600, errors);
        let one = checked_on(1, &text);
        let (code, count) = match errors {
            0 => ("__aggregate", 300),
            1 => ("type_mismatch", 6),
            _ => ("unsafe_variable", 6),
        };
        assert!(one.matches(code).count() >= count, "{}", &one[..300]);
        if errors != 1 {
            // Lowering interned the long texts and the decimals (a type error stops before it).
            for constant in ["a-long-label-3", "the-latest-4", "PROGRAMME-12", "3.5"] {
                assert!(one.contains(constant), "{constant}");
            }
        }
        if errors == 2 {
            // Lowering stops at the bad date: the text before it is interned, the one after is not.
            assert!(one.contains("bad_date") && one.contains("before-a-bad-date"));
            assert!(!one.contains("after-a-bad-date"));
        }
        if errors > 0 {
            assert!(one.matches("subject_form_outside_block").count() >= 6);
        }
        if errors == 2 {
            // Names resolved in chunks on every core: the problems of several chunks, in order.
            assert!(one.matches("arity_mismatch").count() >= 6);
            assert!(one.matches("unknown_relation").count() >= 6);
        }
        for threads in [2, 3] {
            assert!(
                checked_on(threads, &text) == one,
                "{threads} threads, errors: {errors}"
            );
        }
    }
}

#[test]
fn drafts_by_rule_finds_what_a_scan_finds() {
    // Disjunctions give a rule several drafts; aggregates give drafts of their own, numbered after
    // their rule and placed before its drafts, so the drafts are not in rule order.
    let text = "relation a(x: number, y: number).\n\
        a(x, y) ∨ a(y, x) ⇒ b(x).\n\
        n = count y { a(x, y) ∨ a(y, x) } ∧ a(x, _) ⇒ c(x, n).\n\
        a(x, _) ⇒ d(x).\n\
        m = max y { a(x, y) } ∧ k = count { a(x, _) } ∧ a(x, _) ⇒ e(x, m, k).\n\
        a(x, y) ∨ a(x, x) ∨ a(y, y) ⇒ f(x).\n";
    let mut sources = SourceMap::new();
    let (policy, diags) = crate::workspace::parse_text("test.accord", text, &mut sources);
    assert!(diags.is_empty(), "{diags:?}");
    let rules: Vec<(&ast::RuleDecl, Option<&ast::Name>)> = policy.files[0]
        .1
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Rule(r) => Some((&**r, None)),
            _ => None,
        })
        .collect();
    let drafts = expand::expand_rules(20000, &rules, 2).drafts;
    assert!(
        drafts
            .windows(2)
            .any(|w| w[0].source_rule > w[1].source_rule),
        "the test needs drafts out of rule order"
    );
    let by_rule = law::DraftsByRule::new(&drafts);
    let highest = drafts.iter().map(|d| d.source_rule).max().unwrap_or(0);
    for rule in 0..=highest + 1 {
        let scanned: Vec<usize> = (0..drafts.len())
            .filter(|&p| drafts[p].source_rule == rule)
            .collect();
        assert_eq!(by_rule.of(rule).collect::<Vec<_>>(), scanned, "rule {rule}");
    }
}
