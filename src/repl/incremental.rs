//! Incremental what-ifs: updates the current model for one asserted or retracted base fact without
//! evaluating the program again.
//!
//! Strata are visited in order. A stratum none of whose premises changed is skipped. For one whose
//! premises changed, each rule is run once per changed premise, with that premise reading only the
//! changed rows (a scratch relation appended to the model for the run):
//! - *gains*: rows added to a positive premise, or removed from a negated one, joined with the **new**
//!   versions of the other premises; a conclusion not in the old model is gained;
//! - *loss candidates*: rows removed from a positive premise, or added to a negated one, joined with
//!   the **old** versions; a candidate is lost unless it is a base fact or still has a derivation in the
//!   new versions (checked by running the relation's rules with the conclusion's values substituted).
//!
//! This is exact for non-recursive strata without aggregates (every new derivation uses a changed row,
//! and every lost row lost all of its old derivations, each through a changed row). Recursive strata,
//! aggregates, conclusions computed by arithmetic, and a base relation that rules also conclude are not
//! handled: [`apply`] returns `None` and the caller evaluates the whole program instead.

use std::collections::{HashMap, HashSet};

use crate::eval::storage::Rows;
use crate::eval::{answer_keeping_indexes, Model};
use crate::facts::FactOrigin;
use crate::ir::{Expr, Literal, Program, RelationId, Rule, Term, VarId};
use crate::stratify::Stratum;
use crate::value::{Value, ValueStore};

/// The rows one relation gained and lost.
#[derive(Clone, Debug, Default)]
pub(crate) struct Delta {
    pub added: Vec<Vec<Value>>,
    pub removed: Vec<Vec<Value>>,
}

pub(crate) type Deltas = HashMap<RelationId, Delta>;

/// The model after asserting (`assert`) or retracting `row` of base relation `relation`, and the
/// deltas of every changed relation; `None` when the change needs a full evaluation.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply(
    program: &Program,
    strata: &[Stratum],
    mut model: Model,
    values: &mut ValueStore,
    relation: RelationId,
    row: &[Value],
    assert: bool,
    input: u32,
) -> Result<(Model, Deltas), Model> {
    if !supported(program, strata, relation) || model.relations.get(relation.index()).is_none() {
        return Err(model);
    }
    let mut deltas = Deltas::new();
    let mut versions: HashMap<RelationId, Rows> = HashMap::new();
    let single = HashSet::from([row.to_vec()]);
    let mut grown: HashSet<RelationId> = HashSet::new();
    if assert {
        // Rows only added are added in place: the old version then reads a superset, which only adds
        // loss candidates, and every candidate is checked.
        if let Some(rows) = model.relations.get_mut(relation.index()) {
            rows.insert_base(row, FactOrigin::Asserted { input });
        }
        grown.insert(relation);
        deltas.insert(
            relation,
            Delta {
                added: vec![row.to_vec()],
                removed: vec![],
            },
        );
    } else if let Some(old) = model.relations.get(relation.index()) {
        versions.insert(relation, rebuild(old, &single, &[], 0));
        deltas.insert(
            relation,
            Delta {
                added: vec![],
                removed: vec![row.to_vec()],
            },
        );
    }
    let round = model.rounds + 1;
    for stratum in strata {
        let touched = stratum.rules.iter().any(|&r| {
            program
                .rule(r)
                .body
                .iter()
                .any(|l| literal_relation(l).is_some_and(|rel| deltas.contains_key(&rel)))
        }) || stratum
            .aggregates
            .iter()
            .any(|&a| deltas.contains_key(&program.aggregates[a].input));
        if !touched {
            continue;
        }
        if stratum.recursive || !stratum.aggregates.is_empty() {
            // `supported` rules this out before anything changed.
            continue;
        }
        let mut gains: HashMap<RelationId, HashSet<Vec<Value>>> = HashMap::new();
        let mut candidates: HashMap<RelationId, HashSet<Vec<Value>>> = HashMap::new();
        for &id in &stratum.rules {
            let rule = program.rule(id);
            for (k, literal) in rule.body.iter().enumerate() {
                let Some(rel) = literal_relation(literal) else {
                    continue;
                };
                let Some(delta) = deltas.get(&rel) else {
                    continue;
                };
                let positive = matches!(literal, Literal::Atom { .. });
                let (gain_rows, loss_rows) = if positive {
                    (&delta.added, &delta.removed)
                } else {
                    (&delta.removed, &delta.added)
                };
                if !gain_rows.is_empty() {
                    swap_versions(&mut model, &mut versions);
                    let found = run_with_delta(&mut model, rule, k, gain_rows, values, None);
                    swap_versions(&mut model, &mut versions);
                    gains
                        .entry(rule.head)
                        .or_default()
                        .extend(found.map_err(|_| ()).unwrap_or_default());
                }
                if !loss_rows.is_empty() {
                    let found =
                        run_with_delta(&mut model, rule, k, loss_rows, values, Some(&grown));
                    candidates
                        .entry(rule.head)
                        .or_default()
                        .extend(found.map_err(|_| ()).unwrap_or_default());
                }
            }
        }
        for &head in &stratum.relations {
            let (Some(old), gained, lost_candidates) = (
                model.relations.get(head.index()),
                gains.remove(&head).unwrap_or_default(),
                candidates.remove(&head).unwrap_or_default(),
            ) else {
                continue;
            };
            let added: Vec<Vec<Value>> =
                sorted(gained.into_iter().filter(|r| old.find(r).is_none()));
            let mut lost: HashSet<Vec<Value>> = HashSet::new();
            let mut checks: Vec<Vec<Value>> = vec![];
            for c in lost_candidates {
                match old.find(&c) {
                    Some(i) if old.origin(i).is_none() && !added.contains(&c) => checks.push(c),
                    _ => {}
                }
            }
            if !checks.is_empty() {
                swap_versions(&mut model, &mut versions);
                for c in checks {
                    if !derivable(&mut model, program, head, &c, values) {
                        lost.insert(c);
                    }
                }
                swap_versions(&mut model, &mut versions);
            }
            if added.is_empty() && lost.is_empty() {
                continue;
            }
            let Some(old) = model.relations.get(head.index()) else {
                continue;
            };
            if lost.is_empty() {
                if let Some(rows) = model.relations.get_mut(head.index()) {
                    for r in &added {
                        rows.insert(r, round);
                    }
                }
                grown.insert(head);
            } else {
                let fresh = rebuild(old, &lost, &added, round);
                versions.insert(head, fresh);
            }
            deltas.insert(
                head,
                Delta {
                    added,
                    removed: sorted(lost.into_iter()),
                },
            );
        }
    }
    for (id, rows) in versions {
        if let Some(slot) = model.relations.get_mut(id.index()) {
            *slot = rows;
        }
    }
    model.rounds = round;
    Ok((model, deltas))
}

