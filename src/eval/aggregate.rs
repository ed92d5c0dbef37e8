//! Aggregates: `count`, `sum`, `min` and `max` over the rows of a complete input relation, per group.
//!
//! Runs when the stratum of the aggregate's output starts; stratification puts the input in an earlier
//! stratum, so it is complete. Groups come out in the order of their first row in the input (row order is
//! deterministic), so the output is too. `count` counts the group's rows (rows of a relation are distinct);
//! `sum` adds the target column of every row with checked arithmetic; `min` and `max` order the target
//! column with [`ValueStore::compare`] under the column's type.

use rustc_hash::FxHashMap;

use crate::eval::storage::Rows;
use crate::ir::{Aggregate, AggregateOp};
use crate::value::{ArithmeticError, Number, Value, ValueStore, ValueType};

/// The output rows (group values, then the result), row-major, one per non-empty group.
pub fn compute(
    aggregate: &Aggregate,
    input: &Rows,
    target_type: ValueType,
    values: &mut ValueStore,
) -> Result<Vec<Vec<Value>>, ArithmeticError> {
    let mut groups: FxHashMap<Vec<Value>, usize> = FxHashMap::default();
    let mut keys: Vec<Vec<Value>> = vec![];
    let mut accumulators: Vec<Accumulator> = vec![];
    for r in 0..input.len() {
        let row = input.row(r);
        let key: Vec<Value> = aggregate
            .group
            .iter()
            .map(|c| row.get(*c).copied().unwrap_or_default())
            .collect();
        let target = aggregate
            .target
            .and_then(|c| row.get(c).copied())
            .unwrap_or_default();
        let g = match groups.get(&key) {
            Some(g) => *g,
            None => {
                let g = keys.len();
                groups.insert(key.clone(), g);
                keys.push(key);
                accumulators.push(Accumulator {
                    count: 0,
                    sum: Number::Int(0),
                    best: target,
                });
                g
            }
        };
        accumulators[g].add(aggregate.op, target, target_type, values)?;
    }
    let mut out = Vec::with_capacity(keys.len());
    for (mut key, acc) in keys.into_iter().zip(accumulators) {
        let result = match aggregate.op {
            AggregateOp::Count => values.number(Number::Int(acc.count)),
            AggregateOp::Sum => values.number(acc.sum),
            AggregateOp::Min | AggregateOp::Max => acc.best,
        };
        key.push(result);
        out.push(key);
    }
    Ok(out)
}

struct Accumulator {
    count: i64,
    sum: Number,
    best: Value,
}

impl Accumulator {
    fn add(
        &mut self,
        op: AggregateOp,
        target: Value,
        ty: ValueType,
        values: &ValueStore,
    ) -> Result<(), ArithmeticError> {
        let first = self.count == 0;
        self.count = self.count.checked_add(1).ok_or(ArithmeticError::Overflow)?;
        match op {
            AggregateOp::Count => {}
            AggregateOp::Sum => {
                self.sum = self
                    .sum
                    .apply(crate::value::ArithOp::Add, values.number_of(target))?;
            }
            AggregateOp::Min => {
                if first || values.compare(ty, target, self.best).is_lt() {
                    self.best = target;
                }
            }
            AggregateOp::Max => {
                if first || values.compare(ty, target, self.best).is_gt() {
                    self.best = target;
                }
            }
        }
        Ok(())
    }
}
