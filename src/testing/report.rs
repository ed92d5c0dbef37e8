//! Rendering test results: the text report of `accord test` and its JSON object (documented in
//! `docs/testing.md`). Pure functions; nothing here prints.
//!
//! Text: for each policy a `running N tests in PATH` line, then one line per test
//! `test NAME ... ok (1.23 ms)` (`FAIL`, `error`, or `skipped` without a time) — the time is always the
//! last thing on the line, in parentheses, so snapshots can mask it — with the failed expectations
//! indented under a failed test, and finally the line `N passed, N failed` (`, N skipped` when any were).

use serde_json::{json, Map, Value as Json};

use super::{Detail, Failure, PolicyReport, Row, Status, Summary, TestOutcome};
use crate::diagnostic::Diagnostic;
use crate::syntax::SourceMap;

/// The text report.
pub fn text(reports: &[PolicyReport]) -> String {
    let mut out = String::new();
    for report in reports {
        if !report.diagnostics.is_empty() {
            out.push_str(&format!(
                "{}: does not check ({})\n",
                report.policy,
                count(report.diagnostics.len(), "error")
            ));
            continue;
        }
        out.push_str(&format!(
            "running {} in {}\n",
            count(report.tests.len(), "test"),
            report.policy
        ));
        for test in &report.tests {
            out.push_str(&test_line(test));
            for failure in &test.failures {
                out.push_str(&failure_text(failure));
            }
        }
        out.push('\n');
    }
    out.push_str(&Summary::of(reports).line());
    out.push('\n');
    out
}

/// `1 test`, `3 tests`.
pub(crate) fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn test_line(test: &TestOutcome) -> String {
    let ms = test.elapsed.as_secs_f64() * 1000.0;
    match test.status {
        Status::Passed => format!("test {} ... ok ({ms:.2} ms)\n", test.name),
        Status::Failed => format!("test {} ... FAIL ({ms:.2} ms)\n", test.name),
        Status::Error => format!(
            "test {} ... error: {} ({ms:.2} ms)\n",
            test.name,
            test.diagnostics
                .first()
                .map_or(String::new(), |d| d.message.clone())
        ),
        Status::Skipped => format!("test {} ... skipped\n", test.name),
    }
}

fn tuple(row: &Row) -> String {
    format!("({})", row.literal.join(", "))
}

fn failure_text(failure: &Failure) -> String {
    let mut out = String::new();
    let head = format!("expect {}", failure.expectation);
    out.push_str(&format!("  {head}\n    at {}\n", failure.location));
    match &failure.detail {
        Detail::Missing {
            relation,
            rows,
            total,
            why_not,
        } => {
            if *total == 0 {
                out.push_str(&format!("    not derived: `{relation}` has no rows\n"));
            } else {
                out.push_str(&format!(
                    "    not derived; `{relation}` has {}:\n",
                    count(*total, "row")
                ));
                for row in rows {
                    out.push_str(&format!("      {relation}{}\n", tuple(row)));
                }
                if *total > rows.len() {
                    out.push_str(&format!("      … and {} more\n", total - rows.len()));
                }
            }
            if let Some(why) = why_not {
                out.push_str("    why not:\n");
                for line in why.lines() {
                    out.push_str(&format!("      {line}\n"));
                }
            }
        }
        Detail::Present { proof } => {
            out.push_str("    derived, but expected not to hold\n");
            if let Some(proof) = proof {
                out.push_str("    proof:\n");
                for line in proof.lines() {
                    out.push_str(&format!("      {line}\n"));
                }
            }
        }
        Detail::Answers {
            columns,
            actual,
            missing,
            unexpected,
        } => {
            out.push_str(&format!(
                "    the query answers ({}) with {}:\n",
                columns.join(", "),
                count(actual.len(), "row")
            ));
            for row in actual {
                out.push_str(&format!("      {}\n", tuple(row)));
            }
            for (label, rows) in [("missing", missing), ("unexpected", unexpected)] {
                if !rows.is_empty() {
                    let shown: Vec<String> = rows.iter().map(tuple).collect();
                    out.push_str(&format!("    {label}: {}\n", shown.join(", ")));
                }
            }
        }
    }
    out
}

/// The JSON report (see `docs/testing.md`).
pub fn json(reports: &[PolicyReport]) -> String {
    let policies: Vec<Json> = reports
        .iter()
        .map(|r| {
            json!({
                "policy": r.policy,
                "errors": diagnostics_json(&r.diagnostics, &r.sources),
                "tests": r.tests.iter().map(|t| test_json(t, &r.sources)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let summary = Summary::of(reports);
    let object = json!({
        "policies": policies,
        "passed": summary.passed,
        "failed": summary.failed,
        "skipped": summary.skipped,
    });
    let mut out = serde_json::to_string_pretty(&object).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}

fn test_json(test: &TestOutcome, sources: &SourceMap) -> Json {
    let mut o = Map::new();
    o.insert("name".into(), json!(test.name));
    o.insert("location".into(), json!(test.location));
    o.insert("status".into(), json!(test.status.name()));
    let ms = test.elapsed.as_secs_f64() * 1000.0;
    o.insert(
        "time_ms".into(),
        if test.status == Status::Skipped {
            Json::Null
        } else {
            json!((ms * 1000.0).round() / 1000.0)
        },
    );
    o.insert(
        "failures".into(),
        Json::Array(test.failures.iter().map(failure_json).collect()),
    );
    o.insert(
        "errors".into(),
        diagnostics_json(&test.diagnostics, sources),
    );
    Json::Object(o)
}

fn rows_json(rows: &[Row]) -> Json {
    Json::Array(rows.iter().map(|r| Json::Array(r.json.clone())).collect())
}

fn failure_json(failure: &Failure) -> Json {
    let mut o = Map::new();
    o.insert("kind".into(), json!(failure.kind));
    o.insert("expectation".into(), json!(failure.expectation));
    o.insert("location".into(), json!(failure.location));
    match &failure.detail {
        Detail::Missing {
            relation,
            rows,
            total,
            why_not,
        } => {
            o.insert("relation".into(), json!(relation));
            o.insert("rows".into(), rows_json(rows));
            o.insert("total_rows".into(), json!(total));
            o.insert("why_not".into(), json!(why_not));
        }
        Detail::Present { proof } => {
            o.insert("proof".into(), json!(proof));
        }
        Detail::Answers {
            columns,
            actual,
            missing,
            unexpected,
        } => {
            o.insert("columns".into(), json!(columns));
            o.insert("actual".into(), rows_json(actual));
            o.insert("missing".into(), rows_json(missing));
            o.insert("unexpected".into(), rows_json(unexpected));
        }
    }
    Json::Object(o)
}

/// Diagnostics as JSON objects: code, message, `file:line` of the primary label (or null), help.
pub fn diagnostics_json(diagnostics: &[Diagnostic], sources: &SourceMap) -> Json {
    Json::Array(
        diagnostics
            .iter()
            .map(|d| {
                let location = d
                    .primary_span()
                    .filter(|s| (s.file.0 as usize) < sources.len())
                    .map(|s| sources.location(s).to_string());
                json!({
                    "code": d.code,
                    "message": d.message,
                    "location": location,
                    "help": d.help,
                })
            })
            .collect(),
    )
}
