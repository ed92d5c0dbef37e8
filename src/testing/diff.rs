//! The decisions that change between two versions of a policy, over the same data files.
//!
//! Used by `accord diff`. Each version is loaded and checked on its own ([`Engine`]): a version that does
//! not check is an error, never an empty result. The data files are loaded once per version (the two
//! programs may declare different relations and types), both are evaluated, and every relation's rows
//! are compared by their rendered values (the two versions intern values in different stores, and a
//! column may even change type).
//!
//! Relations compared: every relation some rule of either version concludes (new version's order first,
//! then those only the old version has), or the ones asked for. Rows are listed in ascending order of
//! their values. Nothing here prints; [`text`] and [`json`] render a [`Diff`].

use std::collections::HashSet;
use std::path::PathBuf;

use serde_json::{json, Map, Value as Json};

use super::report::count;
use crate::check::CheckOptions;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::engine::{eval_diagnostic, Engine};
use crate::eval::{EvalOptions, Model};
use crate::ir::{RelationId, RelationKind};
use crate::syntax::SourceMap;

/// What to compare.
#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    /// The evaluation date (`today`), as a day number.
    pub today: i32,
    /// Compare only these relations; default: every derived relation of either version.
    pub queried: Vec<String>,
    pub eval: EvalOptions,
}

/// Which version a failure belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Old => "old",
            Side::New => "new",
        }
    }
}

/// Why a diff could not be computed: the diagnostics and the sources they point into.
#[derive(Debug)]
pub struct DiffFailure {
    /// The version at fault, when one is.
    pub side: Option<Side>,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

/// One row, rendered: in accord's literal syntax, and as JSON values.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffRow {
    pub literal: Vec<String>,
    pub json: Vec<Json>,
}

/// The rows of one relation that only one version derives.
#[derive(Clone, Debug)]
pub struct RelationDiff {
    pub relation: String,
    pub added: Vec<DiffRow>,
    pub removed: Vec<DiffRow>,
}

/// The whole comparison.
#[derive(Clone, Debug, Default)]
pub struct Diff {
    /// Every compared relation, in order, changed or not.
    pub relations: Vec<RelationDiff>,
}

impl Diff {
    pub fn added(&self) -> usize {
        self.relations.iter().map(|r| r.added.len()).sum()
    }

    pub fn removed(&self) -> usize {
        self.relations.iter().map(|r| r.removed.len()).sum()
    }

    pub fn is_identical(&self) -> bool {
        self.added() == 0 && self.removed() == 0
    }
}

/// One evaluated version.
struct Version {
    engine: Engine,
    model: Model,
}

fn evaluate(
    side: Side,
    policy: &[PathBuf],
    facts: &[PathBuf],
    options: &DiffOptions,
) -> Result<Version, DiffFailure> {
    let check = CheckOptions {
        today: options.today,
        strict: false,
        queried: options.queried.clone(),
    };
    let failure = |sources, diagnostics| DiffFailure {
        side: Some(side),
        sources,
        diagnostics,
    };
    let mut engine = Engine::load(policy, &check).map_err(|f| failure(f.sources, f.diagnostics))?;
    if let Err(d) = engine.load_facts(facts) {
        return Err(failure(engine.sources, d));
    }
    match engine.evaluate(&options.eval) {
        Ok(model) => Ok(Version { engine, model }),
        Err(e) => {
            let d = eval_diagnostic(&e, engine.program());
            Err(failure(engine.sources, vec![d]))
        }
    }
}

/// Evaluates both versions over `facts` and compares their decisions.
pub fn diff(
    old: &[PathBuf],
    new: &[PathBuf],
    facts: &[PathBuf],
    options: &DiffOptions,
) -> Result<Diff, DiffFailure> {
    let old = evaluate(Side::Old, old, facts, options)?;
    let new = evaluate(Side::New, new, facts, options)?;
    let names = relation_names(&old, &new, &options.queried)?;
    let relations = names
        .into_iter()
        .map(|name| {
            let before = rows(&old, &name);
            let after = rows(&new, &name);
            let before_set: HashSet<&Vec<String>> = before.iter().map(|r| &r.literal).collect();
            let after_set: HashSet<&Vec<String>> = after.iter().map(|r| &r.literal).collect();
            RelationDiff {
                added: after
                    .iter()
                    .filter(|r| !before_set.contains(&r.literal))
                    .cloned()
                    .collect(),
                removed: before
                    .iter()
                    .filter(|r| !after_set.contains(&r.literal))
                    .cloned()
                    .collect(),
                relation: name,
            }
        })
        .collect();
    Ok(Diff { relations })
}

