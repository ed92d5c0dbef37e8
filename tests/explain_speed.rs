//! How long explaining one fact takes on a large model, run by hand in release:
//! `cargo test --release --test explain_speed -- --ignored --nocapture`.
//!
//! Generates the us-mx example's relations at scale (N companies, 10·N shipments, CSV), evaluates the
//! example policy, then explains single facts: the first explanation (which may build an index the
//! evaluator did not) and the following ones, and a why-not.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use accord::check::CheckOptions;
use accord::engine::Engine;
use accord::eval::EvalOptions;
use accord::explain::{self, ExplainOptions};
use accord::value::parse_date;

fn write_data(dir: &std::path::Path, n: usize) -> Vec<PathBuf> {
    let mut paths = vec![];
    let mut file = |name: &str, header: &str, rows: &mut dyn FnMut(&mut dyn Write)| {
        let path = dir.join(name);
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        writeln!(out, "{header}").expect("write");
        rows(&mut out);
        out.flush().expect("flush");
        paths.push(path);
    };
    file("company.csv", "id,country", &mut |out| {
        for i in 0..n {
            let _ = writeln!(out, "C{i},{}", if i % 2 == 0 { "MX" } else { "US" });
        }
    });
    file(
        "certification.csv",
        "company,program,status,until",
        &mut |out| {
            for i in 0..n {
                let program = if i % 2 == 0 { "NEEC" } else { "CTPAT" };
                let status = if i % 10 >= 7 { "suspended" } else { "active" };
                let _ = writeln!(out, "C{i},{program},{status},20{}-06-30", 20 + i % 10);
            }
        },
    );
    file("suspension.csv", "company,from", &mut |out| {
        for i in (0..n).step_by(50) {
            let _ = writeln!(out, "C{i},2024-0{}-01", 1 + i % 9);
        }
    });
    file(
        "shipment.csv",
        "id,exporter,importer,origin,destination,date",
        &mut |out| {
            for s in 0..10 * n {
                let exporter = (s * 7) % n / 2 * 2; // a Mexican company
                let importer = (s * 13) % n / 2 * 2 + 1; // a US company
                let _ = writeln!(
                    out,
                    "S{s},C{exporter},C{importer},MX,US,20{}-{:02}-{:02}",
                    15 + s % 10,
                    1 + s % 12,
                    1 + s % 28
                );
            }
        },
    );
    paths
}

#[test]
#[ignore = "a measurement, not a check; run in release"]
fn explain_one_fact_on_a_million_shipments() {
    let n: usize = std::env::var("ACCORD_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("accord-explain-speed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let data = write_data(&dir, n);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let options = CheckOptions {
        today: parse_date("2025-06-30").unwrap_or_default(),
        ..CheckOptions::default()
    };
    let mut engine = Engine::load(&[root.join("examples/us-mx")], &options).expect("policy checks");
    let start = Instant::now();
    engine.load_facts(&data).expect("data loads");
    println!("load: {:.3} s", start.elapsed().as_secs_f64());
    let start = Instant::now();
    let model = engine.evaluate(&EvalOptions::default()).expect("evaluates");
    println!(
        "eval: {:.3} s, {} rows, {:.0} MiB in the model",
        start.elapsed().as_secs_f64(),
        model.total_len(),
        model.heap_bytes() as f64 / (1 << 20) as f64
    );
    let mut ctx = engine.explainer(&model);
    let program = ctx.program;
    // Facts from the middle of the decision relations.
    let pick = |name: &str| {
        let id = program.relation_id(name).expect("relation");
        let row = model.row(id, model.len(id) / 2).to_vec();
        explain::Goal::ground(id, &row)
    };
    let reduced = pick("reduced_exams");
    let targeted = pick("standard_targeting");
    let goals = [reduced.clone(), targeted.clone()];
    let not_targeted = explain::Goal {
        relation: targeted.relation,
        args: reduced.args.clone(),
    };
    let not_reduced = explain::Goal {
        relation: reduced.relation,
        args: targeted.args.clone(),
    };
    let one = ExplainOptions {
        limit: 1,
        ..ExplainOptions::default()
    };
    for (i, goal) in goals.iter().enumerate() {
        let start = Instant::now();
        let proofs = explain::explain(&mut ctx, goal, &one);
        let first = start.elapsed();
        let start = Instant::now();
        let runs = 100;
        for _ in 0..runs {
            let _ = explain::explain(&mut ctx, goal, &one);
        }
        let warm = start.elapsed() / runs;
        let text = proofs
            .first()
            .map(|p| explain::render_text(&ctx, p))
            .unwrap_or_default();
        println!(
            "explain goal {i}: first {:.3} ms, then {:.3} ms per explanation ({} lines)",
            first.as_secs_f64() * 1e3,
            warm.as_secs_f64() * 1e3,
            text.lines().count()
        );
        if i == 0 {
            println!("{text}");
        }
    }
    for (name, goal) in [
        ("not targeted", &not_targeted),
        ("not reduced", &not_reduced),
    ] {
        let start = Instant::now();
        let why = explain::why_not(&mut ctx, goal, &ExplainOptions::default());
        let first = start.elapsed();
        let start = Instant::now();
        for _ in 0..10 {
            let _ = explain::why_not(&mut ctx, goal, &ExplainOptions::default());
        }
        let text = explain::render_why_not(&ctx, &why);
        println!(
            "why-not ({name}): first {:.3} ms, then {:.3} ms ({} lines)",
            first.as_secs_f64() * 1e3,
            start.elapsed().as_secs_f64() * 1e3 / 10.0,
            text.lines().count()
        );
        println!("{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
