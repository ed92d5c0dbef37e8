//! Expansion: AST rules → conjunctive [`Draft`]s.
//!
//! Runs first in `check`. Expands subject-block forms (`NEEC certified` → `certified(c, NEEC)`), splits
//! disjunctions into one draft per disjunct (DNF), replaces `today` with the run's date, and extracts each
//! aggregate into an input relation (filled by its own drafts) and an output relation joined back into
//! the rule. Reports misuse of the sugar (subject forms outside a block, negation of a group).

use rustc_hash::FxHashSet as HashSet;

use super::draft::*;
use crate::diagnostic::Diagnostic;
use crate::ir::{AggregateOp, RulePurpose};
use crate::syntax::ast::{
    self, Conclusion, Expr, Formula, Literal, Name, RuleDecl, SmolStr, SubjectAtom,
};
use crate::syntax::Span;
use smol_str::format_smolstr;

mod chunks;
mod vars;
pub use chunks::{expand_rules, CHUNK_RULES};
use vars::formula_vars;

/// More disjuncts than this in one rule is almost surely a mistake, and would slow evaluation.
const MAX_DISJUNCTS: usize = 4096;

pub struct Expander {
    pub today: i32,
    pub drafts: Vec<Draft>,
    pub aggregates: Vec<AggregateDraft>,
    pub diagnostics: Vec<Diagnostic>,
    next_source_rule: usize,
    next_fresh: usize,
    /// Aggregates met while expanding, by placeholder id less `pending_base` (placeholders are never
    /// reused).
    pending: Vec<ast::AggregateExpr>,
    pending_base: usize,
}

/// Where an expander's numbering stands: the next source-rule index, the next auxiliary aggregate
/// relation and the next aggregate placeholder. Expanding a rule advances it by amounts that depend on
/// the rule alone, which is what lets `chunks` expand the rules of a policy in parallel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub source_rules: usize,
    pub fresh: usize,
    pub placeholders: usize,
}

impl std::ops::Add for Counters {
    type Output = Counters;

    /// Where the numbering stands after rules that used `more`, starting from `self`.
    fn add(self, more: Counters) -> Counters {
        Counters {
            source_rules: self.source_rules + more.source_rules,
            fresh: self.fresh + more.fresh,
            placeholders: self.placeholders + more.placeholders,
        }
    }
}

impl std::ops::Sub for Counters {
    type Output = Counters;

    /// How much numbering was used between `start` and `self`.
    fn sub(self, start: Counters) -> Counters {
        Counters {
            source_rules: self.source_rules - start.source_rules,
            fresh: self.fresh - start.fresh,
            placeholders: self.placeholders - start.placeholders,
        }
    }
}

/// More premises than this in one rule (after `∨` is split) is refused: evaluation and explanation
/// walk a rule's premises recursively.
const MAX_PREMISES: usize = 256;

fn too_many_premises(count: usize, span: Span) -> Diagnostic {
    Diagnostic::error("too_many_premises", format!("a rule with {count} premises"))
        .label(span, format!("at most {MAX_PREMISES} premises in one rule"))
        .help("split the rule: name groups of premises with rules of their own")
}

fn prim_span(prim: &Prim) -> Span {
    match prim {
        Prim::Atom(a) => a.span,
        Prim::Subject(s) => s.span,
        Prim::Compare(c) => c.span,
        Prim::NotAtom(_, span) | Prim::NotSubject(_, span) => *span,
    }
}

