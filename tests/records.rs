//! Record-shaped data end to end: a policy's `records` mappings, record JSON and JSON Lines round
//! trips, optional fields, `facts inspect`, and the all-or-nothing rule at library and CLI level.

mod common;

use std::path::Path;

use accord::check::CheckOptions;
use accord::engine::Engine;
use accord::value::parse_date;
use common::{accord_in, root};

const POLICY: &str = r#"
relation company(id: text, country: text, vat: text?).
relation certified(company: text, program: text, status: text, until: date).
relation shipment(id: text, company: text, value: number, urgent: bool).

records "companies" {
  company(id, address.country, "tax id".vat).
  each certifications {
    certified(^id, program, status, valid_until).
  }
}

records shipments {
  shipment(id, company, value, flags.urgent).
}

certified(c, _, "active", _) ⇒ trusted(c).
shipment(s, c, _, _) ∧ trusted(c) ⇒ fast(s).
"#;

const COMPANIES: &str = r#"[
  {"id": "ACME", "address": {"country": "MX"}, "tax id": {"vat": "MX-1"},
   "certifications": [
     {"program": "NEEC", "status": "active", "valid_until": "2026-12-31"},
     {"program": "CTPAT", "status": "suspended", "valid_until": "2025-01-31"}
   ]},
  {"id": "BETA", "address": {"country": "US"}, "tax id": {"vat": null}, "certifications": []},
  {"id": "GAMMA", "address": {"country": "CA"}, "tax id": {"vat": "CA-9"}, "extra": [1, 2]}
]
"#;

const SHIPMENTS: &str = r#"{"id": "S1", "company": "ACME", "value": 1250.50, "flags": {"urgent": true}}
{"id": "S2", "company": "BETA", "value": 10, "flags": {"urgent": false}}

{"id": "S3", "company": "ACME", "value": -3, "flags": {"urgent": false}, "note": "ignored"}
"#;

/// A fresh directory holding the policy and `files`.
fn setup(test: &str, files: &[(&str, &str)]) -> common::Scratch {
    let dir = common::Scratch::new(&format!("records-{test}"));
    dir.write("policy.accord", POLICY);
    for (name, text) in files {
        dir.write(name, text);
    }
    dir
}

fn engine(dir: &Path) -> Engine {
    let options = CheckOptions {
        today: parse_date("2025-06-30").unwrap(),
        ..CheckOptions::default()
    };
    match Engine::load(&[dir.join("policy.accord")], &options) {
        Ok(e) => e,
        Err(f) => panic!("{:?}", f.diagnostics),
    }
}

/// The rows of `relation` in the engine's base facts, displayed and sorted.
fn rows(engine: &Engine, relation: &str) -> Vec<String> {
    let program = engine.program();
    let id = program.relation_id(relation).unwrap();
    let types = program.relation(id).types();
    let mut out: Vec<String> = engine
        .facts
        .table(id)
        .rows()
        .map(|(row, _)| {
            let values: Vec<String> = row
                .iter()
                .zip(&types)
                .map(|(v, t)| engine.values.literal(*t, *v))
                .collect();
            values.join(", ")
        })
        .collect();
    out.sort();
    out
}

#[test]
fn record_json_round_trips() {
    let dir = setup("json", &[("companies.json", COMPANIES)]);
    let mut engine = engine(&dir);
    engine.load_facts(&[dir.join("companies.json")]).unwrap();
    assert_eq!(
        rows(&engine, "company"),
        ["ACME, MX, \"MX-1\"", "GAMMA, CA, \"CA-9\""]
    );
    assert_eq!(
        rows(&engine, "certified"),
        [
            "ACME, CTPAT, \"suspended\", 2025-01-31",
            "ACME, NEEC, \"active\", 2026-12-31"
        ]
    );
    // BETA's `vat` is null and optional: its row is skipped and counted.
    assert_eq!(engine.facts.skipped.len(), 1);
    assert_eq!(engine.facts.skipped[0].rows, 1);
    // Origins carry the line of the record (nested rows: of the element).
    let certified = engine.program().relation_id("certified").unwrap();
    let lines: Vec<u32> = engine
        .facts
        .table(certified)
        .rows()
        .map(|(_, o)| match o {
            accord::facts::FactOrigin::Data { line, .. } => line,
            _ => 0,
        })
        .collect();
    assert_eq!(lines, [4, 5]);
}