fn user_relation(v: &Version, name: &str) -> Option<RelationId> {
    let program = v.engine.program();
    program
        .relation_id(name)
        .filter(|id| program.relation(*id).kind == RelationKind::User)
}

fn relation_names(
    old: &Version,
    new: &Version,
    queried: &[String],
) -> Result<Vec<String>, DiffFailure> {
    if !queried.is_empty() {
        let mut out = vec![];
        for name in queried {
            if user_relation(old, name).is_none() && user_relation(new, name).is_none() {
                let program = new.engine.program();
                let known = program
                    .relations
                    .iter()
                    .filter(|r| r.kind == RelationKind::User)
                    .map(|r| r.name.as_str());
                let mut d = Diagnostic::error(
                    "unknown_relation",
                    format!("`--query {name}`: neither version has this relation"),
                );
                d = match did_you_mean(name, known) {
                    Some(close) => d.help(format!("did you mean `{close}`?")),
                    None => d.help("query a relation one of the versions declares or concludes"),
                };
                return Err(DiffFailure {
                    side: None,
                    sources: SourceMap::new(),
                    diagnostics: vec![d],
                });
            }
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        return Ok(out);
    }
    let mut out: Vec<String> = vec![];
    for v in [new, old] {
        let program = v.engine.program();
        for id in program.derived_relations() {
            let name = &program.relation(id).name;
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
    }
    Ok(out)
}

/// The rows of `name` in a version (none when it lacks the relation), sorted by value.
fn rows(v: &Version, name: &str) -> Vec<DiffRow> {
    let Some(id) = user_relation(v, name) else {
        return vec![];
    };
    let program = v.engine.program();
    let types = program.relation(id).types();
    v.model
        .sorted_rows(id, program, &v.engine.values)
        .iter()
        .map(|row| DiffRow {
            literal: row
                .iter()
                .zip(&types)
                .map(|(x, t)| v.engine.values.literal(*t, *x))
                .collect(),
            json: row
                .iter()
                .zip(&types)
                .map(|(x, t)| v.engine.values.to_json(*t, *x))
                .collect(),
        })
        .collect()
}

/// The text report: per changed relation a count line and its rows (`+` added, `-` removed), then
/// the totals.
pub fn text(diff: &Diff) -> String {
    let mut out = String::new();
    let changed: Vec<&RelationDiff> = diff
        .relations
        .iter()
        .filter(|r| !r.added.is_empty() || !r.removed.is_empty())
        .collect();
    for r in &changed {
        out.push_str(&format!(
            "{}: {} added, {} removed\n",
            r.relation,
            r.added.len(),
            r.removed.len()
        ));
        for row in &r.added {
            out.push_str(&format!("  + {}({})\n", r.relation, row.literal.join(", ")));
        }
        for row in &r.removed {
            out.push_str(&format!("  - {}({})\n", r.relation, row.literal.join(", ")));
        }
        out.push('\n');
    }
    if changed.is_empty() {
        out.push_str(&format!(
            "no differences in {}\n",
            count(diff.relations.len(), "relation")
        ));
    } else {
        out.push_str(&format!(
            "total: {} added, {} removed in {} of {}\n",
            diff.added(),
            diff.removed(),
            changed.len(),
            count(diff.relations.len(), "relation")
        ));
    }
    out
}

/// The JSON report (see `docs/testing.md`).
pub fn json(diff: &Diff) -> String {
    let mut relations = Map::new();
    for r in &diff.relations {
        let rows = |rows: &[DiffRow]| -> Json {
            Json::Array(rows.iter().map(|x| Json::Array(x.json.clone())).collect())
        };
        relations.insert(
            r.relation.clone(),
            json!({ "added": rows(&r.added), "removed": rows(&r.removed) }),
        );
    }
    let object = json!({
        "identical": diff.is_identical(),
        "added": diff.added(),
        "removed": diff.removed(),
        "relations": relations,
    });
    let mut out = serde_json::to_string_pretty(&object).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}
