//! Strict-mode warnings: declared relations nothing provides or uses, and conclusions nothing uses.
//!
//! Runs last in [`super::check`], only under `CheckOptions::strict` and only for a program that passed
//! every check. Warnings never make `check` fail. Auxiliary relations are never reported; relations the
//! caller queries count as used. The warnings come back sorted.

use rustc_hash::FxHashSet as HashSet;

use super::relations::RelationTable;
use super::CheckOptions;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Program, RelationId, RelationKind, RulePurpose};

pub(super) fn strict_warnings(
    table: &RelationTable,
    program: &Program,
    options: &CheckOptions,
) -> Vec<Diagnostic> {
    let mut out = vec![];
    for (name, info) in table.iter().filter(|(_, i)| !i.auxiliary) {
        if info.declared && !info.provided && !info.used {
            out.push(
                Diagnostic::warning(
                    "unused_relation",
                    format!("`{name}` is declared but nothing provides or uses it"),
                )
                .label(info.span, "declared here")
                .help("remove the declaration, or use the relation in a rule"),
            );
        }
    }
    let used: HashSet<RelationId> = program
        .rules
        .iter()
        .flat_map(|r| r.body.iter())
        .filter_map(|l| match l {
            ir::Literal::Atom { relation, .. } | ir::Literal::Negated { relation, .. } => {
                Some(*relation)
            }
            _ => None,
        })
        .chain(program.aggregates.iter().map(|a| a.input))
        .collect();
    let mut warned = HashSet::default();
    for rule in program
        .rules
        .iter()
        .filter(|r| r.origin.purpose == RulePurpose::Written)
    {
        let rel = program.relation(rule.head);
        if rel.kind == RelationKind::User
            && !used.contains(&rule.head)
            && !options.queried.contains(&rel.name)
            && warned.insert(rule.origin.span.start)
        {
            out.push(
                Diagnostic::warning(
                    "unused_conclusion",
                    format!("nothing uses `{}`, the conclusion of this rule", rel.name),
                )
                .label(rule.origin.span, "this rule's conclusion is never used")
                .help(format!(
                    "query it (`--query {}`), use it in another rule, or remove the rule",
                    rel.name
                )),
            );
        }
    }
    crate::diagnostic::sort(&mut out);
    out
}
