//! Unit tests of the loaders: round trips per format, every error code, all-or-nothing.

use crate::scratch::Scratch;
use std::path::PathBuf;

use super::*;
use crate::diagnostic::Diagnostic;
use crate::ir::{Column, Relation, RelationKind};
use crate::syntax::SourceMap;
use crate::value::{ValueStore, ValueType};

use ValueType::{Bool, Date, Number, Text};

pub(super) fn relation(name: &str, columns: &[(&str, ValueType)]) -> Relation {
    let columns: Vec<_> = columns.iter().map(|(n, ty)| (Some(*n), *ty)).collect();
    crate::eval::testing::user_relation(name, &columns, 0)
}

fn program() -> Program {
    let mut company = relation("company", &[("name", Text), ("country", Text)]);
    company.open = true;
    let mut note = relation("note", &[("company", Text), ("remark", Text)]);
    note.columns[1].optional = true;
    let mut inferred = relation("inferred", &[]);
    inferred.declared = false;
    inferred.columns.push(Column {
        name: None,
        ty: Text,
        optional: false,
    });
    let mut aux = relation("aux", &[("a", Text)]);
    aux.kind = RelationKind::Auxiliary;
    Program {
        relations: vec![
            relation(
                "certified",
                &[
                    ("company", Text),
                    ("program", Text),
                    ("status", Text),
                    ("until", Date),
                ],
            ),
            relation(
                "trade",
                &[("company", Text), ("amount", Number), ("flagged", Bool)],
            ),
            company,
            note,
            inferred,
            aux,
            relation("open", &[]),
        ],
        ..Program::default()
    }
}

/// A fresh directory holding `files`, removed when dropped.
fn dir(test: &str, files: &[(&str, &[u8])]) -> Scratch {
    let dir = Scratch::new(&format!("facts-{test}"));
    for (name, content) in files {
        dir.write(name, content);
    }
    dir
}

struct Loaded {
    program: Program,
    values: ValueStore,
    sources: SourceMap,
    result: Result<FactSet, Vec<Diagnostic>>,
}

fn load_files(test: &str, files: &[(&str, &[u8])]) -> Loaded {
    let d = dir(test, files);
    let paths: Vec<PathBuf> = files.iter().map(|(n, _)| d.join(n)).collect();
    load_paths(&paths)
}

fn load_paths(paths: &[PathBuf]) -> Loaded {
    let program = program();
    let mut values = ValueStore::new();
    let mut sources = SourceMap::new();
    let result = load(paths, &program, &mut values, &mut sources);
    Loaded {
        program,
        values,
        sources,
        result,
    }
}

impl Loaded {
    /// The rows of a relation, displayed.
    fn rows(&self, name: &str) -> Vec<Vec<String>> {
        let facts = self.result.as_ref().expect("load failed");
        let id = self.program.relation_id(name).unwrap();
        let types = self.program.relation(id).types();
        facts
            .table(id)
            .rows()
            .map(|(row, _)| {
                row.iter()
                    .zip(&types)
                    .map(|(v, t)| self.values.display(*t, *v))
                    .collect()
            })
            .collect()
    }

    fn codes(&self) -> Vec<&'static str> {
        match &self.result {
            Ok(_) => vec![],
            Err(ds) => ds.iter().map(|d| d.code).collect(),
        }
    }

    fn messages(&self) -> Vec<String> {
        self.result
            .as_ref()
            .err()
            .map(|ds| ds.iter().map(|d| d.message.clone()).collect())
            .unwrap_or_default()
    }

    /// The text each diagnostic's primary label covers.
    fn labelled(&self) -> Vec<String> {
        let ds = self.result.as_ref().err().cloned().unwrap_or_default();
        ds.iter()
            .filter_map(|d| d.primary_span())
            .map(|s| self.sources.snippet(s).to_string())
            .collect()
    }
}

