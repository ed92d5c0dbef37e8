//! The library's front door: load a policy and facts, evaluate, and keep what explanations need.
//!
//! [`Engine`] owns everything one policy run needs — the source map, the value store, the checked
//! program and the base facts — so there is no global state and several engines can live side by side.
//! Front ends (`cli`, `repl`) and library users go through it.

use std::path::PathBuf;

use crate::check::{check, CheckOptions, Checked};
use crate::diagnostic::Diagnostic;
use crate::eval::{evaluate, Decider, EvalError, EvalOptions, Model};
use crate::facts::FactSet;
use crate::ir::Program;
use crate::syntax::SourceMap;
use crate::value::ValueStore;
use crate::workspace::{load_policy, Policy};

/// Why an engine could not be built: the diagnostics, and the sources they point into.
#[derive(Debug)]
pub struct Failure {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

/// A policy read and parsed but not checked, with the problems reading and parsing found (the files
/// that failed to parse are left out). [`Parsed::check`] makes it an [`Engine`].
#[derive(Debug)]
pub struct Parsed {
    sources: SourceMap,
    policy: Policy,
    diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Checks the policy: the second half of [`Engine::load`]. Fails with every problem found, the
    /// parser's included.
    pub fn check(self, options: &CheckOptions) -> Result<Engine, Failure> {
        let Parsed {
            sources,
            policy,
            mut diagnostics,
        } = self;
        let mut values = ValueStore::new();
        let checked = match check(&policy, &mut values, options) {
            Ok(c) if diagnostics.is_empty() => c,
            Ok(_) => {
                return Err(Failure {
                    sources,
                    diagnostics,
                })
            }
            Err(mut d) => {
                diagnostics.append(&mut d);
                crate::diagnostic::sort(&mut diagnostics);
                return Err(Failure {
                    sources,
                    diagnostics,
                });
            }
        };
        let facts = FactSet::for_program(&checked.program);
        Ok(Engine {
            sources,
            values,
            policy,
            checked,
            facts,
        })
    }
}

/// A checked policy with its base facts.
#[derive(Clone, Debug)]
pub struct Engine {
    pub sources: SourceMap,
    pub values: ValueStore,
    pub policy: Policy,
    pub checked: Checked,
    pub facts: FactSet,
}

impl Engine {
    /// Reads, parses and checks the policy at `paths` (files or directories).
    pub fn load(paths: &[PathBuf], options: &CheckOptions) -> Result<Engine, Failure> {
        Engine::parse(paths).check(options)
    }

    /// Reads and parses the policy at `paths`: the first half of [`Engine::load`], for a caller with
    /// other work to do before the check (the command line reads the clock meanwhile).
    pub fn parse(paths: &[PathBuf]) -> Parsed {
        let mut sources = SourceMap::new();
        let (policy, mut diagnostics) = load_policy(paths, &mut sources);
        if paths.is_empty() {
            diagnostics.push(
                Diagnostic::error("no_policy", "no policy files were given").help(
                    "name policy files or directories: `accord eval policies/ --facts data.json`",
                ),
            );
        }
        Parsed {
            sources,
            policy,
            diagnostics,
        }
    }

    pub fn program(&self) -> &Program {
        &self.checked.program
    }

    /// Loads data files; all or nothing: on any error the engine's facts are unchanged.
    pub fn load_facts(&mut self, paths: &[PathBuf]) -> Result<(), Vec<Diagnostic>> {
        self.load_facts_with(paths, &mut crate::facts::NoProgress)
    }

    /// [`Engine::load_facts`], telling `progress` how far the load got (for a progress bar).
    pub fn load_facts_with(
        &mut self,
        paths: &[PathBuf],
        progress: &mut dyn crate::facts::Progress,
    ) -> Result<(), Vec<Diagnostic>> {
        if paths.is_empty() {
            return Ok(());
        }
        let loaded = crate::facts::load_with(
            paths,
            &self.checked.program,
            &mut self.values,
            &mut self.sources,
            progress,
        )?;
        self.facts.merge(loaded);
        Ok(())
    }