#[test]
fn record_json_lines_round_trip() {
    let dir = setup(
        "jsonl",
        &[
            ("shipments.jsonl", SHIPMENTS),
            ("companies.json", COMPANIES),
        ],
    );
    let mut engine = engine(&dir);
    engine.load_facts(&[dir.to_path_buf()]).unwrap();
    assert_eq!(
        rows(&engine, "shipment"),
        [
            "S1, ACME, 1250.5, true",
            "S2, BETA, 10, false",
            "S3, ACME, -3, false"
        ]
    );
    let model = engine.evaluate(&Default::default()).unwrap();
    let fast = engine.program().relation_id("fast").unwrap();
    assert_eq!(model.len(fast), 2);
}

#[test]
fn a_failed_load_changes_nothing() {
    let bad = SHIPMENTS.replace("1250.50", "\"1250.50\"");
    let dir = setup("atomic", &[("companies.json", COMPANIES)]);
    let bad_dir = dir.join("bad");
    std::fs::create_dir_all(&bad_dir).unwrap();
    std::fs::write(bad_dir.join("shipments.jsonl"), &bad).unwrap();
    // Library: the engine's facts are unchanged by a failing load.
    let mut engine = engine(&dir);
    engine.load_facts(&[dir.join("companies.json")]).unwrap();
    let before = engine.facts.clone();
    let failed = engine.load_facts(&[dir.join("companies.json"), bad_dir.clone()]);
    assert!(failed.is_err());
    assert_eq!(engine.facts.len(), before.len());
    assert_eq!(engine.facts.files, before.files);
    for (a, b) in engine.facts.tables.iter().zip(&before.tables) {
        assert_eq!(a.values, b.values);
    }
    // CLI: exit 1, nothing on stdout, and the good load alone still evaluates.
    let policy = dir.join("policy.accord");
    let policy = policy.to_str().unwrap();
    let good = dir.join("companies.json");
    let good = good.to_str().unwrap();
    let out = accord_in(
        &dir,
        &[
            "eval",
            policy,
            "--as-of",
            "2025-06-30",
            "--facts",
            good,
            "--facts",
            "bad",
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("accord::bad_value"), "{}", out.stderr);
    assert!(out.stderr.contains("$.value"), "{}", out.stderr);
    let alone = accord_in(
        &dir,
        &["eval", policy, "--as-of", "2025-06-30", "--facts", good],
        None,
    );
    assert_eq!(alone.code, 0, "{}", alone.stderr);
    assert!(alone.stdout.contains("trusted"));
}

#[test]
fn no_mapping_for_a_list_of_records() {
    let dir = setup("unmapped", &[("firms.json", "[{\"id\": \"ACME\"}]")]);
    let mut engine = engine(&dir);
    let diagnostics = engine.load_facts(&[dir.join("firms.json")]).unwrap_err();
    assert_eq!(diagnostics[0].code, "no_mapping");
    assert!(engine.facts.is_empty());
}

#[test]
fn inspect_with_a_policy_and_without() {
    let dir = setup(
        "inspect",
        &[
            ("companies.json", COMPANIES),
            ("shipments.jsonl", SHIPMENTS),
        ],
    );
    let out = accord_in(
        &dir,
        &[
            "facts",
            "inspect",
            "companies.json",
            "--policy",
            "policy.accord",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("inspect_with_policy", out.stdout);
    let out = accord_in(
        &dir,
        &["facts", "inspect", "companies.json", "shipments.jsonl"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("inspect_inferred", out.stdout);
    let out = accord_in(
        &dir,
        &["facts", "inspect", "shipments.jsonl", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["relations"][0]["rows"], 3);
    assert_eq!(json["relations"][0]["columns"][2]["type"], "number");
    assert!(
        out.stderr.is_empty(),
        "no progress bar when stderr is not a terminal"
    );
}

#[test]
fn the_records_example_evaluates() {
    let dir = root().join("examples/records");
    let out = accord_in(
        &dir,
        &[
            "eval",
            "policy.accord",
            "--facts",
            "companies.json",
            "--facts",
            "shipments.jsonl",
            "--as-of",
            "2025-06-30",
            "--query",
            "recognized_count",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("records_example", out.stdout);
}
