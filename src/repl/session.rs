//! The session: what is loaded, what was typed, the current model, and the dispatch of one input.
//!
//! The policy is the files loaded from disk plus the statements typed at the prompt (each its own
//! source `<repl>:N`); it is re-checked as a whole when a statement is added or the date changes, with
//! the same value store, so loaded data rows stay valid and are only re-indexed by relation name. The
//! model is computed lazily and cached until something changes.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::check::{check, CheckOptions};
use crate::diagnostic::{did_you_mean, render_all, Diagnostic, RenderOptions};
use crate::engine::Engine;
use crate::eval::{EvalOptions, Model};
use crate::facts::FactSet;
use crate::ir::{RelationKind, RulePurpose};
use crate::syntax::ast::{Item, SourceFile};
use crate::syntax::{parse_repl_line, FileId, ReplLine, SourceMap};
use crate::value::{format_day, ValueStore};
use crate::workspace::{load_policy, Policy};

use super::whatif::Change;
use super::COMMANDS;

/// What a session starts with.
#[derive(Clone, Debug, Default)]
pub struct SessionOptions {
    /// Policy files or directories.
    pub policy: Vec<PathBuf>,
    /// Data files.
    pub facts: Vec<PathBuf>,
    /// The evaluation date, as a day number.
    pub today: i32,
    /// The limits on every evaluation the session runs (the CLI's `--max-facts` and `--timeout`): a
    /// typed rule such as `n(x) ⇒ n(x + 1)` ends with a diagnostic instead of running on.
    pub eval: EvalOptions,
}

/// How results print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// The result of one input: text for stdout, diagnostics for stderr.
#[derive(Debug, Default)]
pub struct Outcome {
    pub output: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The input asked to end the session.
    pub quit: bool,
    /// Sources the diagnostics point into when the session does not hold them (a failed reload).
    pub(super) sources: Option<SourceMap>,
}

impl Outcome {
    pub fn text(output: impl Into<String>) -> Outcome {
        Outcome {
            output: output.into(),
            ..Outcome::default()
        }
    }

    pub fn error(diagnostic: Diagnostic) -> Outcome {
        Outcome::errors(vec![diagnostic])
    }

    pub fn errors(diagnostics: Vec<Diagnostic>) -> Outcome {
        Outcome {
            diagnostics,
            ..Outcome::default()
        }
    }

    /// Whether the input failed (an error diagnostic).
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A statement typed at the prompt and kept in the policy.
#[derive(Clone, Debug)]
pub(super) struct Typed {
    pub name: String,
    pub text: String,
    pub file: FileId,
    pub parsed: SourceFile,
}

/// An analyst's session. A clone is an independent session in the same state (the fuzz target
/// starts one and clones it for every input).
#[derive(Clone)]
pub struct Session {
    pub(super) engine: Engine,
    pub(super) options: SessionOptions,
    pub(super) typed: Vec<Typed>,
    /// Inputs run so far; the next typed input is `<repl>:{inputs + 1}`.
    pub(super) inputs: u32,
    pub(super) changes: Vec<Change>,
    /// The model with the what-if changes applied, when it is up to date.
    pub(super) model: Option<Model>,
    pub(super) limit: usize,
    pub(super) format: Format,
    pub(super) timing: bool,
    /// Where `:load` may read (see `confine`).
    pub(super) roots: Vec<PathBuf>,
}

impl Session {
    /// Loads the policy and data; the diagnostics (and their sources) when that fails.
    pub fn start(options: SessionOptions) -> Result<Session, (Vec<Diagnostic>, SourceMap)> {
        let (engine, _) = build_engine(&options.policy, &options.facts, &[], options.today)?;
        let roots = super::confine::session_roots(&options.policy);
        Ok(Session {
            roots,
            engine,
            options,
            typed: vec![],
            inputs: 0,
            changes: vec![],
            model: None,
            limit: 50,
            format: Format::Text,
            timing: false,
        })
    }

    /// The one-line summary shown when a session starts.
    pub fn summary(&self) -> String {
        let p = self.engine.program();
        let relations = p
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::User)
            .count();
        let rules = p
            .rules
            .iter()
            .filter(|r| r.origin.purpose == RulePurpose::Written)
            .count();
        let facts = p.facts.len() + self.engine.facts.len();
        let files = self.engine.policy.files.len();
        format!(
            "accord repl: {} policy {}, {} data {}; {relations} relations, {rules} rules, {facts} facts; as of {} (:help for commands)",
            files,
            plural(files, "file", "files"),
            self.options.facts.len(),
            plural(self.options.facts.len(), "file", "files"),
            format_day(self.options.today)
        )
    }

