//! `accord explain` through the real binary: proofs and why-nots, as text and JSON, for every rule of the
//! us-mx example and for the small policies under `tests/corpus/explain/` (an exception, a recursive
//! rule, an aggregate); bad atoms; `eval --explain`.

mod common;

use common::accord;

const AS_OF: &str = "2025-06-30";
const US_MX: &[&str] = &["examples/us-mx", "--facts", "examples/us-mx/data.json"];

/// `(snapshot name, policy arguments, atom, why-not)`; together they use every rule of the examples.
const CASES: &[(&str, &[&str], &str, bool)] = &[
    // certified, MRA, the subject-form fewer_exams (a negation with a wildcard, a comparison with today).
    ("us_mx_fewer_exams", US_MX, "fewer_exams(c)", false),
    // mra_reduced_exams, active_on (first alternative), dates compared, a negation checked.
    (
        "us_mx_reduced_exams_s01",
        US_MX,
        "reduced_exams(S01)",
        false,
    ),
    // S06 qualifies through its exporter (the first rule that proves it is shown).
    (
        "us_mx_reduced_exams_s06",
        US_MX,
        "reduced_exams(S06)",
        false,
    ),
    // active_on's second alternative: the company is the shipment's importer.
    (
        "us_mx_active_on_importer",
        US_MX,
        "active_on(DETROIT_AUTO, CTPAT, d)",
        false,
    ),
    ("us_mx_suspended_on", US_MX, "suspended_on(c, d)", false),
    // full_exam: a negation over a derived relation.
    (
        "us_mx_standard_targeting",
        US_MX,
        "standard_targeting(s)",
        false,
    ),
    // why not: a negated premise that holds (a suspension), with its proof.
    (
        "us_mx_why_not_reduced_exams_s05",
        US_MX,
        "reduced_exams(S05)",
        true,
    ),
    // why not: a comparison on dates that is false (shipped before the MRA took effect).
    (
        "us_mx_why_not_reduced_exams_s02",
        US_MX,
        "reduced_exams(S02)",
        true,
    ),
    (
        "us_mx_why_not_fewer_exams_maquila",
        US_MX,
        "fewer_exams(MAQUILA)",
        true,
    ),
    (
        "us_mx_why_not_standard_targeting_s01",
        US_MX,
        "standard_targeting(S01)",
        true,
    ),
    // why not, for an atom that holds: its proof.
    (
        "us_mx_why_not_but_holds",
        US_MX,
        "certified(PACIFICO, NEEC)",
        true,
    ),
    // an exception that did not fire (and one whose own exception fired), and one that fired.
    (
        "exception_holds",
        &["tests/corpus/explain/exception.accord"],
        "reduced_exams(s)",
        false,
    ),
    (
        "exception_why_not",
        &["tests/corpus/explain/exception.accord"],
        "reduced_exams(S2)",
        true,
    ),
    // a recursive rule: a chain of derivations; a why-not that stops at the recursion.
    (
        "recursive_holds",
        &["tests/corpus/explain/recursive.accord"],
        "recognizes(US, JP)",
        false,
    ),
    (
        "recursive_why_not",
        &["tests/corpus/explain/recursive.accord"],
        "recognizes(KR, US)",
        true,
    ),
    // a derived fact used twice in one proof: printed once, then referred to.
    (
        "recursive_shared",
        &["tests/corpus/explain/recursive.accord"],
        "round_trip(MX, MX)",
        false,
    ),
    // an aggregate: its result and how many rows it ranged over; a why-not on its threshold.
    (
        "aggregate_holds",
        &["tests/corpus/explain/aggregate.accord"],
        "busy_destination(d)",
        false,
    ),
    (
        "aggregate_why_not",
        &["tests/corpus/explain/aggregate.accord"],
        "busy_destination(MX)",
        true,
    ),
    // an aggregate compared directly, and a why-not on it.
    (
        "aggregate_compared",
        &["tests/corpus/explain/aggregate.accord"],
        "multi_site(c)",
        false,
    ),
    (
        "aggregate_compared_why_not",
        &["tests/corpus/explain/aggregate.accord"],
        "multi_site(BETA)",
        true,
    ),
];

fn run(policy: &[&str], atom: &str, why_not: bool, extra: &[&str]) -> common::Output {
    let mut args = vec!["explain"];
    args.extend_from_slice(policy);
    args.push(atom);
    args.extend_from_slice(&["--as-of", AS_OF]);
    if why_not {
        args.push("--why-not");
    }
    args.extend_from_slice(extra);
    accord(&args)
}

