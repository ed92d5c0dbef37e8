//! What-ifs: the change log of asserted and retracted facts, and what each change does.
//!
//! A change names its relation and holds its row as values of the session's store, and the fact as
//! accord source text, so that `:reload keep` can lower it again against a freshly loaded policy. The
//! loaded facts are never edited: the model with changes is evaluated over a copy of the program and
//! facts with the changes applied in order, and compared with the model before (rows gained and lost,
//! per derived relation).

use std::time::Instant;

use crate::diagnostic::Diagnostic;
use crate::engine::{eval_diagnostic, Engine};
use crate::eval::{evaluate, Model};
use crate::facts::{FactOrigin, Table};
use crate::ir::{Program, RelationId, RelationKind};
use crate::syntax::ast::{Atom, Expr, Formula, Item, Literal};
use crate::syntax::{parse_repl_line, ReplLine};
use crate::value::{format_day, parse_date, Number, Value, ValueStore, ValueType};

use super::session::{plural, Outcome, Session};

/// One what-if change.
#[derive(Clone, Debug)]
pub(crate) struct Change {
    pub assert: bool,
    pub relation: String,
    pub row: Vec<Value>,
    /// The fact in source syntax, e.g. `shipment(S99, ACME, "x", MX, US, 2025-01-01)`.
    pub text: String,
    /// The input that made the change.
    pub input: u32,
}

impl Change {
    fn describe(&self) -> String {
        format!(
            ":{} {}",
            if self.assert { "assert" } else { "retract" },
            self.text
        )
    }

    /// The same change lowered against another engine (after a reload).
    pub fn relower(&self, engine: &mut Engine) -> Result<Change, Diagnostic> {
        let name = format!("<repl>:{}", self.input);
        let (relation, row) = lower_fact(engine, &name, &self.text).map_err(|mut d| d.remove(0))?;
        Ok(Change {
            relation: engine.program().relation(relation).name.clone(),
            row,
            ..self.clone()
        })
    }
}

/// Rows a change gained and lost in one derived relation.
struct Effect {
    relation: RelationId,
    gained: Vec<Vec<Value>>,
    lost: Vec<Vec<Value>>,
}

impl Session {
    pub(super) fn assert(&mut self, rest: &str) -> Outcome {
        self.change(true, rest)
    }

    pub(super) fn retract(&mut self, rest: &str) -> Outcome {
        self.change(false, rest)
    }

    fn change(&mut self, assert: bool, rest: &str) -> Outcome {
        let verb = if assert { "assert" } else { "retract" };
        if rest.is_empty() {
            return Outcome::error(
                Diagnostic::error("bad_argument", format!("`:{verb}` needs a fact")).help(format!(
                    "`:{verb} certification(ACME, NEEC, \"active\", 2027-12-31)`"
                )),
            );
        }
        let name = self.input_name();
        let (relation, row) = match lower_fact(&mut self.engine, &name, rest) {
            Ok(r) => r,
            Err(diags) => return Outcome::errors(diags),
        };
        let start = Instant::now();
        if let Err(d) = self.ensure_model() {
            return Outcome::error(d);
        }
        let Some(before) = self.model.take() else {
            return Outcome::default();
        };
        let program = self.engine.program();
        let text = fact_text(self, relation, &row);
        let existing = before.find(relation, &row);
        if assert && existing.is_some() {
            self.model = Some(before);
            return Outcome::text(format!("{text} already holds; nothing changes\n"));
        }
        if !assert {
            let base = existing.and_then(|i| before.origin(relation, i)).is_some();
            if !base {
                let d = match existing {
                    Some(_) => Diagnostic::error(
                        "not_a_fact",
                        format!("`{text}` is derived, not a fact"),
                    )
                    .help(
                        "retract the facts it rests on; `:rules` shows the rules that conclude it",
                    ),
                    None => Diagnostic::error("not_a_fact", format!("`{text}` is not a fact"))
                        .help(format!(
                            "`:facts {}` lists the facts of the relation",
                            program.relation(relation).name
                        )),
                };
                self.model = Some(before);
                return Outcome::error(d);
            }
        }
        let relation_name = program.relation(relation).name.clone();
        let row_values = row.clone();
        let input = self.inputs;
        let incremental = super::incremental::apply(
            &self.engine.checked.program,
            &self.engine.checked.strata,
            before,
            &mut self.engine.values,
            relation,
            &row_values,
            assert,
            input,
        );
        self.changes.push(Change {
            assert,
            relation: relation_name,
            row,
            text: text.clone(),
            input,
        });
        let effects = match incremental {
            Ok((after, deltas)) => {
                self.model = Some(after);
                self.delta_effects(deltas)
            }
            Err(before) => {
                let after = match self.evaluate_with_changes(self.changes.len()) {
                    Ok(m) => m,
                    Err(d) => {
                        self.changes.pop();
                        self.model = Some(before);
                        return Outcome::error(d);
                    }
                };
                let effects = effects(self.engine.program(), &self.engine.values, &before, &after);
                self.model = Some(after);
                effects
            }
        };
        let mut out = format!(
            "{}{} {text} (change {})\n",
            if assert { "asserted" } else { "retracted" },
            "",
            self.changes.len()
        );
        out.push_str(&self.render_effects(&effects));
        out.push_str(&self.timing_line("what-if", start));
        Outcome::text(out)
    }

