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
}

fn main() -> ExitCode {
    match Cli::parse().command {
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
