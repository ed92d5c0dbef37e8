//! The batch on the N = 10 000 workload writes the same bytes on one thread and on two: large enough
//! that every parallel path runs (the shipments file is more than one CSV block, the `fewer_exams`
//! stratum scans more rows than `parallel_min_rows`, the output has many blocks of rows).

use accord::check::CheckOptions;
use accord::engine::Engine;
use accord::eval::EvalOptions;
use accord_bench::workload;

const AS_OF: i32 = 20_453; // 2025-12-31

fn batch(dir: &std::path::Path, threads: usize) -> Vec<u8> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        let options = CheckOptions {
            today: AS_OF,
            ..CheckOptions::default()
        };
        let mut engine = Engine::load(&[dir.join("policy.accord")], &options).expect("policy");
        engine.load_facts(&[dir.join("data")]).expect("data");
        let model = engine
            .evaluate_consuming_facts(&EvalOptions::default())
            .expect("evaluate");
        let program = engine.program();
        let mut out = Vec::new();
        accord::output::write_json(
            &mut out,
            &model,
            program,
            &engine.values,
            &program.derived_relations(),
        )
        .expect("write");
        out
    })
}

#[test]
fn one_thread_and_two_write_the_same_bytes() {
    let dir = workload::write_temp(10_000, 7, "threads").expect("write the workload");
    let shipments = std::fs::metadata(dir.join("data/shipment.csv")).expect("shipments");
    assert!(shipments.len() > 4 << 20, "more than one CSV block");
    assert!(EvalOptions::default().parallel_min_rows <= 100_000);

    let one = batch(&dir, 1);
    let two = batch(&dir, 2);
    assert!(one.len() > 1 << 20, "{} bytes", one.len());
    assert!(one == two, "the outputs differ");
    let _ = std::fs::remove_dir_all(&dir);
}
