//! Expansion of all the rules of a policy, in chunks on every core, with exactly the sequential result.
//!
//! Part of `expand`, the first pass of `check`. The rules are cut into chunks of [`CHUNK_RULES`], and
//! each chunk is expanded on rayon by its own [`Expander`] numbering from zero. Expanding a rule
//! advances the numbering (source-rule indices, auxiliary aggregate relations, aggregate placeholders)
//! by amounts that depend on the rule alone, so the [`Counters`] each chunk ends with give every later
//! chunk its true starting point. A chunk without aggregates numbered only source rules: its indices
//! are shifted to the starting point. A chunk with an aggregate, whose auxiliary relation names carry
//! the numbering, is expanded again from its starting point (policies have few aggregates), unless
//! that point is zero, as the first chunk's is (on one thread, the only chunk's). The chunks' results
//! are then concatenated in order.
//!
//! Invariant: [`expand_rules`] returns what one `Expander` run over the rules in order returns: the
//! same drafts, aggregates, diagnostics and source-rule indices, in the same order.

use rayon::prelude::*;

use super::{Counters, Expander};
use crate::check::draft::{AggregateDraft, Draft};
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{Name, RuleDecl};

/// How many rules one task expands: enough to make a task worth scheduling, few enough that both
/// cores get many.
pub const CHUNK_RULES: usize = 256;

/// A source rule and the subject of its block, if it is in one.
pub type SourceRule<'a> = (&'a RuleDecl, Option<&'a Name>);

/// What expanding rules gives.
#[derive(Debug, Default)]
pub struct Expansion {
    pub drafts: Vec<Draft>,
    pub aggregates: Vec<AggregateDraft>,
    pub diagnostics: Vec<Diagnostic>,
    /// Each rule's source-rule index (the index its drafts carry), in the rules' order.
    pub indices: Vec<usize>,
}

/// Expands `rules` in order, `chunk` rules per task (see the module doc).
pub fn expand_rules(today: i32, rules: &[SourceRule], chunk: usize) -> Expansion {
    let chunk = chunk.max(1);
    let first: Vec<(Expansion, Counters)> = rules
        .par_chunks(chunk)
        .map(|rules| expand_chunk(today, Counters::default(), rules))
        .collect();
    let mut starts = Vec::with_capacity(first.len());
    let mut at = Counters::default();
    for (_, used) in &first {
        starts.push(at);
        at = at + *used;
    }
    let parts: Vec<Expansion> = first
        .into_par_iter()
        .zip(rules.par_chunks(chunk))
        .zip(starts)
        .map(|(((mut part, used), rules), start)| {
            if start == Counters::default() {
                // The first chunk was numbered from its true start already.
                part
            } else if used.placeholders == 0 {
                shift(&mut part, start.source_rules);
                part
            } else {
                expand_chunk(today, start, rules).0
            }
        })
        .collect();
    // Sized once: ten thousand drafts grown by doubling would be copied a dozen times.
    let mut all = Expansion {
        drafts: Vec::with_capacity(parts.iter().map(|p| p.drafts.len()).sum()),
        indices: Vec::with_capacity(rules.len()),
        ..Expansion::default()
    };
    for mut part in parts {
        all.drafts.append(&mut part.drafts);
        all.aggregates.append(&mut part.aggregates);
        all.diagnostics.append(&mut part.diagnostics);
        all.indices.append(&mut part.indices);
    }
    all
}

/// Expands `rules` in order with numbering from `at`; what they give, and the numbering they used.
fn expand_chunk(today: i32, at: Counters, rules: &[SourceRule]) -> (Expansion, Counters) {
    let mut expander = Expander::starting_at(today, at);
    let indices = rules
        .iter()
        .map(|(rule, subject)| expander.rule(rule, *subject))
        .collect();
    let used = expander.counters() - at;
    let expansion = Expansion {
        drafts: expander.drafts,
        aggregates: expander.aggregates,
        diagnostics: expander.diagnostics,
        indices,
    };
    (expansion, used)
}

/// Moves an expansion numbered from zero (without aggregates) to source-rule index `offset`.
fn shift(part: &mut Expansion, offset: usize) {
    for draft in &mut part.drafts {
        draft.source_rule += offset;
    }
    for index in &mut part.indices {
        *index += offset;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::Item;
    use crate::syntax::{parse_file, FileId};

    /// Rules of every kind the expander numbers: aggregates (nested, in several disjuncts, with
    /// errors), disjunctions, subject blocks, and rules with expansion errors, between plain rules.
    fn policy() -> String {
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!(
                "rule plain{i}: a(x, C{i}) ∧ b(x, y) ∧ y ≤ 3 ⇒ p{i}(x).\n"
            ));
            match i % 8 {
                0 => text.push_str(&format!(
                    "n = count s {{ a(s, d) ∧ b(s, _) }} ⇒ counted{i}(d, n).\n"
                )),
                1 => text.push_str(&format!(
                    "(a(x, y) ∨ b(x, y)) ∧ (c(y) ∨ d(y)) ∧ t = sum v {{ e(x, v) ∨ f(x, v) }} ⇒ q{i}(x, t).\n"
                )),
                2 => text.push_str(&format!(
                    "subject s {{ NEEC certified ∧ ¬ risky ⇒ ok{i}. a(s, y) ⇒ r{i}(s). }}\n"
                )),
                3 => text.push_str(&format!("certified ⇒ bad{i}(x).\n")),
                4 => text.push_str(&format!("a(x, y) ∧ ¬ (b(x, y) ∧ c(y)) ⇒ bad{i}(x).\n")),
                5 => text.push_str(&format!(
                    "m = max {{ a(x, v) }} ∧ k = count {{ b(x, w) ∧ n = min w {{ c(w) }} }} ⇒ bad{i}(x, m, k).\n"
                )),
                6 => text.push_str(&format!(
                    "a(x, y) ∧ y = today + 3 days ∨ b(x, y) ⇒ s{i}(x, y).\n"
                )),
                _ => {}
            }
        }
        text
    }

    fn rules(items: &[Item]) -> Vec<SourceRule<'_>> {
        let mut out = vec![];
        for item in items {
            match item {
                Item::Rule(r) => out.push((&**r, None)),
                Item::Subject(block) => {
                    out.extend(block.rules.iter().map(|r| (r, Some(&block.subject))))
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn chunks_expand_exactly_as_one_expander_in_order() {
        let text = policy();
        let file = parse_file(FileId(0), &text).expect("parses");
        let rules = rules(&file.items);
        let mut expander = Expander::new(20000);
        let indices: Vec<usize> = rules.iter().map(|(r, s)| expander.rule(r, *s)).collect();
        let sequential = Expansion {
            drafts: expander.drafts,
            aggregates: expander.aggregates,
            diagnostics: expander.diagnostics,
            indices,
        };
        assert!(sequential.aggregates.len() > 10 && sequential.diagnostics.len() > 10);
        let expected = format!("{sequential:?}");
        for chunk in [1, 2, 3, 5, 8, 13, rules.len(), CHUNK_RULES] {
            let parallel = expand_rules(20000, &rules, chunk);
            assert!(
                format!("{parallel:?}") == expected,
                "chunks of {chunk} rules"
            );
        }
    }
}