#[test]
fn explanations_in_text() {
    for (name, policy, atom, why_not) in CASES {
        let out = run(policy, atom, *why_not, &[]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert!(out.stderr.is_empty(), "{name}: {}", out.stderr);
        let flag = if *why_not { " --why-not" } else { "" };
        insta::assert_snapshot!(
            format!("{name}_text"),
            format!(
                "$ accord explain {} '{atom}'{flag}\n{}",
                policy.join(" "),
                out.stdout
            )
        );
    }
}

#[test]
fn explanations_in_json() {
    for (name, policy, atom, why_not) in CASES {
        let out = run(policy, atom, *why_not, &["--format", "json"]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let parsed: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
        assert_eq!(parsed["as_of"], AS_OF, "{name}");
        insta::assert_snapshot!(format!("{name}_json"), out.stdout);
    }
}

#[test]
fn shared_sub_proofs_print_once() {
    // `round_trip(MX, MX)` uses `recognizes(MX, MX)` twice: the second occurrence is a reference.
    let out = run(
        &["tests/corpus/explain/recursive.accord"],
        "round_trip(MX, MX)",
        false,
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout
            .matches("recognizes(MX, MX)  [2] by rule chain")
            .count(),
        1,
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.matches("recognizes(MX, MX)  (see 2)").count(),
        1,
        "{}",
        out.stdout
    );
}

#[test]
fn depth_limits_the_tree() {
    let out = run(US_MX, "reduced_exams(S01)", false, &["--depth", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("depth limit reached"), "{}", out.stdout);
    assert!(!out.stdout.contains("certification("), "{}", out.stdout);
}

#[test]
fn limit_caps_the_matches() {
    let out = run(
        US_MX,
        "shipment(s, e, i, o, d, t)",
        false,
        &["--limit", "2"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.matches("fact (examples/us-mx/data.json").count(),
        2
    );
    assert!(
        out.stdout.contains("only the first 2 matches are shown"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_atom_that_is_not_derived_fails_with_a_hint() {
    let out = run(US_MX, "reduced_exams(S05)", false, &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("reduced_exams(S05) is not derived (`--why-not` shows why)"),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_atoms_get_diagnostics_pointing_into_the_atom() {
    let cases = [
        ("typo", "reduced_exam(S01)"),
        ("arity", "reduced_exams(S01, S02)"),
        ("type", "suspended_on(MAQUILA, 42)"),
        (
            "not_an_atom",
            "reduced_exams(s) ∧ shipment(s, _, _, _, _, _)",
        ),
        ("syntax", "reduced_exams(S01"),
    ];
    let mut all = String::new();
    for (name, atom) in cases {
        let out = run(US_MX, atom, false, &[]);
        assert_eq!(out.code, 1, "{name}");
        assert!(out.stdout.is_empty(), "{name}: {}", out.stdout);
        assert!(out.stderr.contains("<atom>"), "{name}: {}", out.stderr);
        all.push_str(&format!("---- {atom}\n{}\n", out.stderr));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn eval_explain_appends_proofs() {
    let out = accord(&[
        "eval",
        "tests/corpus/explain/exception.accord",
        "--as-of",
        AS_OF,
        "--explain",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
    let json = accord(&[
        "eval",
        "tests/corpus/explain/exception.accord",
        "--as-of",
        AS_OF,
        "--explain",
        "--format",
        "json",
    ]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(
        parsed["relations"]["reduced_exams"],
        serde_json::json!([["S1"], ["S3"]])
    );
    assert_eq!(parsed["explanations"].as_array().map(Vec::len), Some(2));
}

#[test]
fn eval_explain_refuses_large_outputs() {
    let dir = std::env::temp_dir().join(format!("accord-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut policy = String::new();
    for i in 0..250 {
        policy.push_str(&format!("n({i}).\n"));
    }
    policy.push_str("n(x) ⇒ m(x).\n");
    let file = dir.join("many.accord");
    std::fs::write(&file, policy).expect("write policy");
    let out = accord(&["eval", file.to_str().unwrap_or_default(), "--explain"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .contains("`--explain` explains at most 200 facts"),
        "{}",
        out.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Splits a command line written in the docs (words, and `'…'` quoted words).
fn words(line: &str) -> Vec<String> {
    let mut out = vec![];
    let mut current = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            c => {
                current.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(current);
    }
    out
}

/// Every ```console block of the explanation docs and the README whose first line is `$ accord …` shows
/// exactly what the binary prints. `ACCORD_UPDATE_DOCS=1` rewrites the blocks with the real output.
#[test]
fn docs_examples_are_real_output() {
    let update = std::env::var_os("ACCORD_UPDATE_DOCS").is_some();
    let mut checked = 0;
    for doc in ["docs/explain.md", "README.md"] {
        let path = common::root().join(doc);
        let text = std::fs::read_to_string(&path).expect("the doc exists");
        let mut out = String::new();
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            out.push_str(line);
            out.push('\n');
            if line != "```console" {
                continue;
            }
            let Some(command) = lines.next_if(|l| l.starts_with("$ accord ")) else {
                continue;
            };
            out.push_str(command);
            out.push('\n');
            let mut shown = String::new();
            for l in lines.by_ref() {
                if l == "```" {
                    break;
                }
                shown.push_str(l);
                shown.push('\n');
            }
            let args = words(&command["$ accord ".len()..]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let got = accord(&args);
            assert!(got.stderr.is_empty(), "{doc}: `{command}`: {}", got.stderr);
            if update {
                out.push_str(got.stdout.trim_end());
                out.push('\n');
            } else {
                assert_eq!(
                    shown.trim_end(),
                    got.stdout.trim_end(),
                    "{doc}: `{command}` prints something else"
                );
                out.push_str(&shown);
            }
            out.push_str("```\n");
            checked += 1;
        }
        if update {
            std::fs::write(&path, out).expect("rewrite the doc");
        }
    }
    assert!(checked >= 10, "only {checked} examples were checked");
}
