//! Lowering: typed drafts → IR rules, with the safety check.
//!
//! Runs last in `check`, after `types`. Assigns variable ids, interns constants, decides which `x = e`
//! comparisons bind a variable (those whose variable no positive atom binds and whose other side is
//! bound), and reports unsafe variables: a variable of the conclusion, of a negation or of a comparison
//! that nothing binds. Only drafts without errors reach the IR.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::draft::*;
use super::expand::shown;
use super::types::{expr_type, VarTypes};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, CompareOp, Expr, Literal as IrLiteral, RelationId, Term, VarId, Variable};
use crate::syntax::ast::Literal;
use crate::syntax::Span;
use crate::value::{parse_date, Number, Value, ValueStore, ValueType};

/// Converts a constant to a value, reporting dates and numbers that do not exist.
pub fn constant(l: &Literal, values: &mut ValueStore) -> Result<Value, Diagnostic> {
    match l {
        Literal::Text { value, .. } => Ok(values.text(value)),
        Literal::Bool { value, .. } => Ok(Value::bool(*value)),
        Literal::Date { text, span } => parse_date(text).map(Value::day).ok_or_else(|| {
            Diagnostic::error("bad_date", format!("`{text}` is not a calendar date"))
                .label(*span, "no such day")
                .help("dates are written `YYYY-MM-DD` and must exist (2024-02-29 does, 2023-02-29 does not)")
        }),
        Literal::Number { text, span } => Number::parse(text).map(|n| values.number(n)).ok_or_else(|| {
            Diagnostic::error("bad_number", format!("`{text}` is not a number accord can hold"))
                .label(*span, "out of range")
                .help("integers are 64-bit; decimals have at most 28 digits")
        }),
    }
}

pub struct Lowering<'a> {
    pub relation_ids: &'a HashMap<String, RelationId>,
    pub values: &'a mut ValueStore,
    pub diagnostics: Vec<Diagnostic>,
}

