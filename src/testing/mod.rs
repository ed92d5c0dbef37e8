//! Testing: the test blocks written in policies, and the diff of decisions between two policy versions.
//!
//! A consumer at the end of the pipeline (after `check` and `eval`). For `accord test`:
//! [`run_path`] finds the policies under a path ([`crate::workspace::policy_roots`]), loads and checks
//! each one through [`Engine`], then for every `test "name" { … }` block:
//!
//! 1. `prepare` checks the block against the checked program — every fact, expected atom and query goes
//!    through the checker ([`crate::check::query`]), so a test that names an unknown relation or gives a
//!    wrong type gets the checker's located diagnostic, and the test is reported as an error;
//! 2. `run` builds the test's own facts — its inline facts and its `load "file"`s (relative to the
//!    policy file, confined to the policy root) — and evaluates the program over them plus the policy's
//!    own facts, then checks each expectation against the model.
//!
//! Invariants: tests are isolated — each one gets a fresh [`crate::facts::FactSet`] and a fresh model, so
//! no test sees another's facts, and none sees data given on the command line (there is none: this
//! module never takes data paths for tests). Results keep the order of the files and of the blocks in
//! them. Nothing here prints; [`report`] renders results as text or JSON.
//!
//! `diff` evaluates two policy versions over the same data files and compares the rows of every
//! relation; `git` materialises a version from a repository's history (`git:REV:PATH`).

pub mod diff;
pub mod git;
mod prepare;
pub mod report;
mod run;

use std::path::Path;
use std::time::Duration;

use crate::check::CheckOptions;
use crate::diagnostic::Diagnostic;
use crate::engine::Engine;
use crate::eval::EvalOptions;
use crate::syntax::ast::Item;
use crate::syntax::SourceMap;
use crate::workspace::{policy_roots, root_of};

/// How to run tests.
#[derive(Clone, Debug, Default)]
pub struct TestOptions {
    /// The evaluation date (`today`), as a day number.
    pub today: i32,
    /// Run only the tests whose name contains this text; the others are skipped.
    pub filter: Option<String>,
    pub eval: EvalOptions,
}

/// The tests of one policy.
#[derive(Debug)]
pub struct PolicyReport {
    /// The policy's path, as found under the command-line path.
    pub policy: String,
    /// The sources the diagnostics point into.
    pub sources: SourceMap,
    /// Problems that kept the policy from running: check errors (then `tests` is empty).
    pub diagnostics: Vec<Diagnostic>,
    pub tests: Vec<TestOutcome>,
}

/// What happened to one test.
#[derive(Debug)]
pub struct TestOutcome {
    pub name: String,
    /// `file:line` of the test block.
    pub location: String,
    pub status: Status,
    pub elapsed: Duration,
    /// The expectations that did not hold, in the order written.
    pub failures: Vec<Failure>,
    /// Problems in the test's own text (unknown relation, wrong type, unreadable data file, an
    /// evaluation error); the status is then [`Status::Error`].
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    /// The test could not run (see [`TestOutcome::diagnostics`]); counted as failed.
    Error,
    /// Left out by the filter.
    Skipped,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Error => "error",
            Status::Skipped => "skipped",
        }
    }
}

/// One expectation that did not hold.
#[derive(Clone, Debug)]
pub struct Failure {
    /// `holds`, `holds_not` or `answers`.
    pub kind: &'static str,
    /// The expectation as written (without `expect` and the final `.`).
    pub expectation: String,
    /// `file:line` of the expectation.
    pub location: String,
    pub detail: Detail,
}

/// A row rendered both ways: in accord's literal syntax and as JSON values.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub literal: Vec<String>,
    pub json: Vec<serde_json::Value>,
}

/// What was derived instead of what was expected.
#[derive(Clone, Debug)]
pub enum Detail {
    /// `expect atom.`: the atom was not derived. `rows` are the relation's rows (sorted; at most
    /// [`MAX_ROWS_SHOWN`], `total` counts them all).
    Missing {
        relation: String,
        rows: Vec<Row>,
        total: usize,
        /// Why the atom is not derived: the rendered why-not tree (see `run::why_not`).
        why_not: Option<String>,
    },
    /// `expect not atom.`: the atom was derived.
    Present {
        /// How the atom was derived: the rendered proof tree (see `run::why`).
        proof: Option<String>,
    },
    /// `expect query = { … }.`: the answer set differs.
    Answers {
        columns: Vec<String>,
        actual: Vec<Row>,
        missing: Vec<Row>,
        unexpected: Vec<Row>,
    },
}