    pub(super) fn undo(&mut self) -> Outcome {
        match self.changes.pop() {
            None => Outcome::text("no what-if change to undo\n"),
            Some(c) => {
                self.model = None;
                Outcome::text(format!(
                    "undid {} ({} {} left)\n",
                    c.describe(),
                    self.changes.len(),
                    plural(self.changes.len(), "change", "changes")
                ))
            }
        }
    }

    pub(super) fn reset(&mut self) -> Outcome {
        let n = self.changes.len();
        self.changes.clear();
        self.model = None;
        Outcome::text(format!(
            "undid {n} what-if {}\n",
            plural(n, "change", "changes")
        ))
    }

    /// `:whatif`: every change since load, and the rows each derived relation gained and lost.
    pub(super) fn whatif(&mut self) -> Outcome {
        if self.changes.is_empty() {
            return Outcome::text("no what-if changes since load\n");
        }
        let base = match self.evaluate_with_changes(0) {
            Ok(m) => m,
            Err(d) => return Outcome::error(d),
        };
        if let Err(d) = self.ensure_model() {
            return Outcome::error(d);
        }
        let Some(model) = &self.model else {
            return Outcome::default();
        };
        let mut out = format!(
            "{} what-if {} since load:\n",
            self.changes.len(),
            plural(self.changes.len(), "change", "changes")
        );
        for (i, c) in self.changes.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, c.describe()));
        }
        out.push_str("effect on the derived relations:\n");
        let effects = effects(self.engine.program(), &self.engine.values, &base, model);
        out.push_str(&self.render_effects(&effects));
        Outcome::text(out)
    }

    /// The effects an incremental update found, for the derived relations, in output order.
    fn delta_effects(&self, mut deltas: super::incremental::Deltas) -> Vec<Effect> {
        let program = self.engine.program();
        let values = &self.engine.values;
        let mut out = vec![];
        for id in program.derived_relations() {
            let Some(mut d) = deltas.remove(&id) else {
                continue;
            };
            if d.added.is_empty() && d.removed.is_empty() {
                continue;
            }
            let types = program.relation(id).types();
            d.added.sort_by(|a, b| values.compare_rows(&types, a, b));
            d.removed.sort_by(|a, b| values.compare_rows(&types, a, b));
            out.push(Effect {
                relation: id,
                gained: d.added,
                lost: d.removed,
            });
        }
        out
    }

    fn render_effects(&self, effects: &[Effect]) -> String {
        let program = self.engine.program();
        if effects.is_empty() {
            return "  no derived relation changes\n".to_string();
        }
        let mut out = String::new();
        for e in effects {
            let name = &program.relation(e.relation).name;
            out.push_str(&format!(
                "  {name}: +{} −{}\n",
                e.gained.len(),
                e.lost.len()
            ));
            let lines = e
                .gained
                .iter()
                .map(|r| ('+', r))
                .chain(e.lost.iter().map(|r| ('−', r)));
            let total = e.gained.len() + e.lost.len();
            for (sign, row) in lines.take(self.limit) {
                out.push_str(&format!(
                    "    {sign} {}\n",
                    fact_text(self, e.relation, row)
                ));
            }
            if total > self.limit {
                out.push_str(&format!(
                    "    … {} more (`:limit {total}` shows them)\n",
                    total - self.limit
                ));
            }
        }
        out
    }

    /// Evaluates the program with the first `n` changes applied to (copies of) its facts.
    pub(super) fn evaluate_with_changes(&mut self, n: usize) -> Result<Model, Diagnostic> {
        let mut program: Program = self.engine.program().clone();
        let mut facts = self.engine.facts.clone();
        for c in self.changes.iter().take(n) {
            let Some(id) = program.relation_id(&c.relation) else {
                continue;
            };
            if c.assert {
                facts
                    .table_mut(id)
                    .push(&c.row, FactOrigin::Asserted { input: c.input });
            } else {
                program
                    .facts
                    .retain(|f| !(f.relation == id && f.values == c.row));
                remove_row(facts.table_mut(id), &c.row);
            }
        }
        evaluate(
            &program,
            &facts,
            &mut self.engine.values,
            &self.options.eval,
        )
        .map_err(|e| eval_diagnostic(&e, &program))
    }
}

