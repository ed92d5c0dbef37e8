//! The issue-9 benchmarks on the generated workload, at N = 1 000, 10 000 and 100 000 companies
//! (10·N shipments): parse + check, CSV load, batch evaluation (load included), explaining one fact,
//! and one per-shipment decision. `cargo bench -p accord-bench --bench workload` (all sizes; slow at
//! 100 000) or with a filter, e.g. `-- 'decide/'`. `ACCORD_BENCH_SIZES=1000,10000` picks the sizes.
//! Figures and the machine are in docs/performance.md.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

use accord::check::{check, CheckOptions};
use accord::engine::Engine;
use accord::eval::EvalOptions;
use accord::explain::{self, ExplainOptions};
use accord::syntax::SourceMap;
use accord::value::ValueStore;
use accord_bench::{measure, workload};

const AS_OF: i32 = 20_453; // 2025-12-31

fn sizes() -> Vec<usize> {
    std::env::var("ACCORD_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000])
}

/// The workload for `n`, generated once per run into the target directory.
fn dir(n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-bench-{n}"));
    if !dir.join("data/shipment.csv").exists() {
        workload::generate(n, 1)
            .write(&dir)
            .expect("write the workload");
    }
    dir
}

fn options() -> CheckOptions {
    CheckOptions {
        today: AS_OF,
        ..CheckOptions::default()
    }
}

fn engine(dir: &Path) -> Engine {
    let mut engine = Engine::load(&[dir.join("policy.accord")], &options()).expect("policy");
    engine.load_facts(&[dir.join("data")]).expect("data");
    engine
}

fn parse_and_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(20);
    for rules in [6, 1_000, 10_000] {
        let text = if rules == 6 {
            workload::POLICY.to_string()
        } else {
            workload::many_rules(rules)
        };
        group.bench_function(format!("{rules}_rules"), |b| {
            b.iter(|| {
                let mut sources = SourceMap::new();
                let (policy, diagnostics) =
                    accord::workspace::parse_text("p.accord", &text, &mut sources);
                assert!(diagnostics.is_empty());
                let mut values = ValueStore::new();
                check(&policy, &mut values, &options()).expect("checks")
            })
        });
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for n in sizes() {
        let dir = dir(n);
        group.bench_function(format!("{n}"), |b| {
            b.iter_batched(
                || Engine::load(&[dir.join("policy.accord")], &options()).expect("policy"),
                |mut engine| engine.load_facts(&[dir.join("data")]).expect("data"),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn batch(c: &mut Criterion) {
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    for n in sizes() {
        let dir = dir(n);
        group.bench_function(format!("{n}"), |b| {
            b.iter(|| {
                let mut engine = engine(&dir);
                engine
                    .evaluate_consuming_facts(&EvalOptions::default())
                    .expect("evaluates")
            })
        });
    }
    group.finish();
}

fn explain_one_fact(c: &mut Criterion) {
    let mut group = c.benchmark_group("explain");
    group.sample_size(20);
    for n in sizes() {
        let dir = dir(n);
        let mut engine = engine(&dir);
        let model = engine.evaluate(&EvalOptions::default()).expect("evaluates");
        let relation = engine
            .program()
            .relation_id("fewer_exams")
            .expect("fewer_exams");
        let rows: Vec<Vec<_>> = model
            .rows(relation)
            .step_by(97)
            .take(64)
            .map(<[_]>::to_vec)
            .collect();
        let one = ExplainOptions {
            limit: 1,
            ..ExplainOptions::default()
        };
        let mut ctx = engine.explainer(&model);
        let mut i = 0;
        // The first explanation builds the indexes the search probes; the benchmark measures the
        // explanations after it (the one-off cost is in docs/performance.md).
        let _ = explain::explain(&mut ctx, &explain::Goal::ground(relation, &rows[0]), &one);
        group.bench_function(format!("{n}"), |b| {
            b.iter(|| {
                i = (i + 1) % rows.len();
                let proofs =
                    explain::explain(&mut ctx, &explain::Goal::ground(relation, &rows[i]), &one);
                assert!(!proofs.is_empty());
                proofs
            })
        });
    }
    group.finish();
}

fn decide(c: &mut Criterion) {
    let mut group = c.benchmark_group("decide");
    for n in sizes() {
        let dir = dir(n);
        let mut decider = measure::decider(&dir, AS_OF).expect("decider");
        let shipments = measure::shipments(&dir).expect("shipments");
        let mut i = 0;
        group.bench_function(format!("{n}"), |b| {
            b.iter(|| {
                i = (i + 1) % shipments.len();
                let fields: Vec<&str> = shipments[i].iter().map(String::as_str).collect();
                let (relation, row) = decider.row("shipment", &fields).expect("row");
                decider.decide(&[(relation, &row)]).expect("decides")
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    parse_and_check,
    load,
    batch,
    explain_one_fact,
    decide
);
criterion_main!(benches);
