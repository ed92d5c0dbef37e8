//! Stratification: orders a program's relations so that negation and aggregation only look at complete
//! relations.
//!
//! Runs on the lowered [`ir::Program`] (the checker calls it to report negative cycles; the evaluator calls
//! it to schedule work). The dependency graph has one node per [`RelationId`] and an edge from every body
//! relation to the relation its rule concludes: positive for an atom, negative for a negated atom, and
//! negative (strict) from an [`ir::Aggregate`]'s input to its output. Strata are the graph's strongly
//! connected components (found by an iterative Tarjan, so deep chains of rules cannot overflow the stack),
//! listed so that every relation comes after everything it depends on.
//!
//! Invariants of the result: every relation is in exactly one stratum; every rule and aggregate is in the
//! stratum of the relation it concludes; the order only depends on the program (ids and rule order), never
//! on hashing; an edge inside one stratum is never negative.

use rustc_hash::FxHashSet;

use crate::ir::{self, Literal, RelationId, RuleId};

/// One strongly connected component of the dependency graph, with the rules and aggregates concluding
/// into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stratum {
    /// Ascending ids.
    pub relations: Vec<RelationId>,
    /// Rules whose head is in this stratum, ascending ids.
    pub rules: Vec<RuleId>,
    /// Indexes into `program.aggregates` whose output is in this stratum, ascending.
    pub aggregates: Vec<usize>,
    /// Whether some relation of the stratum depends on itself (directly or through others), so that the
    /// evaluator must iterate to a fixpoint.
    pub recursive: bool,
}

/// A cycle through negation or aggregation: the program has no stratification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegativeCycle {
    /// In order: each step's `to` is the next step's `from`, and the last step's `to` is the first step's
    /// `from`. At least one step is negative.
    pub steps: Vec<CycleStep>,
}

/// One edge of a [`NegativeCycle`]: `to` is concluded from `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CycleStep {
    /// The body (or aggregate input) relation.
    pub from: RelationId,
    /// The concluded (or aggregate output) relation.
    pub to: RelationId,
    /// The rule that makes the edge; `None` for an aggregate edge.
    pub rule: Option<RuleId>,
    /// The aggregate (index into `program.aggregates`) that makes the edge; `None` for a rule edge.
    pub aggregate: Option<usize>,
    /// Whether `to` depends on `from` through negation or aggregation.
    pub negative: bool,
}

/// Splits the program into strata, dependencies first, or reports a cycle through negation.
pub fn stratify(program: &ir::Program) -> Result<Vec<Stratum>, NegativeCycle> {
    let graph = Graph::new(program);
    let components = graph.components();
    let n = program.relations.len();
    let mut component_of = vec![0usize; n];
    for (c, members) in components.iter().enumerate() {
        for r in members {
            component_of[*r] = c;
        }
    }
    // Edges inside one component: a negative one means no stratification exists.
    for edge in &graph.edges {
        if edge.negative && component_of[edge.from] == component_of[edge.to] {
            return Err(graph.cycle_through(edge, &component_of));
        }
    }
    let mut strata: Vec<Stratum> = components
        .iter()
        .map(|members| {
            let mut relations: Vec<RelationId> =
                members.iter().map(|r| RelationId(*r as u32)).collect();
            relations.sort();
            Stratum {
                relations,
                rules: vec![],
                aggregates: vec![],
                recursive: members.len() > 1,
            }
        })
        .collect();
    for edge in &graph.edges {
        if edge.from == edge.to {
            strata[component_of[edge.to]].recursive = true;
        }
    }
    for (i, rule) in program.rules.iter().enumerate() {
        if let Some(c) = component_of.get(rule.head.index()) {
            strata[*c].rules.push(RuleId(i as u32));
        }
    }
    for (i, aggregate) in program.aggregates.iter().enumerate() {
        if let Some(c) = component_of.get(aggregate.output.index()) {
            strata[*c].aggregates.push(i);
        }
    }
    Ok(strata)
}

#[derive(Clone, Copy, Debug)]
struct Edge {
    from: usize,
    to: usize,
    rule: Option<RuleId>,
    aggregate: Option<usize>,
    negative: bool,
}

impl Edge {
    fn step(&self) -> CycleStep {
        CycleStep {
            from: RelationId(self.from as u32),
            to: RelationId(self.to as u32),
            rule: self.rule,
            aggregate: self.aggregate,
            negative: self.negative,
        }
    }
}

struct Graph {
    nodes: usize,
    edges: Vec<Edge>,
    /// For each relation, the edges concluding into it (`to == node`), i.e. what it depends on.
    depends: Adjacency,
    /// For each relation, the edges leaving it (`from == node`).
    feeds: Adjacency,
}

/// Each node's edges (ids into [`Graph::edges`], in edge order), all in one vector: a policy of ten
/// thousand relations would otherwise allocate twenty thousand small ones.
struct Adjacency {
    /// Node `n`'s edges are `edges[starts[n]..starts[n + 1]]`.
    starts: Vec<usize>,
    edges: Vec<usize>,
}

impl Adjacency {
    /// The edges of each of `nodes` nodes, `node_of` giving the node an edge belongs to.
    fn new(nodes: usize, edges: &[Edge], node_of: impl Fn(&Edge) -> usize) -> Adjacency {
        let mut starts = vec![0; nodes + 1];
        for e in edges {
            starts[node_of(e) + 1] += 1;
        }
        for n in 0..nodes {
            starts[n + 1] += starts[n];
        }
        let mut next = starts[..nodes].to_vec();
        let mut list = vec![0; edges.len()];
        for (i, e) in edges.iter().enumerate() {
            let node = node_of(e);
            list[next[node]] = i;
            next[node] += 1;
        }
        Adjacency {
            starts,
            edges: list,
        }
    }

