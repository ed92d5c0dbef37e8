//! JSON rendering of proofs and why-nots; the schema is documented (and kept stable) in
//! `docs/explain.md`. Keys appear in a fixed order; values use the `eval` JSON conventions (texts as
//! strings, numbers as numbers, dates as `"YYYY-MM-DD"`, booleans as booleans).

use serde_json::{json, Map, Value as Json};

use super::describe::{
    atom_text, bindings_list, bound_type, exceptions_of, fact_text, literal_text, origin_label,
    rule_info, shown_relation, var_text,
};
use super::proof::{Node, Premise, Proof, Step};
use super::whynot::{Attempt, Failure, RuleAttempt, Stop, WhyNot};
use super::Context;
use crate::facts::FactOrigin;
use crate::ir::{Literal, RuleId, Term};
use crate::value::{Value, ValueType};

/// A proof as JSON: its root node.
pub fn proof_json(ctx: &Context<'_>, proof: &Proof) -> Json {
    node_json(ctx, &proof.root)
}

/// A why-not as JSON.
pub fn why_not_json(ctx: &Context<'_>, why: &WhyNot) -> Json {
    let mut out = Map::new();
    out.insert(
        "atom".into(),
        Json::String(why.goal.display(ctx.program, ctx.values)),
    );
    out.insert("holds".into(), Json::Bool(!why.holds.is_empty()));
    if !why.holds.is_empty() {
        out.insert(
            "proofs".into(),
            Json::Array(why.holds.iter().map(|p| proof_json(ctx, p)).collect()),
        );
        return Json::Object(out);
    }
    out.insert(
        "stopped".into(),
        match why.stopped {
            Some(Stop::Depth) => json!("depth"),
            Some(Stop::Recursion) => json!("recursion"),
            None => Json::Null,
        },
    );
    out.insert(
        "rules".into(),
        Json::Array(why.attempts.iter().map(|a| attempt_json(ctx, a)).collect()),
    );
    Json::Object(out)
}

fn rule_json(ctx: &Context<'_>, rule: RuleId) -> Json {
    let info = rule_info(ctx, rule);
    json!({
        "kind": info.kind,
        "name": info.name,
        "location": info.location,
        "source": info.source,
        "alternative": info.alternative,
    })
}

fn row_json(ctx: &Context<'_>, node: &Node) -> Json {
    let types = ctx.program.relation(node.relation).types();
    Json::Array(
        node.row
            .iter()
            .zip(&types)
            .map(|(v, ty)| ctx.values.to_json(*ty, *v))
            .collect(),
    )
}

fn node_json(ctx: &Context<'_>, node: &Node) -> Json {
    let mut out = Map::new();
    let (relation, withdrawn) = shown_relation(ctx, node.relation);
    out.insert(
        "fact".into(),
        Json::String(fact_text(ctx, node.relation, &node.row)),
    );
    out.insert("relation".into(), Json::String(relation));
    out.insert("values".into(), row_json(ctx, node));
    if let Some((base, _)) = withdrawn {
        out.insert("withdrawn_from".into(), Json::String(base));
    }
    if let Some(id) = node.id {
        out.insert("id".into(), json!(id));
    }
    match &node.step {
        Step::Fact(origin) => {
            out.insert("by".into(), json!("fact"));
            out.insert("origin".into(), origin_json(ctx, node, *origin));
        }
        Step::Rule {
            rule,
            bindings,
            premises,
        } => {
            out.insert("by".into(), json!("rule"));
            out.insert("rule".into(), rule_json(ctx, *rule));
            let r = ctx.program.rule(*rule);
            let all: Vec<Option<Value>> = bindings.iter().map(|v| Some(*v)).collect();
            out.insert("bindings".into(), bindings_json(ctx, *rule, &all));
            let _ = r;
            out.insert(
                "premises".into(),
                Json::Array(
                    premises
                        .iter()
                        .map(|p| premise_json(ctx, *rule, p, &all))
                        .collect(),
                ),
            );
        }
        Step::Aggregate { aggregate, rows } => {
            let a = &ctx.program.aggregates[*aggregate];
            out.insert("by".into(), json!("aggregate"));
            out.insert(
                "aggregate".into(),
                json!({
                    "op": a.op.name(),
                    "text": super::describe::aggregate_text(ctx, a.span),
                    "location": ctx.sources.location(a.span).to_string(),
                    "rows": rows,
                }),
            );
        }
        Step::Seen(n) => {
            out.insert("by".into(), json!("see"));
            out.insert("see".into(), json!(n));
        }
        Step::DepthLimit => {
            out.insert("by".into(), json!("depth_limit"));
        }
        Step::Omitted => {
            out.insert("by".into(), json!("omitted"));
        }
        Step::Unexplained => {
            out.insert("by".into(), json!("unexplained"));
        }
    }
    Json::Object(out)
}