/// Whether a change of base relation `relation` can be applied incrementally: no rule concludes it, and
/// every stratum that depends on it is non-recursive, has no aggregate, and concludes only variables
/// and constants.
fn supported(program: &Program, strata: &[Stratum], relation: RelationId) -> bool {
    if program.rules.iter().any(|r| r.head == relation) {
        return false;
    }
    let mut affected: HashSet<RelationId> = HashSet::from([relation]);
    for stratum in strata {
        let reads = |r: &Rule| {
            r.body
                .iter()
                .any(|l| literal_relation(l).is_some_and(|rel| affected.contains(&rel)))
        };
        let touched = stratum.rules.iter().any(|&r| reads(program.rule(r)))
            || stratum
                .aggregates
                .iter()
                .any(|&a| affected.contains(&program.aggregates[a].input));
        if !touched {
            continue;
        }
        let simple_heads = stratum.rules.iter().all(|&r| {
            program
                .rule(r)
                .head_args
                .iter()
                .all(|e| matches!(e, Expr::Var(_) | Expr::Const(_)))
        });
        if stratum.recursive || !stratum.aggregates.is_empty() || !simple_heads {
            return false;
        }
        affected.extend(stratum.relations.iter().copied());
    }
    true
}

fn sorted(rows: impl Iterator<Item = Vec<Value>>) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = rows.collect();
    out.sort_by_key(|r| r.iter().map(|v| v.raw()).collect::<Vec<_>>());
    out
}

fn literal_relation(literal: &Literal) -> Option<RelationId> {
    match literal {
        Literal::Atom { relation, .. } | Literal::Negated { relation, .. } => Some(*relation),
        _ => None,
    }
}

/// Exchanges the model's relations with their new versions (twice restores both).
fn swap_versions(model: &mut Model, versions: &mut HashMap<RelationId, Rows>) {
    for (id, rows) in versions.iter_mut() {
        if let Some(slot) = model.relations.get_mut(id.index()) {
            std::mem::swap(slot, rows);
        }
    }
}

/// A copy of `old` without the `lost` rows, with `added` appended (base facts keep their origin).
fn rebuild(old: &Rows, lost: &HashSet<Vec<Value>>, added: &[Vec<Value>], round: u32) -> Rows {
    let mut rows = Rows::new(old.arity());
    for i in 0..old.len() {
        let row = old.row(i);
        if lost.contains(row) {
            continue;
        }
        match old.origin(i) {
            Some(origin) => rows.insert_base(row, origin),
            None => rows.insert(row, old.round(i)),
        };
    }
    for r in added {
        rows.insert(r, round);
    }
    rows
}

