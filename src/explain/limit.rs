//! The depth limit of proofs: where a proof was cut, and the diagnostic that says so.
//!
//! A proof is built by recursion, one level per derived premise, so its depth is bounded
//! ([`super::DEFAULT_PROOF_DEPTH`], at most [`super::MAX_DEPTH`]). A node left unexpanded at the limit
//! is a [`Step::DepthLimit`]; [`depth_cut`] finds the first one (in preorder) with the rule whose
//! premise it is, and [`depth_diagnostic`] turns it into a warning that names the relation and the rule,
//! so the front ends (`accord explain`, `eval --explain`, `:why`) can say why a proof stops. The proof
//! itself stays valid: every node above the cut is a real derivation.

use super::describe::{fact_text, rule_info, shown_relation};
use super::proof::{Node, Premise, Proof, Step};
use super::Context;
use crate::diagnostic::Diagnostic;
use crate::ir::{RelationId, RuleId};
use crate::value::Value;

/// Where a proof stops at the depth limit.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthCut {
    /// The fact left unexpanded.
    pub relation: RelationId,
    pub row: Vec<Value>,
    /// The rule whose premise the fact is (the rule that keeps deriving it, in a recursive chain).
    pub rule: Option<RuleId>,
}

/// The first fact a proof leaves unexpanded because of the depth limit, if any.
pub fn depth_cut(proof: &Proof) -> Option<DepthCut> {
    // An explicit stack: proofs can be as deep as the limit allows.
    let mut stack: Vec<(&Node, Option<RuleId>)> = vec![(&proof.root, None)];
    while let Some((node, parent)) = stack.pop() {
        match &node.step {
            Step::DepthLimit => {
                return Some(DepthCut {
                    relation: node.relation,
                    row: node.row.clone(),
                    rule: parent,
                })
            }
            Step::Rule { rule, premises, .. } => {
                for premise in premises.iter().rev() {
                    if let Premise::Atom { node, .. } = premise {
                        stack.push((node, Some(*rule)));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// A warning when one of `proofs` was cut at `depth` (the limit in force): it names the fact and its
/// relation, and labels the rule that derives it from deeper facts.
pub fn depth_diagnostic(ctx: &Context<'_>, proofs: &[Proof], depth: usize) -> Option<Diagnostic> {
    let cut = proofs.iter().find_map(depth_cut)?;
    let (name, _) = shown_relation(ctx, cut.relation);
    let fact = fact_text(ctx, cut.relation, &cut.row);
    let mut d = Diagnostic::warning(
        "explain_depth_limit",
        format!(
            "the proof stops at depth {depth}: `{fact}` is derived from deeper facts of `{name}` and is not expanded"
        ),
    );
    if let Some(rule) = cut.rule {
        let info = rule_info(ctx, rule);
        d = d.label(
            ctx.program.rule(rule).origin.span,
            format!(
                "{} derives `{name}` here, one level per step",
                info.label(ctx, rule)
            ),
        );
    }
    Some(d.help(format!(
        "`--depth N` draws deeper proofs (at most {}); `accord explain` on `{fact}` continues from the cut",
        super::MAX_DEPTH
    )))
}
