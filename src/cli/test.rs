//! The command `accord test`: run the test blocks of every policy under the given paths.

use std::path::PathBuf;

use accord::testing::{report as test_report, run_path, Summary, TestOptions};

use super::commands::{fail, today};
use super::{report, Common, Format};

/// Runs the tests; exit 0 when every selected test passed, 1 otherwise (failures, errors, policies
/// that do not check).
pub fn test(paths: &[PathBuf], filter: Option<&str>, format: Format, common: &Common) -> i32 {
    let today = match today(common) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let options = TestOptions {
        today,
        filter: filter.map(str::to_string),
        eval: common.eval_options(),
    };
    let reports: Vec<_> = paths.iter().flat_map(|p| run_path(p, &options)).collect();
    for r in &reports {
        if !r.diagnostics.is_empty() {
            report(&r.diagnostics, &r.sources);
        }
        for t in &r.tests {
            if !t.diagnostics.is_empty() {
                report(&t.diagnostics, &r.sources);
            }
        }
    }
    let out = match format {
        Format::Text => test_report::text(&reports),
        Format::Json => test_report::json(&reports),
    };
    print!("{out}");
    i32::from(Summary::of(&reports).failed > 0)
}
