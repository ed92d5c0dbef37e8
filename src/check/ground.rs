//! Ground facts: a fact's constants checked against its relation's columns and lowered to an IR row.
//!
//! Runs inside [`super::check`] once the relation table is complete and relation ids are assigned, for
//! every fact of the policy whose relation resolved; [`super::query`] uses it too for the facts and
//! expected atoms of test blocks. `today` becomes the evaluation date.
//!
//! Invariants: a fact lowers only when every argument is a constant (`variable_in_fact`) of its column's
//! type (`type_mismatch`) that exists (`bad_date`, `bad_number`); otherwise it is reported and dropped,
//! never lowered in part. The fact's relation must be in the table and have an id.

use rustc_hash::FxHashMap as HashMap;

use super::relations::RelationTable;
use super::{lower, types};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, RelationId};
use crate::syntax::ast::{self, Literal};
use crate::value::{ValueStore, ValueType};

pub(super) fn lower_fact(
    fact: &ast::FactDecl,
    table: &RelationTable,
    ids: &HashMap<String, RelationId>,
    values: &mut ValueStore,
    today: i32,
    diags: &mut Vec<Diagnostic>,
) -> Option<ir::PolicyFact> {
    let rel = table.get(fact.atom.relation.text.as_str())?;
    let mut row = vec![];
    let mut ok = true;
    for (i, arg) in fact.atom.args.iter().enumerate() {
        let lit = match arg {
            ast::Expr::Literal(l) => l.clone(),
            ast::Expr::Today(span) => Literal::day(today, *span),
            other => {
                let (message, help) = match other {
                    ast::Expr::Var(n) => (
                        format!("a fact cannot contain the variable `{}`", n.text),
                        format!(
                            "constants start with an upper-case letter or are quoted: `\"{}\"`; to state it for every value, write a rule",
                            n.text
                        ),
                    ),
                    ast::Expr::Wildcard(_) => ("a fact cannot contain `_`".to_string(), "write a value".to_string()),
                    _ => ("a fact's arguments are values".to_string(), "write the value itself".to_string()),
                };
                diags.push(
                    Diagnostic::error("variable_in_fact", message)
                        .label(other.span(), "not a value")
                        .help(help),
                );
                ok = false;
                continue;
            }
        };
        let col = &rel.columns[i];
        let got = types::literal_type(&lit);
        let want = types::settled(col.ty);
        if got != want {
            let mut d = types::column_mismatch(&fact.atom.relation.text, col, i, want, got)
                .label(lit.span(), format!("a {got}"));
            d = match col.span {
                Some(s) => d.label(s, format!("declared as {want} here")),
                None => d.label(
                    rel.span,
                    format!(
                        "a {want} in the first fact of `{}`",
                        fact.atom.relation.text
                    ),
                ),
            };
            diags.push(d.help(if want == ValueType::Date {
                "write dates without quotes, as `YYYY-MM-DD`"
            } else {
                "every row of a relation has the same column types"
            }));
            ok = false;
            continue;
        }
        match lower::constant(&lit, values) {
            Ok(v) => row.push(v),
            Err(d) => {
                diags.push(d);
                ok = false;
            }
        }
    }
    let name = fact.name.as_ref().map(|n| n.text.clone());
    let source = fact.annotations.iter().find_map(|a| match a {
        ast::Annotation::Source { text, .. } => Some(text.clone()),
        _ => None,
    });
    ok.then(|| ir::PolicyFact {
        relation: ids[fact.atom.relation.text.as_str()],
        values: row,
        span: fact.span,
        name,
        source,
    })
}
