//! `:why` and `:whynot` at the prompt: explanations of an atom over the session's current model (with
//! its what-if changes), as text or JSON by the session's format.

use super::session::{Outcome, Session};
use super::Format;
use crate::diagnostic::Diagnostic;

impl Session {
    /// `:why ATOM` and `:whynot ATOM`, by [`crate::explain`] over the current model.
    pub(super) fn explain(&mut self, why_not: bool, rest: &str) -> Outcome {
        use crate::explain::{self, ExplainOptions, DEFAULT_PROOF_DEPTH};
        let name = if why_not { "whynot" } else { "why" };
        if rest.is_empty() {
            return Outcome::error(
                Diagnostic::error("bad_argument", format!("`:{name}` needs an atom"))
                    .help(format!("`:{name} reduced_exams(S03)`")),
            );
        }
        if let Err(d) = self.ensure_model() {
            return Outcome::error(d);
        }
        let Some(model) = self.model.as_ref() else {
            return Outcome::default();
        };
        let json = self.format == Format::Json;
        let goal = match self.engine.parse_goal(rest) {
            Ok(g) => g,
            Err(diags) => return Outcome::errors(diags),
        };
        let options = ExplainOptions::default();
        let mut ctx = self.engine.explainer(model);
        let program = ctx.program;
        let mut warnings = vec![];
        let text = if why_not {
            let why = explain::why_not(&mut ctx, &goal, &options);
            if json {
                serde_json::to_string_pretty(&explain::why_not_json(&ctx, &why)).unwrap_or_default()
                    + "\n"
            } else {
                explain::render_why_not(&ctx, &why)
            }
        } else {
            let proofs = explain::explain(&mut ctx, &goal, &options);
            if proofs.is_empty() {
                let shown = goal.display(program, ctx.values);
                return Outcome::error(
                    Diagnostic::error("not_derived", format!("`{shown}` does not hold"))
                        .help(format!("`:whynot {rest}` shows why")),
                );
            }
            if let Some(d) = explain::depth_diagnostic(&ctx, &proofs, DEFAULT_PROOF_DEPTH) {
                warnings.push(d);
            }
            if json {
                let all: Vec<serde_json::Value> = proofs
                    .iter()
                    .map(|p| explain::proof_json(&ctx, p))
                    .collect();
                serde_json::to_string_pretty(&all).unwrap_or_default() + "\n"
            } else {
                proofs
                    .iter()
                    .map(|p| explain::render_text(&ctx, p))
                    .collect()
            }
        };
        Outcome {
            diagnostics: warnings,
            ..Outcome::text(text)
        }
    }
}
