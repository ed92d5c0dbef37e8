//! The relation table: what the checker knows of each relation, and name resolution against it.
//!
//! Runs inside [`super::check`] after `expand` and `law` and before `types`. Declarations enter the
//! table first (whatever the file order), then every fact, draft and aggregate that concludes a relation
//! (fixing the arity of an undeclared one at its first conclusion), then every use is resolved against
//! the table (`unknown_relation`, `arity_mismatch`, `subject_arity`); drafts are resolved in chunks
//! on every core ([`resolve_drafts`]), the problems kept in draft order. A relation declared
//! `symmetric` gains the rule that swaps its first two columns.
//!
//! Invariants: a relation has one entry, keyed by name, in first-seen order; its column count never
//! changes once entered; `declared` entries keep their declared column names, types and spans; a use
//! that resolves marks the relation `used`, a conclusion marks it `provided`.

use rayon::prelude::*;
use rustc_hash::FxHashSet as HashSet;

use indexmap::IndexMap;

use super::draft::*;
use super::expand::AGGREGATE_VAR;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::ir::RulePurpose;
use crate::syntax::ast::{self, SmolStr};
use crate::syntax::Span;
use crate::value::ValueType;
use smol_str::format_smolstr;

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

pub(crate) type RelationTable = IndexMap<String, RelationInfo, rustc_hash::FxBuildHasher>;

const TYPES: [&str; 4] = ["text", "number", "date", "bool"];

pub(super) fn declare(
    table: &mut RelationTable,
    decl: &ast::RelationDecl,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(existing) = table.get(decl.name.text.as_str()) {
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
            name: Some(c.name.text.to_string()),
            ty,
            span: Some(c.span),
            optional: c.optional,
        });
    }
    table.insert(
        decl.name.text.to_string(),
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
pub(super) fn conclude(
    table: &mut RelationTable,
    name: &str,
    arity: usize,
    span: Span,
    auxiliary: bool,
) {
    if let Some(info) = table.get_mut(name) {
        // Most conclusions name a relation already known: no key to allocate.
        info.provided = true;
        return;
    }
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
pub(super) fn name_columns_after(table: &mut RelationTable, head: &DraftAtom) {
    let Some(info) = table.get_mut(head.relation.as_str()) else {
        return;
    };
    let mut used = HashSet::default();
    for (col, arg) in info.columns.iter_mut().zip(&head.args) {
        if let DraftExpr::Var(n, _) = arg {
            if !n.starts_with(AGGREGATE_VAR) && used.insert(n.clone()) {
                col.name = Some(n.to_string());
            }
        }
    }
}

/// Resolves every relation a draft uses (its premises', then its conclusion's), as [`resolve_use`]
/// does one by one: on every core against the table, which no longer changes but for the `used`
/// marks, set afterwards; problems kept in draft order. Whether each draft had a problem.
pub(super) fn resolve_drafts(
    table: &mut RelationTable,
    drafts: &[Draft],
    diags: &mut Vec<Diagnostic>,
) -> Vec<bool> {
    let shared: &RelationTable = table;
    // Per chunk of drafts: whether each one is bad, the relations used, the problems in order.
    let chunks: Vec<(Vec<bool>, Vec<bool>, Vec<Diagnostic>)> = drafts
        .par_chunks(RESOLVE_CHUNK)
        .map(|chunk| {
            let mut used = vec![false; shared.len()];
            let mut found = vec![];
            let bad = chunk
                .iter()
                .map(|d| {
                    let premises = d.body.iter().filter_map(|lit| match lit {
                        DraftLiteral::Atom(a) | DraftLiteral::Negated(a) => Some(a),
                        DraftLiteral::Compare { .. } => None,
                    });
                    let mut bad = false;
                    for atom in premises.chain([&d.head]) {
                        let (index, problem) = look_up_use(shared, atom);
                        if let Some(i) = index {
                            used[i] = true;
                        }
                        bad |= problem.is_some();
                        found.extend(problem);
                    }
                    bad
                })
                .collect();
            (bad, used, found)
        })
        .collect();
    let mut bad_drafts = Vec::with_capacity(drafts.len());
    for (bad, used, mut found) in chunks {
        bad_drafts.extend(bad);
        for (i, _) in used.iter().enumerate().filter(|(_, u)| **u) {
            if let Some((_, info)) = table.get_index_mut(i) {
                info.used = true;
            }
        }
        diags.append(&mut found);
    }
    bad_drafts
}

/// Drafts per task when [`resolve_drafts`] runs on every core.
const RESOLVE_CHUNK: usize = 512;

/// Checks that an atom names a known relation with the right arity; false (reported) when not. A
/// relation it names is marked used, even with the wrong arity.
fn resolve_use(table: &mut RelationTable, atom: &DraftAtom, diags: &mut Vec<Diagnostic>) -> bool {
    let (index, problem) = look_up_use(table, atom);
    if let Some(info) = index.and_then(|i| table.get_index_mut(i)) {
        info.1.used = true;
    }
    match problem {
        Some(d) => {
            diags.push(d);
            false
        }
        None => true,
    }
}

/// [`resolve_use`] without changing the table: the index of the relation the atom names (when it
/// names one) and the problem, if any, for the caller to mark and report.
fn look_up_use(table: &RelationTable, atom: &DraftAtom) -> (Option<usize>, Option<Diagnostic>) {
    let Some((index, _, info)) = table.get_full(atom.relation.as_str()) else {
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
        return (None, Some(d));
    };
    if info.columns.len() == atom.args.len() {
        return (Some(index), None);
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
    (Some(index), Some(d))
}

/// Checks that a ground atom (a fact of the policy, or a test's fact or expected atom) names a known
/// relation with the right arity; false (reported) when not. Its arguments are not looked at.
pub(super) fn resolve_ground(
    table: &mut RelationTable,
    atom: &ast::Atom,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let shape = DraftAtom {
        relation: atom.relation.text.clone(),
        relation_span: atom.relation.span,
        args: vec![DraftExpr::Wildcard(atom.span); atom.args.len()],
        span: atom.span,
        subject_form: false,
    };
    resolve_use(table, &shape, diags)
}

pub(super) fn add_symmetry_rules(
    table: &RelationTable,
    drafts: &mut Vec<Draft>,
    diags: &mut Vec<Diagnostic>,
) {
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
        let var = |i: usize| DraftExpr::Var(format_smolstr!("c{i}"), info.span);
        let n = info.columns.len();
        let forward: Vec<DraftExpr> = (0..n).map(var).collect();
        let mut backward = forward.clone();
        backward.swap(0, 1);
        let atom = |args| DraftAtom {
            relation: SmolStr::new(name),
            relation_span: info.span,
            args,
            span: info.span,
            subject_form: false,
        };
        drafts.push(Draft {
            head: atom(backward),
            body: vec![DraftLiteral::Atom(atom(forward))],
            name: None,
            source: Some(format_smolstr!("`{name}` is declared symmetric")),
            span: info.span,
            disjunct: 0,
            purpose: RulePurpose::Symmetry,
            source_rule: usize::MAX,
        });
    }
}
