//! Load throughput: CSV rows and record-shaped JSON Lines records per second, through the real loader.
//!
//! `cargo bench --bench load` (criterion). Data is generated in a temporary directory: `ROWS` shipments
//! as CSV (`shipment.csv`, six typed columns) and as JSON Lines records (`shipments.jsonl`, one record
//! per line with a nested object, mapped by a `records` block). See `docs/data.md` for figures.
//! `ACCORD_LOAD_DATA=DIR` writes the data (and its policy) to `DIR` and keeps it, with
//! `ACCORD_LOAD_ROWS` rows, for measuring the CLI with `/usr/bin/time -v`.

use std::io::Write;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use accord::check::CheckOptions;
use accord::engine::Engine;
use accord::syntax::SourceMap;
use accord::value::ValueStore;

const ROWS: usize = 200_000;

const POLICY: &str = r#"
relation shipment(id: text, company: text, program: text, arrival: date, value: number, urgent: bool).
records "shipments" {
  shipment(id, company, program, arrival, customs.value, customs.urgent).
}
"#;

/// Writes the policy and both data files to `dir`.
pub fn generate(dir: &Path, rows: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("policy.accord"), POLICY)?;
    let mut csv = std::io::BufWriter::new(std::fs::File::create(dir.join("shipment.csv"))?);
    let mut jsonl = std::io::BufWriter::new(std::fs::File::create(dir.join("shipments.jsonl"))?);
    writeln!(csv, "id,company,program,arrival,value,urgent")?;
    for i in 0..rows {
        let company = format!("C{:05}", i % 50_000);
        let program = ["NEEC", "CTPAT", "EU-AEO"][i % 3];
        let arrival = format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
        let value = format!("{}.{:02}", i % 100_000, i % 100);
        let urgent = i % 7 == 0;
        writeln!(csv, "S{i},{company},{program},{arrival},{value},{urgent}")?;
        writeln!(
            jsonl,
            r#"{{"id": "S{i}", "company": "{company}", "program": "{program}", "arrival": "{arrival}", "customs": {{"value": {value}, "urgent": {urgent}}}}}"#
        )?;
    }
    csv.flush()?;
    jsonl.flush()
}

fn load(engine: &Engine, path: PathBuf) -> usize {
    let mut values = ValueStore::new();
    let mut sources = SourceMap::new();
    match accord::facts::load(&[path], engine.program(), &mut values, &mut sources) {
        Ok(facts) => facts.len(),
        Err(d) => panic!("{d:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let kept = std::env::var_os("ACCORD_LOAD_DATA").map(PathBuf::from);
    let rows = std::env::var("ACCORD_LOAD_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(ROWS);
    let dir = kept.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("accord-bench-load-{}", std::process::id()))
    });
    generate(&dir, rows).expect("generate data");
    let engine = match Engine::load(&[dir.join("policy.accord")], &CheckOptions::default()) {
        Ok(e) => e,
        Err(f) => panic!("{:?}", f.diagnostics),
    };
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_function("csv", |b| {
        b.iter(|| assert_eq!(load(&engine, dir.join("shipment.csv")), rows))
    });
    group.bench_function("jsonl_records", |b| {
        b.iter(|| assert_eq!(load(&engine, dir.join("shipments.jsonl")), rows))
    });
    group.finish();
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
