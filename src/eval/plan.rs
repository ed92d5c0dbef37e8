//! Join planning: turns a rule body into an ordered list of [`Step`]s the executor runs left to right.
//!
//! The planner is greedy. It first places every literal that is ready (a comparison or negation whose
//! variables are bound, a binding whose inputs are bound), then the delta atom when planning for
//! semi-naive evaluation, then repeatedly the positive atom with the most bound columns (constants and
//! already bound variables; ties go to the earlier literal), each time followed by whatever became ready.
//! An atom whose bound columns are not empty is probed through the hash index on exactly those columns;
//! the executor never scans a relation once per outer tuple. An atom whose every column is bound is
//! looked up in its relation's dedup table instead, which exists anyway. The delta atom (recent rows
//! only) is scanned, since the recent rows are few, unless it is such a whole-row lookup.
//!
//! Invariant of a plan: every variable a step reads is bound by an earlier step (or earlier in the same
//! atom). A body for which no such order exists (an unsafe rule) gets no plan.

use crate::ir::{CompareOp, Expr, Literal, RelationId, Term, VarId};
use crate::value::{Value, ValueType};

/// Which rows of a relation an atom ranges over (see `storage`'s module doc for the row ranges).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// Every row so far.
    Full,
    /// Rows derived before the latest round.
    Stable,
    /// Rows derived in the latest round.
    Recent,
}

/// How an atom's rows are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Scan the version's rows (filtering on the key columns, if any).
    Scan,
    /// Probe the index on the key columns.
    Probe,
    /// Every column is in the key: look the whole row up in the relation's dedup table.
    Find,
}

/// A column value an atom is looked up by.
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    Var(VarId),
    Const(Value),
}

/// What to do with an atom column that is not part of the lookup key.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    /// The first occurrence of an unbound variable: bind it.
    Bind(VarId),
    /// A later occurrence in the same atom: the column must equal the variable just bound.
    Check(VarId),
}

#[derive(Clone, Debug)]
pub enum Step {
    Atom {
        relation: RelationId,
        version: Version,
        /// Columns whose value is known before the atom is matched, with those values.
        key_columns: Vec<usize>,
        key: Vec<Operand>,
        access: Access,
        actions: Vec<(usize, Action)>,
    },
    Negated {
        relation: RelationId,
        key_columns: Vec<usize>,
        key: Vec<Operand>,
        /// No wildcard: the key is a whole row, looked up in the dedup table.
        exact: bool,
    },
    Compare {
        op: CompareOp,
        ty: ValueType,
        lhs: Expr,
        rhs: Expr,
    },
    Bind {
        var: VarId,
        expr: Expr,
    },
}

/// An ordered rule body.
#[derive(Clone, Debug)]
pub struct Plan {
    pub steps: Vec<Step>,
}

impl Plan {
    /// The (relation, columns) indexes the plan probes.
    pub fn indexes(&self) -> impl Iterator<Item = (RelationId, &[usize])> + '_ {
        self.steps.iter().filter_map(|s| match s {
            Step::Atom {
                relation,
                key_columns,
                access: Access::Probe,
                ..
            } => Some((*relation, key_columns.as_slice())),
            Step::Negated {
                relation,
                key_columns,
                exact: false,
                ..
            } if !key_columns.is_empty() => Some((*relation, key_columns.as_slice())),
            _ => None,
        })
    }
}

struct Planner<'a> {
    body: &'a [Literal],
    var_types: &'a [ValueType],
    bound: Vec<bool>,
    placed: Vec<bool>,
    steps: Vec<Step>,
}

