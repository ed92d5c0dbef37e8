//! The REPL's backend: an analyst's session over a policy and its data, driven one input at a time.
//!
//! A consumer at the end of the pipeline (after `check` and `eval`), like the command line. The
//! front end (`src/cli/repl.rs`, rustyline) reads lines and prints; everything else lives here and is
//! tested without a terminal: [`Session::run_line`] takes one complete input and returns an
//! [`Outcome`] (text and diagnostics), never printing.
//!
//! Modules: `session` (state, loading, typed statements, dispatch), `commands` (queries and the
//! read-only commands), `whatif` (the change log: `:assert`, `:retract`, `:undo`, `:reset`, `:whatif`),
//! `why` (`:why`, `:whynot`), `settings` (`:asof`, `:limit`, `:format`, `:time`), `lex` (token classes
//! for highlighting and completion), `complete` (the constants offered for completion), `confine`
//! (`:load` reads only inside the session's roots).
//!
//! Invariants: a failed input changes nothing (the program, facts and change log stay as they were);
//! every diagnostic an input produces points into a source the session can render (typed inputs are
//! named `<repl>:N`, N counting inputs from 1); output is deterministic (rows sorted by value).

mod commands;
mod complete;
mod confine;
mod incremental;
pub mod lex;
mod session;
mod settings;
mod whatif;
mod why;

pub use session::{Format, Outcome, Session, SessionOptions};

/// One REPL command: its name (without `:`), its arguments as shown in `:help`, and what it does.
pub struct CommandInfo {
    pub name: &'static str,
    pub args: &'static str,
    pub help: &'static str,
}

/// Every command, in the order `:help` lists them.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        name: "help",
        args: "",
        help: "list the commands",
    },
    CommandInfo {
        name: "load",
        args: "PATH",
        help: "load a policy file or directory, or a data file (json, jsonl, csv)",
    },
    CommandInfo {
        name: "reload",
        args: "[keep]",
        help: "re-read every loaded file; `keep` keeps the what-if changes",
    },
    CommandInfo {
        name: "facts",
        args: "REL [LIMIT]",
        help: "show the rows of a relation",
    },
    CommandInfo {
        name: "rules",
        args: "[REL]",
        help: "show the rules (concluding REL), with names and sources",
    },
    CommandInfo {
        name: "why",
        args: "ATOM",
        help: "explain why a fact holds",
    },
    CommandInfo {
        name: "whynot",
        args: "ATOM",
        help: "explain why a fact does not hold",
    },
    CommandInfo {
        name: "assert",
        args: "FACT",
        help: "what-if: add a fact and show what changes",
    },
    CommandInfo {
        name: "retract",
        args: "FACT",
        help: "what-if: remove a fact and show what changes",
    },
    CommandInfo {
        name: "whatif",
        args: "",
        help: "every change since load and its effect on each derived relation",
    },
    CommandInfo {
        name: "undo",
        args: "",
        help: "undo the last what-if change",
    },
    CommandInfo {
        name: "reset",
        args: "",
        help: "undo every what-if change",
    },
    CommandInfo {
        name: "asof",
        args: "[DATE]",
        help: "show or set the evaluation date (`today`)",
    },
    CommandInfo {
        name: "limit",
        args: "[N]",
        help: "show or set how many rows a table shows (default 50)",
    },
    CommandInfo {
        name: "format",
        args: "text|json",
        help: "how results print",
    },
    CommandInfo {
        name: "time",
        args: "on|off",
        help: "print the evaluation and query time",
    },
    CommandInfo {
        name: "quit",
        args: "",
        help: "leave the session",
    },
];

/// Whether `input` is an unfinished statement that should continue on the next line. Commands are
/// always one line.
pub fn needs_more(input: &str) -> bool {
    let trimmed = input.trim_start();
    !trimmed.is_empty() && !trimmed.starts_with(':') && crate::syntax::is_incomplete(input)
}

#[cfg(test)]
mod tests;
