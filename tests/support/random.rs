//! A deterministic generator of random stratifiable-or-not IR programs with fact sets, shared by the
//! differential tests (`tests/differential.rs`) and the proof-validity tests (`tests/explain_props.rs`).

#![allow(dead_code)]

use accord::facts::{FactOrigin, FactSet};
use accord::ir::{AggregateOp, CompareOp, Expr, Literal, Program, RelationId, Term};
use accord::value::{ArithOp, Number, Value, ValueStore, ValueType};

use super::*;

/// splitmix64: deterministic, seedable, good enough to shape programs.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

pub struct Generator<'a> {
    pub rng: Rng,
    pub values: &'a mut ValueStore,
}

const OPS: [CompareOp; 6] = [
    CompareOp::Eq,
    CompareOp::Ne,
    CompareOp::Lt,
    CompareOp::Le,
    CompareOp::Gt,
    CompareOp::Ge,
];

/// The random program and facts of `seed`, their values in `values`.
pub fn generated(seed: u64, values: &mut ValueStore) -> (Program, FactSet) {
    Generator {
        rng: Rng(seed),
        values,
    }
    .program()
}

impl Generator<'_> {
    fn constant(&mut self, ty: ValueType) -> Value {
        match ty {
            ValueType::Text => {
                let t = self.rng.pick(&["a", "b", "c"]);
                self.values.text(t)
            }
            _ => {
                let n = self.rng.below(4) as i64;
                self.values.number(Number::Int(n))
            }
        }
    }

    fn number(&mut self, n: i64) -> Expr {
        Expr::Const(self.values.number(Number::Int(n)))
    }

    /// A random program (relations, rules, aggregates, policy facts) and a fact set for it.
    pub fn program(&mut self) -> (Program, FactSet) {
        let mut p = Program::default();
        let count = 3 + self.rng.below(4);
        let mut aggregated = vec![];
        for i in 0..count {
            if i > 0 && self.rng.chance(25) {
                let input = RelationId(self.rng.below(i) as u32);
                let input_types = p.relation(input).types();
                let mut op = self.rng.pick(&[
                    AggregateOp::Count,
                    AggregateOp::Sum,
                    AggregateOp::Min,
                    AggregateOp::Max,
                ]);
                let group: Vec<usize> = (0..input_types.len())
                    .filter(|_| self.rng.chance(40))
                    .collect();
                let numbers: Vec<usize> = (0..input_types.len())
                    .filter(|c| input_types[*c] == ValueType::Number)
                    .collect();
                let target = match op {
                    AggregateOp::Count => None,
                    AggregateOp::Sum if numbers.is_empty() => None,
                    AggregateOp::Sum => Some(self.rng.pick(&numbers)),
                    _ if input_types.is_empty() => None,
                    _ => Some(self.rng.below(input_types.len())),
                };
                if target.is_none() {
                    op = AggregateOp::Count;
                }
                let mut types: Vec<ValueType> = group.iter().map(|c| input_types[*c]).collect();
                types.push(match (op, target) {
                    (AggregateOp::Min | AggregateOp::Max, Some(t)) => input_types[t],
                    _ => ValueType::Number,
                });
                let output = relation(&mut p, &format!("agg{i}"), &types);
                aggregate(&mut p, op, input, output, &group, target);
                aggregated.push(true);
            } else {
                let types: Vec<ValueType> = (0..self.rng.below(4))
                    .map(|_| self.rng.pick(&[ValueType::Number, ValueType::Text]))
                    .collect();
                relation(&mut p, &format!("r{i}"), &types);
                aggregated.push(false);
            }
        }
        let mut facts = FactSet::for_program(&p);
        for (i, &is_output) in aggregated.iter().enumerate() {
            if is_output {
                continue;
            }
            let types = p.relations[i].types();
            for row in 0..self.rng.below(6) {
                let values: Vec<Value> = types.iter().map(|ty| self.constant(*ty)).collect();
                if self.rng.chance(50) {
                    fact(&mut p, RelationId(i as u32), &values);
                } else {
                    let origin = FactOrigin::Data {
                        file: 0,
                        line: row as u32 + 2,
                        row: row as u32,
                    };
                    facts.table_mut(RelationId(i as u32)).push(&values, origin);
                }
            }
        }
        let heads: Vec<usize> = (0..count).filter(|i| !aggregated[*i]).collect();
        for _ in 0..1 + self.rng.below(7) {
            let head = self.rng.pick(&heads);
            self.rule(&mut p, head, count);
        }
        (p, facts)
    }

    fn rule(&mut self, p: &mut Program, head: usize, count: usize) {
        let mut vars: Vec<ValueType> = vec![];
        let mut body: Vec<Literal> = vec![];
        let atoms = if self.rng.chance(10) {
            0
        } else {
            1 + self.rng.below(3)
        };
        for _ in 0..atoms {
            // Mostly from relations up to the head, so most programs stratify; sometimes from anywhere.
            let limit = if self.rng.chance(85) { head + 1 } else { count };
            let relation = RelationId(self.rng.below(limit) as u32);
            let mut args = vec![];
            for ty in p.relation(relation).types() {
                let same: Vec<usize> = (0..vars.len()).filter(|v| vars[*v] == ty).collect();
                let roll = self.rng.below(100);
                args.push(if roll < 45 && !same.is_empty() {
                    var(self.rng.pick(&same) as u32)
                } else if roll < 80 {
                    vars.push(ty);
                    var(vars.len() as u32 - 1)
                } else if roll < 90 {
                    Term::Const(self.constant(ty))
                } else {
                    Term::Wildcard
                });
            }
            body.push(atom(relation, args));
        }
        if self.rng.chance(30) {
            let numbers: Vec<usize> = (0..vars.len())
                .filter(|v| vars[*v] == ValueType::Number)
                .collect();
            if !numbers.is_empty() && self.rng.chance(60) {
                let x = self.rng.pick(&numbers) as u32;
                let step = self.rng.below(3) as i64;
                let sum = Expr::Arith {
                    op: ArithOp::Add,
                    ty: ValueType::Number,
                    lhs: Box::new(ev(x)),
                    rhs: Box::new(self.number(step)),
                };
                vars.push(ValueType::Number);
                let z = vars.len() as u32 - 1;
                body.push(bind(z, sum));
                let three = self.number(3);
                body.push(cmp(CompareOp::Le, ValueType::Number, ev(z), three));
            } else {
                let ty = self.rng.pick(&[ValueType::Number, ValueType::Text]);
                let c = self.constant(ty);
                vars.push(ty);
                body.push(bind(vars.len() as u32 - 1, Expr::Const(c)));
            }
        }
        for _ in 0..self.rng.below(2) {
            if vars.is_empty() {
                break;
            }
            let v = self.rng.below(vars.len());
            let ty = vars[v];
            let same: Vec<usize> = (0..vars.len())
                .filter(|w| vars[*w] == ty && *w != v)
                .collect();
            let rhs = if !same.is_empty() && self.rng.chance(50) {
                ev(self.rng.pick(&same) as u32)
            } else {
                Expr::Const(self.constant(ty))
            };
            let op = self.rng.pick(&OPS);
            body.push(cmp(op, ty, ev(v as u32), rhs));
        }
        if head > 0 && self.rng.chance(40) {
            let relation = RelationId(self.rng.below(head) as u32);
            let mut args = vec![];
            for ty in p.relation(relation).types() {
                let same: Vec<usize> = (0..vars.len()).filter(|v| vars[*v] == ty).collect();
                let roll = self.rng.below(100);
                args.push(if roll < 60 && !same.is_empty() {
                    var(self.rng.pick(&same) as u32)
                } else if roll < 80 {
                    Term::Const(self.constant(ty))
                } else {
                    Term::Wildcard
                });
            }
            body.push(neg(relation, args));
        }
        let mut head_args = vec![];
        for ty in p.relations[head].types() {
            let same: Vec<usize> = (0..vars.len()).filter(|v| vars[*v] == ty).collect();
            if !same.is_empty() && self.rng.chance(85) {
                let v = self.rng.pick(&same) as u32;
                if ty == ValueType::Number && self.rng.chance(15) {
                    let (one, three) = (self.number(1), self.number(3));
                    body.push(cmp(CompareOp::Le, ty, ev(v), three));
                    head_args.push(Expr::Arith {
                        op: ArithOp::Add,
                        ty,
                        lhs: Box::new(ev(v)),
                        rhs: Box::new(one),
                    });
                } else {
                    head_args.push(ev(v));
                }
            } else {
                head_args.push(Expr::Const(self.constant(ty)));
            }
        }
        for i in (1..body.len()).rev() {
            let j = self.rng.below(i + 1);
            body.swap(i, j);
        }
        rule(p, RelationId(head as u32), head_args, body, &vars);
    }
}