/// One primitive premise of a conjunction.
#[derive(Clone)]
enum Prim<'a> {
    Atom(&'a ast::Atom),
    Subject(&'a SubjectAtom),
    Compare(&'a ast::Comparison),
    NotAtom(&'a ast::Atom, Span),
    NotSubject(&'a SubjectAtom, Span),
}

/// The premise `formula` is when it is a single one: an atom, a subject form, a comparison, or a
/// negated atom or subject form, inside any parentheses. `dnf` gives it as one alternative of one
/// premise; for anything else, `None`.
fn single_premise(formula: &Formula) -> Option<Prim<'_>> {
    match ungrouped(formula) {
        Formula::Atom(a) => Some(Prim::Atom(a)),
        Formula::Subject(s) => Some(Prim::Subject(s)),
        Formula::Compare(c) => Some(Prim::Compare(c)),
        Formula::Not(inner, span) => match ungrouped(inner) {
            Formula::Atom(a) => Some(Prim::NotAtom(a, *span)),
            Formula::Subject(s) => Some(Prim::NotSubject(s, *span)),
            _ => None,
        },
        _ => None,
    }
}

/// `formula` without the parentheses around it.
fn ungrouped(mut formula: &Formula) -> &Formula {
    while let Formula::Group(inner, _) = formula {
        formula = inner;
    }
    formula
}

impl Expander {
    pub fn new(today: i32) -> Expander {
        Expander::starting_at(today, Counters::default())
    }

    /// An expander whose numbering continues from `at`, as if the rules before had been expanded.
    pub fn starting_at(today: i32, at: Counters) -> Expander {
        Expander {
            today,
            drafts: vec![],
            aggregates: vec![],
            diagnostics: vec![],
            next_source_rule: at.source_rules,
            next_fresh: at.fresh,
            pending: vec![],
            pending_base: at.placeholders,
        }
    }

    /// Where the numbering stands now.
    pub fn counters(&self) -> Counters {
        Counters {
            source_rules: self.next_source_rule,
            fresh: self.next_fresh,
            placeholders: self.pending_base + self.pending.len(),
        }
    }

    /// Expands one source rule; `subject` is the variable named by the enclosing subject block.
    /// Returns the source-rule index its drafts carry.
    pub fn rule(&mut self, rule: &RuleDecl, subject: Option<&Name>) -> usize {
        let pending_before = self.pending.len();
        let index = self.next_source_rule;
        self.next_source_rule += 1;
        let source = rule.annotations.iter().find_map(|a| match a {
            ast::Annotation::Source { text, .. } => Some(text.clone()),
            _ => None,
        });
        let head = match &rule.head {
            Conclusion::Atom(a) => self.atom(a),
            Conclusion::Subject(s) => match self.subject_atom(s, subject) {
                Some(a) => a,
                None => return index,
            },
        };
        let Some(conjunctions) = self.dnf(&rule.body) else {
            return index;
        };
        let (mut head, mut source) = (Some(head), Some(source));
        for (disjunct, conjunction) in conjunctions.iter().enumerate() {
            let Some(body) = self.conjunction(conjunction, subject) else {
                continue;
            };
            // The last alternative takes the head and source; the others copy them.
            let last = disjunct + 1 == conjunctions.len();
            let (Some(head), Some(source)) = (if last {
                (head.take(), source.take())
            } else {
                (head.clone(), source.clone())
            }) else {
                continue;
            };
            let draft = Draft {
                head,
                body,
                name: rule.name.clone(),
                source,
                span: rule.span,
                disjunct: disjunct_number(disjunct, conjunctions.len()),
                purpose: RulePurpose::Written,
                source_rule: index,
            };
            if self.pending.len() == pending_before {
                // No aggregate in this rule, so no placeholder to replace.
                self.drafts.push(draft);
            } else {
                self.extract_aggregates(draft, subject);
            }
        }
        index
    }

    fn dnf<'a>(&mut self, formula: &'a Formula) -> Option<Vec<Vec<Prim<'a>>>> {
        Some(match formula {
            Formula::Group(inner, _) => self.dnf(inner)?,
            Formula::Atom(_) | Formula::Subject(_) | Formula::Compare(_) | Formula::Not(..) => {
                if let Some(prim) = single_premise(formula) {
                    return Some(vec![vec![prim]]);
                }
                // Only a negation of something else than an atom or a subject form gets here.
                let negated = match formula {
                    Formula::Not(inner, _) => ungrouped(inner),
                    other => other,
                };
                self.diagnostics.push(
                    Diagnostic::error("negated_group", "`¬` applies to a single premise")
                        .label(negated.span(), "several premises, or a comparison")
                        .help(
                            "name the combination with a rule of its own and negate that: \
                             `p(x) ∧ q(x) ⇒ both(x).` then `¬ both(x)`; negate a comparison \
                             by flipping it (`¬ (x < 3)` is `x ≥ 3`)",
                        ),
                );
                return None;
            }
            Formula::Or(parts, _) => {
                let mut out = vec![];
                for p in parts {
                    out.extend(self.dnf(p)?);
                }
                out
            }
            Formula::And(parts, span) => {
                // Every alternative gets at least one premise from each part: a conjunction that is
                // too long is rejected before it is expanded (copying it part by part was quadratic).
                if parts.len() > MAX_PREMISES {
                    self.diagnostics.push(too_many_premises(parts.len(), *span));
                    return None;
                }
                let mut out: Vec<Vec<Prim>> = vec![Vec::with_capacity(parts.len())];
                for p in parts {
                    if let Some(prim) = single_premise(p) {
                        // What `dnf` gives for it, one alternative of one premise, without its vectors.
                        for prefix in &mut out {
                            prefix.push(prim.clone());
                        }
                        continue;
                    }
                    let alternatives = self.dnf(p)?;
                    if let [only] = alternatives.as_slice() {
                        for prefix in &mut out {
                            prefix.extend(only.iter().cloned());
                        }
                        continue;
                    }
                    if out.len() * alternatives.len() > MAX_DISJUNCTS {
                        self.diagnostics.push(
                            Diagnostic::error(
                                "too_many_disjuncts",
                                "this rule expands to too many alternatives",
                            )
                            .label(
                                *span,
                                format!("more than {MAX_DISJUNCTS} combinations of `∨`"),
                            )
                            .help("split the rule, or name parts of it with rules of their own"),
                        );
                        return None;
                    }
                    let mut next = Vec::with_capacity(out.len() * alternatives.len());
                    for prefix in &out {
                        for alt in &alternatives {
                            let mut c = prefix.clone();
                            c.extend(alt.iter().cloned());
                            next.push(c);
                        }
                    }
                    out = next;
                }
                out
            }
        })
    }

    fn conjunction(&mut self, prims: &[Prim], subject: Option<&Name>) -> Option<Vec<DraftLiteral>> {
        if prims.len() > MAX_PREMISES {
            let span = prim_span(&prims[0]).to(prim_span(&prims[prims.len() - 1]));
            self.diagnostics.push(too_many_premises(prims.len(), span));
            return None;
        }
        let mut body = Vec::with_capacity(prims.len());
        let mut ok = true;
        for prim in prims {
            match prim {
                Prim::Atom(a) => body.push(DraftLiteral::Atom(self.atom(a))),
                Prim::NotAtom(a, span) => {
                    let mut atom = self.atom(a);
                    atom.span = *span;
                    body.push(DraftLiteral::Negated(atom));
                }
                Prim::Subject(s) => match self.subject_atom(s, subject) {
                    Some(a) => body.push(DraftLiteral::Atom(a)),
                    None => ok = false,
                },
                Prim::NotSubject(s, span) => match self.subject_atom(s, subject) {
                    Some(mut a) => {
                        a.span = *span;
                        body.push(DraftLiteral::Negated(a))
                    }
                    None => ok = false,
                },
                Prim::Compare(c) => body.push(DraftLiteral::Compare {
                    op: c.op,
                    lhs: self.expr(&c.lhs),
                    rhs: self.expr(&c.rhs),
                    span: c.span,
                }),
            }
        }
        ok.then_some(body)
    }

    fn atom(&mut self, atom: &ast::Atom) -> DraftAtom {
        DraftAtom {
            relation: atom.relation.text.clone(),
            relation_span: atom.relation.span,
            args: atom.args.iter().map(|e| self.expr(e)).collect(),
            span: atom.span,
            subject_form: false,
        }
    }

    fn subject_atom(&mut self, atom: &SubjectAtom, subject: Option<&Name>) -> Option<DraftAtom> {
        let Some(subject) = subject else {
            let written = match &atom.qualifier {
                Some(Literal::Text { value, .. }) => format!("{}(x, {value})", atom.relation.text),
                _ => format!("{}(x)", atom.relation.text),
            };
            self.diagnostics.push(
                Diagnostic::error(
                    "subject_form_outside_block",
                    format!(
                        "`{}` without arguments is the subject form, which needs a subject block",
                        atom.relation.text
                    ),
                )
                .label(atom.span, "no subject to apply this to")
                .help(format!(
                    "write the arguments (`{written}`), or put the rule inside `subject x {{ … }}`"
                )),
            );
            return None;
        };
        let mut args = vec![DraftExpr::Var(subject.text.clone(), atom.relation.span)];
        if let Some(q) = &atom.qualifier {
            args.push(DraftExpr::Const(q.clone()));
        }
        Some(DraftAtom {
            relation: atom.relation.text.clone(),
            relation_span: atom.relation.span,
            args,
            span: atom.span,
            subject_form: true,
        })
    }

    fn expr(&mut self, expr: &Expr) -> DraftExpr {
        match expr {
            Expr::Var(n) => DraftExpr::Var(n.text.clone(), n.span),
            Expr::Wildcard(s) => DraftExpr::Wildcard(*s),
            Expr::Literal(l) => DraftExpr::Const(l.clone()),
            Expr::Today(span) => DraftExpr::Const(Literal::day(self.today, *span)),
            Expr::Paren(inner, _) => self.expr(inner),
            Expr::Binary { op, lhs, rhs, span } => DraftExpr::Binary {
                op: *op,
                lhs: Box::new(self.expr(lhs)),
                rhs: Box::new(self.expr(rhs)),
                span: *span,
            },
            Expr::Shift {
                date,
                negate,
                amount,
                unit,
                span,
            } => DraftExpr::Shift {
                date: Box::new(self.expr(date)),
                negate: *negate,
                amount: Box::new(self.expr(amount)),
                unit: *unit,
                span: *span,
            },
            Expr::Aggregate(agg) => {
                // Placeholder variable; `extract_aggregates` replaces it once the rule is complete.
                let id = self.pending_base + self.pending.len();
                self.pending.push((**agg).clone());
                DraftExpr::Var(format_smolstr!("\u{0}agg{id}"), agg.span)
            }
        }
    }
}

/// The prefix of the placeholder variables that stand for aggregate results.
pub const AGGREGATE_VAR: &str = "\u{0}agg";

/// How a variable is shown to the author (placeholders for aggregate results have no name).
pub fn shown(var: &str) -> &str {
    if var.starts_with(AGGREGATE_VAR) {
        "the aggregate's result"
    } else {
        var
    }
}

impl Expander {
    /// Replaces each aggregate placeholder of `draft` by a join with the aggregate's output relation,
    /// and expands the aggregate's premises into drafts for its input relation.
    fn extract_aggregates(&mut self, mut draft: Draft, subject: Option<&Name>) {
        let variables: Vec<(SmolStr, Span)> = draft
            .variables()
            .into_iter()
            .map(|(n, s)| (SmolStr::new(n), s))
            .collect();
        let outside: HashSet<&str> = variables
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !n.starts_with(AGGREGATE_VAR))
            .collect();
        for (placeholder, _) in variables
            .iter()
            .filter(|(n, _)| n.starts_with(AGGREGATE_VAR))
        {
            let Ok(id) = placeholder[AGGREGATE_VAR.len()..].parse::<usize>() else {
                continue;
            };
            let pending = id.checked_sub(self.pending_base);
            let Some(agg) = pending.and_then(|i| self.pending.get(i)).cloned() else {
                continue;
            };
            let k = self.next_fresh;
            self.next_fresh += 1;
            let (input, output) = (
                format_smolstr!("__aggregate{k}_input"),
                format_smolstr!("__aggregate{k}"),
            );
            let mut body_vars = vec![];
            formula_vars(&agg.body, subject, &mut body_vars);
            let target = agg.target.as_ref().map(|t| t.text.clone());
            if let Some(t) = &agg.target {
                if !body_vars.contains(&t.text) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "aggregate_target",
                            format!("`{}` does not occur in the aggregate's premises", t.text),
                        )
                        .label(t.span, "aggregated here")
                        .help(format!(
                            "the premises inside `{{ … }}` must bind `{}`",
                            t.text
                        )),
                    );
                    continue;
                }
                if outside.contains(t.text.as_str()) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "aggregate_target",
                            format!("`{}` is aggregated, so it cannot also be used outside the aggregate", t.text),
                        )
                        .label(t.span, "aggregated here")
                        .help("variables shared with the rest of the rule group the aggregate; rename one of them"),
                    );
                    continue;
                }
            } else if agg.op != AggregateOp::Count {
                self.diagnostics.push(
                    Diagnostic::error(
                        "aggregate_target",
                        format!("`{}` needs a variable to aggregate", agg.op.name()),
                    )
                    .label(agg.span, "no variable after the operator")
                    .help(format!(
                        "write `{} v {{ … }}` with `v` bound inside the braces",
                        agg.op.name()
                    )),
                );
                continue;
            }
            let group: Vec<SmolStr> = body_vars
                .iter()
                .filter(|v| outside.contains(v.as_str()) && Some(*v) != target.as_ref())
                .cloned()
                .collect();
            let others: Vec<SmolStr> = body_vars
                .iter()
                .filter(|v| !group.contains(v) && Some(*v) != target.as_ref())
                .cloned()
                .collect();
            let mut columns = group.clone();
            let target_column = match (agg.op, &target) {
                (AggregateOp::Count, Some(t)) => {
                    columns.push(t.clone());
                    None
                }
                (AggregateOp::Count, None) => {
                    columns.extend(others.iter().cloned());
                    None
                }
                (AggregateOp::Sum, Some(t)) => {
                    columns.push(t.clone());
                    columns.extend(others.iter().cloned());
                    Some(group.len())
                }
                (_, Some(t)) => {
                    columns.push(t.clone());
                    Some(group.len())
                }
                (_, None) => None,
            };
            let var = |n: &SmolStr| DraftExpr::Var(n.clone(), agg.span);
            let head = DraftAtom {
                relation: input.clone(),
                relation_span: agg.span,
                args: columns.iter().map(var).collect(),
                span: agg.span,
                subject_form: false,
            };
            if let Some(conjunctions) = self.dnf(&agg.body) {
                let source_rule = self.next_source_rule;
                self.next_source_rule += 1;
                for (i, conjunction) in conjunctions.iter().enumerate() {
                    let Some(body) = self.conjunction(conjunction, subject) else {
                        continue;
                    };
                    let input_draft = Draft {
                        head: head.clone(),
                        body,
                        name: None,
                        source: None,
                        span: agg.span,
                        disjunct: disjunct_number(i, conjunctions.len()),
                        purpose: RulePurpose::AggregateInput,
                        source_rule,
                    };
                    self.extract_aggregates(input_draft, subject);
                }
            }
            self.aggregates.push(AggregateDraft {
                op: agg.op,
                input,
                output: output.clone(),
                group_len: group.len(),
                target: target_column,
                span: agg.span,
            });
            let mut args: Vec<DraftExpr> = group.iter().map(var).collect();
            args.push(DraftExpr::Var(placeholder.clone(), agg.span));
            draft.body.push(DraftLiteral::Atom(DraftAtom {
                relation: output,
                relation_span: agg.span,
                args,
                span: agg.span,
                subject_form: false,
            }));
        }
        self.drafts.push(draft);
    }
}

/// A draft's `disjunct`: 0 when its rule has one alternative, else the alternative's 1-based position.
fn disjunct_number(index: usize, alternatives: usize) -> u32 {
    if alternatives > 1 {
        index as u32 + 1
    } else {
        0
    }
}
