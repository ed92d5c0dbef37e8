//! The search under every explanation: index probes, the order of a rule body given what is bound, and
//! a depth-first walk of the body that finds one derivation (for a proof) or the binding that got
//! furthest (for a why-not).
//!
//! Probes: a lookup on the bound columns of an atom uses the model's index on exactly those columns, or
//! on a subset of them (then filters), or else an index this module builds once and keeps in the
//! [`Context`]; a relation of at most [`SCAN_LIMIT`] rows is simply scanned. So each step costs a hash
//! probe plus the matching rows, whatever the size of the relation.
//!
//! Order: like the evaluator's planner, greedy: first every comparison, negation or binding whose
//! variables are bound, then the positive atom with the most bound columns (ties: source order).
//!
//! Invariant: a [`Partial`] lists, in walk order, what each literal it passed matched, with the
//! binding of every variable bound so far; a complete one binds every variable of the rule.

use crate::eval::eval_expr;
use crate::eval::storage::Index;
use crate::ir::{CompareOp, Expr, Literal, RelationId, Rule, Term, VarId};
use crate::value::{ArithmeticError, Value};

use super::Context;

/// Relations this small are scanned rather than indexed.
pub const SCAN_LIMIT: usize = 2048;

/// A subset index whose group holds more rows than this is not worth filtering: build the exact one.
const SUBSET_GROUP_LIMIT: usize = 4096;

impl Context<'_> {
    /// Ids (ascending) of the rows of `relation` whose `columns` equal `key`.
    pub fn candidates(
        &mut self,
        relation: RelationId,
        columns: &[usize],
        key: &[Value],
    ) -> Vec<usize> {
        let model = self.model;
        let Some(rows) = model.storage(relation) else {
            return vec![];
        };
        if columns.len() != key.len() || columns.iter().any(|c| *c >= rows.arity()) {
            return vec![];
        }
        let matches = |r: usize| {
            let row = rows.row(r);
            columns.iter().zip(key).all(|(c, k)| row[*c] == *k)
        };
        if columns.len() == rows.arity() {
            return rows.find(key).into_iter().collect();
        }
        if columns.is_empty() {
            return (0..rows.len()).collect();
        }
        if rows.len() <= SCAN_LIMIT {
            return (0..rows.len()).filter(|r| matches(*r)).collect();
        }
        if let Some(index) = rows.index(columns) {
            return index
                .lookup(rows, key, rows.len())
                .map(|r| r as usize)
                .collect();
        }
        // An index on some of the columns (the evaluator's, or one built here earlier), then filter.
        let mut known: Vec<&Index> = rows
            .indexed_columns()
            .filter_map(|ic| rows.index(ic))
            .chain(
                self.indexes
                    .map
                    .iter()
                    .filter(|((r, _), _)| *r == relation)
                    .map(|(_, i)| i),
            )
            .filter(|i| !i.columns().is_empty() && i.columns().iter().all(|c| columns.contains(c)))
            .collect();
        known.sort_by_key(|i| std::cmp::Reverse(i.columns().len()));
        for index in known {
            if let Some(found) = probe_subset(rows, index, columns, key) {
                return found;
            }
        }
        // Build one: first on the first bound column alone (one index then serves every probe that
        // knows that column), on all the bound columns only if that column is not selective.
        let first = vec![columns[0]];
        if !self.indexes.map.contains_key(&(relation, first.clone())) {
            let index = Index::build(rows, &first);
            let found = probe_subset(rows, &index, columns, key);
            self.indexes.map.insert((relation, first), index);
            if let Some(found) = found {
                return found;
            }
        }
        let index = self
            .indexes
            .map
            .entry((relation, columns.to_vec()))
            .or_insert_with(|| Index::build(rows, columns));
        index
            .lookup(rows, key, rows.len())
            .map(|r| r as usize)
            .collect()
    }
}

/// The rows matching `key` through an index on a subset of `columns`, unless its group is too large.
fn probe_subset(
    rows: &crate::eval::storage::Rows,
    index: &Index,
    columns: &[usize],
    key: &[Value],
) -> Option<Vec<usize>> {
    let sub_key: Vec<Value> = index
        .columns()
        .iter()
        .filter_map(|c| columns.iter().position(|x| x == c).map(|i| key[i]))
        .collect();
    let group: Vec<u32> = index
        .lookup(rows, &sub_key, rows.len())
        .take(SUBSET_GROUP_LIMIT + 1)
        .collect();
    (group.len() <= SUBSET_GROUP_LIMIT).then(|| {
        group
            .into_iter()
            .map(|r| r as usize)
            .filter(|r| {
                let row = rows.row(*r);
                columns.iter().zip(key).all(|(c, k)| row[*c] == *k)
            })
            .collect()
    })
}