    /// Prepares per-decision answers (see [`Decider`]): the facts loaded so far are the base; each
    /// decision adds rows of the `inputs` relations and reports the new rows of the `outputs`.
    ///
    /// ```
    /// use accord::check::CheckOptions;
    /// use accord::engine::Engine;
    /// use accord::eval::EvalOptions;
    ///
    /// let dir = std::env::temp_dir().join(format!("accord-doc-prepare-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("policy.accord"), "
    ///     relation certified(company: text, program: text).
    ///     relation shipment(id: text, exporter: text, destination: text).
    ///     program(NEEC, MX). mra(MX, US).
    ///     shipment(s, e, dest) ∧ certified(e, p) ∧ program(p, home) ∧ mra(home, dest) ⇒ fewer_exams(s).
    /// ").unwrap();
    /// std::fs::write(dir.join("certified.csv"), "company,program\nACME,NEEC\n").unwrap();
    ///
    /// let mut engine = Engine::load(&[dir.join("policy.accord")], &CheckOptions::default()).unwrap();
    /// engine.load_facts(&[dir.join("certified.csv")]).unwrap();
    /// let mut decider = engine.prepare(&["shipment"], &["fewer_exams"], &EvalOptions::default()).unwrap();
    ///
    /// let (relation, row) = decider.row("shipment", &["S1", "ACME", "US"]).unwrap();
    /// let decision = decider.decide(&[(relation, &row)]).unwrap();
    /// let fewer_exams = decider.program().relation_id("fewer_exams").unwrap();
    /// assert!(decision.concludes(fewer_exams, &[row[0]]));
    ///
    /// let (relation, row) = decider.row("shipment", &["S2", "ACME", "CA"]).unwrap();
    /// assert!(decider.decide(&[(relation, &row)]).unwrap().added.is_empty());
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn prepare(
        &self,
        inputs: &[&str],
        outputs: &[&str],
        options: &EvalOptions,
    ) -> Result<Decider, Diagnostic> {
        let program = &self.checked.program;
        let resolve = |names: &[&str]| {
            names
                .iter()
                .map(|n| {
                    program.relation_id(n).ok_or_else(|| {
                        Diagnostic::error(
                            "unknown_relation",
                            format!("the policy has no relation `{n}`"),
                        )
                        .help("name relations the policy declares or concludes")
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let (inputs, outputs) = (resolve(inputs)?, resolve(outputs)?);
        Decider::prepare(
            program.clone(),
            self.facts.clone(),
            self.values.clone(),
            inputs,
            outputs,
            options.clone(),
        )
        .map_err(|e| eval_diagnostic(&e, program))
    }

    /// Parses and checks an atom to explain (`fewer_exams(S1)`, `reduced_exams(s)`) against the program.
    pub fn parse_goal(&mut self, text: &str) -> Result<crate::explain::Goal, Vec<Diagnostic>> {
        crate::explain::parse_goal(
            text,
            &self.checked.program,
            &mut self.values,
            &mut self.sources,
        )
    }

    /// An explanation context over `model`, a model of this engine's program (see [`crate::explain`]).
    pub fn explainer<'a>(&'a mut self, model: &'a Model) -> crate::explain::Context<'a> {
        crate::explain::Context::new(
            model,
            &self.checked.program,
            &self.facts,
            &mut self.values,
            &self.sources,
        )
    }

    /// Evaluates the policy over its facts, moving the base facts' rows into the model instead of
    /// copying them (the lower peak memory for large loads). The engine keeps its data file names (which
    /// explanations cite) but no rows: evaluating again needs the facts loaded again.
    pub fn evaluate_consuming_facts(&mut self, options: &EvalOptions) -> Result<Model, EvalError> {
        let mut owned = FactSet::for_program(&self.checked.program);
        std::mem::swap(&mut owned.tables, &mut self.facts.tables);
        crate::eval::evaluate_owned(&self.checked.program, owned, &mut self.values, options)
    }

    /// Evaluates the policy over its facts.
    pub fn evaluate(&mut self, options: &EvalOptions) -> Result<Model, EvalError> {
        evaluate(
            &self.checked.program,
            &self.facts,
            &mut self.values,
            options,
        )
    }
}

/// An evaluation error as a diagnostic: names the relation that grew and the rule that grew it.
pub fn eval_diagnostic(error: &EvalError, program: &Program) -> Diagnostic {
    let with_rule = |d: Diagnostic, rule: Option<crate::ir::RuleId>| match rule {
        Some(r) => d.label(program.rule(r).origin.span, "this rule was deriving"),
        None => d,
    };
    let name = |r: crate::ir::RelationId| program.relation(r).name.clone();
    match error {
        EvalError::TooManyFacts { relation, rule, limit } => with_rule(
            Diagnostic::error(
                "too_many_facts",
                format!("evaluation stopped: more than {limit} facts, `{}` still growing", name(*relation)),
            ),
            *rule,
        )
        .help("a rule that computes new values (`n(x) ⇒ n(x + 1)`) never stops; otherwise raise the limit with `--max-facts`"),
        EvalError::Timeout { relation, rule } => with_rule(
            Diagnostic::error("timeout", format!("evaluation ran out of time while deriving `{}`", name(*relation))),
            *rule,
        )
        .help("raise the limit with `--timeout SECONDS`, or look for a rule that keeps deriving new values"),
        EvalError::Arithmetic { rule, error } => with_rule(
            Diagnostic::error("arithmetic", format!("arithmetic failed: {error}")),
            Some(*rule),
        )
        .help("integers are 64-bit and never wrap; check the values this rule computes with"),
        EvalError::AggregateArithmetic { aggregate, error } => {
            Diagnostic::error("arithmetic", format!("an aggregate failed: {error}"))
                .label(program.aggregates[*aggregate].span, "this aggregate")
                .help("integers are 64-bit and never wrap; a sum of large numbers can overflow")
        }
        EvalError::QueryArithmetic { error } => Diagnostic::error("arithmetic", format!("arithmetic failed: {error}"))
            .help("integers are 64-bit and never wrap"),
        EvalError::Unsafe { .. } | EvalError::NotStratifiable { .. } => {
            Diagnostic::error("internal", format!("internal error: {error}"))
                .help("the checker should have rejected this program; please report it with the policy")
        }
    }
}