    /// The sources diagnostics point into.
    pub fn sources(&self) -> &SourceMap {
        &self.engine.sources
    }

    /// Renders an outcome's diagnostics.
    pub fn render(&self, outcome: &Outcome, options: RenderOptions) -> String {
        let sources = outcome.sources.as_ref().unwrap_or(&self.engine.sources);
        render_all(&outcome.diagnostics, sources, options)
    }

    /// The names of the relations the user can query, for completion.
    pub fn relation_names(&self) -> Vec<String> {
        self.engine
            .program()
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::User)
            .map(|r| r.name.clone())
            .collect()
    }

    /// The text constants the loaded policy and data mention, as they are written, for completion.
    pub fn constants(&self) -> Vec<String> {
        super::complete::text_constants(&self.engine)
    }

    /// Runs one complete input (a command, a statement or a query).
    pub fn run_line(&mut self, input: &str) -> Outcome {
        self.inputs += 1;
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Outcome::default();
        }
        if let Some(command) = trimmed.strip_prefix(':') {
            let (name, rest) = match command.find(char::is_whitespace) {
                Some(i) => (&command[..i], command[i..].trim()),
                None => (command, ""),
            };
            return self.command(name, rest);
        }
        let name = self.input_name();
        let file = self
            .engine
            .sources
            .add(name.clone(), None, input.to_string());
        match parse_repl_line(file, input) {
            Err(d) => Outcome::error(d),
            Ok(ReplLine::Query(formula)) => self.query(&formula),
            Ok(ReplLine::Item(item)) => self.statement(name, input, file, item),
        }
    }

    pub(super) fn input_name(&self) -> String {
        format!("<repl>:{}", self.inputs)
    }

    fn command(&mut self, name: &str, rest: &str) -> Outcome {
        match name {
            "help" | "h" | "?" => Outcome::text(help()),
            "quit" | "q" | "exit" => Outcome {
                quit: true,
                ..Outcome::default()
            },
            "load" => self.load(rest),
            "reload" => match rest {
                "" => self.reload(false),
                "keep" => self.reload(true),
                other => Outcome::error(
                    Diagnostic::error("bad_argument", format!("`:reload {other}`: unknown option"))
                        .help("`:reload` drops the what-if changes; `:reload keep` keeps them"),
                ),
            },
            "facts" => self.facts(rest),
            "rules" => self.rules(rest),
            "why" | "whynot" => self.explain(name == "whynot", rest),
            "assert" => self.assert(rest),
            "retract" => self.retract(rest),
            "whatif" => self.whatif(),
            "undo" => self.undo(),
            "reset" => self.reset(),
            "asof" => self.asof(rest),
            "limit" => self.set_limit(rest),
            "format" => self.set_format(rest),
            "time" => self.set_time(rest),
            other => {
                let mut d =
                    Diagnostic::error("unknown_command", format!("unknown command `:{other}`"));
                d = match did_you_mean(other, COMMANDS.iter().map(|c| c.name)) {
                    Some(close) => d.help(format!(
                        "did you mean `:{close}`? `:help` lists the commands"
                    )),
                    None => d.help("`:help` lists the commands"),
                };
                Outcome::error(d)
            }
        }
    }

    /// A statement typed at the prompt: the policy is re-checked with it, and keeps it when it checks.
    fn statement(&mut self, name: String, text: &str, file: FileId, item: Item) -> Outcome {
        let what = match &item {
            Item::Import(i) => {
                return Outcome::error(
                    Diagnostic::error(
                        "import_at_prompt",
                        "`import` is not available at the prompt",
                    )
                    .label(i.span, "an import")
                    .help(format!("load the file with `:load {}`", i.path)),
                )
            }
            Item::Test(t) => {
                return Outcome::error(
                    Diagnostic::error("test_at_prompt", "tests are not run at the prompt")
                        .label(t.span, "a test block")
                        .help("put the test in a policy file and run `accord test`"),
                )
            }
            Item::Relation(r) => format!("declared `{}`", r.name.text),
            Item::Fact(f) => format!("added a fact of `{}`", f.atom.relation.text),
            Item::Rule(r) => match &r.name {
                Some(n) => format!("added rule `{}`", n.text),
                None => format!("added a rule concluding `{}`", conclusion_name(&r.head)),
            },
            Item::Subject(s) => format!("added {} rules about `{}`", s.rules.len(), s.subject.text),
            Item::Records(r) => format!("added the mapping for `{}` records", r.name),
        };
        self.typed.push(Typed {
            name: name.clone(),
            text: text.to_string(),
            file,
            parsed: SourceFile { items: vec![item] },
        });
        match self.recheck(self.options.today) {
            Ok(()) => Outcome::text(format!("{what} ({name})\n")),
            Err(diags) => {
                self.typed.pop();
                Outcome::errors(diags)
            }
        }
    }

    /// The policy as checked: loaded files, then typed statements.
    pub(super) fn policy(&self) -> Policy {
        let mut policy = self.engine.policy.clone();
        for t in &self.typed {
            policy.files.push((t.file, t.parsed.clone()));
        }
        policy
    }

    /// Re-checks the policy (after a typed statement, or for another date) with the same values;
    /// on success the engine holds the new program and its facts re-indexed by relation name.
    pub(super) fn recheck(&mut self, today: i32) -> Result<(), Vec<Diagnostic>> {
        let policy = self.policy();
        let options = CheckOptions {
            today,
            strict: false,
            queried: vec![],
        };
        let checked = check(&policy, &mut self.engine.values, &options)?;
        let facts = reindex(&self.engine.facts, self.engine.program(), &checked.program);
        self.engine.checked = checked;
        self.engine.facts = facts;
        self.invalidate();
        Ok(())
    }

    /// Forgets the cached model.
    pub(super) fn invalidate(&mut self) {
        self.model = None;
    }

    fn load(&mut self, rest: &str) -> Outcome {
        if rest.is_empty() {
            return Outcome::error(
                Diagnostic::error("bad_argument", "`:load` needs a path")
                    .help("`:load policies/` or `:load data.json`"),
            );
        }
        let path = PathBuf::from(rest);
        if let Err(d) = self.confine_load(rest, &path) {
            return Outcome::error(d);
        }
        if is_data_path(&path) {
            let before = self.engine.facts.len();
            if let Err(diags) = self.engine.load_facts(std::slice::from_ref(&path)) {
                return Outcome::errors(diags);
            }
            self.options.facts.push(path);
            self.invalidate();
            let added = self.engine.facts.len() - before;
            return Outcome::text(format!(
                "loaded {added} {} from `{rest}`\n",
                plural(added, "row", "rows")
            ));
        }
        let mut policy = self.options.policy.clone();
        policy.push(path);
        let mut out = self.rebuild(&policy, true);
        if !out.failed() {
            self.options.policy = policy;
            out.output = format!("loaded `{rest}`\n{}\n", self.summary());
        }
        out
    }

    fn reload(&mut self, keep: bool) -> Outcome {
        let policy = self.options.policy.clone();
        let mut out = self.rebuild(&policy, keep);
        if !out.failed() {
            let kept = if keep && !self.changes.is_empty() {
                format!(
                    " (kept {} what-if {})",
                    self.changes.len(),
                    plural(self.changes.len(), "change", "changes")
                )
            } else {
                String::new()
            };
            out.output = format!("reloaded{kept}\n{}\n", self.summary());
        }
        out
    }

    /// Re-reads everything from disk: the policy at `paths`, the data files, the typed statements, and
    /// (when `keep`) the what-if changes. All or nothing.
    fn rebuild(&mut self, paths: &[PathBuf], keep: bool) -> Outcome {
        let today = self.options.today;
        let (mut engine, typed) = match build_engine(paths, &self.options.facts, &self.typed, today)
        {
            Ok(e) => e,
            Err((diagnostics, sources)) => {
                return Outcome {
                    diagnostics,
                    sources: Some(sources),
                    ..Outcome::default()
                }
            }
        };
        let mut changes = vec![];
        if keep {
            for c in &self.changes {
                match c.relower(&mut engine) {
                    Ok(c) => changes.push(c),
                    Err(d) => {
                        return Outcome {
                            diagnostics: vec![d],
                            sources: Some(engine.sources),
                            ..Outcome::default()
                        }
                    }
                }
            }
        }
        self.engine = engine;
        self.typed = typed;
        self.changes = changes;
        self.invalidate();
        Outcome::default()
    }

    /// Computes the current model (with the what-if changes) unless it is cached.
    pub(super) fn ensure_model(&mut self) -> Result<(), Diagnostic> {
        if self.model.is_none() {
            self.model = Some(self.evaluate_with_changes(self.changes.len())?);
        }
        Ok(())
    }

    /// A timing line when `:time on`.
    pub(super) fn timing_line(&self, what: &str, start: Instant) -> String {
        if self.timing {
            format!(
                "time: {what} {:.1} ms\n",
                start.elapsed().as_secs_f64() * 1000.0
            )
        } else {
            String::new()
        }
    }
}

