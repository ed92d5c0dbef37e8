//! Lowering: typed drafts → IR rules, with the safety check.
//!
//! Runs last in `check`, after type inference (with the type check, in [`check_and_lower`]). Assigns
//! variable ids, interns constants, decides which `x = e` comparisons bind a variable (those whose
//! variable no positive atom binds and whose other side is bound), and reports unsafe variables: a
//! variable of the conclusion, of a negation or of a comparison that nothing binds. Only drafts
//! without errors reach the IR.
//!
//! [`lower_rules`] lowers the drafts on every core. Interning assigns ids in first-seen order, so the
//! drafts are lowered against the store as it was (read-only): a constant the store lacks gets a
//! placeholder and is noted with its place among the rule's constants; then, draft by draft in order,
//! the noted constants are interned and put in their places. The store gains the texts and numbers in
//! the order one sequential pass interning as it lowers gives, so every id is the same; on one thread
//! that pass is what runs, and for fewer than [`PARALLEL_DRAFTS`] drafts (a test compares the two).
//! [`check_and_lower`] type-checks and lowers each draft in one task; since lowering only reads the
//! store, its work is simply dropped when some draft has a type error.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::draft::*;
use super::expand::shown;
use super::relations::RelationTable;
use super::types::{self, expr_type, VarTypes};
use super::varmap::VarMap;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, CompareOp, Expr, Literal as IrLiteral, RelationId, Term, VarId, Variable};
use crate::syntax::ast::{Literal, SmolStr};
use crate::syntax::Span;
use crate::value::{Value, ValueStore, ValueType};
use constants::{found_constant, put_constants, Found, NewConstant};

mod constants;
pub use constants::constant;

/// Rules, in draft order, and the problems lowering found.
pub type LoweredRules = (Vec<ir::Rule>, Vec<Diagnostic>);

/// Fewer drafts than this are lowered on the calling thread.
const PARALLEL_DRAFTS: usize = 128;

/// Lowers the drafts, each with its variable types, to rules in draft order, with every problem
/// found, draft by draft. Constants are interned in `values` as one sequential pass would.
pub fn lower_rules(
    drafts: &[&Draft],
    types: &[VarTypes],
    relation_ids: &HashMap<String, RelationId>,
    values: &mut ValueStore,
) -> LoweredRules {
    if rayon::current_num_threads() == 1 || drafts.len() < PARALLEL_DRAFTS {
        let mut rules = Vec::with_capacity(drafts.len());
        let mut lowering = Lowering::new(relation_ids, Store::Interning(values));
        for (draft, types) in drafts.iter().zip(types) {
            rules.extend(lowering.rule(draft, &draft.variables(), types));
        }
        return (rules, lowering.diagnostics);
    }
    let store: &ValueStore = values;
    let lowered: Vec<Lowered> = drafts
        .par_iter()
        .zip(types.par_iter())
        .with_min_len(64)
        .map(|(draft, types)| Lowered::new(relation_ids, store, draft, &draft.variables(), types))
        .collect();
    intern_new_constants(lowered.into_iter(), values)
}

/// Type-checks the drafts as [`types::check`] does and, when no draft has a type error, lowers them
/// as [`lower_rules`] does. Gives the type errors, then (`None` after a type error) the rules and the
/// lowering's problems. On several threads each draft is checked and lowered in one task; the
/// lowerings are thrown away if a draft has a type error, and they only read the store, so that
/// changes nothing.
pub fn check_and_lower<'d>(
    table: &RelationTable,
    drafts: &[&'d Draft],
    mut types: Vec<VarTypes<'d>>,
    relation_ids: &HashMap<String, RelationId>,
    values: &mut ValueStore,
) -> (Vec<Diagnostic>, Option<LoweredRules>) {
    let mut type_errors = vec![];
    if rayon::current_num_threads() == 1 || drafts.len() < PARALLEL_DRAFTS {
        types::check(table, drafts, &mut types, &mut type_errors);
        if !type_errors.is_empty() {
            return (type_errors, None);
        }
        let lowered = lower_rules(drafts, &types, relation_ids, values);
        return (type_errors, Some(lowered));
    }
    let store: &ValueStore = values;
    let done: Vec<(Vec<Diagnostic>, Option<Lowered>)> = drafts
        .par_iter()
        .zip(types.par_iter_mut())
        .with_min_len(64)
        .map(|(draft, types)| {
            let mut found = vec![];
            let variables = draft.variables();
            types::check_draft(table, draft, &variables, types, &mut found);
            let lowered = found
                .is_empty()
                .then(|| Lowered::new(relation_ids, store, draft, &variables, types));
            (found, lowered)
        })
        .collect();
    if done.iter().any(|(found, _)| !found.is_empty()) {
        for (mut found, _) in done {
            type_errors.append(&mut found);
        }
        return (type_errors, None);
    }
    let lowered = done.into_iter().filter_map(|(_, lowered)| lowered);
    (type_errors, Some(intern_new_constants(lowered, values)))
}

