//! Check: names, arities, types, safety and stratification; lowers a valid policy to the IR.
//!
//! The second stage of the pipeline (after `syntax`, before `eval`). [`check`] collects every problem
//! it can find in one run; a later pass skips only what an earlier error makes meaningless (a rule with
//! an unknown relation is not type-checked, for instance). It succeeds with a [`Checked`] program only
//! when there is no error. Sub-passes, in order:
//! `expand` (sugar → conjunctive drafts) → `law` (effective periods, exceptions) → `relations`
//! (declarations, conclusions, resolution of every use) → `types` (inference) → `ground` (facts to
//! rows) → `types` (the check) and `lower` (IR + safety), draft by draft on every core →
//! stratification (`crate::stratify`, with `cycle` for its diagnostic) → `strict` warnings.
//! This module is the driver: it runs the passes in that order over the whole policy, assigns relation
//! ids (declared relations first, then in order of first appearance) and checks rule-name uniqueness.
//! Diagnostics keep the order of a sequential run (type errors, then the facts', then lowering's).
//!
//! Invariant: `Ok` only when no pass reported an error; then the program is safe and stratified.

mod cycle;
mod draft;
mod expand;
mod ground;
mod law;
mod lower;
mod mapping;
pub mod query;
mod relations;
mod strict;
mod types;
mod varmap;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::diagnostic::Diagnostic;
use crate::ir::{self, Column, Program, Relation, RelationId, RelationKind};
use crate::stratify::{stratify, Stratum};
use crate::syntax::ast::{self, Item};
use crate::syntax::Span;
use crate::value::{ValueStore, ValueType};
use crate::workspace::Policy;
use cycle::cycle_diagnostic;
use draft::*;
use ground::lower_fact;
use relations::{
    add_symmetry_rules, conclude, declare, name_columns_after, resolve_drafts, resolve_ground,
    RelationTable,
};
use strict::strict_warnings;

pub use expand::AGGREGATE_VAR;

/// What `check` needs besides the policy.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// The evaluation date (`today`), as a day number.
    pub today: i32,
    /// Also warn about declared relations nothing provides or uses, and conclusions nothing uses.
    pub strict: bool,
    /// Relations the caller will query (not "unused" under `strict`).
    pub queried: Vec<String>,
}

/// A policy that passed every check, lowered to the IR.
#[derive(Clone, Debug)]
pub struct Checked {
    pub program: Program,
    pub strata: Vec<Stratum>,
    /// Warnings (only under `strict`).
    pub warnings: Vec<Diagnostic>,
}