fn all_bound(expr: &Expr, bound: &[bool]) -> bool {
    let mut vars = vec![];
    expr.vars(&mut vars);
    vars.iter()
        .all(|v| bound.get(v.index()).copied().unwrap_or(false))
}

/// The order in which to walk `rule`'s body when the variables marked in `bound` are known.
pub fn order(rule: &Rule, bound: &[bool]) -> Vec<usize> {
    let mut bound = bound.to_vec();
    bound.resize(rule.vars.len(), false);
    let mut placed = vec![false; rule.body.len()];
    let mut out = vec![];
    loop {
        // Everything ready, to a fixpoint.
        let mut changed = true;
        while changed {
            changed = false;
            for (i, literal) in rule.body.iter().enumerate() {
                if placed[i] {
                    continue;
                }
                let binds = match literal {
                    Literal::Atom { .. } => continue,
                    Literal::Negated { args, .. } => args
                        .iter()
                        .all(|a| !matches!(a, Term::Var(v) if !bound[v.index()]))
                        .then_some(None),
                    Literal::Compare { op, lhs, rhs, .. } => {
                        let (l, r) = (all_bound(lhs, &bound), all_bound(rhs, &bound));
                        match (lhs, rhs) {
                            _ if l && r => Some(None),
                            (Expr::Var(v), _) if *op == CompareOp::Eq && r => Some(Some(*v)),
                            (_, Expr::Var(v)) if *op == CompareOp::Eq && l => Some(Some(*v)),
                            _ => None,
                        }
                    }
                    Literal::Bind { var, expr, .. } => {
                        all_bound(expr, &bound).then_some(Some(*var))
                    }
                };
                if let Some(var) = binds {
                    if let Some(v) = var {
                        bound[v.index()] = true;
                    }
                    placed[i] = true;
                    out.push(i);
                    changed = true;
                }
            }
        }
        let best = rule
            .body
            .iter()
            .enumerate()
            .filter(|(i, _)| !placed[*i])
            .filter_map(|(i, l)| match l {
                Literal::Atom { args, .. } => Some((
                    i,
                    args.iter()
                        .filter(|a| match a {
                            Term::Var(v) => bound[v.index()],
                            Term::Const(_) => true,
                            Term::Wildcard => false,
                        })
                        .count(),
                )),
                _ => None,
            })
            .fold(None, |best: Option<(usize, usize)>, (i, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((i, s)),
            });
        let Some((i, _)) = best else { break };
        if let Literal::Atom { args, .. } = &rule.body[i] {
            for a in args {
                if let Term::Var(v) = a {
                    bound[v.index()] = true;
                }
            }
        }
        placed[i] = true;
        out.push(i);
    }
    // Literals never ready (an unsafe body; the checker rejects those) go last, so they still show.
    out.extend((0..rule.body.len()).filter(|i| !placed[*i]));
    out
}

/// What one literal matched in a walk.
#[derive(Clone, Debug, PartialEq)]
pub enum Matched {
    /// A positive atom: this row of its relation.
    Row(usize),
    /// A comparison that held, with both sides' values.
    Compare(Value, Value),
    /// A binding (or an `=` that bound a variable): the value bound.
    Bind(Value),
    /// A negated atom with no matching row.
    Absent,
}

/// Why the walk could not pass a literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Failed {
    /// A positive atom with no (earlier) matching row.
    NoRow,
    /// A comparison that is false, with both sides' values.
    Compare(Value, Value),
    /// A negated atom that matches this row.
    NegatedRow(usize),
    Arithmetic(ArithmeticError),
    /// Every premise held, but the conclusion computes `value` in `column`, not the wanted value.
    Head {
        column: usize,
        value: Value,
    },
    /// The search gave up after its budget.
    Budget,
}

/// A walk through a body: the literals passed, and (for a failed walk) the literal it stopped at.
#[derive(Clone, Debug)]
pub struct Partial {
    /// `(literal index, what it matched)`, in walk order.
    pub matched: Vec<(usize, Matched)>,
    /// The binding of each variable (meaningful where `bound`).
    pub values: Vec<Value>,
    pub bound: Vec<bool>,
    /// The literal (body index) that failed and why; `None` for a complete walk.
    pub failed: Option<(Option<usize>, Failed)>,
}