fn help() -> String {
    let mut out = String::from(
        "Type a query (premises with variables: `fewer_exams(c) ∧ company(c, MX)`), a ground atom (yes or no),\n\
         or a fact, rule or declaration to add it to the session. Commands:\n",
    );
    let width = COMMANDS
        .iter()
        .map(|c| c.name.len() + c.args.len() + 2)
        .max()
        .unwrap_or(0);
    for c in COMMANDS {
        let usage = if c.args.is_empty() {
            format!(":{}", c.name)
        } else {
            format!(":{} {}", c.name, c.args)
        };
        out.push_str(&format!("  {usage:<width$}  {}\n", c.help));
    }
    out
}

fn conclusion_name(head: &crate::syntax::ast::Conclusion) -> &str {
    match head {
        crate::syntax::ast::Conclusion::Atom(a) => &a.relation.text,
        crate::syntax::ast::Conclusion::Subject(s) => &s.relation.text,
    }
}

pub(super) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Loads, checks and reads the data of a session: like [`Engine::load`], but an empty policy is
/// fine, and the typed statements are parsed again into the new source map, under their names. The
/// engine's policy holds the files; the typed statements come back beside it.
#[allow(clippy::type_complexity)]
fn build_engine(
    paths: &[PathBuf],
    facts: &[PathBuf],
    typed: &[Typed],
    today: i32,
) -> Result<(Engine, Vec<Typed>), (Vec<Diagnostic>, SourceMap)> {
    let mut sources = SourceMap::new();
    let (policy, mut diagnostics) = load_policy(paths, &mut sources);
    let mut retyped = vec![];
    for t in typed {
        let file = sources.add(t.name.clone(), None, t.text.clone());
        match parse_repl_line(file, &t.text) {
            Ok(ReplLine::Item(item)) => retyped.push(Typed {
                name: t.name.clone(),
                text: t.text.clone(),
                file,
                parsed: SourceFile { items: vec![item] },
            }),
            Ok(ReplLine::Query(_)) => {}
            Err(d) => diagnostics.push(d),
        }
    }
    let mut whole = policy.clone();
    whole
        .files
        .extend(retyped.iter().map(|t| (t.file, t.parsed.clone())));
    let mut values = ValueStore::new();
    let options = CheckOptions {
        today,
        strict: false,
        queried: vec![],
    };
    let checked = match check(&whole, &mut values, &options) {
        Ok(c) if diagnostics.is_empty() => c,
        Ok(_) => return Err((diagnostics, sources)),
        Err(mut d) => {
            diagnostics.append(&mut d);
            crate::diagnostic::sort(&mut diagnostics);
            return Err((diagnostics, sources));
        }
    };
    let facts_set = FactSet::for_program(&checked.program);
    let mut engine = Engine {
        sources,
        values,
        policy,
        checked,
        facts: facts_set,
    };
    if let Err(d) = engine.load_facts(facts) {
        return Err((d, engine.sources));
    }
    Ok((engine, retyped))
}

/// The facts of `old` laid out for `new`, matching relations by name.
fn reindex(facts: &FactSet, old: &crate::ir::Program, new: &crate::ir::Program) -> FactSet {
    let mut out = FactSet::for_program(new);
    out.files = facts.files.clone();
    for (i, rel) in old.relations.iter().enumerate() {
        if let Some(id) = new.relation_id(&rel.name) {
            let table = &facts.tables[i];
            if table.arity == new.relation(id).arity() {
                *out.table_mut(id) = table.clone();
            }
        }
    }
    out.skipped = facts
        .skipped
        .iter()
        .filter_map(|s| {
            let id = new.relation_id(&old.relation(s.relation).name)?;
            Some(crate::facts::SkippedRows { relation: id, ..*s })
        })
        .collect();
    out
}

/// Whether a path looks like a data file rather than a policy.
pub(super) fn is_data_path(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("json" | "jsonl" | "csv")
    )
}
