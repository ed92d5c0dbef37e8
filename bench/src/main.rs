//! `accord-bench`: writes the benchmark workload of issue 9.
//!
//! `accord-bench gen N DIR [--seed S]` writes `DIR/policy.accord` and `DIR/data/*.csv` for N companies
//! and 10·N shipments; the same N and seed always write the same bytes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "accord-bench", about = "accord's benchmark workload")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the workload for N companies (and 10·N shipments) as CSV plus its policy into DIR
    Gen {
        /// Number of companies
        n: usize,
        /// Directory to write (created if needed)
        dir: PathBuf,
        /// Seed of the generator
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a policy of R generated rules over the workload's relations to FILE (for timing `accord check`)
    Rules {
        /// Number of rules
        rules: usize,
        /// File to write
        file: PathBuf,
    },
    /// Time one decision per shipment of a generated DIR against its base facts (median, p99, max)
    Decide {
        /// A directory written by `gen`
        dir: PathBuf,
        /// The evaluation date, as days since 1970-01-01 (default 2025-12-31)
        #[arg(long, default_value_t = 20_453)]
        as_of: i32,
        /// Time only the first this many shipments
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Check a policy FILE in process and time its phases (read and parse, check)
    CheckPhases {
        /// A policy file, e.g. one written by `rules`
        file: PathBuf,
    },
    /// Run the batch over a generated DIR in process and time each phase (check, load, evaluate, output)
    Phases {
        /// A directory written by `gen`
        dir: PathBuf,
        /// The evaluation date, as days since 1970-01-01 (default 2025-12-31)
        #[arg(long, default_value_t = 20_453)]
        as_of: i32,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Rules { rules, file } => {
            match std::fs::write(&file, accord_bench::workload::many_rules(rules)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", file.display());
                    ExitCode::FAILURE
                }
            }
        }
        Command::Decide { dir, as_of, limit } => match decide(&dir, as_of, limit) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::CheckPhases { file } => match accord_bench::measure::check_phases(&file) {
            Ok((parse, check)) => {
                let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
                println!("parse {:.1} ms, check {:.1} ms", ms(parse), ms(check));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Phases { dir, as_of } => match accord_bench::measure::batch_phases(&dir, as_of) {
            Ok(p) => {
                let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
                println!(
                    "check {:.1} ms, load {:.1} ms, evaluate {:.1} ms, output {:.1} ms ({} bytes), drop {:.1} ms",
                    ms(p.check),
                    ms(p.load),
                    ms(p.evaluate),
                    ms(p.output),
                    p.output_bytes,
                    ms(p.drop)
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Gen { n, dir, seed } => {
            let workload = accord_bench::workload::generate(n, seed);
            match workload.write(&dir) {
                Ok(()) => {
                    eprintln!(
                        "wrote {} companies, {} certifications, {} shipments to {}",
                        workload.company.len(),
                        workload.certified.len(),
                        workload.shipment.len(),
                        dir.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", dir.display());
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn decide(dir: &std::path::Path, as_of: i32, limit: Option<usize>) -> Result<(), String> {
    use accord_bench::measure;
    let start = std::time::Instant::now();
    let mut decider = measure::decider(dir, as_of)?;
    let prepared = start.elapsed();
    let mut shipments = measure::shipments(dir)?;
    if let Some(n) = limit {
        shipments.truncate(n);
    }
    let l = measure::time_decisions(&mut decider, &shipments)?;
    println!(
        "prepared in {:.3} s; {} decisions: median {:.2} µs, p99 {:.2} µs, max {:.1} µs; {} with conclusions, {} evaluated in full",
        prepared.as_secs_f64(),
        l.count,
        l.median.as_secs_f64() * 1e6,
        l.p99.as_secs_f64() * 1e6,
        l.max.as_secs_f64() * 1e6,
        l.concluded,
        l.full_evaluations
    );
    Ok(())
}
