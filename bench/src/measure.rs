//! Measurements the criterion benches cannot give: per-decision latency percentiles, and where the
//! batch's time goes.
//!
//! `decisions` prepares a [`Decider`] over a generated workload directory's base facts (every CSV file
//! but `shipment.csv`) and times each shipment's decision on its own, so the median and the tail (p99,
//! max) come from the same run. Timing uses `Instant` around each call; nothing else runs in the loop.
//! `batch_phases` runs the batch (`accord eval DIR/policy.accord --facts DIR/data`, JSON out) in
//! process and times each phase on its own: checking the policy, loading the CSV files, evaluating,
//! rendering the JSON, and dropping what the run built. `check_phases` does the same for `accord check`
//! (parsing, then checking).

use std::path::Path;
use std::time::{Duration, Instant};

use accord::check::CheckOptions;
use accord::engine::Engine;
use accord::eval::{Decider, EvalOptions};

/// The relations a decision adds to and the ones it reports.
pub const INPUTS: [&str; 1] = ["shipment"];
pub const OUTPUTS: [&str; 2] = ["fewer_exams", "full_exam"];

/// The engine over `dir/policy.accord` with every data file but the shipments loaded.
pub fn base_engine(dir: &Path, as_of: i32) -> Result<Engine, String> {
    let options = CheckOptions {
        today: as_of,
        ..CheckOptions::default()
    };
    let mut engine = Engine::load(&[dir.join("policy.accord")], &options)
        .map_err(|f| format!("{} diagnostics loading the policy", f.diagnostics.len()))?;
    let mut base = Vec::new();
    for relation in crate::workload::RELATIONS {
        if relation != "shipment" {
            base.push(dir.join("data").join(format!("{relation}.csv")));
        }
    }
    engine
        .load_facts(&base)
        .map_err(|d| format!("{} diagnostics loading the base facts", d.len()))?;
    Ok(engine)
}

/// A decider over the base facts of `dir`.
pub fn decider(dir: &Path, as_of: i32) -> Result<Decider, String> {
    base_engine(dir, as_of)?
        .prepare(&INPUTS, &OUTPUTS, &EvalOptions::default())
        .map_err(|d| d.to_string())
}

/// The shipments of `dir` as CSV fields.
pub fn shipments(dir: &Path) -> Result<Vec<Vec<String>>, String> {
    let text = std::fs::read_to_string(dir.join("data/shipment.csv")).map_err(|e| e.to_string())?;
    Ok(text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect())
}

/// Latency figures over one run.
#[derive(Debug)]
pub struct Latencies {
    pub count: usize,
    pub median: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub concluded: usize,
    pub full_evaluations: usize,
}

/// Times each decision (interning the row's texts included) over `shipments`.
pub fn time_decisions(
    decider: &mut Decider,
    shipments: &[Vec<String>],
) -> Result<Latencies, String> {
    let mut times = Vec::with_capacity(shipments.len());
    let (mut concluded, mut full) = (0, 0);
    for fields in shipments {
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let start = Instant::now();
        let (relation, row) = decider.row("shipment", &fields)?;
        let decision = decider
            .decide(&[(relation, &row)])
            .map_err(|e| e.to_string())?;
        times.push(start.elapsed());
        concluded += usize::from(!decision.added.is_empty());
        full += usize::from(decision.evaluated_in_full);
    }
    times.sort();
    let at = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    Ok(Latencies {
        count: times.len(),
        median: at(0.5),
        p99: at(0.99),
        max: times.last().copied().unwrap_or_default(),
        concluded,
        full_evaluations: full,
    })
}

/// How long reading and parsing `file` took, then checking it (as `accord check` does, in process).
pub fn check_phases(file: &Path) -> Result<(Duration, Duration), String> {
    let start = Instant::now();
    let mut sources = accord::syntax::SourceMap::new();
    let (policy, diagnostics) = accord::workspace::load_policy(&[file.to_path_buf()], &mut sources);
    if !diagnostics.is_empty() {
        return Err(format!(
            "{} diagnostics parsing the policy",
            diagnostics.len()
        ));
    }
    let parse = start.elapsed();
    let start = Instant::now();
    let mut values = accord::value::ValueStore::new();
    let checked = accord::check::check(&policy, &mut values, &CheckOptions::default())
        .map_err(|d| format!("{} diagnostics checking the policy", d.len()))?;
    let check = start.elapsed();
    // As `accord check` does: the process exits without freeing what it built.
    std::mem::forget((policy, checked));
    Ok((parse, check))
}

/// Where one in-process batch run over a workload directory spent its time.
#[derive(Debug)]
pub struct Phases {
    pub check: Duration,
    pub load: Duration,
    pub evaluate: Duration,
    pub output: Duration,
    pub drop: Duration,
    pub output_bytes: usize,
}

/// Runs the batch over `dir` as `accord eval --format json` does, timing each phase.
pub fn batch_phases(dir: &Path, as_of: i32) -> Result<Phases, String> {
    let start = Instant::now();
    let options = CheckOptions {
        today: as_of,
        ..CheckOptions::default()
    };
    let mut engine = Engine::load(&[dir.join("policy.accord")], &options)
        .map_err(|f| format!("{} diagnostics loading the policy", f.diagnostics.len()))?;
    let check = start.elapsed();
    let start = Instant::now();
    engine
        .load_facts(&[dir.join("data")])
        .map_err(|d| format!("{} diagnostics loading the facts", d.len()))?;
    let load = start.elapsed();
    let start = Instant::now();
    let model = engine
        .evaluate_consuming_facts(&EvalOptions::default())
        .map_err(|e| e.to_string())?;
    let evaluate = start.elapsed();
    let start = Instant::now();
    let relations = engine.program().derived_relations();
    let mut out = Vec::new();
    accord::output::write_json(
        &mut out,
        &model,
        engine.program(),
        &engine.values,
        &relations,
    )
    .map_err(|e| e.to_string())?;
    let output = start.elapsed();
    let start = Instant::now();
    drop(model);
    drop(engine);
    Ok(Phases {
        check,
        load,
        evaluate,
        output,
        drop: start.elapsed(),
        output_bytes: out.len(),
    })
}
