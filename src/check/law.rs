//! The law features on drafts: effective periods and exceptions (lex specialis).
//!
//! Runs after `expand`, before `types`. An effective period `effective from A until B on d` becomes the
//! comparisons `d ≥ A ∧ d ≤ B` (with `today` when no `on` variable is named). An exception `E exception
//! to B` is compiled to negation: E's drafts conclude the auxiliary relation `__defeated_B` instead of
//! their head, and each of B's drafts gains `¬ __defeated_B(head args)`. So a tuple B concludes is
//! withdrawn when E's premises hold for it, while any other rule concluding the same tuple still does.
//! Exceptions may have exceptions (E's own drafts gain `¬ __defeated_E(…)`), and stratification covers it.

use rustc_hash::FxHashMap as HashMap;

use super::draft::*;
use crate::diagnostic::Diagnostic;
use crate::ir::{CompareOp, RulePurpose};
use crate::syntax::ast::{Annotation, Literal, Name, RuleDecl, SmolStr};
use crate::syntax::Span;
use smol_str::format_smolstr;

/// The auxiliary relation holding the tuples of rule `name` that its exceptions withdraw.
pub fn defeat_relation(name: &str) -> SmolStr {
    format_smolstr!("__defeated_{name}")
}

/// Where each source rule's drafts are in a list of drafts, found in one pass: a rule's drafts are
/// not found by scanning all of them, which for ten thousand dated rules, or exceptions, would cost
/// ten thousand squared.
pub struct DraftsByRule {
    /// `(source_rule, position)`, sorted.
    entries: Vec<(usize, usize)>,
}

impl DraftsByRule {
    pub fn new(drafts: &[Draft]) -> DraftsByRule {
        let mut entries: Vec<(usize, usize)> = drafts
            .iter()
            .enumerate()
            .map(|(position, d)| (d.source_rule, position))
            .collect();
        // Drafts come nearly in rule order, which the sort finds as runs.
        entries.sort_unstable();
        DraftsByRule { entries }
    }

    /// The positions of the drafts of source rule `rule`, in ascending order.
    pub fn of(&self, rule: usize) -> impl Iterator<Item = usize> + '_ {
        let start = self.entries.partition_point(|(r, _)| *r < rule);
        self.entries[start..]
            .iter()
            .take_while(move |(r, _)| *r == rule)
            .map(|(_, position)| *position)
    }
}

/// Adds the comparisons of a rule's effective period to its drafts (those with `source_rule == index`,
/// found through `by_rule`, which the first rule with a period builds: most policies have none).
pub fn apply_effective(
    rule: &RuleDecl,
    index: usize,
    today: i32,
    drafts: &mut [Draft],
    by_rule: &mut Option<DraftsByRule>,
    diags: &mut Vec<Diagnostic>,
) {
    for annotation in &rule.annotations {
        let Annotation::Effective {
            from,
            until,
            on,
            span,
        } = annotation
        else {
            continue;
        };
        if from.is_none() && until.is_none() {
            diags.push(
                Diagnostic::error("empty_effective_period", "an effective period needs `from` or `until`")
                    .label(*span, "no dates given")
                    .help("write `effective from 2014-10-17 on d` or `effective from 2014-10-17 until 2020-12-31`"),
            );
            continue;
        }
        let by_rule = by_rule.get_or_insert_with(|| DraftsByRule::new(drafts));
        for position in by_rule.of(index) {
            let draft = &mut drafts[position];
            let date = match on {
                Some(var) => {
                    if !draft.variables().iter().any(|(n, _)| *n == var.text) {
                        diags.push(
                            Diagnostic::error(
                                "unknown_variable",
                                format!("the decision date `{}` is not a variable of this rule", var.text),
                            )
                            .label(var.span, "not in the rule's premises")
                            .help("name a date variable that a premise binds, e.g. the shipment's date"),
                        );
                        break;
                    }
                    DraftExpr::Var(var.text.clone(), var.span)
                }
                None => DraftExpr::Const(Literal::day(today, *span)),
            };
            for (op, bound) in [(CompareOp::Ge, from), (CompareOp::Le, until)] {
                if let Some(bound) = bound {
                    draft.body.push(DraftLiteral::Compare {
                        op,
                        lhs: date.clone(),
                        rhs: DraftExpr::Const(bound.clone()),
                        span: *span,
                    });
                }
            }
        }
    }
}