impl Planner<'_> {
    fn is_bound(&self, v: VarId) -> bool {
        self.bound.get(v.index()).copied().unwrap_or(false)
    }

    fn expr_bound(&self, expr: &Expr) -> bool {
        let mut vars = vec![];
        expr.vars(&mut vars);
        vars.iter().all(|v| self.is_bound(*v))
    }

    fn bind(&mut self, v: VarId) {
        if let Some(b) = self.bound.get_mut(v.index()) {
            *b = true;
        }
    }

    /// The step for a non-atom literal if it can run now.
    fn ready(&self, literal: &Literal) -> Option<Step> {
        match literal {
            Literal::Atom { .. } => None,
            // Negations wait for the positive atoms that are pure filters (see `binds_nothing`).
            Literal::Negated { .. } if self.filter_pending() => None,
            Literal::Negated { relation, args, .. } => {
                let mut key_columns = vec![];
                let mut key = vec![];
                for (c, arg) in args.iter().enumerate() {
                    match arg {
                        Term::Var(v) if !self.is_bound(*v) => return None,
                        Term::Var(v) => key.push(Operand::Var(*v)),
                        Term::Const(value) => key.push(Operand::Const(*value)),
                        Term::Wildcard => continue,
                    }
                    key_columns.push(c);
                }
                let exact = key_columns.len() == args.len();
                Some(Step::Negated {
                    relation: *relation,
                    key_columns,
                    key,
                    exact,
                })
            }
            Literal::Compare {
                op, ty, lhs, rhs, ..
            } => {
                let (l, r) = (self.expr_bound(lhs), self.expr_bound(rhs));
                if l && r {
                    return Some(Step::Compare {
                        op: *op,
                        ty: *ty,
                        lhs: lhs.clone(),
                        rhs: rhs.clone(),
                    });
                }
                // `x = e` with `x` unbound and `e` bound binds `x`.
                if *op == CompareOp::Eq {
                    match (lhs, rhs) {
                        (Expr::Var(v), e) if r && !self.is_bound(*v) => {
                            return Some(Step::Bind {
                                var: *v,
                                expr: e.clone(),
                            })
                        }
                        (e, Expr::Var(v)) if l && !self.is_bound(*v) => {
                            return Some(Step::Bind {
                                var: *v,
                                expr: e.clone(),
                            })
                        }
                        _ => {}
                    }
                }
                None
            }
            Literal::Bind { var, expr, .. } => {
                if !self.expr_bound(expr) {
                    return None;
                }
                if self.is_bound(*var) {
                    let ty = self
                        .var_types
                        .get(var.index())
                        .copied()
                        .unwrap_or(ValueType::Number);
                    return Some(Step::Compare {
                        op: CompareOp::Eq,
                        ty,
                        lhs: Expr::Var(*var),
                        rhs: expr.clone(),
                    });
                }
                Some(Step::Bind {
                    var: *var,
                    expr: expr.clone(),
                })
            }
        }
    }

    fn place_ready(&mut self) {
        loop {
            let mut changed = false;
            for i in 0..self.body.len() {
                if self.placed[i] {
                    continue;
                }
                if let Some(step) = self.ready(&self.body[i]) {
                    if let Step::Bind { var, .. } = step {
                        self.bind(var);
                    }
                    self.steps.push(step);
                    self.placed[i] = true;
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// Whether matching an atom with `args` binds no variable: it only filters. Filters run before
    /// other atoms and before negations: they touch one index and usually drop most bindings, while a
    /// negation usually keeps most.
    fn binds_nothing(&self, args: &[Term]) -> bool {
        args.iter().all(|a| match a {
            Term::Var(v) => self.is_bound(*v),
            Term::Const(_) | Term::Wildcard => true,
        })
    }

    fn filter_pending(&self) -> bool {
        self.body.iter().zip(&self.placed).any(|(literal, placed)| {
            !placed && matches!(literal, Literal::Atom { args, .. } if self.binds_nothing(args))
        })
    }

    fn bound_columns(&self, args: &[Term]) -> usize {
        args.iter()
            .filter(|a| match a {
                Term::Var(v) => self.is_bound(*v),
                Term::Const(_) => true,
                Term::Wildcard => false,
            })
            .count()
    }

    fn place_atom(&mut self, i: usize, version: Version) {
        let Literal::Atom { relation, args, .. } = &self.body[i] else {
            return;
        };
        let mut key_columns = vec![];
        let mut key = vec![];
        let mut actions = vec![];
        let mut local: Vec<VarId> = vec![];
        for (c, arg) in args.iter().enumerate() {
            match arg {
                Term::Const(value) => {
                    key_columns.push(c);
                    key.push(Operand::Const(*value));
                }
                Term::Var(v) if self.is_bound(*v) => {
                    key_columns.push(c);
                    key.push(Operand::Var(*v));
                }
                Term::Var(v) if local.contains(v) => actions.push((c, Action::Check(*v))),
                Term::Var(v) => {
                    local.push(*v);
                    actions.push((c, Action::Bind(*v)));
                }
                Term::Wildcard => {}
            }
        }
        for v in local {
            self.bind(v);
        }
        let access = if key_columns.len() == args.len() && !args.is_empty() {
            Access::Find
        } else if !key_columns.is_empty() && version != Version::Recent {
            Access::Probe
        } else {
            Access::Scan
        };
        self.steps.push(Step::Atom {
            relation: *relation,
            version,
            key_columns,
            key,
            access,
            actions,
        });
        self.placed[i] = true;
    }
}

/// Plans `body`. `version(i)` gives the rows the atom at body index `i` ranges over; `delta` is the body
/// index of the semi-naive delta atom, placed first among the atoms. `None` when the body is unsafe.
pub fn plan(
    body: &[Literal],
    var_types: &[ValueType],
    delta: Option<usize>,
    version: impl Fn(usize) -> Version,
) -> Option<Plan> {
    let mut planner = Planner {
        body,
        var_types,
        bound: vec![false; var_types.len()],
        placed: vec![false; body.len()],
        steps: vec![],
    };
    planner.place_ready();
    if let Some(d) = delta {
        if matches!(body.get(d), Some(Literal::Atom { .. })) {
            planner.place_atom(d, version(d));
            planner.place_ready();
        }
    }
    loop {
        let mut best: Option<(usize, usize)> = None;
        for (i, literal) in body.iter().enumerate() {
            if planner.placed[i] {
                continue;
            }
            if let Literal::Atom { args, .. } = literal {
                let score = if planner.binds_nothing(args) {
                    usize::MAX
                } else {
                    planner.bound_columns(args)
                };
                if best.is_none_or(|(_, s)| score > s) {
                    best = Some((i, score));
                }
            }
        }
        let Some((i, _)) = best else { break };
        planner.place_atom(i, version(i));
        planner.place_ready();
    }
    if planner.placed.iter().all(|p| *p) {
        Some(Plan {
            steps: planner.steps,
        })
    } else {
        None
    }
}

/// Whether every variable of `exprs` is bound after running `plan` (checks a rule head or a query).
pub fn binds_all(plan: &Plan, var_count: usize, exprs: &[Expr]) -> bool {
    let mut bound = vec![false; var_count];
    for step in &plan.steps {
        match step {
            Step::Atom { actions, .. } => {
                for (_, action) in actions {
                    if let Action::Bind(v) = action {
                        if let Some(b) = bound.get_mut(v.index()) {
                            *b = true;
                        }
                    }
                }
            }
            Step::Bind { var, .. } => {
                if let Some(b) = bound.get_mut(var.index()) {
                    *b = true;
                }
            }
            _ => {}
        }
    }
    let mut vars = vec![];
    for e in exprs {
        e.vars(&mut vars);
    }
    vars.iter()
        .all(|v| bound.get(v.index()).copied().unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::testing::*;
    use crate::ir::RelationId;
    use ValueType::Number;

    fn shape(plan: &Plan) -> Vec<String> {
        plan.steps
            .iter()
            .map(|s| match s {
                Step::Atom {
                    relation,
                    key_columns,
                    access,
                    version,
                    ..
                } => {
                    format!("atom {} {key_columns:?} {access:?} {version:?}", relation.0)
                }
                Step::Negated {
                    relation,
                    key_columns,
                    exact,
                    ..
                } => {
                    format!("not {} {key_columns:?} exact={exact}", relation.0)
                }
                Step::Compare { .. } => "compare".to_string(),
                Step::Bind { var, .. } => format!("bind {}", var.0),
            })
            .collect()
    }

    #[test]
    fn later_atoms_probe_on_bound_columns_and_filters_come_early() {
        let (a, b, c) = (RelationId(0), RelationId(1), RelationId(2));
        // c(y, z), ¬b(x, _), x < 3, a(x, y)  — planned as a, then the filters, then c probed on y.
        let body = vec![
            atom(c, vec![var(1), var(2)]),
            neg(b, vec![var(0), Term::Wildcard]),
            cmp(
                CompareOp::Lt,
                Number,
                ev(0),
                Expr::Const(Value::from_raw(6)),
            ),
            atom(a, vec![var(0), var(1), var(0)]),
        ];
        let plan = plan(&body, &[Number; 3], None, |_| Version::Full).expect("safe");
        assert_eq!(
            shape(&plan),
            vec![
                "atom 2 [] Scan Full",
                "atom 0 [1] Probe Full",
                "not 1 [0] exact=false",
                "compare"
            ]
        );
        // With the last atom as the delta, it goes first and is scanned.
        let plan = plan_delta(&body, 3);
        assert_eq!(
            shape(&plan),
            vec![
                "atom 0 [] Scan Recent",
                "not 1 [0] exact=false",
                "compare",
                "atom 2 [0] Probe Full"
            ]
        );
        let Step::Atom { actions, .. } = &plan.steps[0] else {
            panic!("an atom")
        };
        assert!(
            matches!(actions[2], (2, Action::Check(v)) if v.0 == 0),
            "repeated variable is checked"
        );
    }

    #[test]
    fn an_atom_bound_in_every_column_is_found_whole_in_any_version() {
        let (a, b) = (RelationId(0), RelationId(1));
        // a(x, y), b(y, x): b is a whole row once a has bound x and y.
        let body = vec![atom(a, vec![var(0), var(1)]), atom(b, vec![var(1), var(0)])];
        let full = plan(&body, &[Number; 2], None, |_| Version::Full).expect("safe");
        assert_eq!(
            shape(&full),
            vec!["atom 0 [] Scan Full", "atom 1 [0, 1] Find Full"]
        );
        assert_eq!(full.indexes().count(), 0, "no index for whole-row lookups");
        assert_eq!(
            shape(&plan_delta(&body, 1)),
            vec!["atom 1 [] Scan Recent", "atom 0 [0, 1] Find Full"]
        );
        // A delta atom of constants only is found whole among the recent rows.
        let c = |n| Term::Const(Value::from_raw(n));
        let body = vec![atom(b, vec![c(2), c(4)]), atom(a, vec![var(0), var(1)])];
        assert_eq!(
            shape(&plan_delta(&body, 0)),
            vec!["atom 1 [0, 1] Find Recent", "atom 0 [] Scan Full"]
        );
    }

    fn plan_delta(body: &[Literal], delta: usize) -> Plan {
        plan(body, &[Number; 3], Some(delta), |i| {
            if i == delta {
                Version::Recent
            } else {
                Version::Full
            }
        })
        .expect("safe")
    }

    #[test]
    fn equalities_bind_and_unsafe_bodies_have_no_plan() {
        let a = RelationId(0);
        // y = x + 1 written as a comparison, before the atom that binds x.
        let sum = Expr::Arith {
            op: crate::value::ArithOp::Add,
            ty: Number,
            lhs: Box::new(ev(0)),
            rhs: Box::new(ev(0)),
        };
        let body = vec![
            cmp(CompareOp::Eq, Number, ev(1), sum),
            atom(a, vec![var(0)]),
        ];
        let planned = plan(&body, &[Number; 2], None, |_| Version::Full).expect("safe");
        assert_eq!(shape(&planned), vec!["atom 0 [] Scan Full", "bind 1"]);
        // x < y with y bound by nothing.
        let body = vec![
            atom(a, vec![var(0)]),
            cmp(CompareOp::Lt, Number, ev(0), ev(1)),
        ];
        assert!(plan(&body, &[Number; 2], None, |_| Version::Full).is_none());
    }
}