/// Checks a parsed policy and lowers it. `Err` holds every error (and warning) found.
pub fn check(
    policy: &Policy,
    values: &mut ValueStore,
    options: &CheckOptions,
) -> Result<Checked, Vec<Diagnostic>> {
    let mut diags = vec![];
    let mut table = RelationTable::default();
    let mut facts: Vec<&ast::FactDecl> = vec![];
    let mut sources: Vec<(&ast::RuleDecl, Option<&ast::Name>)> = vec![];

    // Declarations first, so that order and types are known whatever the file order.
    for (_, file) in &policy.files {
        for item in &file.items {
            if let Item::Relation(decl) = item {
                declare(&mut table, decl, &mut diags);
            }
        }
    }
    for (_, file) in &policy.files {
        for item in &file.items {
            match item {
                Item::Fact(f) => facts.push(f),
                Item::Rule(r) => sources.push((r, None)),
                Item::Subject(block) => {
                    sources.extend(block.rules.iter().map(|r| (r, Some(&block.subject))));
                }
                Item::Relation(_) | Item::Import(_) | Item::Test(_) | Item::Records(_) => {}
            }
        }
    }
    // Every rule on its own: on all cores, with the sequential result (see `expand::chunks`).
    let chunk = if rayon::current_num_threads() == 1 {
        sources.len()
    } else {
        expand::CHUNK_RULES
    };
    let expansion = expand::expand_rules(options.today, &sources, chunk);
    let mut drafts = expansion.drafts;
    let aggregates = expansion.aggregates;
    diags.extend(expansion.diagnostics);
    let rules: Vec<(&ast::RuleDecl, usize)> = sources
        .iter()
        .zip(expansion.indices)
        .map(|((rule, _), index)| (*rule, index))
        .collect();

    // Rule names, effective periods, exceptions.
    // Sized once: growing them page by page is a tenth of this sequential stretch.
    let mut named: Vec<law::NamedRule> = Vec::with_capacity(rules.len());
    let mut names: HashMap<&str, Span> =
        HashMap::with_capacity_and_hasher(rules.len() + facts.len(), Default::default());
    for f in &facts {
        if let Some(n) = &f.name {
            unique_name(&mut names, n, &mut diags);
        }
    }
    let mut by_rule = None;
    for (rule, index) in &rules {
        law::apply_effective(
            rule,
            *index,
            options.today,
            &mut drafts,
            &mut by_rule,
            &mut diags,
        );
        let exceptions_to: Vec<&ast::Name> = rule
            .annotations
            .iter()
            .flat_map(|a| match a {
                ast::Annotation::ExceptionTo { rules, .. } => rules.iter().collect(),
                _ => vec![],
            })
            .collect();
        if let Some(name) = &rule.name {
            unique_name(&mut names, name, &mut diags);
            named.push(law::NamedRule {
                name,
                index: *index,
                exceptions_to,
                head_span: rule.head.span(),
            });
        }
    }
    law::apply_exceptions(&named, &mut drafts, &mut diags);
    add_symmetry_rules(&table, &mut drafts, &mut diags);

    // Relations concluded by facts and rules; arities.
    for f in &facts {
        conclude(
            &mut table,
            &f.atom.relation.text,
            f.atom.args.len(),
            f.atom.span,
            false,
        );
    }
    for d in &drafts {
        let auxiliary = d.head.relation.starts_with("__");
        let fresh = !table.contains_key(d.head.relation.as_str());
        conclude(
            &mut table,
            &d.head.relation,
            d.head.args.len(),
            d.head.span,
            auxiliary,
        );
        if fresh && !auxiliary {
            name_columns_after(&mut table, &d.head);
        }
    }
    for agg in &aggregates {
        let group_len = agg.group_len + 1;
        conclude(&mut table, &agg.output, group_len, agg.span, true);
    }
    let bad_drafts = resolve_drafts(&mut table, &drafts, &mut diags);
    let mut bad_facts = vec![false; facts.len()];
    for (i, f) in facts.iter().enumerate() {
        bad_facts[i] = !resolve_ground(&mut table, &f.atom, &mut diags);
    }

    // Types: facts fix undeclared columns first, then rules are inferred to a fixpoint.
    for (i, f) in facts.iter().enumerate() {
        if bad_facts[i] {
            continue;
        }
        if let Some(rel) = table.get_mut(f.atom.relation.text.as_str()) {
            for (col, arg) in rel.columns.iter_mut().zip(&f.atom.args) {
                if let (None, ast::Expr::Literal(l)) = (col.ty, arg) {
                    col.ty = Some(types::literal_type(l));
                }
                if let (None, ast::Expr::Today(_)) = (col.ty, arg) {
                    col.ty = Some(ValueType::Date);
                }
            }
        }
    }
    let good: Vec<&Draft> = drafts
        .iter()
        .zip(&bad_drafts)
        .filter(|(_, bad)| !**bad)
        .map(|(d, _)| d)
        .collect();
    let var_types = types::infer(&mut table, &good, &aggregates);

    // The IR.
    let mut program = Program {
        today: options.today,
        ..Program::default()
    };
    let mut relation_ids = HashMap::default();
    let mut order: Vec<(usize, &String)> =
        table.iter().enumerate().map(|(i, (n, _))| (i, n)).collect();
    order.sort_by_key(|(i, n)| (!table[*n].declared, *i));
    for (position, (_, name)) in order.iter().enumerate() {
        let info = &table[*name];
        relation_ids.insert((*name).clone(), RelationId(program.relations.len() as u32));
        program.relations.push(Relation {
            name: (*name).clone(),
            columns: info
                .columns
                .iter()
                .map(|c| Column {
                    name: c.name.clone(),
                    ty: types::settled(c.ty),
                    optional: c.optional,
                })
                .collect(),
            kind: if info.auxiliary {
                RelationKind::Auxiliary
            } else {
                RelationKind::User
            },
            span: Some(info.span),
            declared: info.declared,
            open: info.open,
            order: position as u32,
        });
    }
    // Facts intern their constants before rules do.
    let mut fact_diags = vec![];
    for (i, f) in facts.iter().enumerate() {
        if bad_facts[i] {
            continue;
        }
        if let Some(fact) = lower_fact(
            f,
            &table,
            &relation_ids,
            values,
            options.today,
            &mut fact_diags,
        ) {
            program.facts.push(fact);
        }
    }
    // Type errors, then the facts' problems, then (without type errors) the rules' lowering.
    let (mut type_errors, lowered) =
        lower::check_and_lower(&table, &good, var_types, &relation_ids, values);
    diags.append(&mut type_errors);
    diags.append(&mut fact_diags);
    if let Some((rules, mut lowering_diags)) = lowered {
        program.rules = rules;
        diags.append(&mut lowering_diags);
    }
    // The drafts are done with; freeing them node by node is a tenth of the checker's sequential
    // time, so they are freed on every core, while the rest of the check runs.
    drop(good);
    let (result, ()) = rayon::join(
        || {
            finish(
                policy,
                options,
                &table,
                &relation_ids,
                &aggregates,
                program,
                diags,
            )
        },
        move || drafts.into_par_iter().with_min_len(256).for_each(drop),
    );
    result
}

