//! The command `accord diff`: the decisions that change between two versions of a policy.

use std::path::PathBuf;

use accord::testing::diff::{self, DiffOptions};
use accord::testing::git::{self, Materialized};

use super::commands::{fail, today};
use super::{report, Common, Format};

/// A version on the command line: a path, or `git:REV:PATH` written out to a temporary directory.
fn version(spec: &str) -> Result<(PathBuf, Option<Materialized>), i32> {
    if !git::is_git(spec) {
        return Ok((PathBuf::from(spec), None));
    }
    match git::materialize(spec) {
        Ok(m) => Ok((m.path.clone(), Some(m))),
        Err(d) => Err(fail(d)),
    }
}

/// Exit 0 when both versions decide the same, 3 when they differ, 1 on any error.
pub fn diff(
    old: &str,
    new: &str,
    facts: &[PathBuf],
    query: &[String],
    format: Format,
    common: &Common,
) -> i32 {
    let today = match today(common) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let (old_path, old_git) = match version(old) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let (new_path, new_git) = match version(new) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let options = DiffOptions {
        today,
        queried: query.to_vec(),
        eval: common.eval_options(),
    };
    match diff::diff(&[old_path], &[new_path], facts, &options) {
        Ok(result) => {
            print!(
                "{}",
                match format {
                    Format::Text => diff::text(&result),
                    Format::Json => diff::json(&result),
                }
            );
            if result.is_identical() {
                0
            } else {
                3
            }
        }
        Err(mut failure) => {
            for m in [&old_git, &new_git].into_iter().flatten() {
                let dir = format!("{}/", m.dir.display());
                failure.sources.rename_prefix(&dir, &m.label);
            }
            if let Some(side) = failure.side {
                eprintln!(
                    "error: the {} version (`{}`) cannot be evaluated",
                    side.name(),
                    if side == diff::Side::Old { old } else { new }
                );
            }
            report(&failure.diagnostics, &failure.sources);
            1
        }
    }
}
