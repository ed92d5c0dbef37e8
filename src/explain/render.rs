//! Text rendering: proofs and why-nots as trees drawn with box-drawing characters, one node a line.
//!
//! Both are first turned into [`Item`]s (a line, detail lines such as a rule's source, children), then
//! drawn: `├─ ` before a child, `└─ ` before the last one, `│  ` to continue a parent's column.

use super::describe::{
    aggregate_text, atom_text, bindings_list, bound_type, exceptions_of, expr_text, fact_text,
    literal_text, origin_label, rule_info, var_text,
};
use super::proof::{Node, Premise, Proof, Step};
use super::whynot::{Attempt, Failure, RuleAttempt, Stop, WhyNot};
use super::Context;
use crate::ir::{Literal, RuleId, Term};
use crate::value::Value;

/// One line of the drawing, its detail lines and its children.
struct Item {
    line: String,
    details: Vec<String>,
    children: Vec<Item>,
}

impl Item {
    fn new(line: String) -> Item {
        Item {
            line,
            details: vec![],
            children: vec![],
        }
    }

    fn draw(&self, out: &mut String) {
        out.push_str(&self.line);
        out.push('\n');
        self.draw_below("", out);
    }

    fn draw_below(&self, prefix: &str, out: &mut String) {
        let bar = if self.children.is_empty() {
            "   "
        } else {
            "│  "
        };
        for d in &self.details {
            out.push_str(&format!("{prefix}{bar}{d}\n"));
        }
        for (i, child) in self.children.iter().enumerate() {
            let last = i + 1 == self.children.len();
            out.push_str(prefix);
            out.push_str(if last { "└─ " } else { "├─ " });
            out.push_str(&child.line);
            out.push('\n');
            child.draw_below(
                &format!("{prefix}{}", if last { "   " } else { "│  " }),
                out,
            );
        }
    }
}

/// A proof as a drawn tree.
pub fn render_text(ctx: &Context<'_>, proof: &Proof) -> String {
    let mut out = String::new();
    node_item(ctx, &proof.root).draw(&mut out);
    out
}

/// A why-not as a drawn tree.
pub fn render_why_not(ctx: &Context<'_>, why: &WhyNot) -> String {
    let mut out = String::new();
    let goal = why.goal.display(ctx.program, ctx.values);
    if !why.holds.is_empty() {
        let mut item = Item::new(format!("{goal} holds"));
        item.children = why.holds.iter().map(|p| node_item(ctx, &p.root)).collect();
        item.draw(&mut out);
        return out;
    }
    let mut item = Item::new(format!("{goal} is not derived"));
    item.children = why_not_children(ctx, why);
    item.draw(&mut out);
    out
}

fn why_not_children(ctx: &Context<'_>, why: &WhyNot) -> Vec<Item> {
    let goal = why.goal.display(ctx.program, ctx.values);
    match why.stopped {
        Some(Stop::Recursion) => {
            return vec![Item::new(format!(
                "stopped: `{goal}` is already being explained above (recursion)"
            ))]
        }
        Some(Stop::Depth) => return vec![Item::new("stopped: depth limit reached".to_string())],
        None => {}
    }
    if why.attempts.is_empty() {
        let name = &ctx.program.relation(why.goal.relation).name;
        return vec![Item::new(format!(
            "no rule concludes `{name}`, and no fact matches"
        ))];
    }
    why.attempts.iter().map(|a| attempt_item(ctx, a)).collect()
}

fn attempt_item(ctx: &Context<'_>, attempt: &RuleAttempt) -> Item {
    let info = rule_info(ctx, attempt.rule);
    let rule = ctx.program.rule(attempt.rule);
    let label = info.label(ctx, attempt.rule);
    match &attempt.attempt {
        Attempt::Mismatch { column } => {
            let ty = ctx.program.relation(rule.head).columns[*column].ty;
            let head: Vec<String> = rule
                .head_args
                .iter()
                .map(|e| expr_text(ctx, rule, e, ty))
                .collect();
            Item::new(format!(
                "{label}: its conclusion {}({}) cannot match (column {})",
                ctx.program.relation(rule.head).name,
                head.join(", "),
                column + 1
            ))
        }
        Attempt::Partial {
            bindings,
            held,
            literal,
            failure,
        } => {
            let mut item = Item::new(label);
            for premise in held {
                item.children.push(premise_item(
                    ctx,
                    attempt.rule,
                    premise,
                    &bindings
                        .iter()
                        .map(|b| b.unwrap_or_default())
                        .collect::<Vec<_>>(),
                ));
            }
            item.children
                .push(failure_item(ctx, attempt.rule, *literal, failure, bindings));
            item
        }
    }
}