/// A source rule as exceptions see it.
pub struct NamedRule<'a> {
    pub name: &'a Name,
    pub index: usize,
    pub exceptions_to: Vec<&'a Name>,
    pub head_span: Span,
}

/// Compiles `exception to` annotations into negations over `__defeated_*` relations.
pub fn apply_exceptions(rules: &[NamedRule], drafts: &mut Vec<Draft>, diags: &mut Vec<Diagnostic>) {
    if rules.iter().all(|r| r.exceptions_to.is_empty()) {
        // No exception: nothing to resolve, no cycle, nothing to rewrite.
        return;
    }
    let by_name: HashMap<&str, &NamedRule> =
        rules.iter().map(|r| (r.name.text.as_str(), r)).collect();
    let names: Vec<&str> = rules.iter().map(|r| r.name.text.as_str()).collect();
    let by_rule = DraftsByRule::new(drafts);
    let mut ok = true;
    for rule in rules {
        for base in &rule.exceptions_to {
            let Some(base_rule) = by_name.get(base.text.as_str()) else {
                let mut d =
                    Diagnostic::error("unknown_rule", format!("no rule is named `{}`", base.text))
                        .label(base.span, "an exception to this");
                d = match crate::diagnostic::did_you_mean(&base.text, names.iter().copied()) {
                    Some(close) => d.help(format!("did you mean `{close}`?")),
                    None => d.help("an exception names the rule it carves out of: `rule name …:`"),
                };
                diags.push(d);
                ok = false;
                continue;
            };
            if base_rule.index == rule.index {
                diags.push(
                    Diagnostic::error(
                        "exception_cycle",
                        format!("rule `{}` is an exception to itself", base.text),
                    )
                    .label(base.span, "names its own rule")
                    .help("an exception names another rule"),
                );
                ok = false;
                continue;
            }
            let exception_head = by_rule.of(rule.index).next().map(|p| &drafts[p].head);
            let base_head = by_rule.of(base_rule.index).next().map(|p| &drafts[p].head);
            if let (Some(e), Some(b)) = (exception_head, base_head) {
                if let Some(reason) = cannot_match(e, b) {
                    diags.push(
                        Diagnostic::error(
                            "exception_mismatch",
                            format!("this exception's conclusion cannot match the conclusion of `{}`", base.text),
                        )
                        .label(rule.head_span, reason)
                        .label(base_rule.head_span, format!("`{}` concludes this", base.text))
                        .help("an exception states the conclusion it withdraws: the same relation, with arguments that can match"),
                    );
                    ok = false;
                }
            }
        }
    }
    if let Some(cycle) = exception_cycle(rules, &by_name) {
        let first = by_name[cycle[0]];
        let path = cycle
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(" → ");
        diags.push(
            Diagnostic::error("exception_cycle", format!("exceptions form a cycle: {path}"))
                .label(first.name.span, "part of the cycle")
                .help("an exception to an exception is fine, but the chain must end: remove one `exception to`"),
        );
        ok = false;
    }
    if !ok {
        return;
    }
    // Rewrite: every base gains a negation; every exception concludes the base's defeat relation.
    let mut added = vec![];
    for rule in rules.iter().filter(|r| !r.exceptions_to.is_empty()) {
        for base in &rule.exceptions_to {
            for position in by_rule.of(rule.index) {
                let mut d = drafts[position].clone();
                d.head.relation = defeat_relation(&base.text);
                d.purpose = RulePurpose::Exception;
                added.push(d);
            }
        }
    }
    // Sets, not scans: a library of ten thousand rules must not cost ten thousand squared.
    let excepted: rustc_hash::FxHashSet<&str> = rules
        .iter()
        .flat_map(|e| e.exceptions_to.iter().map(|b| b.text.as_str()))
        .collect();
    let bases: Vec<(&str, usize)> = rules
        .iter()
        .filter(|r| excepted.contains(r.name.text.as_str()))
        .map(|r| (r.name.text.as_str(), r.index))
        .collect();
    let exceptions: rustc_hash::FxHashSet<usize> = rules
        .iter()
        .filter(|r| !r.exceptions_to.is_empty())
        .map(|r| r.index)
        .collect();
    drafts.retain(|d| !exceptions.contains(&d.source_rule));
    drafts.extend(added);
    let by_rule = DraftsByRule::new(drafts);
    for (name, index) in bases {
        for position in by_rule.of(index) {
            let draft = &mut drafts[position];
            let mut fresh = 0;
            let mut args = vec![];
            for arg in draft.head.args.clone() {
                match arg {
                    DraftExpr::Var(..) | DraftExpr::Const(_) | DraftExpr::Wildcard(_) => {
                        args.push(arg)
                    }
                    other => {
                        let var = format_smolstr!("{}head{fresh}", super::expand::AGGREGATE_VAR);
                        fresh += 1;
                        let span = other.span();
                        draft.body.push(DraftLiteral::Compare {
                            op: CompareOp::Eq,
                            lhs: DraftExpr::Var(var.clone(), span),
                            rhs: other,
                            span,
                        });
                        args.push(DraftExpr::Var(var, span));
                    }
                }
            }
            draft.head.args = args.clone();
            draft.body.push(DraftLiteral::Negated(DraftAtom {
                relation: defeat_relation(name),
                relation_span: draft.head.relation_span,
                args,
                span: draft.head.span,
                subject_form: false,
            }));
        }
    }
}

