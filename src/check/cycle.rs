//! The diagnostic for a program that cannot be stratified: a negation or aggregate inside a cycle.
//!
//! Runs inside [`super::check`] when [`crate::stratify::stratify`] finds a cycle in the lowered program.
//! It names relations in the author's terms (auxiliary relations are described, never named), starts
//! the cycle's path at a relation the author wrote and closes it, and labels each step once, negative
//! steps first, on the premise or aggregate that makes it.

use crate::diagnostic::Diagnostic;
use crate::ir::{self, Program, RelationId};
use crate::stratify::{CycleStep, NegativeCycle};
use crate::syntax::Span;

/// How a relation is named to the author: auxiliary relations are described, not named.
fn display_relation(program: &Program, id: RelationId) -> String {
    let name = &program.relation(id).name;
    if name.starts_with("__aggregate") {
        "an aggregate".to_string()
    } else if let Some(base) = name.strip_prefix("__defeated_") {
        format!("the exceptions to `{base}`")
    } else {
        format!("`{name}`")
    }
}

pub(super) fn cycle_diagnostic(program: &Program, cycle: &NegativeCycle) -> Diagnostic {
    let name = |id: RelationId| display_relation(program, id);
    let mut path: Vec<String> = vec![];
    for step in &cycle.steps {
        if path.last() != Some(&name(step.from)) {
            path.push(name(step.from));
        }
    }
    // Start the path at a relation the author wrote, and close it.
    if let Some(user) = path.iter().position(|p| p.starts_with('`')) {
        path.rotate_left(user);
    }
    if let Some(first) = path.first().cloned() {
        path.push(first);
    }
    let through_aggregate = cycle
        .steps
        .iter()
        .any(|s| s.negative && s.aggregate.is_some());
    let mut d = if through_aggregate {
        Diagnostic::error(
            "aggregate_recursion",
            format!(
                "an aggregate depends on its own result: {}",
                path.join(" → ")
            ),
        )
        .help("an aggregate must range over relations that do not depend on the rule using it")
    } else {
        Diagnostic::error("negation_cycle", format!("negation runs through a cycle: {}", path.join(" → ")))
            .help("a relation cannot depend on its own negation; break the cycle, e.g. by computing the negated relation from base facts only")
    };
    // Negative steps first, so that the primary label is where the cycle goes through a negation.
    let mut steps: Vec<&CycleStep> = cycle.steps.iter().collect();
    steps.sort_by_key(|s| !s.negative);
    let mut labelled: Vec<Span> = vec![];
    for step in steps {
        let aux = |id: RelationId| program.relation(id).name.starts_with("__aggregate");
        let label = if step.aggregate.is_some() {
            "this aggregate".to_string()
        } else if aux(step.to) && !aux(step.from) {
            format!("the aggregate ranges over {}", name(step.from))
        } else if aux(step.from) && !aux(step.to) {
            format!("{} uses the aggregate's result", name(step.to))
        } else {
            // "the exceptions to `x`" is plural: "depend", not "depends".
            let to = name(step.to);
            let verb = if to.starts_with("the exceptions") {
                "depend"
            } else {
                "depends"
            };
            let what = if step.negative {
                " on the absence of"
            } else {
                " on"
            };
            format!("{to} {verb}{what} {}", name(step.from))
        };
        let span = if let Some(rule) = step.rule {
            let r = program.rule(rule);
            r.body
                .iter()
                .find(|l| match l {
                    ir::Literal::Atom { relation, .. } | ir::Literal::Negated { relation, .. } => {
                        *relation == step.from
                    }
                    _ => false,
                })
                .map(|l| l.span())
                .unwrap_or(r.origin.span)
        } else if let Some(a) = step.aggregate {
            program.aggregates[a].span
        } else {
            continue;
        };
        if labelled.iter().any(|l| l.same_as(&span)) {
            continue;
        }
        labelled.push(span);
        d = d.label(span, label);
    }
    d
}
