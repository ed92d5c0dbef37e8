//! `accord repl`: the rustyline front end over [`accord::repl::Session`].
//!
//! Thin by design: it reads lines, asks the session to run each complete input, prints the outcome
//! (results on stdout, diagnostics on stderr). On a terminal it edits with rustyline: completion of
//! commands, relation names, constants and paths after `:load`; hints from history; highlighting of
//! keywords, connectives, constants, variables and matching brackets; a validator that asks for more
//! lines while a statement is unfinished; history in the user's data directory. When stdin is not a
//! terminal it runs the script line by line, without prompts or colours.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::rc::Rc;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};

use accord::diagnostic::RenderOptions;
use accord::repl::lex::{matching_bracket, tokens, word_start, TokenKind};
use accord::repl::{needs_more, Outcome, Session, SessionOptions, COMMANDS};

use super::Common;

const PROMPT: &str = "accord> ";

pub fn repl(paths: &[PathBuf], facts: &[PathBuf], strict: bool, common: &Common) -> i32 {
    let today = match super::commands::today(common) {
        Ok(t) => t,
        Err(d) => {
            super::report(&[d], &accord::syntax::SourceMap::new());
            return 1;
        }
    };
    let session = match Session::start(SessionOptions {
        policy: paths.to_vec(),
        facts: facts.to_vec(),
        today,
        eval: common.eval_options(),
    }) {
        Ok(s) => s,
        Err((diagnostics, sources)) => {
            super::report(&diagnostics, &sources);
            return 1;
        }
    };
    if std::io::stdin().is_terminal() {
        interactive(session)
    } else {
        scripted(session, strict)
    }
}

/// Prints an outcome; whether it failed.
fn show(session: &Session, outcome: &Outcome, color: bool) -> bool {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(outcome.output.as_bytes());
    let _ = stdout.flush();
    if !outcome.diagnostics.is_empty() {
        let options = RenderOptions {
            color,
            ..RenderOptions::default()
        };
        eprint!("{}", session.render(outcome, options));
    }
    outcome.failed()
}

fn scripted(mut session: Session, strict: bool) -> i32 {
    println!("{}", session.summary());
    let mut failed = false;
    let mut pending = String::new();
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else {
            break;
        };
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(&line);
        if needs_more(&pending) {
            continue;
        }
        let input = std::mem::take(&mut pending);
        let outcome = session.run_line(&input);
        failed |= show(&session, &outcome, false);
        if outcome.quit {
            return i32::from(strict && failed);
        }
    }
    if !pending.trim().is_empty() {
        let outcome = session.run_line(&pending);
        failed |= show(&session, &outcome, false);
    }
    i32::from(strict && failed)
}

/// The history file: `$XDG_DATA_HOME/accord/history`, else `~/.local/share/accord/history`.
fn history_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".local/share")
        }
    };
    Some(base.join("accord").join("history"))
}

fn interactive(session: Session) -> i32 {
    let color = std::env::var_os("NO_COLOR").is_none();
    let session = Rc::new(RefCell::new(session));
    let helper = ReplHelper {
        session: Rc::clone(&session),
        files: FilenameCompleter::new(),
        hinter: HistoryHinter::new(),
        color,
    };
    let mut editor: Editor<ReplHelper, rustyline::history::DefaultHistory> = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return 1;
        }
    };
    editor.set_helper(Some(helper));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!("{}", session.borrow().summary());
    loop {
        match editor.readline(PROMPT) {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                let outcome = session.borrow_mut().run_line(&line);
                show(&session.borrow(), &outcome, color);
                if outcome.quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(path);
    }
    0
}

struct ReplHelper {
    session: Rc<RefCell<Session>>,
    files: FilenameCompleter,
    hinter: HistoryHinter,
    color: bool,
}

impl Helper for ReplHelper {}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let trimmed = line.trim_start();
        if trimmed.starts_with(":load ") {
            return self.files.complete(line, pos, ctx);
        }
        let start = word_start(line, pos, false);
        let word = &line[start..pos];
        let pair = |s: String| Pair {
            display: s.clone(),
            replacement: s,
        };
        let mut out: Vec<Pair> = vec![];
        if let Some(command) = word.strip_prefix(':') {
            if start == line.len() - trimmed.len() {
                out.extend(
                    COMMANDS
                        .iter()
                        .filter(|c| c.name.starts_with(command))
                        .map(|c| pair(format!(":{} ", c.name).trim_end().to_string())),
                );
            }
            return Ok((start, out));
        }
        if word.is_empty() {
            return Ok((start, out));
        }
        let session = self.session.borrow();
        let first = word.chars().next().unwrap_or('a');
        if first.is_ascii_uppercase() || first == '"' {
            out.extend(
                session
                    .constants()
                    .into_iter()
                    .filter(|c| c.starts_with(word))
                    .take(200)
                    .map(pair),
            );
        } else {
            out.extend(
                session
                    .relation_names()
                    .into_iter()
                    .filter(|r| r.starts_with(word))
                    .map(pair),
            );
        }
        Ok((start, out))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        let brackets: Vec<usize> = [pos, pos.wrapping_sub(1)]
            .iter()
            .filter_map(|&p| Some((p, matching_bracket(line, p)?)))
            .take(1)
            .flat_map(|(a, b)| [a, b])
            .collect();
        let mut out = String::with_capacity(line.len() * 2);
        let mut last = 0;
        for (range, kind) in tokens(line) {
            out.push_str(&line[last..range.start]);
            let style = match kind {
                TokenKind::Command => "1;36",
                TokenKind::Keyword => "1;35",
                TokenKind::Connective => "33",
                TokenKind::Constant => "32",
                TokenKind::Variable => "34",
                TokenKind::Relation => "1",
                TokenKind::Comment => "2",
                TokenKind::Bracket if brackets.contains(&range.start) => "1;4;33",
                TokenKind::Bracket | TokenKind::Other => "",
            };
            if style.is_empty() {
                out.push_str(&line[range.clone()]);
            } else {
                out.push_str(&format!("\x1b[{style}m{}\x1b[0m", &line[range.clone()]));
            }
            last = range.end;
        }
        out.push_str(&line[last..]);
        Cow::Owned(out)
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        if self.color {
            Cow::Owned(format!("\x1b[1;32m{prompt}\x1b[0m"))
        } else {
            Cow::Borrowed(prompt)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if needs_more(ctx.input()) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}