/// The rules and problems of drafts lowered against a store that was only read, in order: draft by
/// draft, the constants the store lacked are interned in lowering order and put in their places.
fn intern_new_constants<'d>(
    lowered: impl Iterator<Item = Lowered<'d>>,
    values: &mut ValueStore,
) -> LoweredRules {
    let (_, most) = lowered.size_hint();
    let mut rules = Vec::with_capacity(most.unwrap_or(0));
    let mut diagnostics = vec![];
    for mut lowered in lowered {
        if !lowered.new.is_empty() {
            let interned: Vec<Value> = lowered.new.iter().map(|(_, c)| c.intern(values)).collect();
            if let Some(rule) = &mut lowered.rule {
                put_constants(rule, &lowered.new, &interned);
            }
        }
        rules.extend(lowered.rule);
        diagnostics.append(&mut lowered.diagnostics);
    }
    (rules, diagnostics)
}

/// One draft lowered against a store that is only read.
struct Lowered<'d> {
    rule: Option<ir::Rule>,
    diagnostics: Vec<Diagnostic>,
    /// The constants the store lacked, in lowering order, each with the number of constants the
    /// rule has before it.
    new: Vec<(u32, NewConstant<'d>)>,
}

impl<'d> Lowered<'d> {
    fn new(
        relation_ids: &HashMap<String, RelationId>,
        store: &ValueStore,
        draft: &'d Draft,
        variables: &[(&'d str, Span)],
        types: &VarTypes,
    ) -> Self {
        let mut lowering = Lowering::new(relation_ids, Store::Shared(store));
        let rule = lowering.rule(draft, variables, types);
        Lowered {
            rule,
            diagnostics: lowering.diagnostics,
            new: lowering.new,
        }
    }
}

/// The store lowering reads constants from: interning as it goes (one thread, and queries), or only
/// read (several threads; new constants are noted for [`lower_rules`] to intern).
enum Store<'a> {
    Interning(&'a mut ValueStore),
    Shared(&'a ValueStore),
}

/// Whether `name` is bound (every name asked about is one of the rule's variables).
fn is_bound(ids: &VarMap<VarId>, bound: &[bool], name: &str) -> bool {
    ids.get(name).is_some_and(|id| bound[id.index()])
}

/// Whether `e` is not a wildcard and all its variables are bound.
fn all_bound(e: &DraftExpr, ids: &VarMap<VarId>, bound: &[bool]) -> bool {
    match e {
        DraftExpr::Wildcard(_) => false,
        DraftExpr::Var(n, _) => is_bound(ids, bound, n),
        DraftExpr::Const(_) => true,
        DraftExpr::Binary { lhs, rhs, .. } => {
            all_vars_bound(lhs, ids, bound) && all_vars_bound(rhs, ids, bound)
        }
        DraftExpr::Shift { date, amount, .. } => {
            all_vars_bound(date, ids, bound) && all_vars_bound(amount, ids, bound)
        }
    }
}

/// Whether every variable in `e` is bound (a wildcard inside has none).
fn all_vars_bound(e: &DraftExpr, ids: &VarMap<VarId>, bound: &[bool]) -> bool {
    match e {
        DraftExpr::Wildcard(_) | DraftExpr::Const(_) => true,
        DraftExpr::Var(n, _) => is_bound(ids, bound, n),
        DraftExpr::Binary { lhs, rhs, .. } => {
            all_vars_bound(lhs, ids, bound) && all_vars_bound(rhs, ids, bound)
        }
        DraftExpr::Shift { date, amount, .. } => {
            all_vars_bound(date, ids, bound) && all_vars_bound(amount, ids, bound)
        }
    }
}

/// One round over the equalities that do not bind yet: those whose variable side is not bound and
/// whose other side is become binds (`binds[i]`: the variable and whether it is on the left), and
/// bind their variable. Whether one did.
fn bind_round(
    draft: &Draft,
    ids: &VarMap<VarId>,
    bound: &mut [bool],
    binds: &mut [Option<(VarId, bool)>],
) -> bool {
    let mut progress = false;
    for (i, lit) in draft.body.iter().enumerate() {
        let DraftLiteral::Compare {
            op: CompareOp::Eq,
            lhs,
            rhs,
            ..
        } = lit
        else {
            continue;
        };
        if binds[i].is_some() {
            continue;
        }
        for (var_side, other, var_on_left) in [(lhs, rhs, true), (rhs, lhs, false)] {
            if let DraftExpr::Var(n, _) = var_side {
                if !is_bound(ids, bound, n) && all_bound(other, ids, bound) {
                    let Some(&id) = ids.get(n) else { continue };
                    bound[id.index()] = true;
                    binds[i] = Some((id, var_on_left));
                    progress = true;
                    break;
                }
            }
        }
    }
    progress
}

struct Lowering<'a, 'd> {
    relation_ids: &'a HashMap<String, RelationId>,
    values: Store<'a>,
    diagnostics: Vec<Diagnostic>,
    /// With a shared store: the constants it lacks (see [`Lowered::new`]).
    new: Vec<(u32, NewConstant<'d>)>,
    /// The constants made so far for the current rule.
    constants: u32,
}

impl<'a, 'd> Lowering<'a, 'd> {
    fn new(relation_ids: &'a HashMap<String, RelationId>, values: Store<'a>) -> Self {
        Lowering {
            relation_ids,
            values,
            diagnostics: vec![],
            new: vec![],
            constants: 0,
        }
    }

    /// Lowers one draft (`variables` are its [`Draft::variables`]); `None` when it has errors
    /// (reported).
    fn rule(
        &mut self,
        draft: &'d Draft,
        variables: &[(&'d str, Span)],
        types: &VarTypes,
    ) -> Option<ir::Rule> {
        let errors_before = self.diagnostics.len();
        self.constants = 0;
        let mut vars: Vec<Variable> = Vec::with_capacity(variables.len());
        let mut ids: VarMap<VarId> = VarMap::with_capacity(variables.len());
        for &(name, _) in variables {
            ids.push_new(name, VarId(vars.len() as u32));
            vars.push(Variable {
                name: SmolStr::new(shown(name)),
                ty: types.get(name).copied().unwrap_or(ValueType::Text),
            });
        }
        // Which variables positive atoms bind.
        let mut bound = vec![false; vars.len()];
        for lit in &draft.body {
            if let DraftLiteral::Atom(a) = lit {
                for arg in &a.args {
                    if let DraftExpr::Var(n, _) = arg {
                        if let Some(id) = ids.get(n) {
                            bound[id.index()] = true;
                        }
                    }
                }
            }
        }
        // Equalities that bind, in an order where each one's inputs are bound: by premise, the bound
        // variable and whether it is on the left.
        let mut binds: Vec<Option<(VarId, bool)>> = vec![];
        let equality = |lit: &DraftLiteral| {
            matches!(
                lit,
                DraftLiteral::Compare {
                    op: CompareOp::Eq,
                    ..
                }
            )
        };
        if draft.body.iter().any(equality) {
            binds = vec![None; draft.body.len()];
            while bind_round(draft, &ids, &mut bound, &mut binds) {}
        }
        let bound_var = |name: &str| is_bound(&ids, &bound, name);
        let unsafe_var = |name: &str, span: Span, place: &str| {
            Diagnostic::error("unsafe_variable", format!("`{}` {place} is not bound by any premise", shown(name)))
                .label(span, "nothing gives this variable a value")
                .help(format!(
                    "add a positive premise that mentions `{}`, or bind it with `{} = …`; a variable starting \
                     with a lower-case letter is a variable, write `\"…\"` or an upper-case name for a constant",
                    shown(name),
                    shown(name)
                ))
        };
        let mut vs = vec![];
        let mut body = Vec::with_capacity(draft.body.len());
        for (i, lit) in draft.body.iter().enumerate() {
            match lit {
                DraftLiteral::Atom(a) => {
                    let relation = self.relation(a)?;
                    let args = self.terms(a, &ids, "r(y)")?;
                    body.push(IrLiteral::Atom {
                        relation,
                        args,
                        span: a.span,
                    });
                }
                DraftLiteral::Negated(a) => {
                    let relation = self.relation(a)?;
                    for arg in &a.args {
                        if let DraftExpr::Var(n, s) = arg {
                            if !bound_var(n) {
                                self.diagnostics
                                    .push(unsafe_var(n, *s, "in a negated premise"));
                            }
                        }
                    }
                    let args = self.terms(a, &ids, "¬ r(y)")?;
                    body.push(IrLiteral::Negated {
                        relation,
                        args,
                        span: a.span,
                    });
                }
                DraftLiteral::Compare { op, lhs, rhs, span } => {
                    if let Some(Some((var, var_on_left))) = binds.get(i) {
                        let other = if *var_on_left { rhs } else { lhs };
                        let expr = self.expr(other, &ids, types)?;
                        body.push(IrLiteral::Bind {
                            var: *var,
                            expr,
                            span: *span,
                        });
                        continue;
                    }
                    vs.clear();
                    lhs.vars(&mut vs);
                    rhs.vars(&mut vs);
                    for &(n, s) in &vs {
                        if !bound_var(n) {
                            self.diagnostics.push(unsafe_var(n, s, "in a comparison"));
                        }
                    }
                    for side in [lhs, rhs] {
                        if let DraftExpr::Wildcard(s) = side {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    "wildcard_in_comparison",
                                    "`_` cannot be compared",
                                )
                                .label(*s, "a wildcard matches anything")
                                .help("use a named variable bound by a premise"),
                            );
                        }
                    }
                    let ty = expr_type(lhs, types)
                        .or_else(|| expr_type(rhs, types))
                        .unwrap_or(ValueType::Text);
                    let (l, r) = (self.expr(lhs, &ids, types)?, self.expr(rhs, &ids, types)?);
                    body.push(IrLiteral::Compare {
                        op: *op,
                        ty,
                        lhs: l,
                        rhs: r,
                        span: *span,
                    });
                }
            }
        }
        let head = self.relation(&draft.head)?;
        let mut head_args = Vec::with_capacity(draft.head.args.len());
        for arg in &draft.head.args {
            vs.clear();
            arg.vars(&mut vs);
            for &(n, s) in &vs {
                if !bound_var(n) {
                    self.diagnostics.push(unsafe_var(n, s, "in the conclusion"));
                }
            }
            if let DraftExpr::Wildcard(s) = arg {
                self.diagnostics.push(
                    Diagnostic::error("wildcard_in_conclusion", "a conclusion cannot contain `_`")
                        .label(*s, "which value would this be?")
                        .help("name a variable bound by a premise, or write a constant"),
                );
                continue;
            }
            head_args.push(self.expr(arg, &ids, types)?);
        }
        if self.diagnostics.len() > errors_before {
            return None;
        }
        Some(ir::Rule {
            head,
            head_args,
            body,
            vars,
            origin: ir::RuleOrigin {
                name: draft.name.as_ref().map(|n| n.text.clone()),
                source: draft.source.clone(),
                span: draft.span,
                disjunct: draft.disjunct,
                purpose: draft.purpose,
            },
        })
    }

    /// The arguments of a premise as terms; an expression argument is reported (`example` shows the
    /// premise in the help line).
    fn terms(
        &mut self,
        atom: &'d DraftAtom,
        ids: &VarMap<VarId>,
        example: &str,
    ) -> Option<Vec<Term>> {
        let mut args = Vec::with_capacity(atom.args.len());
        for arg in &atom.args {
            match arg {
                DraftExpr::Var(n, _) => args.push(Term::Var(*ids.get(n)?)),
                DraftExpr::Wildcard(_) => args.push(Term::Wildcard),
                DraftExpr::Const(l) => args.push(Term::Const(self.constant(l)?)),
                other => self.diagnostics.push(
                    Diagnostic::error(
                        "expression_in_premise",
                        "a premise's arguments are variables or constants",
                    )
                    .label(other.span(), "an expression")
                    .help(format!(
                        "bind the expression to a variable first: `y = x + 1 ∧ {example}`"
                    )),
                ),
            }
        }
        Some(args)
    }

    fn relation(&mut self, atom: &DraftAtom) -> Option<RelationId> {
        self.relation_ids.get(atom.relation.as_str()).copied()
    }

    fn constant(&mut self, l: &'d Literal) -> Option<Value> {
        let found = match &mut self.values {
            Store::Interning(values) => constant(l, values).map(Found::Value),
            Store::Shared(values) => found_constant(l, values),
        };
        let value = match found {
            Ok(Found::Value(v)) => v,
            Ok(Found::New(c)) => {
                self.new.push((self.constants, c));
                Value::from_raw(0)
            }
            Err(d) => {
                self.diagnostics.push(d);
                return None;
            }
        };
        self.constants += 1;
        Some(value)
    }

    fn expr(&mut self, e: &'d DraftExpr, ids: &VarMap<VarId>, types: &VarTypes) -> Option<Expr> {
        Some(match e {
            DraftExpr::Var(n, _) => Expr::Var(*ids.get(n)?),
            DraftExpr::Wildcard(_) => return None,
            DraftExpr::Const(l) => Expr::Const(self.constant(l)?),
            DraftExpr::Binary { op, lhs, rhs, .. } => {
                let ty = if expr_type(lhs, types) == Some(ValueType::Date) {
                    ValueType::Date
                } else {
                    ValueType::Number
                };
                Expr::Arith {
                    op: *op,
                    ty,
                    lhs: Box::new(self.expr(lhs, ids, types)?),
                    rhs: Box::new(self.expr(rhs, ids, types)?),
                }
            }
            DraftExpr::Shift {
                date,
                negate,
                amount,
                unit,
                ..
            } => Expr::Shift {
                date: Box::new(self.expr(date, ids, types)?),
                amount: Box::new(self.expr(amount, ids, types)?),
                unit: *unit,
                negate: *negate,
            },
        })
    }
}
