//! Determinism: the same policy and data give byte-identical output, whatever the number of threads and
//! whatever the order of the rules, the files' imports and the data rows.
//!
//! For every example (`examples/us-mx`, `examples/records`) and the policy library over
//! `examples/trade-2025`, `accord eval` runs in JSON and in text:
//!
//! 1. with `RAYON_NUM_THREADS=1` and `RAYON_NUM_THREADS=2` — the outputs must be identical (JSON; the
//!    text run of the original uses 1 thread, of the shuffled copy 2);
//! 2. on a shuffled copy (seeded): in every policy file the facts and rules (and subject blocks) trade
//!    places, and so do the imports; in every data file the rows of each relation (canonical JSON), the
//!    records (record-shaped JSON), the lines (JSON Lines, CSV after the header) — the output must be
//!    identical to the original's.
//!
//! Relations print in declaration order, undeclared ones in order of first appearance, so moving rules
//! may legitimately reorder undeclared relations; every run therefore names the relations with `--query`
//! in one fixed order (the program's derived relations, read through the library), which prints them in
//! that order. Everything else — rows, values, their order — must not move.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use accord::check::CheckOptions;
use accord::engine::Engine;
use accord::syntax::ast::Item;
use accord::syntax::format::{format_ast, FormatOptions};
use accord::syntax::{parse_file, FileId};
use accord::value::parse_date;
use serde_json::value::RawValue;

use common::root;

const AS_OF: &str = "2025-06-30";

/// splitmix64, for seeded shuffles.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// One example: policy paths and data paths, relative to the repository root.
struct Case {
    policy: &'static str,
    facts: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        policy: "examples/us-mx",
        facts: &["examples/us-mx/data.json"],
    },
    Case {
        policy: "examples/records",
        facts: &[
            "examples/records/companies.json",
            "examples/records/shipments.jsonl",
        ],
    },
    Case {
        policy: "policies",
        facts: &["examples/trade-2025/data.json"],
    },
];

/// The derived relations of a policy, in the program's order (the `--query` list of every run).
fn derived(policy: &Path) -> Vec<String> {
    let options = CheckOptions {
        today: parse_date(AS_OF).expect("date"),
        strict: false,
        queried: vec![],
    };
    let engine = Engine::load(&[policy.to_path_buf()], &options)
        .map_err(|f| f.diagnostics)
        .expect("the policy checks");
    let program = engine.program();
    program
        .derived_relations()
        .into_iter()
        .map(|r| program.relation(r).name.clone())
        .collect()
}

