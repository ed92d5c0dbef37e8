//! Per-decision answers equal the batch evaluation for every shipment of the N = 10 000 workload.

use std::collections::{BTreeMap, BTreeSet};

use accord::check::CheckOptions;
use accord::engine::Engine;
use accord::eval::EvalOptions;
use accord_bench::{measure, workload};

const AS_OF: i32 = 20_453; // 2025-12-31

#[test]
fn every_decision_equals_the_batch_result() {
    let dir = workload::write_temp(10_000, 1, "decisions").expect("write the workload");

    // Batch: every file, one evaluation.
    let options = CheckOptions {
        today: AS_OF,
        ..CheckOptions::default()
    };
    let mut batch = Engine::load(&[dir.join("policy.accord")], &options).expect("policy");
    batch.load_facts(&[dir.join("data")]).expect("data");
    let model = batch.evaluate(&EvalOptions::default()).expect("evaluate");
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in measure::OUTPUTS {
        let relation = batch.program().relation_id(name).expect("output relation");
        for row in model.rows(relation) {
            let id = batch.values.text_of(row[0]).to_string();
            expected.entry(id).or_default().insert(name.to_string());
        }
    }

    // Decisions: the base facts prepared once, then one decision per shipment.
    let mut decider = measure::decider(&dir, AS_OF).expect("decider");
    assert_eq!(decider.fast(), None, "the workload takes the fast path");
    let shipments = measure::shipments(&dir).expect("shipments");
    assert_eq!(shipments.len(), 100_000);
    let mut concluded = 0;
    for fields in &shipments {
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let (relation, row) = decider.row("shipment", &fields).expect("row");
        let decision = decider.decide(&[(relation, &row)]).expect("decide");
        assert!(!decision.evaluated_in_full && decision.removed.is_empty());
        let mut got = BTreeSet::new();
        for (r, row) in &decision.added {
            assert_eq!(row.len(), 1);
            assert_eq!(
                decider.values().text_of(row[0]),
                fields[0],
                "a conclusion about another shipment"
            );
            got.insert(decider.program().relation(*r).name.clone());
        }
        let want = expected.get(fields[0]).cloned().unwrap_or_default();
        assert_eq!(got, want, "shipment {}", fields[0]);
        concluded += usize::from(!got.is_empty());
    }
    // Both outcomes occur often enough for the comparison to mean something.
    assert!(concluded > 10_000 && concluded < 90_000, "{concluded}");
    assert!(decider.model().total_len() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}