/// Runs `rule` with premise `k` reading only `rows`; the conclusions found. For gains, a positive
/// premise reads the rows instead of its relation and a negated one gets them as an extra positive
/// premise. For loss candidates (`superset` holds the relations whose old version was grown in place),
/// premise `k` becomes a positive premise over the rows, and negations of grown relations are left out:
/// that only adds candidates, which are all checked.
fn run_with_delta(
    model: &mut Model,
    rule: &Rule,
    k: usize,
    rows: &[Vec<Value>],
    values: &mut ValueStore,
    superset: Option<&HashSet<RelationId>>,
) -> Result<Vec<Vec<Value>>, crate::eval::EvalError> {
    let scratch = RelationId(model.relations.len() as u32);
    let mut body = rule.body.clone();
    let arity = match &body[k] {
        Literal::Atom { args, .. } | Literal::Negated { args, .. } => args.len(),
        _ => return Ok(vec![]),
    };
    let mut delta_rows = Rows::new(arity);
    for r in rows {
        delta_rows.insert(r, 0);
    }
    match (&body[k], superset) {
        (Literal::Negated { args, span, .. }, None) => {
            let extra = Literal::Atom {
                relation: scratch,
                args: args.clone(),
                span: *span,
            };
            body.push(extra)
        }
        (Literal::Atom { args, span, .. } | Literal::Negated { args, span, .. }, _) => {
            body[k] = Literal::Atom {
                relation: scratch,
                args: args.clone(),
                span: *span,
            }
        }
        _ => {}
    }
    if let Some(grown) = superset {
        body.retain(
            |l| !matches!(l, Literal::Negated { relation, .. } if grown.contains(relation)),
        );
    }
    let first = body
        .iter()
        .position(|l| matches!(l, Literal::Atom { relation, .. } if *relation == scratch));
    model.relations.push(delta_rows);
    let found = answer_keeping_indexes(model, &body, &rule.vars, values, first);
    model.relations.pop();
    Ok(found?
        .iter()
        .map(|binding| head_row(rule, binding))
        .collect())
}

fn head_row(rule: &Rule, binding: &[Value]) -> Vec<Value> {
    rule.head_args
        .iter()
        .map(|e| match e {
            Expr::Var(v) => binding
                .get(v.index())
                .copied()
                .unwrap_or(Value::from_raw(0)),
            Expr::Const(c) => *c,
            _ => Value::from_raw(0),
        })
        .collect()
}

/// Whether some rule concluding `head` derives `row` in `model`.
fn derivable(
    model: &mut Model,
    program: &Program,
    head: RelationId,
    row: &[Value],
    values: &mut ValueStore,
) -> bool {
    program.rules.iter().filter(|r| r.head == head).any(|rule| {
        let mut fixed: HashMap<VarId, Value> = HashMap::new();
        for (arg, v) in rule.head_args.iter().zip(row) {
            let clash = match arg {
                Expr::Var(var) => fixed.insert(*var, *v).is_some_and(|old| old != *v),
                Expr::Const(c) => c != v,
                _ => false,
            };
            if clash {
                return false;
            }
        }
        let mut body: Vec<Literal> = rule
            .body
            .iter()
            .map(|l| substitute(l, &fixed, rule))
            .collect();
        let span = rule.origin.span;
        let mut vars: Vec<(&VarId, &Value)> = fixed.iter().collect();
        vars.sort();
        body.extend(vars.into_iter().map(|(var, value)| Literal::Bind {
            var: *var,
            expr: Expr::Const(*value),
            span,
        }));
        matches!(answer_keeping_indexes(model, &body, &rule.vars, values, None), Ok(rows) if !rows.is_empty())
    })
}

/// A literal with the variables of `fixed` replaced by their values in atoms (the caller binds them
/// with `x = value`); a binding `x = e` of a fixed `x` becomes a comparison.
fn substitute(literal: &Literal, fixed: &HashMap<VarId, Value>, rule: &Rule) -> Literal {
    let term = |t: &Term| match t {
        Term::Var(v) => fixed.get(v).map_or(*t, |c| Term::Const(*c)),
        other => *other,
    };
    match literal {
        Literal::Atom {
            relation,
            args,
            span,
        } => Literal::Atom {
            relation: *relation,
            args: args.iter().map(term).collect(),
            span: *span,
        },
        Literal::Negated {
            relation,
            args,
            span,
        } => Literal::Negated {
            relation: *relation,
            args: args.iter().map(term).collect(),
            span: *span,
        },
        Literal::Bind { var, expr, span } if fixed.contains_key(var) => Literal::Compare {
            op: crate::ir::CompareOp::Eq,
            ty: rule
                .vars
                .get(var.index())
                .map_or(crate::value::ValueType::Text, |v| v.ty),
            lhs: Expr::Var(*var),
            rhs: expr.clone(),
            span: *span,
        },
        other => other.clone(),
    }
}