fn remove_row(table: &mut Table, row: &[Value]) {
    let mut kept = Table::new(table.arity);
    for (r, origin) in table.rows() {
        if r != row {
            kept.push(r, origin);
        }
    }
    *table = kept;
}

/// The rows each derived relation gained and lost from `before` to `after`, relations in output order.
fn effects(program: &Program, values: &ValueStore, before: &Model, after: &Model) -> Vec<Effect> {
    let mut out = vec![];
    for id in program.derived_relations() {
        let types = program.relation(id).types();
        let mut gained: Vec<Vec<Value>> = after
            .rows(id)
            .filter(|r| !before.contains(id, r))
            .map(<[Value]>::to_vec)
            .collect();
        let mut lost: Vec<Vec<Value>> = before
            .rows(id)
            .filter(|r| !after.contains(id, r))
            .map(<[Value]>::to_vec)
            .collect();
        gained.sort_by(|a, b| values.compare_rows(&types, a, b));
        lost.sort_by(|a, b| values.compare_rows(&types, a, b));
        if !gained.is_empty() || !lost.is_empty() {
            out.push(Effect {
                relation: id,
                gained,
                lost,
            });
        }
    }
    out
}

/// `rel(v1, v2, …)` in source syntax.
fn fact_text(session: &Session, relation: RelationId, row: &[Value]) -> String {
    let rel = session.engine.program().relation(relation);
    let args: Vec<String> = row
        .iter()
        .zip(&rel.columns)
        .map(|(v, c)| session.engine.values.literal(c.ty, *v))
        .collect();
    format!("{}({})", rel.name, args.join(", "))
}

