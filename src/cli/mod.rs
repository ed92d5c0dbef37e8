//! The command line: argument parsing (clap) and one function per command.
//!
//! A thin front end over the library: it reads arguments, calls [`accord::engine::Engine`], prints
//! results on stdout and diagnostics on stderr, and returns the exit code (0 success, 1 error; `diff`
//! also uses 3 for "different"). All rendering of results lives in the library (`accord::output`).

mod commands;
mod repl;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use accord::diagnostic::{render_all, Diagnostic, RenderOptions};
use accord::syntax::SourceMap;

#[derive(Parser, Debug)]
#[command(
    name = "accord",
    version,
    about = "A policy engine for trusted-trader programs and mutual recognition arrangements"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and check policies; report every problem found
    Check {
        /// Policy files or directories (every `*.accord` file under them)
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Also warn about unused declarations and conclusions, and fail on warnings
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Evaluate policies over facts and print the derived relations
    Eval {
        /// Policy files or directories
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Data files or directories (`*.json`, `*.jsonl`, `*.csv`); repeatable
        #[arg(long = "facts", value_name = "FILE")]
        facts: Vec<PathBuf>,
        /// Print only these relations (repeatable); default: every derived relation
        #[arg(long = "query", value_name = "REL")]
        query: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        common: Common,
    },
    /// An interactive session: queries, explanations, what-ifs (reads a script when stdin is not a terminal)
    Repl {
        /// Policy files or directories
        paths: Vec<PathBuf>,
        /// Data files or directories; repeatable
        #[arg(long = "facts", value_name = "FILE")]
        facts: Vec<PathBuf>,
        /// Exit with 1 at the end of a script when any input failed
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        common: Common,
    },
}

/// Options every command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct Common {
    /// The evaluation date (`today`), as YYYY-MM-DD; default: the current date
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Runs the command line; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            paths,
            strict,
            common,
        } => commands::check(&paths, strict, &common),
        Command::Eval {
            paths,
            facts,
            query,
            format,
            common,
        } => commands::eval(&paths, &facts, &query, format, &common),
        Command::Repl {
            paths,
            facts,
            strict,
            common,
        } => repl::repl(&paths, &facts, strict, &common),
    }
}

/// Prints diagnostics to stderr, in colour when stderr is a terminal.
pub fn report(diagnostics: &[Diagnostic], sources: &SourceMap) {
    let options = RenderOptions {
        color: std::io::stderr().is_terminal(),
        ..RenderOptions::default()
    };
    eprint!("{}", render_all(diagnostics, sources, options));
}