fn origin_json(ctx: &Context<'_>, node: &Node, origin: FactOrigin) -> Json {
    match origin {
        FactOrigin::Policy(span) => {
            let (label, source) = origin_label(ctx, node.relation, &node.row, origin);
            let name = ctx
                .program
                .facts
                .iter()
                .find(|f| {
                    f.relation == node.relation && f.values == node.row && f.span.same_as(&span)
                })
                .and_then(|f| f.name.clone());
            let _ = label;
            json!({
                "kind": "policy",
                "location": ctx.sources.location(span).to_string(),
                "name": name,
                "source": source,
            })
        }
        FactOrigin::Data { file, line, row } => json!({
            "kind": "data",
            "file": ctx.facts.files.get(file as usize),
            "line": if line > 0 { Some(line) } else { None },
            "row": row as u64 + 1,
        }),
        FactOrigin::Asserted { input } => json!({ "kind": "asserted", "input": input }),
    }
}

fn bindings_json(ctx: &Context<'_>, rule: RuleId, bindings: &[Option<Value>]) -> Json {
    let r = ctx.program.rule(rule);
    let mut out = Map::new();
    for (name, _, value) in bindings_list(ctx, r, bindings) {
        out.insert(name, value);
    }
    Json::Object(out)
}

fn premise_json(
    ctx: &Context<'_>,
    rule_id: RuleId,
    premise: &Premise,
    bindings: &[Option<Value>],
) -> Json {
    let rule = ctx.program.rule(rule_id);
    let literal = &rule.body[premise.literal()];
    let written = literal_text(ctx, rule, literal);
    match premise {
        Premise::Atom { node, .. } => json!({
            "kind": "fact",
            "premise": written,
            "node": node_json(ctx, node),
        }),
        Premise::Compare { lhs, .. } if matches!(literal, Literal::Bind { .. }) => {
            binding_json(ctx, rule, literal, written, *lhs)
        }
        Premise::Compare { lhs, rhs, .. } => {
            let (op, ty) = match literal {
                Literal::Compare { op, ty, .. } => (op.symbol(), *ty),
                _ => ("=", bound_type(rule, literal)),
            };
            json!({
                "kind": "comparison",
                "premise": written,
                "op": op,
                "lhs": ctx.values.to_json(ty, *lhs),
                "rhs": ctx.values.to_json(ty, *rhs),
                "text": format!("{} {op} {}", ctx.values.literal(ty, *lhs), ctx.values.literal(ty, *rhs)),
            })
        }
        Premise::Bind { value, .. } => binding_json(ctx, rule, literal, written, *value),
        Premise::Absent { .. } => {
            let atom = match literal {
                Literal::Negated { relation, args, .. } => {
                    atom_text(ctx, rule, *relation, args, bindings)
                }
                _ => written.clone(),
            };
            json!({ "kind": "absent", "premise": written, "atom": atom })
        }
        Premise::ExceptionNotApplied { why_not, .. } => {
            let (exceptions, base) = match literal {
                Literal::Negated { relation, .. } => (
                    exceptions_of(ctx, *relation),
                    super::describe::defeated_rule(ctx, *relation).map(str::to_string),
                ),
                _ => (vec![], None),
            };
            json!({
                "kind": "exception_not_applied",
                "premise": written,
                "rule": base,
                "exceptions": exceptions,
                "why_not": why_not.as_ref().map_or(Json::Null, |w| why_not_json(ctx, w)),
            })
        }
        Premise::Aggregate {
            aggregate,
            result,
            rows,
            ..
        } => {
            let agg = &ctx.program.aggregates[*aggregate];
            let ty = ctx
                .program
                .relation(agg.output)
                .types()
                .last()
                .copied()
                .unwrap_or(ValueType::Number);
            let mut group = Map::new();
            if let Literal::Atom { args, .. } = literal {
                for a in &args[..args.len().saturating_sub(1)] {
                    if let Term::Var(v) = a {
                        if let Some(Some(value)) = bindings.get(v.index()) {
                            group.insert(
                                var_text(ctx, rule, *v),
                                ctx.values.to_json(rule.vars[v.index()].ty, *value),
                            );
                        }
                    }
                }
            }
            json!({
                "kind": "aggregate",
                "premise": written,
                "op": agg.op.name(),
                "result": ctx.values.to_json(ty, *result),
                "rows": rows,
                "group": group,
            })
        }
    }
}