/// `accord eval` with `threads` rayon threads; its stdout (the run must succeed).
fn eval(policy: &Path, facts: &[PathBuf], queried: &[String], json: bool, threads: u32) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_accord"));
    cmd.arg("eval").arg(policy).args(["--as-of", AS_OF]);
    for f in facts {
        cmd.arg("--facts").arg(f);
    }
    for q in queried {
        cmd.args(["--query", q]);
    }
    if json {
        cmd.args(["--format", "json"]);
    }
    let out = cmd
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("accord runs");
    assert!(
        out.status.success(),
        "accord eval {} failed: {}",
        policy.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A policy file with its facts, rules and subject blocks trading places, and its imports likewise.
fn shuffle_policy(text: &str, rng: &mut Rng) -> String {
    let mut ast = parse_file(FileId(0), text).expect("the policy parses");
    let movable = |item: &Item| matches!(item, Item::Fact(_) | Item::Rule(_) | Item::Subject(_));
    for class in [movable as fn(&Item) -> bool, |i: &Item| {
        matches!(i, Item::Import(_))
    }] {
        let places: Vec<usize> = (0..ast.items.len())
            .filter(|i| class(&ast.items[*i]))
            .collect();
        let mut taken: Vec<Item> = places.iter().map(|i| ast.items[*i].clone()).collect();
        rng.shuffle(&mut taken);
        for (place, item) in places.into_iter().zip(taken) {
            ast.items[place] = item;
        }
    }
    format_ast(&ast, &FormatOptions::default())
}

/// A data file with its rows (records, lines) in another order.
fn shuffle_data(path: &Path, text: &str, rng: &mut Rng) -> String {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "jsonl" => {
            let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            rng.shuffle(&mut lines);
            lines.join("\n") + "\n"
        }
        "csv" => {
            let mut lines = text.lines();
            let header = lines.next().unwrap_or_default();
            let mut rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
            rng.shuffle(&mut rows);
            format!("{header}\n{}\n", rows.join("\n"))
        }
        _ if text.trim_start().starts_with('[') => {
            let mut records: Vec<Box<RawValue>> = serde_json::from_str(text).expect("records");
            rng.shuffle(&mut records);
            let parts: Vec<&str> = records.iter().map(|r| r.get()).collect();
            format!("[\n{}\n]\n", parts.join(",\n"))
        }
        _ => {
            // Relations come back in name order (a BTreeMap): another order of its own.
            let tables: BTreeMap<String, Vec<Box<RawValue>>> =
                serde_json::from_str(text).expect("canonical JSON");
            let mut out = vec![];
            for (name, mut rows) in tables {
                rng.shuffle(&mut rows);
                let parts: Vec<&str> = rows.iter().map(|r| r.get()).collect();
                out.push(format!(
                    "  {:?}: [\n    {}\n  ]",
                    name,
                    parts.join(",\n    ")
                ));
            }
            format!("{{\n{}\n}}\n", out.join(",\n"))
        }
    }
}

/// Copies `from` (a directory) to `to`, shuffling every policy file.
fn copy_shuffled(from: &Path, to: &Path, rng: &mut Rng) {
    std::fs::create_dir_all(to).expect("mkdir");
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_shuffled(&path, &target, rng);
        } else if path.extension().is_some_and(|e| e == "accord") {
            let text = std::fs::read_to_string(&path).expect("policy text");
            std::fs::write(&target, shuffle_policy(&text, rng)).expect("write");
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// The first line where two outputs differ, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(a.lines().count().min(b.lines().count()));
    format!(
        "line {}:\n{}\n---\n{}",
        line + 1,
        a.lines().nth(line).unwrap_or("(end)"),
        b.lines().nth(line).unwrap_or("(end)")
    )
}