fn failure_item(
    ctx: &Context<'_>,
    rule_id: RuleId,
    literal: Option<usize>,
    failure: &Failure,
    bindings: &[Option<Value>],
) -> Item {
    let rule = ctx.program.rule(rule_id);
    let lit = literal.and_then(|i| rule.body.get(i));
    let written = lit.map_or(String::new(), |l| literal_text(ctx, rule, l));
    let pattern = match lit {
        Some(Literal::Atom { relation, args, .. } | Literal::Negated { relation, args, .. }) => {
            atom_text(ctx, rule, *relation, args, bindings)
        }
        _ => written.clone(),
    };
    let ty = lit.map_or(crate::value::ValueType::Number, |l| bound_type(rule, l));
    let mut item = match failure {
        Failure::NoFact { deeper } => {
            let mut item = Item::new(format!("✗ no fact {pattern}"));
            if let Some(deeper) = deeper {
                item.children = why_not_children(ctx, deeper);
            }
            item
        }
        Failure::Compare { lhs, rhs } => {
            let op = match lit {
                Some(Literal::Compare { op, .. }) => op.symbol(),
                _ => "=",
            };
            Item::new(format!(
                "✗ {} {op} {} is false  ({written})",
                ctx.values.literal(ty, *lhs),
                ctx.values.literal(ty, *rhs)
            ))
        }
        Failure::NegatedHolds { proof } => {
            let mut item = Item::new(format!("✗ {written} fails: {pattern} holds"));
            item.children.push(node_item(ctx, &proof.root));
            item
        }
        Failure::ExceptionFired { proof } => {
            let names = match lit {
                Some(Literal::Negated { relation, .. }) => exceptions_of(ctx, *relation),
                _ => vec![],
            };
            let fired = match &proof.root.step {
                Step::Rule { rule, .. } => ctx
                    .program
                    .rule(*rule)
                    .origin
                    .name
                    .as_deref()
                    .map(String::from),
                _ => None,
            }
            .or_else(|| names.first().cloned())
            .unwrap_or_default();
            let mut item = Item::new(format!("✗ exception `{fired}` applies"));
            item.children.push(node_item(ctx, &proof.root));
            item
        }
        Failure::Arithmetic(e) => Item::new(format!("✗ {written}: arithmetic failed: {e}")),
        Failure::Conclusion { column, value } => {
            let ty = ctx.program.relation(rule.head).columns[*column].ty;
            Item::new(format!(
                "✗ the conclusion computes {} in column {}",
                ctx.values.literal(ty, *value),
                column + 1
            ))
        }
        Failure::NoneFailed => Item::new("every premise holds".to_string()),
        Failure::Budget => Item::new(format!("✗ the search gave up (budget spent) at {written}")),
    };
    let shown = bindings_list(ctx, rule, bindings);
    if !shown.is_empty() && !matches!(failure, Failure::NoneFailed) {
        let list: Vec<String> = shown.iter().map(|(n, v, _)| format!("{n} = {v}")).collect();
        item.details.push(format!("with {}", list.join(", ")));
    }
    item
}

fn node_item(ctx: &Context<'_>, node: &Node) -> Item {
    let fact = fact_text(ctx, node.relation, &node.row);
    match &node.step {
        Step::Fact(origin) => {
            let (label, source) = origin_label(ctx, node.relation, &node.row, *origin);
            let mut item = Item::new(format!("{fact}  {label}"));
            if let Some(s) = source {
                item.details.push(format!("source: {s}"));
            }
            item
        }
        Step::Rule {
            rule,
            bindings,
            premises,
        } => {
            let info = rule_info(ctx, *rule);
            let id = node.id.map_or(String::new(), |n| format!("[{n}] "));
            let mut item = Item::new(format!("{fact}  {id}by {}", info.label(ctx, *rule)));
            if let Some(s) = &info.source {
                item.details.push(format!("source: {s}"));
            }
            item.children = premises
                .iter()
                .map(|p| premise_item(ctx, *rule, p, bindings))
                .collect();
            item
        }
        Step::Aggregate { aggregate, rows } => {
            let a = &ctx.program.aggregates[*aggregate];
            Item::new(format!(
                "{fact}  by aggregate {} over {rows} rows ({})",
                aggregate_text(ctx, a.span),
                ctx.sources.location(a.span)
            ))
        }
        Step::Seen(n) => Item::new(format!("{fact}  (see {n})")),
        Step::DepthLimit => Item::new(format!("{fact}  … (derived; depth limit reached)")),
        Step::Omitted => Item::new(format!("{fact}  (derived)")),
        Step::Unexplained => Item::new(format!(
            "{fact}  (derived, but no derivation was found within the search budget)"
        )),
    }
}