impl Lowering<'_> {
    /// Lowers one draft; `None` when it has errors (reported).
    pub fn rule(&mut self, draft: &Draft, types: &VarTypes) -> Option<ir::Rule> {
        let errors_before = self.diagnostics.len();
        let variables = draft.variables();
        let mut vars: Vec<Variable> = Vec::with_capacity(variables.len());
        let mut ids: HashMap<&str, VarId> =
            HashMap::with_capacity_and_hasher(variables.len(), Default::default());
        for (name, _) in variables {
            ids.insert(name, VarId(vars.len() as u32));
            vars.push(Variable {
                name: shown(name).to_string(),
                ty: types.get(name).copied().unwrap_or(ValueType::Text),
            });
        }
        // Which variables positive atoms bind.
        let mut bound: HashSet<&str> =
            HashSet::with_capacity_and_hasher(vars.len(), Default::default());
        for lit in &draft.body {
            if let DraftLiteral::Atom(a) = lit {
                for arg in &a.args {
                    if let DraftExpr::Var(n, _) = arg {
                        bound.insert(n);
                    }
                }
            }
        }
        // Equalities that bind, in an order where each one's inputs are bound.
        let mut binds: HashMap<usize, (&str, bool)> = HashMap::default();
        loop {
            let mut progress = false;
            for (i, lit) in draft.body.iter().enumerate() {
                let DraftLiteral::Compare {
                    op: CompareOp::Eq,
                    lhs,
                    rhs,
                    ..
                } = lit
                else {
                    continue;
                };
                if binds.contains_key(&i) {
                    continue;
                }
                let all_bound = |e: &DraftExpr, bound: &HashSet<&str>| {
                    let mut v = vec![];
                    e.vars(&mut v);
                    !matches!(e, DraftExpr::Wildcard(_)) && v.iter().all(|(n, _)| bound.contains(n))
                };
                for (var_side, other, var_on_left) in [(lhs, rhs, true), (rhs, lhs, false)] {
                    if let DraftExpr::Var(n, _) = var_side {
                        if !bound.contains(n.as_str()) && all_bound(other, &bound) {
                            bound.insert(n);
                            binds.insert(i, (n, var_on_left));
                            progress = true;
                            break;
                        }
                    }
                }
            }
            if !progress {
                break;
            }
        }
        let unsafe_var = |name: &str, span: Span, place: &str| {
            Diagnostic::error("unsafe_variable", format!("`{}` {place} is not bound by any premise", shown(name)))
                .label(span, "nothing gives this variable a value")
                .help(format!(
                    "add a positive premise that mentions `{}`, or bind it with `{} = …`; a variable starting \
                     with a lower-case letter is a variable, write `\"…\"` or an upper-case name for a constant",
                    shown(name),
                    shown(name)
                ))
        };
        let mut body = Vec::with_capacity(draft.body.len());
        for (i, lit) in draft.body.iter().enumerate() {
            match lit {
                DraftLiteral::Atom(a) => {
                    let relation = self.relation(a)?;
                    let args = self.terms(a, &ids, "r(y)")?;
                    body.push(IrLiteral::Atom {
                        relation,
                        args,
                        span: a.span,
                    });
                }
                DraftLiteral::Negated(a) => {
                    let relation = self.relation(a)?;
                    for arg in &a.args {
                        if let DraftExpr::Var(n, s) = arg {
                            if !bound.contains(n.as_str()) {
                                self.diagnostics
                                    .push(unsafe_var(n, *s, "in a negated premise"));
                            }
                        }
                    }
                    let args = self.terms(a, &ids, "¬ r(y)")?;
                    body.push(IrLiteral::Negated {
                        relation,
                        args,
                        span: a.span,
                    });
                }
                DraftLiteral::Compare { op, lhs, rhs, span } => {
                    if let Some((var, var_on_left)) = binds.get(&i) {
                        let other = if *var_on_left { rhs } else { lhs };
                        let expr = self.expr(other, &ids, types)?;
                        body.push(IrLiteral::Bind {
                            var: ids[var],
                            expr,
                            span: *span,
                        });
                        continue;
                    }
                    let mut vs = vec![];
                    lhs.vars(&mut vs);
                    rhs.vars(&mut vs);
                    for (n, s) in vs {
                        if !bound.contains(n) {
                            self.diagnostics.push(unsafe_var(n, s, "in a comparison"));
                        }
                    }
                    for side in [lhs, rhs] {
                        if let DraftExpr::Wildcard(s) = side {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    "wildcard_in_comparison",
                                    "`_` cannot be compared",
                                )
                                .label(*s, "a wildcard matches anything")
                                .help("use a named variable bound by a premise"),
                            );
                        }
                    }
                    let ty = expr_type(lhs, types)
                        .or_else(|| expr_type(rhs, types))
                        .unwrap_or(ValueType::Text);
                    let (l, r) = (self.expr(lhs, &ids, types)?, self.expr(rhs, &ids, types)?);
                    body.push(IrLiteral::Compare {
                        op: *op,
                        ty,
                        lhs: l,
                        rhs: r,
                        span: *span,
                    });
                }
            }
        }
        let head = self.relation(&draft.head)?;
        let mut head_args = vec![];
        for arg in &draft.head.args {
            let mut vs = vec![];
            arg.vars(&mut vs);
            for (n, s) in vs {
                if !bound.contains(n) {
                    self.diagnostics.push(unsafe_var(n, s, "in the conclusion"));
                }
            }
            if let DraftExpr::Wildcard(s) = arg {
                self.diagnostics.push(
                    Diagnostic::error("wildcard_in_conclusion", "a conclusion cannot contain `_`")
                        .label(*s, "which value would this be?")
                        .help("name a variable bound by a premise, or write a constant"),
                );
                continue;
            }
            head_args.push(self.expr(arg, &ids, types)?);
        }
        if self.diagnostics.len() > errors_before {
            return None;
        }
        Some(ir::Rule {
            head,
            head_args,
            body,
            vars,
            origin: ir::RuleOrigin {
                name: draft.name.as_ref().map(|n| n.text.clone()),
                source: draft.source.clone(),
                span: draft.span,
                disjunct: draft.disjunct,
                purpose: draft.purpose,
            },
        })
    }

    /// The arguments of a premise as terms; an expression argument is reported (`example` shows the
    /// premise in the help line).
    fn terms(
        &mut self,
        atom: &DraftAtom,
        ids: &HashMap<&str, VarId>,
        example: &str,
    ) -> Option<Vec<Term>> {
        let mut args = vec![];
        for arg in &atom.args {
            match arg {
                DraftExpr::Var(n, _) => args.push(Term::Var(ids[n.as_str()])),
                DraftExpr::Wildcard(_) => args.push(Term::Wildcard),
                DraftExpr::Const(l) => args.push(Term::Const(self.constant(l)?)),
                other => self.diagnostics.push(
                    Diagnostic::error(
                        "expression_in_premise",
                        "a premise's arguments are variables or constants",
                    )
                    .label(other.span(), "an expression")
                    .help(format!(
                        "bind the expression to a variable first: `y = x + 1 ∧ {example}`"
                    )),
                ),
            }
        }
        Some(args)
    }

    fn relation(&mut self, atom: &DraftAtom) -> Option<RelationId> {
        self.relation_ids.get(&atom.relation).copied()
    }

    fn constant(&mut self, l: &Literal) -> Option<Value> {
        match constant(l, self.values) {
            Ok(v) => Some(v),
            Err(d) => {
                self.diagnostics.push(d);
                None
            }
        }
    }

    fn expr(
        &mut self,
        e: &DraftExpr,
        ids: &HashMap<&str, VarId>,
        types: &VarTypes,
    ) -> Option<Expr> {
        Some(match e {
            DraftExpr::Var(n, _) => Expr::Var(*ids.get(n.as_str())?),
            DraftExpr::Wildcard(_) => return None,
            DraftExpr::Const(l) => Expr::Const(self.constant(l)?),
            DraftExpr::Binary { op, lhs, rhs, .. } => {
                let ty = if expr_type(lhs, types) == Some(ValueType::Date) {
                    ValueType::Date
                } else {
                    ValueType::Number
                };
                Expr::Arith {
                    op: *op,
                    ty,
                    lhs: Box::new(self.expr(lhs, ids, types)?),
                    rhs: Box::new(self.expr(rhs, ids, types)?),
                }
            }
            DraftExpr::Shift {
                date,
                negate,
                amount,
                unit,
                ..
            } => Expr::Shift {
                date: Box::new(self.expr(date, ids, types)?),
                amount: Box::new(self.expr(amount, ids, types)?),
                unit: *unit,
                negate: *negate,
            },
        })
    }
}
