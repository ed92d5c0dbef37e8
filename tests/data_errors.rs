//! Data files that must fail to load: `tests/corpus/err/data/*.{json,jsonl,csv}`.
//!
//! `data_errors` loads each through the library and snapshots the diagnostics;
//! `every_bad_data_file_fails_the_cli` runs `accord eval tests/corpus/data_errors.accord --facts FILE`
//! (the same relations, written as a policy) and demands exit 1 and a diagnostic located in the file
//! (`[file:line:col]`), except for the problems of a whole file ([`WHOLE_FILE`]), which name it.
//!
//! Each file is loaded on its own against the small program below; the load must fail, and the snapshot
//! holds the file's text (when short) and the rendered diagnostics. CSV files are named after their
//! relation: the program has a relation of shape `(company: text, amount: number, arrived: date,
//! cleared: bool)` for each CSV case in [`CSV_CASES`], except `certifed.csv` (a typo of `certified`, so
//! unknown) and `undeclared.csv` (a relation the program uses but does not declare). Record-shaped
//! files named in [`RECORD_CASES`] have the mapping of [`mapping`]; `unmapped.json` and
//! `unmapped_lines.jsonl` have none.

mod common;

use std::path::{Path, PathBuf};

use accord::diagnostic::{render_all, RenderOptions};
use accord::ir::{
    Column, NestedRecords, Program, RecordField, RecordLevel, RecordMapping, RecordRow, Relation,
    RelationId, RelationKind,
};
use accord::syntax::SourceMap;
use accord::syntax::Span;
use accord::value::{ValueStore, ValueType};

const CSV_CASES: &[&str] = &[
    "bad_values",
    "crlf_bad_date",
    "duplicate_column",
    "empty",
    "empty_field",
    "extra_column",
    "invalid_utf8",
    "missing_column",
    "ragged_row",
];

const RECORD_CASES: &[&str] = &[
    "records_bad_path",
    "records_deep_type",
    "records_missing_field",
    "records_null",
];

fn relation(name: &str, columns: &[(&str, ValueType)], declared: bool) -> Relation {
    Relation {
        name: name.to_string(),
        columns: columns
            .iter()
            .map(|(n, ty)| Column {
                name: declared.then(|| n.to_string()),
                ty: *ty,
                optional: false,
            })
            .collect(),
        kind: RelationKind::User,
        span: None,
        declared,
        open: false,
        order: 0,
    }
}

fn program() -> Program {
    use ValueType::*;
    let mut relations = vec![
        relation(
            "certified",
            &[
                ("company", Text),
                ("program", Text),
                ("status", Text),
                ("until", Date),
            ],
            true,
        ),
        relation(
            "trade",
            &[("company", Text), ("amount", Number), ("flagged", Bool)],
            true,
        ),
        relation("undeclared", &[("company", Text)], false),
    ];
    for name in CSV_CASES {
        relation_push(&mut relations, name);
    }
    relations.push(relation(
        "company",
        &[("id", Text), ("country", Text)],
        true,
    ));
    let mappings = RECORD_CASES.iter().map(|name| mapping(name)).collect();
    Program {
        relations,
        mappings,
        ..Program::default()
    }
}

/// `records NAME { company(id, address.country). each certifications { certified(^id, program,
/// status, valid_until). } }` over the relations of [`program`].
fn mapping(name: &str) -> RecordMapping {
    let field = |up: u32, path: &[&str]| RecordField {
        up,
        path: path.iter().map(|s| s.to_string()).collect(),
        span: Span::default(),
    };
    let row = |relation: u32, fields: Vec<RecordField>| RecordRow {
        relation: RelationId(relation),
        fields,
        span: Span::default(),
    };
    let company = 3 + CSV_CASES.len() as u32;
    RecordMapping {
        name: name.to_string(),
        span: Span::default(),
        root: RecordLevel {
            rows: vec![row(
                company,
                vec![field(0, &["id"]), field(0, &["address", "country"])],
            )],
            nested: vec![NestedRecords {
                path: vec!["certifications".into()],
                span: Span::default(),
                level: RecordLevel {
                    rows: vec![row(
                        0,
                        vec![
                            field(1, &["id"]),
                            field(0, &["program"]),
                            field(0, &["status"]),
                            field(0, &["valid_until"]),
                        ],
                    )],
                    nested: vec![],
                },
            }],
        },
    }
}

fn relation_push(relations: &mut Vec<Relation>, name: &str) {
    use ValueType::*;
    relations.push(relation(
        name,
        &[
            ("company", Text),
            ("amount", Number),
            ("arrived", Date),
            ("cleared", Bool),
        ],
        true,
    ));
}

#[test]
fn data_errors() {
    insta::glob!("corpus/err/data/*", |path| {
        let relative = relative(path);
        let program = program();
        let mut values = ValueStore::new();
        let mut sources = SourceMap::new();
        let result = accord::facts::load(
            std::slice::from_ref(&relative),
            &program,
            &mut values,
            &mut sources,
        );
        let diagnostics = match result {
            Ok(facts) => panic!(
                "{} loaded ({} facts) but must fail",
                relative.display(),
                facts.len()
            ),
            Err(d) => d,
        };
        let bytes = std::fs::read(path).unwrap();
        let source = if bytes.len() <= 2000 {
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            format!("({} bytes)\n", bytes.len())
        };
        let rendered = render_all(&diagnostics, &sources, RenderOptions::default());
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
        insta::assert_snapshot!(format!("{source}\n---- {}\n{rendered}", codes.join(" ")));
    });
}

/// Files whose problem is the file as a whole (empty; named after an unknown or undeclared
/// relation): their diagnostic names the file but has no line to point at.
const WHOLE_FILE: &[&str] = &["certifed.csv", "empty.csv", "undeclared.csv"];

/// Whether `stderr` holds a location `[rel:LINE:COL]`.
fn located(stderr: &str, rel: &str) -> bool {
    stderr.match_indices(&format!("[{rel}:")).any(|(i, m)| {
        let rest = &stderr[i + m.len()..];
        let Some(end) = rest.find(']') else {
            return false;
        };
        let mut parts = rest[..end].split(':');
        let (Some(line), Some(col), None) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        [line, col]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

#[test]
fn every_bad_data_file_fails_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/err/data");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the data corpus")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 30, "only {} bad data files", files.len());
    for path in files {
        let rel = relative(&path).to_string_lossy().replace('\\', "/");
        let out = common::accord(&[
            "eval",
            "tests/corpus/data_errors.accord",
            "--facts",
            &rel,
            "--as-of",
            "2025-01-01",
        ]);
        assert_eq!(out.code, 1, "{rel} must fail to load:\n{}", out.stderr);
        assert!(out.stdout.is_empty(), "{rel}: nothing on stdout");
        assert!(out.stderr.contains("accord::"), "{rel}: a diagnostic code");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if WHOLE_FILE.contains(&name) {
            assert!(
                out.stderr.contains(&rel),
                "{rel}: the diagnostic names the file:\n{}",
                out.stderr
            );
        } else {
            assert!(
                located(&out.stderr, &rel),
                "{rel}: a diagnostic located at file:line:col:\n{}",
                out.stderr
            );
        }
    }
}

#[test]
fn located_reads_a_location() {
    assert!(located("  ╭─[a/b.json:4:31]", "a/b.json"));
    assert!(!located("  ╭─[a/b.json]", "a/b.json"));
    assert!(!located("× `a/b.json` is empty", "a/b.json"));
    assert!(!located("[a/b.json:4]", "a/b.json"));
}

/// The path relative to the package, so that snapshots do not depend on where the checkout is.
fn relative(path: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}