/// Why two conclusions can never be the same tuple, if they cannot.
fn cannot_match(a: &DraftAtom, b: &DraftAtom) -> Option<String> {
    if a.relation != b.relation {
        return Some(format!("concludes `{}`, not `{}`", a.relation, b.relation));
    }
    if a.args.len() != b.args.len() {
        return Some(format!(
            "has {} arguments, not {}",
            a.args.len(),
            b.args.len()
        ));
    }
    for (x, y) in a.args.iter().zip(&b.args) {
        if let (DraftExpr::Const(p), DraftExpr::Const(q)) = (x, y) {
            if !same_literal(p, q) {
                return Some("a constant differs from the base rule's".to_string());
            }
        }
    }
    None
}

fn same_literal(a: &Literal, b: &Literal) -> bool {
    match (a, b) {
        (Literal::Text { value: x, .. }, Literal::Text { value: y, .. }) => x == y,
        (Literal::Number { text: x, .. }, Literal::Number { text: y, .. }) => x == y,
        (Literal::Date { text: x, .. }, Literal::Date { text: y, .. }) => x == y,
        (Literal::Bool { value: x, .. }, Literal::Bool { value: y, .. }) => x == y,
        _ => false,
    }
}

/// A cycle in the graph "rule → the rules it is an exception to", as a list of names.
fn exception_cycle<'a>(
    rules: &'a [NamedRule],
    by_name: &HashMap<&str, &'a NamedRule>,
) -> Option<Vec<&'a str>> {
    for start in rules {
        let mut path = vec![start.name.text.as_str()];
        let mut stack: Vec<(usize, &NamedRule)> = vec![(0, start)];
        while let Some((i, rule)) = stack.pop() {
            if let Some(base) = rule.exceptions_to.get(i) {
                stack.push((i + 1, rule));
                if base.text == start.name.text && rule.index != start.index {
                    return Some(path);
                }
                if let Some(next) = by_name.get(base.text.as_str()) {
                    if !path.contains(&next.name.text.as_str()) && next.index != rule.index {
                        path.push(next.name.text.as_str());
                        stack.push((0, next));
                    }
                }
            } else {
                path.pop();
            }
        }
    }
    None
}
