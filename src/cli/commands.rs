//! The commands `check` and `eval`.

use std::path::PathBuf;

use accord::check::CheckOptions;
use accord::diagnostic::{did_you_mean, Diagnostic};
use accord::engine::Engine;
use accord::syntax::SourceMap;
use accord::value::{day_of, format_day, parse_date};

use super::{report, Common, Format};

/// The evaluation date: `--as-of`, or today's date in the local time zone.
pub(super) fn today(common: &Common) -> Result<i32, Diagnostic> {
    match &common.as_of {
        Some(text) => parse_date(text).ok_or_else(|| {
            Diagnostic::error("bad_date", format!("`--as-of {text}` is not a date"))
                .help("write the date as YYYY-MM-DD, e.g. `--as-of 2025-06-30`")
        }),
        None => Ok(day_of(jiff::Zoned::now().date())),
    }
}

/// Reads and parses the policy at `paths` while [`today`] reads the clock (finding the local time
/// zone takes about a millisecond), then checks it with the options `options` makes from the date.
/// `Err` is the exit code, once the problems are reported. The parse is `join`'s first task, which
/// the first worker starts at once; the clock waits for the second worker, which starts later (half a
/// millisecond on this project's VM).
fn load_dated(
    paths: &[PathBuf],
    common: &Common,
    options: impl FnOnce(i32) -> CheckOptions,
) -> Result<Engine, i32> {
    let (parsed, today) = rayon::join(|| Engine::parse(paths), || today(common));
    let options = options(today.map_err(fail)?);
    parsed.check(&options).map_err(|failure| {
        report(&failure.diagnostics, &failure.sources);
        1
    })
}

pub(super) fn fail(diagnostic: Diagnostic) -> i32 {
    report(&[diagnostic], &SourceMap::new());
    1
}

pub fn check(paths: &[PathBuf], strict: bool, common: &Common) -> i32 {
    let engine = match load_dated(paths, common, |today| CheckOptions {
        today,
        strict,
        queried: vec![],
    }) {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let warnings = &engine.checked.warnings;
    if !warnings.is_empty() {
        report(warnings, &engine.sources);
    }
    let p = engine.program();
    let user = p
        .relations
        .iter()
        .filter(|r| r.kind == accord::ir::RelationKind::User)
        .count();
    println!(
        "{}: {} files, {} relations, {} rules, {} facts{}",
        if warnings.is_empty() {
            "ok"
        } else {
            "warnings"
        },
        engine.policy.files.len(),
        user,
        p.rules
            .iter()
            .filter(|r| r.origin.purpose == accord::ir::RulePurpose::Written)
            .count(),
        p.facts.len(),
        match warnings.len() {
            0 => String::new(),
            1 => ", 1 warning".to_string(),
            n => format!(", {n} warnings"),
        }
    );
    let code = i32::from(strict && !warnings.is_empty());
    // The process ends with this command: freeing the program node by node only costs time.
    std::mem::forget(engine);
    code
}

pub fn eval(
    paths: &[PathBuf],
    facts: &[PathBuf],
    query: &[String],
    format: Format,
    explain: bool,
    common: &Common,
) -> i32 {
    let mut engine = match load_dated(paths, common, |today| CheckOptions {
        today,
        strict: false,
        queried: query.to_vec(),
    }) {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let today = engine.program().today;
    let mut progress = super::facts::LoadProgress::new();
    if let Err(diagnostics) = engine.load_facts_with(facts, &mut progress) {
        report(&diagnostics, &engine.sources);
        return 1;
    }
    let program = engine.program();
    let relations = if query.is_empty() {
        program.derived_relations()
    } else {
        let mut ids = vec![];
        for name in query {
            match program
                .relation_id(name)
                .filter(|id| program.relation(*id).kind == accord::ir::RelationKind::User)
            {
                Some(id) => ids.push(id),
                None => {
                    let names = program
                        .relations
                        .iter()
                        .filter(|r| r.kind == accord::ir::RelationKind::User);
                    let mut d = Diagnostic::error(
                        "unknown_relation",
                        format!("`--query {name}`: no such relation"),
                    );
                    d = match did_you_mean(name, names.map(|r| r.name.as_str())) {
                        Some(close) => d.help(format!("did you mean `{close}`?")),
                        None => d.help("query a relation the policy declares or concludes"),
                    };
                    return fail(d);
                }
            }
        }
        ids
    };
    let model = match engine.evaluate_consuming_facts(&common.eval_options()) {
        Ok(m) => m,
        Err(e) => {
            let d = accord::engine::eval_diagnostic(&e, engine.program());
            report(&[d], &engine.sources);
            return 1;
        }
    };
    let explanations = if explain {
        match super::explain::eval_explanations(&mut engine, &model, &relations, format) {
            Ok(text) => Some(text),
            Err(d) => return fail(d),
        }
    } else {
        None
    };
    let program = engine.program();
    if let (Format::Json, None) = (format, &explanations) {
        // The batch's JSON goes straight to stdout as it is rendered.
        let stdout = std::io::stdout().lock();
        return match accord::output::write_json(stdout, &model, program, &engine.values, &relations)
        {
            Ok(()) => 0,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(e) => fail(
                Diagnostic::error("io", format!("cannot write the output: {e}"))
                    .help("check that the output can be written"),
            ),
        };
    }
    let out = match (format, explanations) {
        (Format::Json, Some(proofs)) => {
            let parse = |text: &str| {
                serde_json::from_str::<serde_json::Value>(text).unwrap_or(serde_json::Value::Null)
            };
            let relations = parse(&accord::output::json(
                &model,
                program,
                &engine.values,
                &relations,
            ));
            let both =
                serde_json::json!({ "relations": relations, "explanations": parse(&proofs) });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&both).unwrap_or_default()
            )
        }
        (Format::Text, Some(proofs)) => format!(
            "as of {}\n\n{}\nexplanations\n\n{proofs}",
            format_day(today),
            accord::output::text(&model, program, &engine.values, &relations)
        ),
        (format, None) => match format {
            Format::Json => accord::output::json(&model, program, &engine.values, &relations),
            Format::Text => format!(
                "as of {}\n\n{}",
                format_day(today),
                accord::output::text(&model, program, &engine.values, &relations)
            ),
        },
    };
    print!("{out}");
    0
}