/// The end of [`check`], once the rules are lowered: aggregates, mappings, every error found (sorted)
/// or the strata, and the warnings.
fn finish(
    policy: &Policy,
    options: &CheckOptions,
    table: &RelationTable,
    relation_ids: &HashMap<String, RelationId>,
    aggregates: &[AggregateDraft],
    mut program: Program,
    mut diags: Vec<Diagnostic>,
) -> Result<Checked, Vec<Diagnostic>> {
    for agg in aggregates {
        let (Some(input), Some(output)) = (
            relation_ids.get(agg.input.as_str()),
            relation_ids.get(agg.output.as_str()),
        ) else {
            continue;
        };
        if agg.op == ir::AggregateOp::Sum {
            let target_ty = agg.target.map(|t| program.relation(*input).columns[t].ty);
            if target_ty.is_some_and(|t| t != ValueType::Number) {
                diags.push(
                    Diagnostic::error("type_mismatch", "`sum` adds numbers")
                        .label(agg.span, "the aggregated variable is not a number")
                        .help("sum a number variable; use `count` to count rows"),
                );
            }
        }
        program.aggregates.push(ir::Aggregate {
            op: agg.op,
            input: *input,
            output: *output,
            group: (0..agg.group_len).collect(),
            target: agg.target,
            span: agg.span,
        });
    }
    program.mappings = mapping::check_mappings(policy, table, relation_ids, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        crate::diagnostic::sort(&mut diags);
        return Err(diags);
    }
    let strata = match stratify(&program) {
        Ok(s) => s,
        Err(cycle) => {
            diags.push(cycle_diagnostic(&program, &cycle));
            return Err(diags);
        }
    };
    let mut warnings = vec![];
    if options.strict {
        warnings = strict_warnings(table, &program, options);
    }
    Ok(Checked {
        program,
        strata,
        warnings,
    })
}

fn unique_name<'a>(
    names: &mut HashMap<&'a str, Span>,
    name: &'a ast::Name,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(first) = names.get(name.text.as_str()) {
        diags.push(
            Diagnostic::error(
                "duplicate_rule_name",
                format!("the name `{}` is used twice", name.text),
            )
            .label(name.span, "named again here")
            .label(*first, "first named here")
            .help("rule and fact names are unique in a policy; rename one"),
        );
    } else {
        names.insert(&name.text, name.span);
    }
}

#[cfg(test)]
mod tests;