fn premise_item(ctx: &Context<'_>, rule_id: RuleId, premise: &Premise, bindings: &[Value]) -> Item {
    let rule = ctx.program.rule(rule_id);
    let literal = &rule.body[premise.literal()];
    let all: Vec<Option<Value>> = bindings.iter().map(|v| Some(*v)).collect();
    match premise {
        Premise::Atom { node, .. } => node_item(ctx, node),
        Premise::Compare { lhs, .. } if matches!(literal, Literal::Bind { .. }) => {
            bind_item(ctx, rule, literal, *lhs)
        }
        Premise::Compare { lhs, rhs, .. } => {
            let (op, ty) = match literal {
                Literal::Compare { op, ty, .. } => (op.symbol(), *ty),
                _ => ("=", bound_type(rule, literal)),
            };
            let values = format!(
                "{} {op} {}",
                ctx.values.literal(ty, *lhs),
                ctx.values.literal(ty, *rhs)
            );
            let written = literal_text(ctx, rule, literal);
            if written == values {
                Item::new(values)
            } else {
                Item::new(format!("{values}  ({written})"))
            }
        }
        Premise::Bind { value, .. } => bind_item(ctx, rule, literal, *value),
        Premise::Absent { .. } => match literal {
            Literal::Negated { relation, args, .. } => Item::new(format!(
                "no {}",
                atom_text(ctx, rule, *relation, args, &all)
            )),
            _ => Item::new(literal_text(ctx, rule, literal)),
        },
        Premise::ExceptionNotApplied { why_not, .. } => {
            let names = match literal {
                Literal::Negated { relation, .. } => exceptions_of(ctx, *relation),
                _ => vec![],
            };
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            let mut item = if quoted.len() == 1 {
                Item::new(format!("exception {} does not apply", quoted[0]))
            } else {
                Item::new(format!("exceptions {} do not apply", quoted.join(", ")))
            };
            if let Some(why) = why_not {
                item.children = why_not_children(ctx, why);
            }
            item
        }
        Premise::Aggregate { result, rows, .. } => {
            let text = literal_text(ctx, rule, literal);
            let (ty, group) = match literal {
                Literal::Atom { relation, args, .. } => {
                    let types = ctx.program.relation(*relation).types();
                    let group: Vec<String> = args[..args.len().saturating_sub(1)]
                        .iter()
                        .filter_map(|a| match a {
                            Term::Var(v) => Some(format!(
                                "{} = {}",
                                var_text(ctx, rule, *v),
                                ctx.values
                                    .literal(rule.vars[v.index()].ty, bindings[v.index()])
                            )),
                            _ => None,
                        })
                        .collect();
                    (
                        types
                            .last()
                            .copied()
                            .unwrap_or(crate::value::ValueType::Number),
                        group,
                    )
                }
                _ => (crate::value::ValueType::Number, vec![]),
            };
            let over = if *rows == 1 {
                "1 row".to_string()
            } else {
                format!("{rows} rows")
            };
            let group = if group.is_empty() {
                String::new()
            } else {
                format!(" where {}", group.join(", "))
            };
            Item::new(format!(
                "{text} = {}, over {over}{group}",
                ctx.values.literal(ty, *result)
            ))
        }
    }
}

/// `v = value  (v = expr)` for a binding literal (or an `=` that bound a variable).
fn bind_item(ctx: &Context<'_>, rule: &crate::ir::Rule, literal: &Literal, value: Value) -> Item {
    let ty = bound_type(rule, literal);
    let value = ctx.values.literal(ty, value);
    match literal {
        Literal::Bind { var, expr, .. } => {
            let name = var_text(ctx, rule, *var);
            let expr = expr_text(ctx, rule, expr, ty);
            if expr == value || expr.contains('{') {
                Item::new(format!("{name} = {value}"))
            } else {
                Item::new(format!("{name} = {value}  ({name} = {expr})"))
            }
        }
        _ => Item::new(format!("{}  (= {value})", literal_text(ctx, rule, literal))),
    }
}
