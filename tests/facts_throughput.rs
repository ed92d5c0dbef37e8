//! CSV loading throughput, run by hand in release:
//! `cargo test --release --test facts_throughput -- --ignored --nocapture`.
//!
//! Writes a six-column CSV of two million rows to a temporary file and reports rows per second.

use std::io::Write;
use std::time::Instant;

mod support;

use accord::ir::Program;
use accord::syntax::SourceMap;
use accord::value::{ValueStore, ValueType};

#[test]
#[ignore = "a measurement, not a check; run in release"]
fn csv_rows_per_second() {
    use ValueType::*;
    let columns = [
        ("company", Text),
        ("program", Text),
        ("status", Text),
        ("until", Date),
        ("amount", Number),
        ("flagged", Bool),
    ];
    let columns: Vec<_> = columns.iter().map(|(n, ty)| (Some(*n), *ty)).collect();
    let relation = support::user_relation("shipment", &columns, 0);
    let program = Program {
        relations: vec![relation],
        ..Program::default()
    };
    let rows = 2_000_000;
    let dir = std::env::temp_dir().join(format!("accord-throughput-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shipment.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(out, "company,program,status,until,amount,flagged").unwrap();
    for i in 0..rows {
        let day = 1 + i % 28;
        let month = 1 + i % 12;
        writeln!(
            out,
            "Company {},{},{},2026-{month:02}-{day:02},{}.{},{}",
            i % 50_000,
            ["NEEC", "AEO", "CTPAT"][i % 3],
            ["active", "suspended"][i % 2],
            i % 100_000,
            i % 100,
            i % 7 == 0
        )
        .unwrap();
    }
    out.flush().unwrap();
    drop(out);
    let bytes = std::fs::metadata(&path).unwrap().len();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let mut values = ValueStore::new();
        let mut sources = SourceMap::new();
        let start = Instant::now();
        let facts = accord::facts::load(
            std::slice::from_ref(&path),
            &program,
            &mut values,
            &mut sources,
        )
        .unwrap();
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(facts.len(), rows);
        best = best.min(secs);
    }
    println!(
        "{rows} rows, {:.1} MB in {best:.3} s: {:.2} M rows/s, {:.0} MB/s",
        bytes as f64 / 1e6,
        rows as f64 / best / 1e6,
        bytes as f64 / best / 1e6
    );
    let _ = std::fs::remove_dir_all(&dir);
}
