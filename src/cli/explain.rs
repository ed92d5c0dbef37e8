//! The command `explain`: the proof of a derived fact, or why an atom is not derived; and the proofs
//! `eval --explain` appends. A thin front end over [`accord::explain`].

use std::path::PathBuf;

use accord::check::CheckOptions;
use accord::diagnostic::Diagnostic;
use accord::engine::{eval_diagnostic, Engine};
use accord::eval::Model;
use accord::explain::{self, goal::matches, ExplainOptions, Goal};
use accord::ir::RelationId;
use accord::value::format_day;

use super::commands::{fail, today};
use super::{report, Common, Format};

/// What `accord explain` was asked.
pub struct Request {
    /// Policy paths, then the atom (the last argument).
    pub args: Vec<String>,
    pub facts: Vec<PathBuf>,
    pub why_not: bool,
    pub format: Format,
    pub depth: Option<usize>,
    pub limit: usize,
}

/// The most facts `eval --explain` explains.
pub const EVAL_EXPLAIN_LIMIT: usize = 200;

/// Loads, checks and evaluates; reports and returns `None` on failure.
fn prepare(paths: &[PathBuf], facts: &[PathBuf], common: &Common) -> Option<(Engine, Model, i32)> {
    let today = match today(common) {
        Ok(t) => t,
        Err(d) => {
            fail(d);
            return None;
        }
    };
    let options = CheckOptions {
        today,
        strict: false,
        queried: vec![],
    };
    let mut engine = match Engine::load(paths, &options) {
        Ok(e) => e,
        Err(failure) => {
            report(&failure.diagnostics, &failure.sources);
            return None;
        }
    };
    if let Err(diagnostics) = engine.load_facts(facts) {
        report(&diagnostics, &engine.sources);
        return None;
    }
    match engine.evaluate(&common.eval_options()) {
        Ok(model) => Some((engine, model, today)),
        Err(e) => {
            report(&[eval_diagnostic(&e, engine.program())], &engine.sources);
            None
        }
    }
}

pub fn explain(request: &Request, common: &Common) -> i32 {
    let Some((atom, paths)) = request.args.split_last() else {
        return fail(Diagnostic::error("no_atom", "no atom to explain").help(
            "write the atom last: `accord explain policies/ --facts data.json 'fewer_exams(ACME)'`",
        ));
    };
    if paths.is_empty() {
        return fail(
            Diagnostic::error("no_policy", "no policy files were given")
                .help("name policy files or directories before the atom: `accord explain policies/ 'fewer_exams(ACME)'`"),
        );
    }
    if let Some(depth) = request.depth.filter(|d| *d > explain::MAX_DEPTH) {
        return fail(
            Diagnostic::error(
                "bad_argument",
                format!("`--depth {depth}` is deeper than explanations go"),
            )
            .help(format!(
                "explanations are at most {} levels deep; ask for `--depth {}` or less",
                explain::MAX_DEPTH,
                explain::MAX_DEPTH
            )),
        );
    }
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let Some((mut engine, model, today)) = prepare(&paths, &request.facts, common) else {
        return 1;
    };
    let goal = match engine.parse_goal(atom) {
        Ok(g) => g,
        Err(diagnostics) => {
            report(&diagnostics, &engine.sources);
            return 1;
        }
    };
    let options = ExplainOptions {
        depth: request.depth,
        limit: request.limit,
        ..ExplainOptions::default()
    };
    let mut ctx = engine.explainer(&model);
    if request.why_not {
        let why = explain::why_not(&mut ctx, &goal, &options);
        match request.format {
            Format::Json => {
                let mut json = serde_json::Map::new();
                if let serde_json::Value::Object(object) = explain::why_not_json(&ctx, &why) {
                    for (key, value) in object {
                        json.insert(key.clone(), value);
                        if key == "atom" {
                            json.insert("as_of".into(), format_day(today).into());
                        }
                    }
                }
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                );
            }
            Format::Text => print!(
                "as of {}\n\n{}",
                format_day(today),
                explain::render_why_not(&ctx, &why)
            ),
        }
        return 0;
    }
    let total = matches(&mut ctx, &goal, options.limit.saturating_add(1)).len();
    let proofs = explain::explain(&mut ctx, &goal, &options);
    let depth = options.depth.unwrap_or(explain::DEFAULT_PROOF_DEPTH);
    if let Some(d) = explain::depth_diagnostic(&ctx, &proofs, depth) {
        report(&[d], ctx.sources);
    }
    let shown = goal.display(ctx.program, ctx.values);
    match request.format {
        Format::Json => {
            let json = serde_json::json!({
                "atom": shown,
                "as_of": format_day(today),
                "holds": !proofs.is_empty(),
                "proofs": proofs.iter().map(|p| explain::proof_json(&ctx, p)).collect::<Vec<_>>(),
                "truncated": total > proofs.len(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        Format::Text => {
            let mut out = format!("as of {}\n", format_day(today));
            for proof in &proofs {
                out.push('\n');
                out.push_str(&explain::render_text(&ctx, proof));
            }
            if proofs.is_empty() {
                out.push_str(&format!(
                    "\n{shown} is not derived (`--why-not` shows why)\n"
                ));
            } else if total > proofs.len() {
                out.push_str(&format!(
                    "\nonly the first {} matches are shown (`--limit N` shows more)\n",
                    proofs.len()
                ));
            }
            print!("{out}");
        }
    }
    i32::from(proofs.is_empty())
}

/// The proofs of every row of `relations`, for `eval --explain`; an error when there are too many.
pub fn eval_explanations(
    engine: &mut Engine,
    model: &Model,
    relations: &[RelationId],
    format: Format,
) -> Result<String, Diagnostic> {
    let total: usize = relations.iter().map(|r| model.len(*r)).sum();
    if total > EVAL_EXPLAIN_LIMIT {
        return Err(Diagnostic::error(
            "too_many_to_explain",
            format!("`--explain` explains at most {EVAL_EXPLAIN_LIMIT} facts, and this evaluation prints {total}"),
        )
        .help("select fewer relations with `--query REL`, or explain one fact with `accord explain PATH… ATOM`"));
    }
    let mut ctx = engine.explainer(model);
    let mut rows = vec![];
    for r in relations {
        for row in model.sorted_rows(*r, ctx.program, ctx.values) {
            rows.push(Goal::ground(*r, &row));
        }
    }
    let options = ExplainOptions::default();
    let mut proofs = vec![];
    for goal in &rows {
        proofs.extend(explain::explain(&mut ctx, goal, &options));
    }
    if let Some(d) = explain::depth_diagnostic(&ctx, &proofs, explain::DEFAULT_PROOF_DEPTH) {
        report(&[d], ctx.sources);
    }
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&serde_json::Value::Array(
            proofs
                .iter()
                .map(|p| explain::proof_json(&ctx, p))
                .collect(),
        ))
        .unwrap_or_default(),
        Format::Text => proofs
            .iter()
            .map(|p| explain::render_text(&ctx, p))
            .collect::<Vec<_>>()
            .join("\n"),
    })
}
