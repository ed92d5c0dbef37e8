//! Converting one datum of a data file to a [`Value`] of a column's declared type.
//!
//! Used by the CSV loader (a field's text) and the JSON loaders (a scanned JSON scalar). Conversion is
//! strict: a text column takes a text (a JSON string), a number column an exact decimal written without
//! exponent (`42`, `-3`, `2.5`; never through a float), a date column `YYYY-MM-DD`, a bool column
//! `true` or `false`. A failure is a [`Mismatch`], which the loader turns into a located problem.

use crate::ir::{Column, Relation};
use crate::value::{parse_date, Number, Value, ValueStore, ValueType};

/// Why a datum does not fit its column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mismatch {
    /// `bad_value` or `bad_date`.
    pub code: &'static str,
    pub help: String,
}

impl Mismatch {
    fn value(help: impl Into<String>) -> Mismatch {
        Mismatch {
            code: "bad_value",
            help: help.into(),
        }
    }
}

/// A JSON scalar as the loaders see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum JsonDatum<'a> {
    String(&'a str),
    /// The number's source text, already checked against JSON's number grammar.
    Number(&'a str),
    Bool(bool),
    Null,
    Array,
    Object,
    /// A string whose `\u` escapes are not a text (a lone surrogate).
    BadString,
}

/// Converts a CSV field (not empty) to a value of type `ty`.
pub(crate) fn from_text(
    ty: ValueType,
    field: &str,
    values: &mut ValueStore,
) -> Result<Value, Mismatch> {
    match ty {
        ValueType::Text => Ok(values.text(field)),
        ValueType::Number => number(field, values),
        ValueType::Date => date(field),
        ValueType::Bool => match field {
            "true" => Ok(Value::bool(true)),
            "false" => Ok(Value::bool(false)),
            _ => Err(Mismatch::value("a bool is written `true` or `false`")),
        },
    }
}

/// Converts a JSON scalar to a value of type `ty`.
pub(crate) fn from_json(
    ty: ValueType,
    datum: &JsonDatum<'_>,
    values: &mut ValueStore,
) -> Result<Value, Mismatch> {
    match (ty, datum) {
        (_, JsonDatum::Null) => Err(Mismatch::value(
            "`null` is not a value: every column of a row needs a value",
        )),
        (_, JsonDatum::BadString) => Err(Mismatch::value(
            "the string holds a `\\u` escape that is not a character (a lone surrogate)",
        )),
        (_, JsonDatum::Array | JsonDatum::Object) => Err(Mismatch::value(
            "a row holds one plain value per column, not nested arrays or objects",
        )),
        (ValueType::Text, JsonDatum::String(s)) => Ok(values.text(s)),
        (ValueType::Text, JsonDatum::Number(n)) => Err(Mismatch::value(format!(
            "write text as a JSON string, e.g. `\"{n}\"`"
        ))),
        (ValueType::Text, JsonDatum::Bool(b)) => Err(Mismatch::value(format!(
            "write text as a JSON string, e.g. `\"{b}\"`"
        ))),
        (ValueType::Number, JsonDatum::Number(n)) => number(n, values),
        (ValueType::Number, JsonDatum::String(_)) => Err(Mismatch::value(
            "write a number as a JSON number, without quotes, e.g. `2.5`",
        )),
        (ValueType::Date, JsonDatum::String(s)) => date(s),
        (ValueType::Date, _) => Err(Mismatch {
            code: "bad_date",
            help: "write a date as a JSON string `YYYY-MM-DD`, e.g. `\"2026-12-31\"`".into(),
        }),
        (ValueType::Bool, JsonDatum::Bool(b)) => Ok(Value::bool(*b)),
        (ValueType::Bool, JsonDatum::String(_)) => Err(Mismatch::value(
            "write a bool as JSON `true` or `false`, without quotes",
        )),
        (ValueType::Number | ValueType::Bool, _) => Err(Mismatch::value(format!(
            "a {} column takes a JSON {}",
            ty.name(),
            if ty == ValueType::Number {
                "number"
            } else {
                "`true` or `false`"
            }
        ))),
    }
}

fn number(text: &str, values: &mut ValueStore) -> Result<Value, Mismatch> {
    match Number::parse(text) {
        Some(n) => Ok(values.number(n)),
        None if text.contains(['e', 'E']) && text.bytes().any(|b| b.is_ascii_digit()) => Err(
            Mismatch::value("write the number out in full: exponents are not supported"),
        ),
        None if text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
            && !text.is_empty() =>
        {
            Err(Mismatch::value(
                "numbers have at most 28 significant digits",
            ))
        }
        None => Err(Mismatch::value(
            "numbers are written like `42`, `-3` or `2.5`, without spaces or separators",
        )),
    }
}

fn date(text: &str) -> Result<Value, Mismatch> {
    match parse_date(text) {
        Some(day) => Ok(Value::day(day)),
        None => {
            let shaped = text.len() == 10
                && text.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            let help = if shaped {
                format!("`{text}` is not a day of the calendar")
            } else {
                "dates are written `YYYY-MM-DD`, e.g. `2026-12-31`".to_string()
            };
            Err(Mismatch {
                code: "bad_date",
                help,
            })
        }
    }
}

/// How a message names a column: ``column `until` `` or `column 4`.
pub(crate) fn column_name(column: &Column, index: usize) -> String {
    match &column.name {
        Some(name) => format!("column `{name}`"),
        None => format!("column {}", index + 1),
    }
}

/// What a column expects, with an article: `text`, `a number`, `a date`, `a bool`.
pub(crate) fn expected(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Text => "text",
        ValueType::Number => "a number",
        ValueType::Date => "a date",
        ValueType::Bool => "a bool",
    }
}

/// A datum from a file, shown in a message: backticked and cut to a readable length.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    format!("`{out}`")
}

/// The message of a value that does not fit its column; `place` says where (`on line 4`).
pub(crate) fn mismatch_message(
    relation: &Relation,
    index: usize,
    found: &str,
    place: &str,
) -> String {
    let column = &relation.columns[index];
    format!(
        "expected {} for {} of `{}` {place}, found {found}",
        expected(column.ty),
        column_name(column, index),
        relation.name
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_exact_and_strict() {
        let mut values = ValueStore::new();
        let v = from_json(
            ValueType::Number,
            &JsonDatum::Number("12345678901234567890"),
            &mut values,
        )
        .unwrap();
        assert_eq!(values.display(ValueType::Number, v), "12345678901234567890");
        let v = from_text(ValueType::Number, "2.5", &mut values).unwrap();
        assert_eq!(values.display(ValueType::Number, v), "2.5");
        assert!(from_json(ValueType::Number, &JsonDatum::Number("1e5"), &mut values).is_err());
        assert!(from_text(ValueType::Number, " 4", &mut values).is_err());
        assert!(from_json(ValueType::Text, &JsonDatum::Number("4"), &mut values).is_err());
    }

    #[test]
    fn dates_are_strict() {
        let mut values = ValueStore::new();
        assert!(from_text(ValueType::Date, "2026-12-31", &mut values).is_ok());
        let e = from_text(ValueType::Date, "2026-13-01", &mut values).unwrap_err();
        assert_eq!(e.code, "bad_date");
        assert!(e.help.contains("not a day"));
        assert!(from_text(ValueType::Date, "2026-1-01", &mut values).is_err());
    }
}