#[test]
fn every_example_evaluates_identically_across_threads_and_orders() {
    let scratch = std::env::temp_dir().join(format!("accord-determinism-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    // Per case: the original and a shuffled copy, with the fixed `--query` list.
    let mut prepared = vec![];
    for (n, case) in CASES.iter().enumerate() {
        let policy = root().join(case.policy);
        let facts: Vec<PathBuf> = case.facts.iter().map(|f| root().join(f)).collect();
        let queried = derived(&policy);
        assert!(!queried.is_empty(), "{}: derives nothing", case.policy);
        let mut rng = Rng(0xACC0_0000 + n as u64);
        let copy = scratch.join(format!("case{n}"));
        copy_shuffled(&policy, &copy.join("policy"), &mut rng);
        let data = copy.join("data");
        std::fs::create_dir_all(&data).expect("mkdir");
        let mut shuffled_facts = vec![];
        for f in &facts {
            let text = std::fs::read_to_string(f).expect("data text");
            let target = data.join(f.file_name().expect("a name"));
            std::fs::write(&target, shuffle_data(f, &text, &mut rng)).expect("write");
            shuffled_facts.push(target);
        }
        assert_ne!(
            std::fs::read_to_string(&shuffled_facts[0]).ok(),
            std::fs::read_to_string(&facts[0]).ok(),
            "{}: the shuffle moved nothing",
            case.policy
        );
        prepared.push((
            case.policy,
            policy,
            facts,
            copy.join("policy"),
            shuffled_facts,
            queried,
        ));
    }
    // Five runs per case, all at once (the processes are independent):
    // JSON on 1 and 2 threads and JSON of the shuffled copy; text, and text of the shuffled copy.
    std::thread::scope(|scope| {
        let mut checks = vec![];
        for (name, policy, facts, shuffled, shuffled_facts, queried) in &prepared {
            let run = |p: &Path, f: &[PathBuf], json: bool, threads: u32| {
                let (p, f) = (p.to_path_buf(), f.to_vec());
                let queried = queried.clone();
                scope.spawn(move || eval(&p, &f, &queried, json, threads))
            };
            let json_one = run(policy, facts, true, 1);
            let json_two = run(policy, facts, true, 2);
            let json_shuffled = run(shuffled, shuffled_facts, true, 2);
            let text_one = run(policy, facts, false, 1);
            let text_shuffled = run(shuffled, shuffled_facts, false, 2);
            checks.push((
                name,
                json_one,
                json_two,
                json_shuffled,
                text_one,
                text_shuffled,
            ));
        }
        for (name, json_one, json_two, json_shuffled, text_one, text_shuffled) in checks {
            let join = |h: std::thread::ScopedJoinHandle<'_, String>| h.join().expect("a run");
            let (json_one, json_two, json_shuffled) =
                (join(json_one), join(json_two), join(json_shuffled));
            let (text_one, text_shuffled) = (join(text_one), join(text_shuffled));
            assert!(
                json_one == json_two,
                "{name}: 1 and 2 threads differ at {}",
                first_difference(&json_one, &json_two)
            );
            assert!(
                json_one == json_shuffled,
                "{name} (json): the shuffled copy differs at {}",
                first_difference(&json_one, &json_shuffled)
            );
            assert!(
                text_one == text_shuffled,
                "{name} (text, 1 and 2 threads): the shuffled copy differs at {}",
                first_difference(&text_one, &text_shuffled)
            );
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn the_shuffles_keep_the_content() {
    let mut rng = Rng(7);
    let text = "import \"a.accord\".\nimport \"b.accord\".\nrelation p(x: number).\np(1).\np(2).\np(x) ∧ x < 2 ⇒ q(x).\np(x) ⇒ r(x).\n";
    let shuffled = shuffle_policy(text, &mut rng);
    let mut a: Vec<&str> = text.lines().collect();
    let mut b: Vec<&str> = shuffled.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(b[2], "relation p(x: number).", "declarations stay put");
    a.sort();
    b.sort();
    assert_eq!(a, b);
    let data = "{\"p\": [[1], [2], [3], [4]], \"a\": [[\"x\"]]}";
    let out = shuffle_data(Path::new("d.json"), data, &mut rng);
    let parsed: BTreeMap<String, Vec<serde_json::Value>> = serde_json::from_str(&out).unwrap();
    let mut p: Vec<i64> = parsed["p"].iter().map(|v| v[0].as_i64().unwrap()).collect();
    p.sort();
    assert_eq!(p, vec![1, 2, 3, 4]);
    let csv = "id,n\na,1\nb,2\nc,3\nd,4\ne,5\n";
    let out = shuffle_data(Path::new("t.csv"), csv, &mut rng);
    assert!(out.starts_with("id,n\n"), "the header stays first: {out}");
    assert_ne!(out, csv, "the rows move");
    let (mut a, mut b): (Vec<&str>, Vec<&str>) = (csv.lines().collect(), out.lines().collect());
    a.sort();
    b.sort();
    assert_eq!(a, b);
    let lines = "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n{\"id\": 4}\n";
    let out = shuffle_data(Path::new("t.jsonl"), lines, &mut rng);
    let (mut a, mut b): (Vec<&str>, Vec<&str>) = (lines.lines().collect(), out.lines().collect());
    assert_ne!(a, b, "the lines move");
    a.sort();
    b.sort();
    assert_eq!(a, b);
}
