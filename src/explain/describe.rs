//! Words for the pieces of an explanation, shared by the text and JSON renderings: facts, rules, origins,
//! literals as written, and atoms with their bindings substituted. Auxiliary relations are described in
//! the author's terms here (an aggregate by its source text, a defeat by the rule it withdraws).

use crate::check::AGGREGATE_VAR;
use crate::facts::FactOrigin;
use crate::ir::{Expr, Literal, RelationId, RelationKind, Rule, RuleId, RulePurpose, Term, VarId};
use crate::value::{Value, ValueType};

use super::Context;

const DEFEATED: &str = "__defeated_";

/// A rule's kind, name, place and source.
pub struct RuleInfo {
    /// `rule`, `symmetry`, `exception` or `aggregate_input`.
    pub kind: &'static str,
    pub name: Option<String>,
    pub location: String,
    pub source: Option<String>,
    /// Which alternative of a disjunctive rule (1-based), if it has several.
    pub alternative: Option<u32>,
}

impl RuleInfo {
    /// `rule NAME (file:line)`, `rule file:line`, `symmetry of mra (file:line)`, `exception NAME (…)`.
    pub fn label(&self, ctx: &Context<'_>, rule: RuleId) -> String {
        let alt = self
            .alternative
            .map_or(String::new(), |a| format!(", alternative {a}"));
        match (self.kind, &self.name) {
            ("symmetry", _) => format!(
                "symmetry of `{}` ({}{alt})",
                ctx.program.relation(ctx.program.rule(rule).head).name,
                self.location
            ),
            (kind, Some(name)) => format!("{} {name} ({}{alt})", kind_word(kind), self.location),
            (kind, None) => format!("{} {}{alt}", kind_word(kind), self.location),
        }
    }
}

fn kind_word(kind: &str) -> &'static str {
    match kind {
        "exception" => "exception",
        "aggregate_input" => "aggregate",
        _ => "rule",
    }
}

pub fn rule_info(ctx: &Context<'_>, rule: RuleId) -> RuleInfo {
    let r = ctx.program.rule(rule);
    let kind = match r.origin.purpose {
        RulePurpose::Written => "rule",
        RulePurpose::Symmetry => "symmetry",
        RulePurpose::Exception => "exception",
        RulePurpose::AggregateInput => "aggregate_input",
    };
    RuleInfo {
        kind,
        name: r.origin.name.as_deref().map(String::from),
        location: ctx.sources.location(r.origin.span).to_string(),
        source: r.origin.source.as_deref().map(String::from),
        alternative: (r.origin.disjunct > 0).then_some(r.origin.disjunct),
    }
}

/// The rule a defeat relation `__defeated_NAME` withdraws conclusions of.
pub fn defeated_rule<'c>(ctx: &'c Context<'_>, relation: RelationId) -> Option<&'c str> {
    let rel = ctx.program.relation(relation);
    (rel.kind == RelationKind::Auxiliary)
        .then(|| rel.name.strip_prefix(DEFEATED))
        .flatten()
}

