//! TEMPORARY minimal stratifier (replaced by the eval branch's).
use crate::ir::{Literal, Program, RelationId, RuleId};

#[derive(Clone, Debug)]
pub struct Stratum {
    pub relations: Vec<RelationId>,
    pub rules: Vec<RuleId>,
    pub aggregates: Vec<usize>,
    pub recursive: bool,
}

#[derive(Clone, Debug)]
pub struct CycleStep {
    pub from: RelationId,
    pub to: RelationId,
    pub rule: Option<RuleId>,
    pub aggregate: Option<usize>,
    pub negative: bool,
}

#[derive(Clone, Debug)]
pub struct NegativeCycle {
    pub steps: Vec<CycleStep>,
}

pub fn stratify(program: &Program) -> Result<Vec<Stratum>, NegativeCycle> {
    // Naive: a relation's level is 1 + max over negative deps, >= positive deps; iterate.
    let n = program.relations.len();
    let mut level = vec![0usize; n];
    for _ in 0..=n + 1 {
        let mut changed = false;
        for (ri, r) in program.rules.iter().enumerate() {
            for l in &r.body {
                let (rel, neg) = match l {
                    Literal::Atom { relation, .. } => (*relation, false),
                    Literal::Negated { relation, .. } => (*relation, true),
                    _ => continue,
                };
                let want = level[rel.index()] + neg as usize;
                if level[r.head.index()] < want {
                    level[r.head.index()] = want;
                    changed = true;
                    if want > n {
                        return Err(NegativeCycle { steps: vec![CycleStep { from: rel, to: r.head, rule: Some(RuleId(ri as u32)), aggregate: None, negative: neg }] });
                    }
                }
            }
        }
        for (ai, a) in program.aggregates.iter().enumerate() {
            let want = level[a.input.index()] + 1;
            if level[a.output.index()] < want {
                level[a.output.index()] = want;
                changed = true;
                if want > n {
                    return Err(NegativeCycle { steps: vec![CycleStep { from: a.input, to: a.output, rule: None, aggregate: Some(ai), negative: true }] });
                }
            }
        }
        if !changed {
            break;
        }
    }
    let max = level.iter().copied().max().unwrap_or(0);
    Ok((0..=max)
        .map(|l| Stratum {
            relations: (0..n).filter(|i| level[*i] == l).map(|i| RelationId(i as u32)).collect(),
            rules: (0..program.rules.len()).filter(|i| level[program.rules[*i].head.index()] == l).map(|i| RuleId(i as u32)).collect(),
            aggregates: (0..program.aggregates.len()).filter(|i| level[program.aggregates[*i].output.index()] == l).collect(),
            recursive: true,
        })
        .collect())
}
