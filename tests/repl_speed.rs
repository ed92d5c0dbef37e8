//! What-if latency in the REPL on a large dataset, run by hand in release:
//! `cargo test --release --test repl_speed -- --ignored --nocapture` (`ACCORD_SHIPMENTS=N` to resize).
//!
//! Writes the U.S.–Mexico example's relations as CSV (N/10 companies, N shipments, certifications,
//! suspensions), starts a session on `examples/us-mx/policy.accord`, and times `:assert` of one
//! shipment and `:retract` of one certification (each answer includes the rows every derived relation
//! gained and lost).

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use accord::repl::{Session, SessionOptions};
use accord::value::parse_date;

/// Writes the dataset; returns the CSV paths.
pub fn generate(dir: &Path, shipments: usize) -> Vec<std::path::PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    let companies = (shipments / 10).max(10);
    let file = |name: &str| {
        let path = dir.join(format!("{name}.csv"));
        (
            path.clone(),
            std::io::BufWriter::new(std::fs::File::create(path).unwrap()),
        )
    };
    let (company_path, mut company) = file("company");
    let (cert_path, mut cert) = file("certification");
    let (ship_path, mut ship) = file("shipment");
    let (susp_path, mut susp) = file("suspension");
    writeln!(company, "id,country").unwrap();
    writeln!(cert, "company,program,status,until").unwrap();
    writeln!(ship, "id,exporter,importer,origin,destination,date").unwrap();
    writeln!(susp, "company,from").unwrap();
    for c in 0..companies {
        let (country, program) = if c % 2 == 0 {
            ("MX", "NEEC")
        } else {
            ("US", "CTPAT")
        };
        writeln!(company, "C{c},{country}").unwrap();
        if c % 3 != 0 {
            let status = if c % 17 == 0 { "expired" } else { "active" };
            writeln!(cert, "C{c},{program},{status},202{}-12-31", 4 + c % 5).unwrap();
        }
        if c % 41 == 0 {
            writeln!(susp, "C{c},2025-0{}-01", 1 + c % 9).unwrap();
        }
    }
    for s in 0..shipments {
        let exporter = (s * 7919) % companies / 2 * 2;
        let importer = ((s * 104_729) % companies) | 1;
        let importer = importer.min(companies - 1);
        writeln!(
            ship,
            "S{s},C{exporter},C{importer},MX,US,2025-{:02}-{:02}",
            1 + s % 12,
            1 + s % 28
        )
        .unwrap();
    }
    for w in [&mut company, &mut cert, &mut ship, &mut susp] {
        w.flush().unwrap();
    }
    vec![company_path, cert_path, ship_path, susp_path]
}

#[test]
#[ignore = "a measurement, not a check; run in release"]
fn what_if_latency() {
    let shipments: usize = std::env::var("ACCORD_SHIPMENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("accord-repl-speed-{}", std::process::id()));
    let facts = generate(&dir, shipments);
    let start = Instant::now();
    let mut session = Session::start(SessionOptions {
        policy: vec![common::root().join("examples/us-mx/policy.accord")],
        facts,
        today: parse_date("2025-08-01").unwrap(),
        ..SessionOptions::default()
    })
    .map_err(|(d, _)| d)
    .unwrap();
    println!("{}", session.summary());
    println!("load: {:.0} ms", start.elapsed().as_secs_f64() * 1e3);
    let start = Instant::now();
    assert_eq!(session.run_line("reduced_exams(S1)").diagnostics.len(), 0);
    println!(
        "first evaluation: {:.0} ms",
        start.elapsed().as_secs_f64() * 1e3
    );

    let mut measure = |label: &str, input: &str| {
        let mut times = vec![];
        for _ in 0..5 {
            let start = Instant::now();
            let out = session.run_line(input);
            times.push(start.elapsed().as_secs_f64() * 1e3);
            assert!(!out.failed(), "{input}: {:?}", out.diagnostics);
            assert!(out.output.contains("change 1"), "{}", out.output);
            session.run_line(":undo");
            session.run_line("reduced_exams(S1)");
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label}: median {:.1} ms, max {:.1} ms",
            times[times.len() / 2],
            times[times.len() - 1]
        );
        times[times.len() / 2]
    };
    let assert = measure(
        ":assert of one shipment",
        ":assert shipment(S_NEW, C2, C1, MX, US, 2025-07-01)",
    );
    let retract = measure(
        ":retract of one certification",
        ":retract certification(C2, NEEC, \"active\", 2026-12-31)",
    );
    // Warm: changes in a row, without re-evaluating in between (indexes already built).
    let mut warm = |label: &str, inputs: Vec<String>| {
        let mut times = vec![];
        for input in &inputs {
            let start = Instant::now();
            let out = session.run_line(input);
            times.push(start.elapsed().as_secs_f64() * 1e3);
            assert!(!out.failed(), "{input}: {:?}", out.diagnostics);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label}, one after another: median {:.1} ms, max {:.1} ms",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    };
    warm(
        ":assert of one shipment",
        (0..5)
            .map(|i| {
                format!(
                    ":assert shipment(S_NEW{i}, C{}, C1, MX, US, 2025-07-01)",
                    2 * i + 2
                )
            })
            .collect(),
    );
    warm(
        ":retract of one certification",
        [4, 8, 10, 14, 16]
            .iter()
            .map(|c| {
                format!(
                    ":retract certification(C{c}, NEEC, \"active\", 202{}-12-31)",
                    4 + c % 5
                )
            })
            .collect(),
    );
    println!("target: under 50 ms each (after a full evaluation: assert {assert:.1} ms, retract {retract:.1} ms)");
    let _ = std::fs::remove_dir_all(&dir);
}
