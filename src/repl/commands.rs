//! Queries and the read-only commands: `:facts`, `:rules`.
//!
//! A query is lowered by [`crate::check::lower_query`] against the current program and answered by
//! [`crate::eval::answer`] over the current model (with the what-if changes); each disjunct is
//! answered and the bindings are merged, deduplicated and sorted by value.

use std::time::Instant;

use serde_json::{json, Value as Json};

use crate::check::query::lower_query;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::ir::{RelationId, RelationKind, RulePurpose};
use crate::output::table;
use crate::syntax::ast::Formula;
use crate::value::{Value, ValueType};

use super::session::{plural, Format, Outcome, Session};

impl Session {
    /// Answers a query typed at the prompt.
    pub(super) fn query(&mut self, formula: &Formula) -> Outcome {
        let start = Instant::now();
        if let Err(d) = self.ensure_model() {
            return Outcome::error(d);
        }
        let mut out = self.timing_line("evaluation", start);
        let start = Instant::now();
        let query = match lower_query(
            &self.engine.checked.program,
            formula,
            &mut self.engine.values,
        ) {
            Ok(q) => q,
            Err(diags) => return Outcome::errors(diags),
        };
        let Some(model) = self.model.as_ref() else {
            return Outcome::default();
        };
        let mut rows: Vec<Vec<Value>> = vec![];
        for rule in &query.rules {
            let found = match crate::eval::answer(
                model,
                &self.engine.checked.program,
                &rule.body,
                &rule.vars,
                &mut self.engine.values,
            ) {
                Ok(r) => r,
                Err(e) => {
                    return Outcome::error(crate::engine::eval_diagnostic(
                        &e,
                        self.engine.program(),
                    ))
                }
            };
            let projection: Vec<usize> = rule
                .head_args
                .iter()
                .map(|e| match e {
                    crate::ir::Expr::Var(v) => v.index(),
                    _ => 0,
                })
                .collect();
            rows.extend(found.into_iter().map(|row| {
                projection
                    .iter()
                    .filter_map(|&i| row.get(i).copied())
                    .collect::<Vec<_>>()
            }));
        }
        let types: Vec<ValueType> = query.columns.iter().map(|c| c.ty).collect();
        let values = &self.engine.values;
        rows.sort_by(|a, b| values.compare_rows(&types, a, b));
        rows.dedup();
        let header: Vec<String> = query.columns.iter().map(|c| c.name.to_string()).collect();
        out = format!(
            "{}{out}{}",
            self.render_rows(&header, &types, &rows, self.limit, true),
            self.timing_line("query", start)
        );
        Outcome::text(out)
    }