/// At most this many rows of a relation are shown when an expected atom is missing.
pub const MAX_ROWS_SHOWN: usize = 20;

/// Totals over reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    /// Failed tests, tests with errors, and policies that did not check.
    pub failed: usize,
    pub skipped: usize,
}

impl Summary {
    pub fn of(reports: &[PolicyReport]) -> Summary {
        let mut s = Summary::default();
        for r in reports {
            if !r.diagnostics.is_empty() {
                s.failed += 1;
            }
            for t in &r.tests {
                match t.status {
                    Status::Passed => s.passed += 1,
                    Status::Failed | Status::Error => s.failed += 1,
                    Status::Skipped => s.skipped += 1,
                }
            }
        }
        s
    }

    /// `N passed, N failed` and `, N skipped` when any were.
    pub fn line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            line.push_str(&format!(", {} skipped", self.skipped));
        }
        line
    }
}

/// Runs the tests of every policy under `path` (see [`crate::workspace::policy_roots`]).
pub fn run_path(path: &Path, options: &TestOptions) -> Vec<PolicyReport> {
    let roots = policy_roots(path);
    if roots.is_empty() {
        return vec![PolicyReport {
            policy: display(path),
            sources: SourceMap::new(),
            diagnostics: vec![Diagnostic::error(
                "no_policy",
                format!("no policy files under `{}`", path.display()),
            )
            .help("name a policy file or a directory holding `*.accord` files")],
            tests: vec![],
        }];
    }
    roots.iter().map(|root| run_policy(root, options)).collect()
}

/// Loads and checks the policy at `path` (a file or a directory) and runs its tests.
pub fn run_policy(path: &Path, options: &TestOptions) -> PolicyReport {
    let check_options = CheckOptions {
        today: options.today,
        strict: false,
        queried: vec![],
    };
    let mut engine = match Engine::load(&[path.to_path_buf()], &check_options) {
        Ok(e) => e,
        Err(failure) => {
            return PolicyReport {
                policy: display(path),
                sources: failure.sources,
                diagnostics: failure.diagnostics,
                tests: vec![],
            }
        }
    };
    let root = root_of(path);
    let blocks: Vec<_> = engine
        .policy
        .files
        .iter()
        .flat_map(|(_, file)| file.items.iter())
        .filter_map(|item| match item {
            Item::Test(block) => Some(block.clone()),
            _ => None,
        })
        .collect();
    let mut tests = vec![];
    let mut seen: Vec<(&str, crate::syntax::Span)> = vec![];
    for block in &blocks {
        let mut outcome = TestOutcome {
            name: block.name.clone(),
            location: engine.sources.location(block.name_span).to_string(),
            status: Status::Skipped,
            elapsed: Duration::ZERO,
            failures: vec![],
            diagnostics: vec![],
        };
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == block.name) {
            outcome.status = Status::Error;
            outcome.diagnostics.push(
                Diagnostic::error(
                    "duplicate_test",
                    format!("the test name `{}` is used twice", block.name),
                )
                .label(block.name_span, "named again here")
                .label(*first, "first named here")
                .help("test names are unique in a policy, so that `--filter` and reports can tell them apart"),
            );
            tests.push(outcome);
            continue;
        }
        seen.push((&block.name, block.name_span));
        let selected = options
            .filter
            .as_deref()
            .is_none_or(|f| block.name.contains(f));
        if selected {
            run::run(&mut engine, block, &root, options, &mut outcome);
        }
        tests.push(outcome);
    }
    PolicyReport {
        policy: display(path),
        sources: engine.sources,
        diagnostics: vec![],
        tests,
    }
}

/// A path as shown in reports: as given, with `./` removed and `/` separators.
fn display(path: &Path) -> String {
    let s = path.display().to_string().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
