//! Check: names, arities, types, safety and stratification; lowers a valid policy to the IR.
//!
//! The second stage of the pipeline (after `syntax`, before `eval`). [`check`] collects every problem
//! it can find in one run; a later pass skips only what an earlier error makes meaningless (a rule with
//! an unknown relation is not type-checked, for instance). It succeeds with a [`Checked`] program only
//! when there is no error. Sub-passes, in order:
//! `expand` (sugar → conjunctive drafts) → `law` (effective periods, exceptions) → relation resolution
//! (this module) → `types` → `lower` (IR + safety) → stratification (`crate::stratify`).

mod draft;
mod expand;
mod law;
mod lower;
pub mod query;
mod types;

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::ir::{self, Column, Program, Relation, RelationId, RelationKind, RulePurpose};
use crate::stratify::{stratify, Stratum};
use crate::syntax::ast::{self, Item, Literal};
use crate::syntax::Span;
use crate::value::{ValueStore, ValueType};
use crate::workspace::Policy;
use draft::*;

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

/// What the checker knows of a relation while resolving names.
#[derive(Clone, Debug)]
pub(crate) struct RelationInfo {
    pub columns: Vec<ColumnInfo>,
    pub declared: bool,
    /// The declaration, or the first conclusion or fact that fixed the arity.
    pub span: Span,
    pub symmetric: bool,
    pub open: bool,
    pub auxiliary: bool,
    pub provided: bool,
    pub used: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct ColumnInfo {
    pub name: Option<String>,
    pub ty: Option<ValueType>,
    pub span: Option<Span>,
    pub optional: bool,
}

pub(crate) type RelationTable = IndexMap<String, RelationInfo>;

const TYPES: [&str; 4] = ["text", "number", "date", "bool"];

/// Checks a parsed policy and lowers it. `Err` holds every error (and warning) found.
pub fn check(
    policy: &Policy,
    values: &mut ValueStore,
    options: &CheckOptions,
) -> Result<Checked, Vec<Diagnostic>> {
    let mut diags = vec![];
    let mut table = RelationTable::new();
    let mut expander = expand::Expander::new(options.today);
    let mut facts: Vec<&ast::FactDecl> = vec![];
    let mut rules: Vec<(&ast::RuleDecl, usize)> = vec![];

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
                Item::Rule(r) => rules.push((r, expander.rule(r, None))),
                Item::Subject(block) => {
                    for r in &block.rules {
                        rules.push((r, expander.rule(r, Some(&block.subject))));
                    }
                }
                Item::Relation(_) | Item::Import(_) | Item::Test(_) => {}
            }
        }
    }
    let mut drafts = std::mem::take(&mut expander.drafts);
    let aggregates = std::mem::take(&mut expander.aggregates);
    diags.append(&mut expander.diagnostics);

    // Rule names, effective periods, exceptions.
    let mut named: Vec<law::NamedRule> = vec![];
    let mut names: HashMap<&str, Span> = HashMap::new();
    for f in &facts {
        if let Some(n) = &f.name {
            unique_name(&mut names, n, &mut diags);
        }
    }
    for (rule, index) in &rules {
        law::apply_effective(rule, *index, options.today, &mut drafts, &mut diags);
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
        let fresh = !table.contains_key(&d.head.relation);
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
    let mut bad_drafts = vec![false; drafts.len()];
    for (i, d) in drafts.iter().enumerate() {
        for lit in &d.body {
            if let DraftLiteral::Atom(a) | DraftLiteral::Negated(a) = lit {
                bad_drafts[i] |= !resolve_use(&mut table, a, &mut diags);
            }
        }
        bad_drafts[i] |= !resolve_use(&mut table, &d.head, &mut diags);
    }
    let mut bad_facts = vec![false; facts.len()];
    for (i, f) in facts.iter().enumerate() {
        let atom = DraftAtom {
            relation: f.atom.relation.text.clone(),
            relation_span: f.atom.relation.span,
            args: vec![DraftExpr::Wildcard(f.atom.span); f.atom.args.len()],
            span: f.atom.span,
            subject_form: false,
        };
        bad_facts[i] = !resolve_use(&mut table, &atom, &mut diags);
    }

    // Types: facts fix undeclared columns first, then rules are inferred to a fixpoint.
    for (i, f) in facts.iter().enumerate() {
        if bad_facts[i] {
            continue;
        }
        if let Some(rel) = table.get_mut(&f.atom.relation.text) {
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
    let good: Vec<Draft> = drafts
        .iter()
        .zip(&bad_drafts)
        .filter(|(_, bad)| !**bad)
        .map(|(d, _)| d.clone())
        .collect();
    let mut var_types = types::infer(&mut table, &good, &aggregates);
    let before = diags.len();
    types::check(&table, &good, &mut var_types, &mut diags);
    let typed_ok = diags.len() == before;

    // The IR.
    let mut program = Program {
        today: options.today,
        ..Program::default()
    };
    let mut relation_ids = HashMap::new();
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
    for (i, f) in facts.iter().enumerate() {
        if bad_facts[i] {
            continue;
        }
        if let Some(fact) = lower_fact(f, &table, &relation_ids, values, options.today, &mut diags)
        {
            program.facts.push(fact);
        }
    }
    if typed_ok {
        let mut lowering = lower::Lowering {
            relation_ids: &relation_ids,
            values,
            diagnostics: vec![],
        };
        for (draft, types) in good.iter().zip(&var_types) {
            if let Some(rule) = lowering.rule(draft, types) {
                program.rules.push(rule);
            }
        }
        diags.append(&mut lowering.diagnostics);
    }
    for agg in &aggregates {
        let (Some(input), Some(output)) =
            (relation_ids.get(&agg.input), relation_ids.get(&agg.output))
        else {
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
        warnings = strict_warnings(&table, &program, options);
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

fn declare(table: &mut RelationTable, decl: &ast::RelationDecl, diags: &mut Vec<Diagnostic>) {
    if let Some(existing) = table.get(&decl.name.text) {
        diags.push(
            Diagnostic::error(
                "duplicate_relation",
                format!("`{}` is declared twice", decl.name.text),
            )
            .label(decl.name.span, "declared again here")
            .label(existing.span, "first declared here")
            .help("keep one declaration"),
        );
        return;
    }
    let mut columns: Vec<ColumnInfo> = vec![];
    for c in &decl.columns {
        if columns
            .iter()
            .any(|o| o.name.as_deref() == Some(c.name.text.as_str()))
        {
            diags.push(
                Diagnostic::error(
                    "duplicate_column",
                    format!("column `{}` is declared twice", c.name.text),
                )
                .label(c.name.span, "again here")
                .help("column names of a relation are unique"),
            );
        }
        let ty = ValueType::from_name(&c.ty.text);
        if ty.is_none() {
            let mut d = Diagnostic::error("unknown_type", format!("`{}` is not a type", c.ty.text))
                .label(c.ty.span, "unknown type");
            d = match did_you_mean(&c.ty.text, TYPES) {
                Some(close) => d.help(format!(
                    "did you mean `{close}`? the types are text, number, date and bool"
                )),
                None => d.help("the types are text, number, date and bool"),
            };
            diags.push(d);
        }
        columns.push(ColumnInfo {
            name: Some(c.name.text.clone()),
            ty,
            span: Some(c.span),
            optional: c.optional,
        });
    }
    table.insert(
        decl.name.text.clone(),
        RelationInfo {
            columns,
            declared: true,
            span: decl.name.span,
            symmetric: decl.symmetric,
            open: decl.open,
            auxiliary: false,
            provided: false,
            used: false,
        },
    );
}

/// Registers that a fact or rule concludes `name` with `arity` arguments.
fn conclude(table: &mut RelationTable, name: &str, arity: usize, span: Span, auxiliary: bool) {
    let info = table
        .entry(name.to_string())
        .or_insert_with(|| RelationInfo {
            columns: (0..arity)
                .map(|_| ColumnInfo {
                    name: None,
                    ty: None,
                    span: None,
                    optional: false,
                })
                .collect(),
            declared: false,
            span,
            symmetric: false,
            open: false,
            auxiliary,
            provided: false,
            used: false,
        });
    info.provided = true;
}

/// Names the columns of an undeclared relation after the variables of the conclusion that introduced
/// it (`fewer_exams(s)` gets a column `s`), so that tables have headers.
fn name_columns_after(table: &mut RelationTable, head: &DraftAtom) {
    let Some(info) = table.get_mut(&head.relation) else {
        return;
    };
    let mut used = std::collections::HashSet::new();
    for (col, arg) in info.columns.iter_mut().zip(&head.args) {
        if let DraftExpr::Var(n, _) = arg {
            if !n.starts_with(AGGREGATE_VAR) && used.insert(n.clone()) {
                col.name = Some(n.clone());
            }
        }
    }
}

/// Checks that an atom names a known relation with the right arity; false (reported) when not.
fn resolve_use(table: &mut RelationTable, atom: &DraftAtom, diags: &mut Vec<Diagnostic>) -> bool {
    let Some(info) = table.get_mut(&atom.relation) else {
        let candidates: Vec<&str> = table
            .keys()
            .map(String::as_str)
            .filter(|n| !n.starts_with("__"))
            .collect();
        let mut d = Diagnostic::error(
            "unknown_relation",
            format!("unknown relation `{}`", atom.relation),
        )
        .label(
            atom.relation_span,
            "no declaration, fact or rule gives this relation",
        );
        d = match did_you_mean(&atom.relation, candidates.iter().copied()) {
            Some(close) => d.help(format!("did you mean `{close}`?")),
            None => d.help(format!(
                "declare it (`relation {}(…).`) if its rows come from data files, or write the facts or rules that conclude it",
                atom.relation
            )),
        };
        diags.push(d);
        return false;
    };
    info.used = true;
    if info.columns.len() == atom.args.len() {
        return true;
    }
    let arity = info.columns.len();
    let what = if info.declared {
        "declared"
    } else {
        "first concluded"
    };
    let d = if atom.subject_form {
        Diagnostic::error(
            "subject_arity",
            format!(
                "the subject form reads `{}` with {} columns, but it has {arity}",
                atom.relation,
                atom.args.len()
            ),
        )
        .label(atom.span, format!("means `{}` with {} arguments", atom.relation, atom.args.len()))
        .label(info.span, format!("{what} with {arity} columns here"))
        .help(format!(
            "write the full atom with {arity} arguments here, or declare a relation of {} columns under another name and conclude it from `{}`",
            atom.args.len(),
            atom.relation
        ))
    } else {
        Diagnostic::error(
            "arity_mismatch",
            format!(
                "`{}` has {arity} columns, but {} arguments are given",
                atom.relation,
                atom.args.len()
            ),
        )
        .label(atom.span, format!("{} arguments", atom.args.len()))
        .label(info.span, format!("{what} with {arity} columns here"))
        .help(format!(
            "give `{}` exactly {arity} arguments (`_` for a column you do not care about)",
            atom.relation
        ))
    };
    diags.push(d);
    false
}

fn add_symmetry_rules(table: &RelationTable, drafts: &mut Vec<Draft>, diags: &mut Vec<Diagnostic>) {
    for (name, info) in table.iter().filter(|(_, i)| i.symmetric) {
        let types_agree = info.columns.len() >= 2 && info.columns[0].ty == info.columns[1].ty;
        if !types_agree {
            diags.push(
                Diagnostic::error("symmetric_columns", format!("`{name}` cannot be symmetric"))
                    .label(info.span, "declared symmetric here")
                    .help("a symmetric relation has at least two columns, and its first two have the same type"),
            );
            continue;
        }
        let var = |i: usize| DraftExpr::Var(format!("c{i}"), info.span);
        let n = info.columns.len();
        let forward: Vec<DraftExpr> = (0..n).map(var).collect();
        let mut backward = forward.clone();
        backward.swap(0, 1);
        let atom = |args| DraftAtom {
            relation: name.clone(),
            relation_span: info.span,
            args,
            span: info.span,
            subject_form: false,
        };
        drafts.push(Draft {
            head: atom(backward),
            body: vec![DraftLiteral::Atom(atom(forward))],
            name: None,
            source: Some(format!("`{name}` is declared symmetric")),
            span: info.span,
            disjunct: 0,
            purpose: RulePurpose::Symmetry,
            source_rule: usize::MAX,
        });
    }
}

fn lower_fact(
    fact: &ast::FactDecl,
    table: &RelationTable,
    ids: &HashMap<String, RelationId>,
    values: &mut ValueStore,
    today: i32,
    diags: &mut Vec<Diagnostic>,
) -> Option<ir::PolicyFact> {
    let rel = table.get(&fact.atom.relation.text)?;
    let mut row = vec![];
    let mut ok = true;
    for (i, arg) in fact.atom.args.iter().enumerate() {
        let lit = match arg {
            ast::Expr::Literal(l) => l.clone(),
            ast::Expr::Today(span) => Literal::Date {
                text: crate::value::format_day(today),
                span: *span,
            },
            other => {
                let (message, help) = match other {
                    ast::Expr::Var(n) => (
                        format!("a fact cannot contain the variable `{}`", n.text),
                        format!(
                            "constants start with an upper-case letter or are quoted: `\"{}\"`; to state it for every value, write a rule",
                            n.text
                        ),
                    ),
                    ast::Expr::Wildcard(_) => ("a fact cannot contain `_`".to_string(), "write a value".to_string()),
                    _ => ("a fact's arguments are values".to_string(), "write the value itself".to_string()),
                };
                diags.push(
                    Diagnostic::error("variable_in_fact", message)
                        .label(other.span(), "not a value")
                        .help(help),
                );
                ok = false;
                continue;
            }
        };
        let col = &rel.columns[i];
        let got = types::literal_type(&lit);
        let want = types::settled(col.ty);
        if got != want {
            let column = col
                .name
                .as_deref()
                .map(|n| format!("`{n}`"))
                .unwrap_or_else(|| format!("{}", i + 1));
            let mut d = Diagnostic::error(
                "type_mismatch",
                format!(
                    "column {column} of `{}` holds a {want}, not a {got}",
                    fact.atom.relation.text
                ),
            )
            .label(lit.span(), format!("a {got}"));
            d = match col.span {
                Some(s) => d.label(s, format!("declared as {want} here")),
                None => d.label(
                    rel.span,
                    format!(
                        "a {want} in the first fact of `{}`",
                        fact.atom.relation.text
                    ),
                ),
            };
            diags.push(d.help(if want == ValueType::Date {
                "write dates without quotes, as `YYYY-MM-DD`"
            } else {
                "every row of a relation has the same column types"
            }));
            ok = false;
            continue;
        }
        match lower::constant(&lit, values) {
            Ok(v) => row.push(v),
            Err(d) => {
                diags.push(d);
                ok = false;
            }
        }
    }
    let name = fact.name.as_ref().map(|n| n.text.clone());
    let source = fact.annotations.iter().find_map(|a| match a {
        ast::Annotation::Source { text, .. } => Some(text.clone()),
        _ => None,
    });
    ok.then(|| ir::PolicyFact {
        relation: ids[&fact.atom.relation.text],
        values: row,
        span: fact.span,
        name,
        source,
    })
}

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

fn cycle_diagnostic(program: &Program, cycle: &crate::stratify::NegativeCycle) -> Diagnostic {
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
    let mut steps: Vec<&crate::stratify::CycleStep> = cycle.steps.iter().collect();
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
            format!(
                "{} {} {}",
                name(step.to),
                if step.negative {
                    "depends on the absence of"
                } else {
                    "depends on"
                },
                name(step.from)
            )
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

fn strict_warnings(
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
    let used: std::collections::HashSet<RelationId> = program
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
    let mut warned = std::collections::HashSet::new();
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

#[cfg(test)]
mod tests;
