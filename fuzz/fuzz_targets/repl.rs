//! REPL lines → a session over the U.S.–Mexico example: never panics, never hangs.
//!
//! Each execution starts from a [`Session`] over `examples/us-mx` (policy and data, embedded and
//! written once per process to a private temporary directory, with `extra.accord` to `:load`; the
//! session is started once and cloned for every execution, which is what makes the target fast), then
//! feeds the input line by line as the scripted front end does (`src/cli/repl.rs`): lines of an
//! unfinished statement are joined, every complete input goes to `Session::run_line`, its diagnostics
//! are rendered, and `:quit` ends the script. Lexing for highlighting runs on every line too.
//!
//! Confinement: `:load PATH` is the only input that names a file (`import` and `test` blocks are refused
//! at the prompt; `:reload` re-reads the files already loaded). The target keeps `:load` only when PATH
//! is a plain file name (letters, digits, `_`, `-`, `.`; not starting with `.`), and rewrites it to that
//! name inside the temporary directory; any other `:load` line is dropped. So a fuzz input never reads
//! outside the directory, and nothing in a session writes files.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use accord::diagnostic::RenderOptions;
use accord::eval::EvalOptions;
use accord::repl::lex::{matching_bracket, tokens};
use accord::repl::{needs_more, Session, SessionOptions};
use libfuzzer_sys::fuzz_target;

const POLICY: &str = include_str!("../../examples/us-mx/policy.accord");
const DATA: &str = include_str!("../../examples/us-mx/data.json");
const EXTRA: &str = "rule watched source \"analyst's list\":\n  standard_targeting(s) ∧ shipment(s, e, _, _, _, _) ⇒ watched(s, e).\n";
/// 2025-08-01 as a day number (days since 1970-01-01).
const TODAY: i32 = 20_301;
/// The most complete inputs one execution runs.
const MAX_INPUTS: usize = 32;

/// The private directory holding the session's files, written once.
fn workspace() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("accord-fuzz-repl-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        for (name, text) in [
            ("policy.accord", POLICY),
            ("data.json", DATA),
            ("extra.accord", EXTRA),
        ] {
            std::fs::write(dir.join(name), text).expect("the fuzz workspace is writable");
        }
        dir
    })
}

/// The input as the session should see it, or `None` to drop it (a `:load` outside the workspace).
fn confine(input: &str, dir: &std::path::Path) -> Option<String> {
    let Some(command) = input.trim().strip_prefix(':') else {
        return Some(input.to_string());
    };
    let (name, rest) = match command.find(char::is_whitespace) {
        Some(i) => (&command[..i], command[i..].trim()),
        None => (command, ""),
    };
    if name != "load" {
        return Some(input.to_string());
    }
    let plain = !rest.is_empty()
        && !rest.starts_with('.')
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then(|| format!(":load {}", dir.join(rest).display()))
}

/// The session every execution starts from: started once per thread, cloned for each input.
fn start() -> Session {
    thread_local! {
        static PROTOTYPE: Session = {
            let dir = workspace();
            let options = SessionOptions {
                policy: vec![dir.join("policy.accord")],
                facts: vec![dir.join("data.json")],
                today: TODAY,
                eval: EvalOptions {
                    max_facts: 20_000,
                    timeout: Some(Duration::from_millis(200)),
                },
            };
            match Session::start(options) {
                Ok(s) => s,
                Err(_) => panic!("the example policy loads"),
            }
        };
    }
    PROTOTYPE.with(Session::clone)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = workspace();
    let mut session = start();
    let mut pending = String::new();
    let mut inputs = 0;
    for line in text.lines() {
        let _ = tokens(line);
        let _ = matching_bracket(line, line.len() / 2);
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(line);
        if needs_more(&pending) {
            continue;
        }
        let input = std::mem::take(&mut pending);
        let Some(input) = confine(&input, dir) else {
            continue;
        };
        let outcome = session.run_line(&input);
        let _ = session.render(&outcome, RenderOptions::default());
        inputs += 1;
        if outcome.quit || inputs >= MAX_INPUTS {
            return;
        }
    }
    if !pending.trim().is_empty() {
        if let Some(input) = confine(&pending, dir) {
            let outcome = session.run_line(&input);
            let _ = session.render(&outcome, RenderOptions::default());
        }
    }
    let _ = session.summary();
});