fn attempt_json(ctx: &Context<'_>, attempt: &RuleAttempt) -> Json {
    let rule = rule_json(ctx, attempt.rule);
    match &attempt.attempt {
        Attempt::Mismatch { column } => json!({
            "rule": rule,
            "result": "mismatch",
            "column": column + 1,
        }),
        Attempt::Partial {
            bindings,
            held,
            literal,
            failure,
        } => {
            let r = ctx.program.rule(attempt.rule);
            let lit = literal.and_then(|i| r.body.get(i));
            let written = lit.map(|l| literal_text(ctx, r, l));
            let mut failed = Map::new();
            failed.insert("premise".into(), json!(written));
            if let Some(
                Literal::Atom { relation, args, .. } | Literal::Negated { relation, args, .. },
            ) = lit
            {
                failed.insert(
                    "atom".into(),
                    json!(atom_text(ctx, r, *relation, args, bindings)),
                );
            }
            let ty = lit.map_or(ValueType::Number, |l| bound_type(r, l));
            let reason = match failure {
                Failure::NoFact { deeper } => {
                    failed.insert(
                        "why_not".into(),
                        deeper.as_ref().map_or(Json::Null, |d| why_not_json(ctx, d)),
                    );
                    "no_fact"
                }
                Failure::Compare { lhs, rhs } => {
                    let op = match lit {
                        Some(Literal::Compare { op, .. }) => op.symbol(),
                        _ => "=",
                    };
                    failed.insert("op".into(), json!(op));
                    failed.insert("lhs".into(), ctx.values.to_json(ty, *lhs));
                    failed.insert("rhs".into(), ctx.values.to_json(ty, *rhs));
                    failed.insert(
                        "text".into(),
                        json!(format!(
                            "{} {op} {}",
                            ctx.values.literal(ty, *lhs),
                            ctx.values.literal(ty, *rhs)
                        )),
                    );
                    "comparison_false"
                }
                Failure::NegatedHolds { proof } => {
                    failed.insert("proof".into(), proof_json(ctx, proof));
                    "negation_holds"
                }
                Failure::ExceptionFired { proof } => {
                    failed.insert("proof".into(), proof_json(ctx, proof));
                    "exception_fired"
                }
                Failure::Arithmetic(e) => {
                    failed.insert("message".into(), json!(e));
                    "arithmetic"
                }
                Failure::Conclusion { column, value } => {
                    let cty = ctx.program.relation(r.head).columns[*column].ty;
                    failed.insert("column".into(), json!(column + 1));
                    failed.insert("value".into(), ctx.values.to_json(cty, *value));
                    "conclusion_differs"
                }
                Failure::NoneFailed => "none",
                Failure::Budget => "budget",
            };
            let mut ordered = Map::new();
            ordered.insert("reason".into(), json!(reason));
            ordered.extend(failed);
            let failed = ordered;
            let all: Vec<Value> = bindings.iter().map(|b| b.unwrap_or_default()).collect();
            let all: Vec<Option<Value>> = all.into_iter().map(Some).collect();
            json!({
                "rule": rule,
                "result": "failed",
                "bindings": bindings_json(ctx, attempt.rule, bindings),
                "held": held.iter().map(|p| premise_json(ctx, attempt.rule, p, &all)).collect::<Vec<_>>(),
                "failed": failed,
            })
        }
    }
}

fn binding_json(
    ctx: &Context<'_>,
    rule: &crate::ir::Rule,
    literal: &Literal,
    written: String,
    value: Value,
) -> Json {
    let ty = bound_type(rule, literal);
    let variable = match literal {
        Literal::Bind { var, .. } => Some(var_text(ctx, rule, *var)),
        _ => None,
    };
    json!({
        "kind": "binding",
        "premise": written,
        "variable": variable,
        "value": ctx.values.to_json(ty, value),
    })
}