/// One search through one rule's body.
pub struct Search<'r> {
    pub rule: &'r Rule,
    pub order: Vec<usize>,
    /// Positive premises must be rows of a round below this (`u32::MAX`: any row).
    pub max_round: u32,
    /// The wanted value of each head column (`None`: anything).
    pub head: Vec<Option<Value>>,
    pub budget: usize,
    steps: usize,
    best: Option<(usize, Partial)>,
    found: Option<Partial>,
}

impl<'r> Search<'r> {
    pub fn new(
        rule: &'r Rule,
        order: Vec<usize>,
        max_round: u32,
        head: Vec<Option<Value>>,
        budget: usize,
    ) -> Search<'r> {
        Search {
            rule,
            order,
            max_round,
            head,
            budget,
            steps: 0,
            best: None,
            found: None,
        }
    }

    /// Walks the body from the given initial binding. `Ok`: a complete walk; `Err`: the walk that got
    /// furthest (its `failed` says where and why).
    pub fn run(
        mut self,
        ctx: &mut Context<'_>,
        values: Vec<Value>,
        bound: Vec<bool>,
    ) -> Result<Partial, Partial> {
        let mut state = Partial {
            matched: vec![],
            values,
            bound,
            failed: None,
        };
        self.walk(ctx, 0, &mut state);
        if let Some(found) = self.found {
            return Ok(found);
        }
        Err(self.best.map(|(_, p)| p).unwrap_or(state))
    }

    fn fail(&mut self, pos: usize, state: &Partial, literal: Option<usize>, why: Failed) {
        if self.best.as_ref().is_none_or(|(p, _)| pos > *p) {
            let mut partial = state.clone();
            partial.failed = Some((literal, why));
            self.best = Some((pos, partial));
        }
    }

    /// True when a complete walk was found (the search stops).
    fn walk(&mut self, ctx: &mut Context<'_>, pos: usize, state: &mut Partial) -> bool {
        self.steps += 1;
        if self.steps > self.budget {
            self.fail(pos, state, self.order.get(pos).copied(), Failed::Budget);
            return false;
        }
        let rule = self.rule;
        let Some(&i) = self.order.get(pos) else {
            for (column, e) in rule.head_args.iter().enumerate() {
                let value = match eval_expr(e, &state.values, ctx.values) {
                    Ok(v) => v,
                    Err(err) => {
                        self.fail(pos, state, None, Failed::Arithmetic(err));
                        return false;
                    }
                };
                if let Some(Some(want)) = self.head.get(column) {
                    if *want != value {
                        self.fail(pos, state, None, Failed::Head { column, value });
                        return false;
                    }
                }
            }
            self.found = Some(state.clone());
            return true;
        };
        match &rule.body[i] {
            Literal::Atom { relation, args, .. } => {
                let (columns, key) = key_of(args, state);
                let rows = ctx.candidates(*relation, &columns, &key);
                let model = ctx.model;
                let mut any = false;
                for r in rows {
                    if model.round(*relation, r) >= self.max_round {
                        continue;
                    }
                    let row = model.row(*relation, r);
                    let mut newly = vec![];
                    let mut ok = true;
                    for (c, a) in args.iter().enumerate() {
                        if let Term::Var(v) = a {
                            let Some(value) = row.get(c) else {
                                ok = false;
                                break;
                            };
                            if state.bound[v.index()] {
                                ok &= state.values[v.index()] == *value;
                            } else {
                                state.bound[v.index()] = true;
                                state.values[v.index()] = *value;
                                newly.push(*v);
                            }
                        }
                    }
                    if ok {
                        any = true;
                        state.matched.push((i, Matched::Row(r)));
                        if self.walk(ctx, pos + 1, state) {
                            return true;
                        }
                        state.matched.pop();
                    }
                    for v in newly {
                        state.bound[v.index()] = false;
                    }
                    if self.steps > self.budget {
                        return false;
                    }
                }
                if !any {
                    self.fail(pos, state, Some(i), Failed::NoRow);
                }
                false
            }
            Literal::Negated { relation, args, .. } => {
                let (columns, key) = key_of(args, state);
                match ctx.candidates(*relation, &columns, &key).first() {
                    Some(r) => {
                        self.fail(pos, state, Some(i), Failed::NegatedRow(*r));
                        false
                    }
                    None => self.pass(ctx, pos, state, i, Matched::Absent, None),
                }
            }
            Literal::Compare { op, lhs, rhs, .. } => {
                let (l, r) = (all_bound(lhs, &state.bound), all_bound(rhs, &state.bound));
                let binding = match (lhs, rhs) {
                    (Expr::Var(v), e) if !l && r => Some((*v, e)),
                    (e, Expr::Var(v)) if l && !r => Some((*v, e)),
                    _ => None,
                };
                if let Some((v, e)) = binding {
                    return match eval_expr(e, &state.values, ctx.values) {
                        Ok(value) => {
                            self.pass(ctx, pos, state, i, Matched::Bind(value), Some((v, value)))
                        }
                        Err(err) => {
                            self.fail(pos, state, Some(i), Failed::Arithmetic(err));
                            false
                        }
                    };
                }
                let (a, b) = match (
                    eval_expr(lhs, &state.values, ctx.values),
                    eval_expr(rhs, &state.values, ctx.values),
                ) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(err), _) | (_, Err(err)) => {
                        self.fail(pos, state, Some(i), Failed::Arithmetic(err));
                        return false;
                    }
                };
                let ty = compare_type(&rule.body[i]);
                if op.holds(ctx.values.compare(ty, a, b)) {
                    self.pass(ctx, pos, state, i, Matched::Compare(a, b), None)
                } else {
                    self.fail(pos, state, Some(i), Failed::Compare(a, b));
                    false
                }
            }
            Literal::Bind { var, expr, .. } => {
                let value = match eval_expr(expr, &state.values, ctx.values) {
                    Ok(v) => v,
                    Err(err) => {
                        self.fail(pos, state, Some(i), Failed::Arithmetic(err));
                        return false;
                    }
                };
                if state.bound[var.index()] {
                    let have = state.values[var.index()];
                    let ty = rule.vars[var.index()].ty;
                    if ctx.values.compare(ty, have, value).is_eq() {
                        self.pass(ctx, pos, state, i, Matched::Compare(have, value), None)
                    } else {
                        self.fail(pos, state, Some(i), Failed::Compare(have, value));
                        false
                    }
                } else {
                    self.pass(
                        ctx,
                        pos,
                        state,
                        i,
                        Matched::Bind(value),
                        Some((*var, value)),
                    )
                }
            }
        }
    }

    fn pass(
        &mut self,
        ctx: &mut Context<'_>,
        pos: usize,
        state: &mut Partial,
        i: usize,
        matched: Matched,
        bind: Option<(VarId, Value)>,
    ) -> bool {
        if let Some((v, value)) = bind {
            state.bound[v.index()] = true;
            state.values[v.index()] = value;
        }
        state.matched.push((i, matched));
        if self.walk(ctx, pos + 1, state) {
            return true;
        }
        state.matched.pop();
        if let Some((v, _)) = bind {
            state.bound[v.index()] = false;
        }
        false
    }
}