    fn of(&self, node: usize) -> &[usize] {
        &self.edges[self.starts[node]..self.starts[node + 1]]
    }
}

impl Graph {
    fn new(program: &ir::Program) -> Graph {
        let nodes = program.relations.len();
        let premises: usize = program.rules.iter().map(|r| r.body.len()).sum();
        // Many rules repeat an edge (ten thousand rules over a hundred relations make a few hundred
        // distinct ones). Only an edge's first occurrence can matter: the components, the first
        // negative edge inside one and the breadth-first cycle search all take edges in order, and a
        // repeat only reaches what its first occurrence reached. So repeats are left out.
        let mut seen: FxHashSet<(usize, usize, bool)> =
            FxHashSet::with_capacity_and_hasher(nodes.min(premises), Default::default());
        let mut edges = vec![];
        let mut add = |edge: Edge| {
            // Ids out of range would break the IR invariants; drop such edges rather than panic.
            if edge.from < nodes
                && edge.to < nodes
                && seen.insert((edge.from, edge.to, edge.negative))
            {
                edges.push(edge);
            }
        };
        for (i, rule) in program.rules.iter().enumerate() {
            for literal in &rule.body {
                let (relation, negative) = match literal {
                    Literal::Atom { relation, .. } => (relation, false),
                    Literal::Negated { relation, .. } => (relation, true),
                    _ => continue,
                };
                add(Edge {
                    from: relation.index(),
                    to: rule.head.index(),
                    rule: Some(RuleId(i as u32)),
                    aggregate: None,
                    negative,
                });
            }
        }
        for (i, aggregate) in program.aggregates.iter().enumerate() {
            add(Edge {
                from: aggregate.input.index(),
                to: aggregate.output.index(),
                rule: None,
                aggregate: Some(i),
                negative: true,
            });
        }
        Graph {
            nodes,
            depends: Adjacency::new(nodes, &edges, |e| e.to),
            feeds: Adjacency::new(nodes, &edges, |e| e.from),
            edges,
        }
    }

    /// Tarjan's algorithm on the "depends on" direction, iteratively. A component is emitted after every
    /// component it depends on, so the result is already in evaluation order.
    fn components(&self) -> Vec<Vec<usize>> {
        const UNVISITED: usize = usize::MAX;
        let mut index = vec![UNVISITED; self.nodes];
        let mut low = vec![0usize; self.nodes];
        let mut on_stack = vec![false; self.nodes];
        let mut stack: Vec<usize> = vec![];
        let mut components = vec![];
        let mut counter = 0usize;
        // (node, position in its dependency list)
        let mut call: Vec<(usize, usize)> = vec![];
        for root in 0..self.nodes {
            if index[root] != UNVISITED {
                continue;
            }
            call.push((root, 0));
            index[root] = counter;
            low[root] = counter;
            counter += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (node, ref mut pos)) = call.last_mut() {
                if let Some(&edge) = self.depends.of(node).get(*pos) {
                    *pos += 1;
                    let next = self.edges[edge].from;
                    if index[next] == UNVISITED {
                        index[next] = counter;
                        low[next] = counter;
                        counter += 1;
                        stack.push(next);
                        on_stack[next] = true;
                        call.push((next, 0));
                    } else if on_stack[next] {
                        low[node] = low[node].min(index[next]);
                    }
                    continue;
                }
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if low[node] == index[node] {
                    let mut members = vec![];
                    while let Some(m) = stack.pop() {
                        on_stack[m] = false;
                        members.push(m);
                        if m == node {
                            break;
                        }
                    }
                    members.sort_unstable();
                    components.push(members);
                }
            }
        }
        components
    }

    /// A cycle that starts with `edge` (inside one component) and comes back to its `from` through edges
    /// of the same component, found by breadth-first search (so it is a shortest such cycle).
    fn cycle_through(&self, edge: &Edge, component_of: &[usize]) -> NegativeCycle {
        let component = component_of[edge.to];
        let mut steps = vec![edge.step()];
        if edge.to == edge.from {
            return NegativeCycle { steps };
        }
        // Parent edge for each reached node, searching forward from `edge.to` to `edge.from`.
        let mut parent: Vec<Option<usize>> = vec![None; self.nodes];
        let mut seen = vec![false; self.nodes];
        let mut queue = std::collections::VecDeque::from([edge.to]);
        seen[edge.to] = true;
        while let Some(node) = queue.pop_front() {
            if node == edge.from {
                break;
            }
            for &e in self.feeds.of(node) {
                let next = self.edges[e].to;
                if component_of[next] == component && !seen[next] {
                    seen[next] = true;
                    parent[next] = Some(e);
                    queue.push_back(next);
                }
            }
        }
        let mut path = vec![];
        let mut node = edge.from;
        while node != edge.to {
            match parent[node] {
                Some(e) => {
                    path.push(self.edges[e].step());
                    node = self.edges[e].from;
                }
                // Unreachable when both ends share a component; stop rather than loop.
                None => break,
            }
        }
        path.reverse();
        steps.extend(path);
        NegativeCycle { steps }
    }
}

#[cfg(test)]
mod tests;
