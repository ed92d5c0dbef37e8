//! The command line: argument parsing (clap) and one function per command.
//!
//! A thin front end over the library: it reads arguments, calls [`accord::engine::Engine`], prints
//! results on stdout and diagnostics on stderr, and returns the exit code (0 success, 1 error; `diff`
//! also uses 3 for "different"). All rendering of results lives in the library (`accord::output`).

mod commands;
mod diff;
mod explain;
mod facts;
mod fmt;
mod repl;
mod test;

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
        /// Append the proof of each printed fact (at most 200 facts)
        #[arg(long)]
        explain: bool,
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
    /// Show why a fact holds (a proof tree) or, with --why-not, why it does not
    Explain {
        /// Policy files or directories, then the atom, e.g. `examples/us-mx 'fewer_exams(ACEROS)'`
        #[arg(required = true, value_name = "PATH… ATOM")]
        args: Vec<String>,
        /// Data files or directories; repeatable
        #[arg(long = "facts", value_name = "FILE")]
        facts: Vec<PathBuf>,
        /// Explain why the atom is not derived
        #[arg(long = "why-not")]
        why_not: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// How deep proofs go (default 100; why-not descents: default 4; at most 1000)
        #[arg(long, value_name = "N")]
        depth: Option<usize>,
        /// How many matches of an atom with variables to explain
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Run the tests written in policies (`test "name" { … }` blocks)
    Test {
        /// Policy files or directories; every policy found under them is tested on its own
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Run only the tests whose name contains this text
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        common: Common,
    },
    /// Compare the decisions of two policy versions over the same facts (exit 3 when they differ)
    Diff {
        /// The old version: a policy path, or `git:REV:PATH`
        old: String,
        /// The new version: a policy path, or `git:REV:PATH`
        new: String,
        /// Data files or directories, loaded for each version; repeatable
        #[arg(long = "facts", value_name = "FILE")]
        facts: Vec<PathBuf>,
        /// Compare only these relations (repeatable); default: every derived relation
        #[arg(long = "query", value_name = "REL")]
        query: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        common: Common,
    },
    /// Rewrite policy files in the canonical layout
    Fmt {
        /// Policy files or directories (every `*.accord` file under them)
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Change nothing; print a diff of each file that would change and exit 1 if any would
        #[arg(long, conflicts_with = "stdout")]
        check: bool,
        /// Print the formatted files instead of rewriting them
        #[arg(long)]
        stdout: bool,
        /// Spell connectives in ASCII (`and or not => != <= >=`)
        #[arg(long, conflicts_with = "unicode")]
        ascii: bool,
        /// Spell connectives in Unicode (`∧ ∨ ¬ ⇒ ≠ ≤ ≥`; the default)
        #[arg(long)]
        unicode: bool,
    },
    /// Commands about data files: `facts inspect FILE…`
    Facts {
        #[command(subcommand)]
        command: facts::FactsCommand,
    },
}

/// Options every command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct Common {
    /// The evaluation date (`today`), as YYYY-MM-DD; default: the current date
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
    /// Stop an evaluation with an error once it holds more than this many facts
    #[arg(long = "max-facts", value_name = "N", default_value_t = DEFAULT_MAX_FACTS)]
    pub max_facts: usize,
    /// Stop an evaluation with an error once it has run this many seconds
    #[arg(long = "timeout", value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT_SECONDS)]
    pub timeout: u64,
}

/// The default limit on the facts one evaluation may hold (about 10 times the largest workload).
pub const DEFAULT_MAX_FACTS: usize = 20_000_000;
/// The default limit on the time one evaluation may take.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 120;

impl Common {
    /// The evaluation limits these options set.
    pub fn eval_options(&self) -> accord::eval::EvalOptions {
        accord::eval::EvalOptions {
            max_facts: self.max_facts,
            timeout: Some(std::time::Duration::from_secs(self.timeout)),
            ..Default::default()
        }
    }
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
            explain,
            common,
        } => commands::eval(&paths, &facts, &query, format, explain, &common),
        Command::Repl {
            paths,
            facts,
            strict,
            common,
        } => repl::repl(&paths, &facts, strict, &common),
        Command::Test {
            paths,
            filter,
            format,
            common,
        } => test::test(&paths, filter.as_deref(), format, &common),
        Command::Diff {
            old,
            new,
            facts,
            query,
            format,
            common,
        } => diff::diff(&old, &new, &facts, &query, format, &common),
        Command::Fmt {
            paths,
            check,
            stdout,
            ascii,
            unicode: _,
        } => fmt::fmt(&paths, fmt::Mode::new(check, stdout), ascii),
        Command::Explain {
            args,
            facts,
            why_not,
            format,
            depth,
            limit,
            common,
        } => explain::explain(
            &explain::Request {
                args,
                facts,
                why_not,
                format,
                depth,
                limit,
            },
            &common,
        ),
        Command::Facts { command } => facts::run(&command),
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