/// The type both sides of a comparison literal have.
pub fn compare_type(literal: &Literal) -> crate::value::ValueType {
    match literal {
        Literal::Compare { ty, .. } => *ty,
        _ => crate::value::ValueType::Number,
    }
}

/// The bound columns of an atom's arguments and their values.
fn key_of(args: &[Term], state: &Partial) -> (Vec<usize>, Vec<Value>) {
    let mut columns = vec![];
    let mut key = vec![];
    for (c, a) in args.iter().enumerate() {
        match a {
            Term::Const(v) => {
                columns.push(c);
                key.push(*v);
            }
            Term::Var(v) if state.bound[v.index()] => {
                columns.push(c);
                key.push(state.values[v.index()]);
            }
            _ => {}
        }
    }
    (columns, key)
}

/// Binds a rule's head variables to the wanted values; `None` when a constant or a repeated variable of
/// the head cannot match. Returns the binding and, per column, the wanted value (for the final check).
pub fn unify_head(rule: &Rule, wanted: &[Option<Value>]) -> Result<(Vec<Value>, Vec<bool>), usize> {
    let mut values = vec![Value::default(); rule.vars.len()];
    let mut bound = vec![false; rule.vars.len()];
    for (c, (e, w)) in rule.head_args.iter().zip(wanted).enumerate() {
        let Some(w) = w else { continue };
        match e {
            Expr::Var(v) => {
                if bound[v.index()] && values[v.index()] != *w {
                    return Err(c);
                }
                bound[v.index()] = true;
                values[v.index()] = *w;
            }
            Expr::Const(k) if k != w => return Err(c),
            _ => {}
        }
    }
    Ok((values, bound))
}