/// The names of the exceptions that conclude a defeat relation.
pub fn exceptions_of(ctx: &Context<'_>, relation: RelationId) -> Vec<String> {
    let mut names: Vec<String> = vec![];
    for r in &ctx.program.rules {
        if r.head == relation {
            let name = r
                .origin
                .name
                .as_deref()
                .map(String::from)
                .unwrap_or_else(|| ctx.sources.location(r.origin.span).to_string());
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// The user-facing relation of a fact, and for a defeat `__defeated_B` the rule `B` it withdraws and
/// whether `B` is itself an exception. A defeat's row is a row of `B`'s conclusion (followed through
/// exceptions to exceptions).
pub fn shown_relation(ctx: &Context<'_>, relation: RelationId) -> (String, Option<(String, bool)>) {
    let mut current = relation;
    let mut withdrawn: Option<(String, bool)> = None;
    for _ in 0..ctx.program.rules.len() + 1 {
        let Some(base) = defeated_rule(ctx, current) else {
            break;
        };
        let rule = ctx
            .program
            .rules
            .iter()
            .find(|r| r.origin.name.as_deref() == Some(base));
        if withdrawn.is_none() {
            let exception = rule.is_some_and(|r| r.origin.purpose == RulePurpose::Exception);
            withdrawn = Some((base.to_string(), exception));
        }
        match rule {
            Some(r) => current = r.head,
            None => break,
        }
    }
    (ctx.program.relation(current).name.clone(), withdrawn)
}

/// A fact as written: `reduced_exams(S01)`; a defeat: `reduced_exams(S04) withdrawn from rule
/// mra_benefit`, or `exception suspension withdrawn for reduced_exams(S03)`.
pub fn fact_text(ctx: &Context<'_>, relation: RelationId, row: &[Value]) -> String {
    let types = ctx.program.relation(relation).types();
    let args: Vec<String> = row
        .iter()
        .zip(&types)
        .map(|(v, ty)| ctx.values.literal(*ty, *v))
        .collect();
    let (name, withdrawn) = shown_relation(ctx, relation);
    match withdrawn {
        Some((base, false)) => format!("{name}({}) withdrawn from rule `{base}`", args.join(", ")),
        Some((base, true)) => format!(
            "exception `{base}` withdrawn for {name}({})",
            args.join(", ")
        ),
        None => format!("{name}({})", args.join(", ")),
    }
}

/// `fact NAME (file:line)` or `fact (data.json:17, row 2)`, and the source of a named policy fact.
pub fn origin_label(
    ctx: &Context<'_>,
    relation: RelationId,
    row: &[Value],
    origin: FactOrigin,
) -> (String, Option<String>) {
    let place = ctx.origin_text(origin);
    if let FactOrigin::Policy(span) = origin {
        let fact = ctx
            .program
            .facts
            .iter()
            .find(|f| f.relation == relation && f.values == row && f.span.same_as(&span));
        if let Some(f) = fact {
            let label = match &f.name {
                Some(n) => format!("fact {n} ({place})"),
                None => format!("fact ({place})"),
            };
            return (label, f.source.as_deref().map(String::from));
        }
    }
    (format!("fact ({place})"), None)
}

/// How a variable is shown: its name, or an aggregate's source text for an aggregate's result.
pub fn var_text(ctx: &Context<'_>, rule: &Rule, v: VarId) -> String {
    // An aggregate's result is the last argument of the aggregate's output atom.
    for literal in &rule.body {
        if let Literal::Atom { relation, args, .. } = literal {
            if args.last() == Some(&Term::Var(v)) {
                if let Some(a) = ctx
                    .program
                    .aggregates
                    .iter()
                    .find(|a| a.output == *relation)
                {
                    return aggregate_text(ctx, a.span);
                }
            }
        }
    }
    rule.vars
        .get(v.index())
        .map_or("?", |x| x.name.as_str())
        .to_string()
}

/// Whether a variable stands for an aggregate's result (and has no name of the author's).
pub fn is_aggregate_var(ctx: &Context<'_>, rule: &Rule, v: VarId) -> bool {
    rule.vars
        .get(v.index())
        .is_some_and(|x| x.name.starts_with(AGGREGATE_VAR) || x.name.contains(' '))
        || rule.body.iter().any(|l| {
            matches!(l, Literal::Atom { relation, args, .. }
                if args.last() == Some(&Term::Var(v))
                    && ctx.program.aggregates.iter().any(|a| a.output == *relation))
        })
}

/// An aggregate's source text on one line.
pub fn aggregate_text(ctx: &Context<'_>, span: crate::syntax::Span) -> String {
    ctx.sources
        .snippet(span)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An expression as written (variables by name, constants as literals of type `ty`).
pub fn expr_text(ctx: &Context<'_>, rule: &Rule, expr: &Expr, ty: ValueType) -> String {
    match expr {
        Expr::Var(v) => var_text(ctx, rule, *v),
        Expr::Const(c) => ctx.values.literal(ty, *c),
        Expr::Arith { op, ty, lhs, rhs } => {
            let rty = if *ty == ValueType::Date {
                ValueType::Number
            } else {
                *ty
            };
            format!(
                "{} {} {}",
                expr_text(ctx, rule, lhs, *ty),
                op.symbol(),
                expr_text(ctx, rule, rhs, rty)
            )
        }
        Expr::Shift {
            date,
            amount,
            unit,
            negate,
        } => format!(
            "{} {} {} {}",
            expr_text(ctx, rule, date, ValueType::Date),
            if *negate { "-" } else { "+" },
            expr_text(ctx, rule, amount, ValueType::Number),
            unit.name()
        ),
    }
}

/// An atom's arguments: bound variables and constants as values, unbound variables by name.
pub fn atom_text(
    ctx: &Context<'_>,
    rule: &Rule,
    relation: RelationId,
    args: &[Term],
    bindings: &[Option<Value>],
) -> String {
    if let Some(a) = ctx.program.aggregates.iter().find(|a| a.output == relation) {
        // An aggregate's atom: its text, and the group it was asked for.
        let group: Vec<String> = args[..args.len().saturating_sub(1)]
            .iter()
            .filter_map(|a| match a {
                Term::Var(v) => bindings.get(v.index()).copied().flatten().map(|value| {
                    let ty = rule.vars.get(v.index()).map_or(ValueType::Number, |x| x.ty);
                    format!(
                        "{} = {}",
                        var_text(ctx, rule, *v),
                        ctx.values.literal(ty, value)
                    )
                }),
                _ => None,
            })
            .collect();
        let text = aggregate_text(ctx, a.span);
        return if group.is_empty() {
            text
        } else {
            format!("{text} where {}", group.join(", "))
        };
    }
    let types = ctx.program.relation(relation).types();
    let shown: Vec<String> = args
        .iter()
        .zip(&types)
        .map(|(a, ty)| match a {
            Term::Const(v) => ctx.values.literal(*ty, *v),
            Term::Var(v) => match bindings.get(v.index()).copied().flatten() {
                Some(value) => ctx.values.literal(*ty, value),
                None => var_text(ctx, rule, *v),
            },
            Term::Wildcard => "_".to_string(),
        })
        .collect();
    let (name, _) = shown_relation(ctx, relation);
    format!("{name}({})", shown.join(", "))
}

/// A body literal as written (no values substituted).
pub fn literal_text(ctx: &Context<'_>, rule: &Rule, literal: &Literal) -> String {
    let none: Vec<Option<Value>> = vec![];
    match literal {
        Literal::Atom { relation, args, .. } => {
            if let Some(a) = ctx
                .program
                .aggregates
                .iter()
                .find(|a| a.output == *relation)
            {
                return aggregate_text(ctx, a.span);
            }
            atom_text(ctx, rule, *relation, args, &none)
        }
        Literal::Negated { relation, args, .. } => match defeated_rule(ctx, *relation) {
            Some(base) => format!("no exception to `{base}`"),
            None => format!("¬ {}", atom_text(ctx, rule, *relation, args, &none)),
        },
        Literal::Compare {
            op, ty, lhs, rhs, ..
        } => format!(
            "{} {} {}",
            expr_text(ctx, rule, lhs, *ty),
            op.symbol(),
            expr_text(ctx, rule, rhs, *ty)
        ),
        Literal::Bind { var, expr, .. } => {
            let ty = rule
                .vars
                .get(var.index())
                .map_or(ValueType::Number, |v| v.ty);
            format!(
                "{} = {}",
                var_text(ctx, rule, *var),
                expr_text(ctx, rule, expr, ty)
            )
        }
    }
}

/// The type of the value a binding literal binds.
pub fn bound_type(rule: &Rule, literal: &Literal) -> ValueType {
    match literal {
        Literal::Bind { var, .. } => rule
            .vars
            .get(var.index())
            .map_or(ValueType::Number, |v| v.ty),
        Literal::Compare { ty, .. } => *ty,
        _ => ValueType::Number,
    }
}

/// The user's variables that are bound, in order: `(name, value as a literal, value as JSON)`.
pub fn bindings_list(
    ctx: &Context<'_>,
    rule: &Rule,
    bindings: &[Option<Value>],
) -> Vec<(String, String, serde_json::Value)> {
    rule.vars
        .iter()
        .zip(bindings)
        .enumerate()
        .filter(|(i, (var, _))| {
            !var.name.starts_with('_') && !is_aggregate_var(ctx, rule, VarId(*i as u32))
        })
        .filter_map(|(_, (var, b))| {
            b.map(|v| {
                (
                    var.name.to_string(),
                    ctx.values.literal(var.ty, v),
                    ctx.values.to_json(var.ty, v),
                )
            })
        })
        .collect()
}