fn row(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

#[test]
fn canonical_json_round_trips() {
    let json = br#"{
  "certified": [["ACME", "NEEC", "active", "2026-12-31"], ["Bolt\n\u00e9", "AEO", "lapsed", "1969-12-31"]],
  "trade": [["ACME", 2.5, true], ["ACME", 12345678901234567890, false], ["ACME", -3, false]],
  "open": [[]],
  "inferred": [["x"]]
}"#;
    let l = load_files("canonical", &[("facts.json", json)]);
    assert_eq!(l.codes(), Vec::<&str>::new(), "{:?}", l.messages());
    assert_eq!(
        l.rows("certified"),
        vec![
            row(&["ACME", "NEEC", "active", "2026-12-31"]),
            row(&["Bolt\né", "AEO", "lapsed", "1969-12-31"])
        ]
    );
    assert_eq!(
        l.rows("trade"),
        vec![
            row(&["ACME", "2.5", "true"]),
            row(&["ACME", "12345678901234567890", "false"]),
            row(&["ACME", "-3", "false"])
        ]
    );
    assert_eq!(l.rows("open").len(), 1);
    assert_eq!(l.rows("inferred"), vec![row(&["x"])]);
    let facts = l.result.as_ref().unwrap();
    assert_eq!(facts.files.len(), 1);
    let certified = facts.table(l.program.relation_id("certified").unwrap());
    assert_eq!(
        certified.origins.get(1).unwrap(),
        FactOrigin::Data {
            file: 0,
            line: 2,
            row: 1
        }
    );
}

#[test]
fn json_lines_round_trip() {
    let text = b"{\"relation\": \"certified\", \"row\": [\"ACME\", \"NEEC\", \"active\", \"2026-12-31\"]}\n\n\
{\"row\": [\"ACME\", 7, true], \"relation\": \"trade\"}\r\n{\"relation\": \"certified\", \"row\": [\"B\", \"AEO\", \"x\", \"2020-02-29\"]}";
    let l = load_files("jsonl", &[("facts.jsonl", text)]);
    assert_eq!(l.codes(), Vec::<&str>::new(), "{:?}", l.messages());
    assert_eq!(l.rows("trade"), vec![row(&["ACME", "7", "true"])]);
    assert_eq!(
        l.rows("certified")[1],
        row(&["B", "AEO", "x", "2020-02-29"])
    );
    let facts = l.result.as_ref().unwrap();
    let certified = facts.table(l.program.relation_id("certified").unwrap());
    assert_eq!(
        certified.origins.get(1).unwrap(),
        FactOrigin::Data {
            file: 0,
            line: 4,
            row: 1
        }
    );
}

#[test]
fn csv_round_trips_with_bom_crlf_quotes_and_any_column_order() {
    let text = "\u{feff}until,company,status,program\r\n2026-12-31,\"ACME, Inc.\",active,NEEC\r\n2027-01-01,\"say \"\"hi\"\"\",\"multi\nline\",AEO\r\n";
    let l = load_files("csv", &[("certified.csv", text.as_bytes())]);
    assert_eq!(l.codes(), Vec::<&str>::new(), "{:?}", l.messages());
    assert_eq!(
        l.rows("certified"),
        vec![
            row(&["ACME, Inc.", "NEEC", "active", "2026-12-31"]),
            row(&["say \"hi\"", "AEO", "multi\nline", "2027-01-01"])
        ]
    );
    let facts = l.result.as_ref().unwrap();
    let certified = facts.table(l.program.relation_id("certified").unwrap());
    assert_eq!(
        certified.origins.get(1).unwrap(),
        FactOrigin::Data {
            file: 0,
            line: 3,
            row: 1
        }
    );
}

#[test]
fn csv_types_open_relations_and_header_only_files() {
    let l = load_files(
        "csv-types",
        &[
            (
                "trade.csv",
                b"company,amount,flagged\nACME,2.50,true\nB,-12345678901234567890,false\n",
            ),
            ("company.csv", b"country,extra,name\nUS,whatever,ACME\n"),
            ("certified.csv", b"company,program,status,until\n"),
        ],
    );
    assert_eq!(l.codes(), Vec::<&str>::new(), "{:?}", l.messages());
    assert_eq!(
        l.rows("trade"),
        vec![
            row(&["ACME", "2.5", "true"]),
            row(&["B", "-12345678901234567890", "false"])
        ]
    );
    assert_eq!(l.rows("company"), vec![row(&["ACME", "US"])]);
    assert!(l.rows("certified").is_empty());
}