    /// Rows as a table with a count (or yes/no when there are no columns), or as JSON.
    pub(super) fn render_rows(
        &self,
        header: &[String],
        types: &[ValueType],
        rows: &[Vec<Value>],
        limit: usize,
        yes_no: bool,
    ) -> String {
        let values = &self.engine.values;
        if self.format == Format::Json {
            let body: Vec<Json> = rows
                .iter()
                .map(|row| {
                    Json::Array(
                        row.iter()
                            .zip(types)
                            .map(|(v, t)| values.to_json(*t, *v))
                            .collect(),
                    )
                })
                .collect();
            let value = if header.is_empty() && yes_no {
                json!({ "holds": !rows.is_empty() })
            } else {
                json!({ "columns": header, "rows": body })
            };
            return format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
        if header.is_empty() {
            return if rows.is_empty() { "no\n" } else { "yes\n" }.to_string();
        }
        let shown: Vec<Vec<String>> = rows
            .iter()
            .take(limit)
            .map(|row| {
                row.iter()
                    .zip(types)
                    .map(|(v, t)| values.display(*t, *v))
                    .collect()
            })
            .collect();
        let mut out = if shown.is_empty() {
            String::new()
        } else {
            table(header.to_vec(), shown)
        };
        if rows.len() > limit {
            out.push_str(&format!(
                "{limit} of {} rows shown (`:limit {}` shows more)\n",
                rows.len(),
                rows.len()
            ));
        } else {
            out.push_str(&format!(
                "{} {}\n",
                rows.len(),
                plural(rows.len(), "row", "rows")
            ));
        }
        out
    }

    /// Finds a relation by the name a user typed, with a did-you-mean when there is none.
    pub(super) fn relation_named(&self, name: &str) -> Result<RelationId, Diagnostic> {
        let program = self.engine.program();
        program
            .relation_id(name)
            .filter(|id| program.relation(*id).kind == RelationKind::User)
            .ok_or_else(|| {
                let names = self.relation_names();
                let d = Diagnostic::error("unknown_relation", format!("unknown relation `{name}`"));
                match did_you_mean(name, names.iter().map(String::as_str)) {
                    Some(close) => d.help(format!("did you mean `{close}`?")),
                    None => d.help("`:rules` lists the rules; the relations are their conclusions and premises"),
                }
            })
    }

    /// `:facts REL [LIMIT]`: the rows of a relation (base and derived) in the current model.
    pub(super) fn facts(&mut self, rest: &str) -> Outcome {
        let mut words = rest.split_whitespace();
        let Some(name) = words.next() else {
            return Outcome::error(
                Diagnostic::error("bad_argument", "`:facts` needs a relation name")
                    .help("`:facts shipment` or `:facts shipment 10`"),
            );
        };
        let limit = match words.next().map(str::parse::<usize>) {
            None => self.limit,
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                return Outcome::error(
                    Diagnostic::error("bad_argument", "`:facts REL LIMIT`: the limit is a number")
                        .help("`:facts shipment 10` shows up to 10 rows"),
                )
            }
        };
        let id = match self.relation_named(name) {
            Ok(id) => id,
            Err(d) => return Outcome::error(d),
        };
        if let Err(d) = self.ensure_model() {
            return Outcome::error(d);
        }
        let Some(model) = self.model.as_ref() else {
            return Outcome::default();
        };
        let program = self.engine.program();
        let rel = program.relation(id);
        let rows = model.sorted_rows(id, program, &self.engine.values);
        let header = rel.column_names();
        let types = rel.types();
        if rel.columns.is_empty() && self.format == Format::Text {
            return Outcome::text(format!("{name}: {}\n", !rows.is_empty()));
        }
        Outcome::text(self.render_rows(&header, &types, &rows, limit, false))
    }

    /// `:rules [REL]`: the written rules (concluding REL), with name, place and legal source.
    pub(super) fn rules(&mut self, rest: &str) -> Outcome {
        let filter = match rest.split_whitespace().next() {
            None => None,
            Some(name) => match self.relation_named(name) {
                Ok(id) => Some(id),
                Err(d) => return Outcome::error(d),
            },
        };
        let program = self.engine.program();
        let sources = &self.engine.sources;
        let mut seen: Vec<crate::syntax::Span> = vec![];
        let mut out = String::new();
        let mut count = 0;
        for rule in &program.rules {
            if rule.origin.purpose != RulePurpose::Written {
                continue;
            }
            if filter.is_some_and(|f| f != rule.head) {
                continue;
            }
            if seen.iter().any(|s| s.same_as(&rule.origin.span)) {
                continue;
            }
            seen.push(rule.origin.span);
            count += 1;
            let place = sources.location(rule.origin.span);
            let place = if place.name.starts_with("<repl>") && place.line == 1 {
                place.name.to_string()
            } else {
                place.to_string()
            };
            let title = match &rule.origin.name {
                Some(n) => format!("{n} ({place})"),
                None => format!("{} ({place})", program.relation(rule.head).name),
            };
            out.push_str(&title);
            out.push('\n');
            let snippet = sources.snippet(rule.origin.span);
            if let Some(source) = rule
                .origin
                .source
                .as_ref()
                .filter(|_| !snippet.contains("source \""))
            {
                out.push_str(&format!("  source: {source}\n"));
            }
            for line in snippet.lines() {
                out.push_str("  ");
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        if count == 0 {
            out.push_str(match filter {
                Some(_) => "no rule concludes it: its rows are facts\n",
                None => "no rules\n",
            });
        }
        Outcome::text(out)
    }
}