/// Parses and lowers one fact typed after `:assert` or `:retract`, as source `name`.
fn lower_fact(
    engine: &mut Engine,
    name: &str,
    text: &str,
) -> Result<(RelationId, Vec<Value>), Vec<Diagnostic>> {
    let file = engine.sources.add(name, None, text.to_string());
    let atom: Atom = match parse_repl_line(file, text).map_err(|d| vec![d])? {
        ReplLine::Query(Formula::Atom(a)) => a,
        ReplLine::Item(Item::Fact(f)) if f.name.is_none() && f.annotations.is_empty() => f.atom,
        other => {
            let span = match &other {
                ReplLine::Query(f) => f.span(),
                ReplLine::Item(i) => i.span(),
            };
            return Err(vec![Diagnostic::error(
                "not_a_fact",
                "a what-if changes one fact",
            )
            .label(span, "not a single fact")
            .help("write one atom of constants: `:assert company(ACME, MX)`")]);
        }
    };
    let program = engine.program();
    let relation = program
        .relation_id(&atom.relation.text)
        .filter(|id| program.relation(*id).kind == RelationKind::User)
        .ok_or_else(|| {
            let names = program
                .relations
                .iter()
                .filter(|r| r.kind == RelationKind::User)
                .map(|r| r.name.as_str());
            let d = Diagnostic::error(
                "unknown_relation",
                format!("unknown relation `{}`", atom.relation.text),
            )
            .label(atom.relation.span, "no such relation");
            vec![
                match crate::diagnostic::did_you_mean(&atom.relation.text, names) {
                    Some(close) => d.help(format!("did you mean `{close}`?")),
                    None => d.help("a what-if changes a fact of a relation the policy knows"),
                },
            ]
        })?;
    let rel = program.relation(relation).clone();
    if rel.arity() != atom.args.len() {
        return Err(vec![Diagnostic::error(
            "arity_mismatch",
            format!(
                "`{}` has {} columns, but {} arguments are given",
                rel.name,
                rel.arity(),
                atom.args.len()
            ),
        )
        .label(atom.span, format!("{} arguments", atom.args.len()))
        .help(format!(
            "give `{}` exactly {} arguments",
            rel.name,
            rel.arity()
        ))]);
    }
    let today = program.today;
    let mut row = vec![];
    let mut diags = vec![];
    for (arg, column) in atom.args.iter().zip(&rel.columns) {
        match constant(engine, arg, column.ty, today) {
            Ok(v) => row.push(v),
            Err(d) => diags.push(d),
        }
    }
    if diags.is_empty() {
        Ok((relation, row))
    } else {
        Err(diags)
    }
}

/// A constant argument of a what-if fact, as a value of the column's type.
fn constant(
    engine: &mut Engine,
    arg: &Expr,
    want: ValueType,
    today: i32,
) -> Result<Value, Diagnostic> {
    let (value, got) = match arg {
        Expr::Today(_) => (Some(Value::day(today)), ValueType::Date),
        Expr::Literal(Literal::Text { value, .. }) => {
            (Some(engine.values.text(value)), ValueType::Text)
        }
        Expr::Literal(Literal::Bool { value, .. }) => (Some(Value::bool(*value)), ValueType::Bool),
        Expr::Literal(Literal::Date { text, .. }) => {
            (parse_date(text).map(Value::day), ValueType::Date)
        }
        Expr::Literal(Literal::Number { text, .. }) => (
            Number::parse(text).map(|n| engine.values.number(n)),
            ValueType::Number,
        ),
        other => return Err(Diagnostic::error(
            "variable_in_fact",
            "a fact's arguments are values",
        )
        .label(other.span(), "not a value")
        .help("constants start with an upper-case letter or are quoted; dates are YYYY-MM-DD")),
    };
    if got != want {
        return Err(Diagnostic::error(
            "type_mismatch",
            format!("this column holds a {want}, not a {got}"),
        )
        .label(arg.span(), format!("a {got}"))
        .help(if want == ValueType::Date {
            "write dates without quotes, as `YYYY-MM-DD`"
        } else {
            "every row of a relation has the same column types"
        }));
    }
    value.ok_or_else(|| {
        Diagnostic::error("bad_value", "this value does not exist")
            .label(arg.span(), "out of range")
            .help(format!("e.g. {} for a date", format_day(today)))
    })
}