#[test]
fn optional_columns_skip_and_count_rows() {
    let l = load_files(
        "optional",
        &[
            ("note.csv", b"company,remark\nA,fine\nB,\nC,ok\n"),
            ("more.json", br#"{"note": [["D", null], ["E", "x"]]}"#),
        ],
    );
    assert_eq!(l.codes(), Vec::<&str>::new(), "{:?}", l.messages());
    assert_eq!(
        l.rows("note"),
        vec![row(&["A", "fine"]), row(&["C", "ok"]), row(&["E", "x"])]
    );
    let note = l.program.relation_id("note").unwrap();
    let facts = l.result.as_ref().unwrap();
    // Files load in argument order: note.csv is file 0, more.json file 1.
    assert_eq!(
        facts.skipped,
        vec![
            SkippedRows {
                file: 0,
                relation: note,
                rows: 1
            },
            SkippedRows {
                file: 1,
                relation: note,
                rows: 1
            }
        ]
    );
}

#[test]
fn directories_load_recursively_in_path_order() {
    let d = dir(
        "directory",
        &[
            ("b/trade.csv", b"company,amount,flagged\nB,1,true\n"),
            (
                "a.jsonl",
                b"{\"relation\": \"trade\", \"row\": [\"A\", 1, true]}\n",
            ),
            ("c.json", br#"{"trade": [["C", 1, true]]}"#),
            ("readme.txt", b"ignored"),
        ],
    );
    let l = load_paths(&[d.to_path_buf()]);
    assert_eq!(l.codes(), Vec::<&str>::new(), "{:?}", l.messages());
    assert_eq!(
        l.rows("trade")
            .iter()
            .map(|r| r[0].clone())
            .collect::<Vec<_>>(),
        vec!["A", "B", "C"]
    );
    assert_eq!(l.result.as_ref().unwrap().files.len(), 3);
}

#[test]
fn all_or_nothing() {
    let l = load_files(
        "all-or-nothing",
        &[
            ("good.json", br#"{"trade": [["A", 1, true]]}"#),
            ("trade.csv", b"company,amount,flagged\nB,x,true\n"),
        ],
    );
    assert_eq!(l.codes(), vec!["bad_value"]);
    assert!(l.result.is_err());
    // Only the bad file was added to the source map.
    assert_eq!(l.sources.len(), 1);
    assert!(l
        .sources
        .get(crate::syntax::FileId(0))
        .name
        .ends_with("trade.csv"));
}

#[test]
fn json_value_errors_are_located() {
    let json = br#"{"certified": [["ACME", "NEEC", "active", "2026-13-01"], ["ACME", 42, null, "2026-01-01"]],
 "trade": [["A", "7", 1], ["A", 1e5, true], ["A", 1]], "certifed": [], "aux": []}"#;
    let l = load_files("json-errors", &[("facts.json", json)]);
    assert_eq!(
        l.codes(),
        vec![
            "bad_date",
            "bad_value",
            "bad_value",
            "bad_value",
            "bad_value",
            "bad_value",
            "wrong_arity",
            "unknown_relation",
            "unknown_relation"
        ]
    );
    assert_eq!(
        l.messages()[0],
        "expected a date for column `until` of `certified` in row 1 (line 1), found `\"2026-13-01\"`"
    );
    assert_eq!(l.labelled()[..3], ["\"2026-13-01\"", "42", "null"]);
    assert_eq!(l.labelled()[6], "[\"A\", 1]");
    assert_eq!(l.labelled()[7], "\"certifed\"");
    let ds = l.result.as_ref().unwrap_err();
    assert_eq!(ds[7].help.as_deref(), Some("did you mean `certified`?"));
}

#[test]
fn json_syntax_errors() {
    for (text, code) in [
        (&b"{\"trade\": [[\"A\", 1, true]"[..], "invalid_json"),
        (b"", "invalid_json"),
        (b"[]", "no_mapping"),
        (b"5", "invalid_json"),
        (b"{\"trade\": [[\"A\", 1, true]]} x", "invalid_json"),
        (b"{\"trade\": [[\"A\xff\", 1, true]]}", "invalid_utf8"),
        (b"{\"trade\": {}}", "bad_value"),
        (b"{\"trade\": [5]}", "bad_value"),
    ] {
        let l = load_files("json-syntax", &[("f.json", text)]);
        assert_eq!(l.codes(), vec![code], "{}", String::from_utf8_lossy(text));
    }
    let deep = format!("{{\"trade\": [[\"A\", {}", "[".repeat(200_000));
    let l = load_files("json-deep", &[("f.json", deep.as_bytes())]);
    assert_eq!(l.codes(), vec!["invalid_json"]);
}

#[test]
fn json_lines_errors_stop_only_their_line() {
    let text = b"{\"relation\": \"trade\", \"row\": [\"A\", 1, true]\n{\"relation\": \"trade\"}\n{\"relation\": \"trade\", \"row\": [\"A\", true, true], \"x\": 1}\n{\"relation\": \"trade\", \"row\": [\"A\", true, true]}\n{\"relation\": \"nope\", \"row\": []}\n";
    let l = load_files("jsonl-errors", &[("f.jsonl", text)]);
    assert_eq!(
        l.codes(),
        vec![
            "invalid_json",
            "invalid_json",
            "invalid_json",
            "bad_value",
            "unknown_relation"
        ]
    );
    assert!(
        l.messages()[0].starts_with("invalid JSON on line 1"),
        "{:?}",
        l.messages()
    );
    assert!(l.messages()[3].contains("(line 4)"), "{:?}", l.messages());
}

#[test]
fn csv_header_errors() {
    let cases: [(&str, &[u8], &[&str]); 8] = [
        (
            "certified.csv",
            b"company,program,status\nA,B,C\n",
            &["missing_column"],
        ),
        (
            "certified.csv",
            b"company,program,status,until,extra\n",
            &["extra_column"],
        ),
        (
            "certified.csv",
            b"company,program,status,until,company\n",
            &["duplicate_column"],
        ),
        ("certified.csv", b"", &["missing_column"]),
        ("certifed.csv", b"company\n", &["unknown_relation"]),
        ("aux.csv", b"a\n", &["unknown_relation"]),
        ("inferred.csv", b"x\n", &["undeclared_csv"]),
        (
            "certified.csv",
            b"company,program,status,unt\xffil\n",
            &["invalid_utf8", "missing_column"],
        ),
    ];
    for (name, text, codes) in cases {
        let l = load_files("csv-header", &[(name, text)]);
        assert_eq!(
            l.codes(),
            codes.to_vec(),
            "{name}: {}",
            String::from_utf8_lossy(text)
        );
    }
}

#[test]
fn csv_row_errors_are_located() {
    let text = b"company,amount,flagged\nA,1,true\nB,2\nC,,true\nD,1.5.2,maybe\nE,\xff,true\n\"F, quoted\",\"1e3\",false\n";
    let l = load_files("csv-rows", &[("trade.csv", text)]);
    assert_eq!(
        l.codes(),
        vec![
            "ragged_row",
            "bad_value",
            "bad_value",
            "bad_value",
            "invalid_utf8",
            "bad_value"
        ]
    );
    assert_eq!(
        l.messages()[0],
        "line 3 of `{}` has 2 fields, but the header has 3"
            .replace("{}", &l.sources.get(crate::syntax::FileId(0)).name)
    );
    assert_eq!(
        l.messages()[1],
        "expected a number for column `amount` of `trade` on line 4, found an empty field"
    );
    assert_eq!(
        l.messages()[2],
        "expected a number for column `amount` of `trade` on line 5, found `1.5.2`"
    );
    assert_eq!(
        l.messages()[3],
        "expected a bool for column `flagged` of `trade` on line 5, found `maybe`"
    );
    assert_eq!(
        l.labelled(),
        vec!["B,2", "", "1.5.2", "maybe", "\u{fffd}", "\"1e3\""]
    );
}

#[test]
fn many_errors_are_summarised() {
    let mut text = String::from("company,amount,flagged\n");
    for i in 0..25 {
        text.push_str(&format!("C{i},x,true\n"));
    }
    let l = load_files("many", &[("trade.csv", text.as_bytes())]);
    let codes = l.codes();
    assert_eq!(codes.len(), 21);
    assert_eq!(codes[20], "too_many_errors");
    assert_eq!(
        l.messages()[20],
        format!(
            "5 more errors in `{}` not shown",
            l.sources.get(crate::syntax::FileId(0)).name
        )
    );
}

#[test]
fn unreadable_paths() {
    let d = dir("unreadable", &[("notes.txt", b"x")]);
    let l = load_paths(&[d.join("missing.json"), d.join("notes.txt")]);
    assert_eq!(l.codes(), vec!["unreadable_file", "unreadable_file"]);
    assert!(
        l.messages()[0].ends_with("missing.json`: no such file or directory"),
        "{:?}",
        l.messages()
    );
}

#[test]
fn merge_renumbers_skipped_files() {
    let program = program();
    let mut a = FactSet::for_program(&program);
    a.files.push("a".into());
    let mut b = FactSet::for_program(&program);
    b.files.push("b".into());
    b.skipped.push(SkippedRows {
        file: 0,
        relation: crate::ir::RelationId(3),
        rows: 2,
    });
    a.merge(b);
    assert_eq!(
        a.skipped,
        vec![SkippedRows {
            file: 1,
            relation: crate::ir::RelationId(3),
            rows: 2
        }]
    );
}

#[cfg(unix)]
#[test]
fn directory_symlink_loops_are_not_followed() {
    let d = dir(
        "symlink",
        &[("a/trade.csv", b"company,amount,flagged\nA,1,true\n")],
    );
    std::os::unix::fs::symlink(&d, d.join("a/loop")).unwrap();
    let l = load_paths(&[d.to_path_buf()]);
    assert_eq!(l.codes(), Vec::<&str>::new(), "{:?}", l.messages());
    assert_eq!(l.rows("trade").len(), 1);
}

/// Every prefix of valid and invalid files, and pseudo-random bytes, load without panicking.
#[test]
fn no_panic_on_truncated_or_random_bytes() {
    let samples: [(&str, &[u8]); 4] = [
        ("f.json", "{\"certified\": [[\"A\\u00e9\\ud83d\\ude00\", \"N\", \"a\", \"2026-12-31\"]], \"trade\": [[\"x\", -1.5e3, true, null, {\"k\": [1]}]]}".as_bytes()),
        ("f.jsonl", b"{\"row\": [\"A\", 1, true], \"relation\": \"trade\"}\r\n{\"relation\": \"trade\", \"row\": [[[\"A\"]]]}\n"),
        ("trade.csv", b"\xef\xbb\xbfcompany,amount,flagged\r\n\"A,\"\"b\"\"\",1.5,true\r\nB,\xff,\r\n"),
        ("note.csv", b"company,remark\nA,\n\"unterminated,x\n"),
    ];
    let d = dir("no-panic", &[]);
    std::fs::create_dir_all(&d).unwrap();
    for (name, text) in samples {
        let path = d.join(name);
        for end in 0..=text.len() {
            std::fs::write(&path, &text[..end]).unwrap();
            let _ = load_paths(std::slice::from_ref(&path));
        }
    }
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let alphabet = b"{}[],:\"\\ \n\r-0123456789.eEtruefalsn\xff\xc3\xa9ux";
    for round in 0..300 {
        let len = (round % 60) + 1;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                alphabet[(seed % alphabet.len() as u64) as usize]
            })
            .collect();
        for name in ["trade.json", "trade.jsonl", "trade.csv"] {
            let path = d.join(name);
            std::fs::write(&path, &bytes).unwrap();
            let l = load_paths(std::slice::from_ref(&path));
            // Rendering must not panic either.
            if let Err(ds) = &l.result {
                let _ = crate::diagnostic::render_all(ds, &l.sources, Default::default());
            }
        }
    }
}
