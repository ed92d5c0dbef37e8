//! `accord facts …`: commands about data files (`facts inspect`), and the progress bar drawn while
//! facts load.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use accord::check::CheckOptions;
use accord::engine::Engine;
use accord::facts::inspect::inspect;
use accord::facts::Progress;
use accord::syntax::SourceMap;
use accord::value::ValueStore;

use super::{report, Format};

#[derive(Subcommand, Debug)]
pub enum FactsCommand {
    /// Show what accord makes of data files: per relation, the rows, the column types and samples
    Inspect {
        /// Data files or directories (`*.json`, `*.jsonl`, `*.csv`)
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// A policy (file or directory) whose declarations and record mappings apply; without one,
        /// they are inferred from the data
        #[arg(long, value_name = "PATH")]
        policy: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

pub fn run(command: &FactsCommand) -> i32 {
    match command {
        FactsCommand::Inspect {
            paths,
            policy,
            format,
        } => inspect_command(paths, policy, *format),
    }
}

fn inspect_command(paths: &[PathBuf], policy: &[PathBuf], format: Format) -> i32 {
    let mut progress = LoadProgress::new();
    let result = if policy.is_empty() {
        let mut values = ValueStore::new();
        let mut sources = SourceMap::new();
        inspect(paths, None, &mut values, &mut sources, &mut progress).map_err(|d| (d, sources))
    } else {
        let options = CheckOptions {
            today: accord::value::parse_date("2000-01-01").unwrap_or(0),
            ..CheckOptions::default()
        };
        let mut engine = match Engine::load(policy, &options) {
            Ok(e) => e,
            Err(failure) => {
                report(&failure.diagnostics, &failure.sources);
                return 1;
            }
        };
        let program = engine.checked.program.clone();
        inspect(
            paths,
            Some(&program),
            &mut engine.values,
            &mut engine.sources,
            &mut progress,
        )
        .map_err(|d| (d, engine.sources))
    };
    match result {
        Ok(inspection) => {
            match format {
                Format::Json => println!("{}", inspection.to_json()),
                Format::Text => print!("{}", inspection.to_text()),
            }
            0
        }
        Err((diagnostics, sources)) => {
            report(&diagnostics, &sources);
            1
        }
    }
}

/// A progress bar on stderr, shown only when stderr is a terminal and the load has taken more than
/// half a second.
pub struct LoadProgress {
    enabled: bool,
    started: Instant,
    total: u64,
    done: u64,
    bar: Option<ProgressBar>,
}

impl LoadProgress {
    const DELAY: Duration = Duration::from_millis(500);

    pub fn new() -> LoadProgress {
        LoadProgress {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            total: 0,
            done: 0,
            bar: None,
        }
    }
}

impl Progress for LoadProgress {
    fn start(&mut self, _files: usize, bytes: u64) {
        self.started = Instant::now();
        self.total = bytes;
    }

    fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        if !self.enabled {
            return;
        }
        match &self.bar {
            Some(bar) => bar.set_position(self.done),
            None if self.started.elapsed() >= Self::DELAY => {
                let bar =
                    ProgressBar::with_draw_target(Some(self.total), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "loading facts {bar:40} {binary_bytes}/{binary_total_bytes} ({eta})",
                ) {
                    bar.set_style(style);
                }
                bar.set_position(self.done);
                self.bar = Some(bar);
            }
            None => {}
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
