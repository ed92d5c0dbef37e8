//! Relations (and record mappings) inferred from data files alone, for `accord facts inspect` without a
//! policy.
//!
//! The inferred [`Program`] is then given to the real loader, so what `inspect` shows is exactly what
//! a policy with those declarations would load. The rules, documented in `docs/data.md`:
//! - a CSV file is a relation named after its stem, with the header's columns;
//! - canonical JSON and JSON Lines give each relation they name, with columns `#1`, `#2`, …;
//! - a record-shaped file (a `.json` list, or a `.jsonl` of records) gives a relation named after the
//!   stem with the records' plain fields (fields of nested objects as dotted paths, e.g.
//!   `address.country`), and, for each field holding a list of objects, a relation named after the
//!   field whose first column is the enclosing record's first field (`^id`), then the elements' fields;
//! - a column's type: `true`/`false` is a bool, a number is a number, a `YYYY-MM-DD` date is a date
//!   (in JSON: a string that reads as a date), anything else is text; a column whose values disagree is
//!   text; a CSV column with an empty field, or a canonical JSON column with a `null`, is optional (such
//!   rows are skipped and counted); a record field that is missing or `null` in some records is left
//!   out, so that no record is skipped for it;
//! - names are made policy names: other characters become `_` (`tax id` → `tax_id`).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::value::RawValue;

use super::load::stem;
use super::scan::{elements, is_array, is_object, members, JsonDatum, JsonText};
use crate::ir::{
    Column, NestedRecords, Program, RecordField, RecordLevel, RecordMapping, RecordRow, Relation,
    RelationId, RelationKind,
};
use crate::syntax::Span;
use crate::value::{parse_date, Number, ValueType};

/// How deep nested objects are flattened into dotted fields, and lists into nested relations.
const MAX_DEPTH: usize = 4;

/// What the values of one column looked like.
#[derive(Clone, Debug, Default)]
struct Guess {
    ty: Option<ValueType>,
    /// Rows with a value.
    seen: usize,
    /// Some row had no value (empty, `null`, or missing).
    optional: bool,
}

impl Guess {
    fn add(&mut self, ty: Option<ValueType>) {
        match ty {
            None => self.optional = true,
            Some(t) => {
                self.seen += 1;
                self.ty = match self.ty {
                    None => Some(t),
                    Some(old) if old == t => Some(t),
                    Some(_) => Some(ValueType::Text),
                };
            }
        }
    }

    fn column(&self, name: Option<String>, rows: usize) -> Column {
        Column {
            name,
            ty: self.ty.unwrap_or(ValueType::Text),
            optional: self.optional || self.seen < rows,
        }
    }
}

/// The type a CSV field reads as.
fn text_type(field: &str) -> Option<ValueType> {
    if field.is_empty() {
        None
    } else if field == "true" || field == "false" {
        Some(ValueType::Bool)
    } else if Number::parse(field).is_some() {
        Some(ValueType::Number)
    } else if parse_date(field).is_some() {
        Some(ValueType::Date)
    } else {
        Some(ValueType::Text)
    }
}

/// The type a JSON value reads as (`None` for `null`).
fn json_type(datum: &JsonDatum<'_>) -> Option<ValueType> {
    match datum {
        JsonDatum::Null => None,
        JsonDatum::Bool(_) => Some(ValueType::Bool),
        JsonDatum::Number(_) => Some(ValueType::Number),
        JsonDatum::String(s) if parse_date(s).is_some() => Some(ValueType::Date),
        _ => Some(ValueType::Text),
    }
}

/// The relations, in order of first appearance, with their guessed columns.
#[derive(Default)]
struct Inferred {
    relations: IndexMap<String, Shape>,
    mappings: Vec<(String, LevelShape)>,
}

#[derive(Default)]
struct Shape {
    columns: Vec<(Option<String>, Guess)>,
    rows: usize,
}

/// The shape of one level of records: its fields and nested lists.
#[derive(Default)]
struct LevelShape {
    records: usize,
    fields: IndexMap<Vec<String>, Guess>,
    lists: IndexMap<String, LevelShape>,
}

/// Infers a program for the data files `files` (which are known to exist).
pub(crate) fn infer_program(files: &[PathBuf]) -> Program {
    let mut inferred = Inferred::default();
    for path in files {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => csv_shape(path, &mut inferred),
            Some("jsonl") => {
                if let Ok(f) = std::fs::File::open(path) {
                    lines_shape(path, std::io::BufReader::new(f), &mut inferred);
                }
            }
            _ => {
                if let Ok(text) = std::fs::read_to_string(path) {
                    json_shape(path, &text, &mut inferred);
                }
            }
        }
    }
    build(inferred)
}

fn csv_shape(path: &Path, inferred: &mut Inferred) {
    let Ok(mut reader) = csv::ReaderBuilder::new().flexible(true).from_path(path) else {
        return;
    };
    let Ok(header) = reader.headers() else { return };
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                h
            };
            h.to_string()
        })
        .collect();
    let shape = inferred
        .relations
        .entry(stem(path).to_string())
        .or_default();
    if shape.columns.is_empty() {
        shape.columns = names
            .into_iter()
            .map(|n| (Some(n), Guess::default()))
            .collect();
    }
    let mut record = csv::StringRecord::new();
    while let Ok(true) = reader.read_record(&mut record) {
        shape.rows += 1;
        for ((_, guess), field) in shape.columns.iter_mut().zip(record.iter()) {
            guess.add(text_type(field));
        }
    }
}

fn json_shape(path: &Path, text: &str, inferred: &mut Inferred) {
    let t = JsonText {
        text,
        offset: 0,
        end_name: "the file",
    };
    let Ok(doc) = t.document() else { return };
    if is_array(doc) {
        let mut records = vec![];
        if elements(doc, &mut records).is_ok() {
            let level = mapping_level(inferred, stem(path));
            for raw in records {
                record_shape(t, raw, level, 0);
            }
        }
    } else if is_object(doc) {
        let mut entries = vec![];
        let mut rows = vec![];
        if members(doc, &mut entries).is_err() {
            return;
        }
        for (key, value) in entries {
            if elements(value, &mut rows).is_err() {
                continue;
            }
            for row in &rows {
                row_shape(t, &super::scan::key(key), row, inferred);
            }
        }
    }
}

fn lines_shape(path: &Path, reader: impl BufRead, inferred: &mut Inferred) {
    for line in reader.lines() {
        let Ok(line) = line else { return };
        let mut entries = vec![];
        let t = JsonText {
            text: &line,
            offset: 0,
            end_name: "the line",
        };
        let Ok(doc) = t.document() else { continue };
        if members(doc, &mut entries).is_err() {
            continue;
        }
        let get = |name: &str| {
            entries
                .iter()
                .find(|(k, _)| super::scan::key(k) == name)
                .map(|(_, v)| *v)
        };
        match (get("relation"), get("row")) {
            (Some(name), Some(row)) => {
                let name: String = serde_json::from_str(name.get()).unwrap_or_default();
                row_shape(t, &name, row, inferred);
            }
            _ => record_shape(t, doc, mapping_level(inferred, stem(path)), 0),
        }
    }
}

fn row_shape(t: JsonText<'_>, relation: &str, row: &RawValue, inferred: &mut Inferred) {
    let mut cells = vec![];
    if elements(row, &mut cells).is_err() {
        return;
    }
    let shape = inferred.relations.entry(relation.to_string()).or_default();
    if shape.rows == 0 && shape.columns.is_empty() {
        shape.columns = vec![(None, Guess::default()); cells.len()];
    }
    shape.rows += 1;
    for ((_, guess), cell) in shape.columns.iter_mut().zip(&cells) {
        guess.add(json_type(&t.datum(cell).get()));
    }
}

fn mapping_level<'i>(inferred: &'i mut Inferred, name: &str) -> &'i mut LevelShape {
    let i = match inferred.mappings.iter().position(|(n, _)| n == name) {
        Some(i) => i,
        None => {
            inferred
                .mappings
                .push((name.to_string(), LevelShape::default()));
            inferred.mappings.len() - 1
        }
    };
    &mut inferred.mappings[i].1
}

fn record_shape(t: JsonText<'_>, raw: &RawValue, level: &mut LevelShape, depth: usize) {
    level.records += 1;
    fields_shape(t, raw, &mut vec![], level, depth);
}

/// Adds the fields of the object `raw` (under the key path `prefix`) to `level`.
fn fields_shape(
    t: JsonText<'_>,
    raw: &RawValue,
    prefix: &mut Vec<String>,
    level: &mut LevelShape,
    depth: usize,
) {
    let mut entries = vec![];
    if members(raw, &mut entries).is_err() {
        return;
    }
    for (key, value) in entries {
        let key = super::scan::key(key).into_owned();
        if is_object(value) && prefix.len() < MAX_DEPTH {
            prefix.push(key);
            fields_shape(t, value, prefix, level, depth);
            prefix.pop();
        } else if is_array(value) {
            let mut items = vec![];
            let objects = elements(value, &mut items).is_ok() && items.iter().all(|i| is_object(i));
            if objects && prefix.is_empty() && depth < MAX_DEPTH {
                let inner = level.lists.entry(key).or_default();
                for item in items {
                    record_shape(t, item, inner, depth + 1);
                }
            }
        } else {
            let mut path = prefix.clone();
            path.push(key);
            level
                .fields
                .entry(path)
                .or_default()
                .add(json_type(&t.datum(value).get()));
        }
    }
}

/// A policy name made of `raw`: letters, digits and `_`, starting with a letter, not a reserved word.
fn ident(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'f');
    }
    if ["and", "or", "not", "true", "false", "today"].contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Turns the guesses into a program: declared relations, and the record mappings.
fn build(inferred: Inferred) -> Program {
    let mut program = Program::default();
    let mut add = |program: &mut Program, name: &str, columns: Vec<Column>| {
        let name = ident(name);
        let mut unique = name.clone();
        let mut n = 1;
        while program.relation_id(&unique).is_some() {
            n += 1;
            unique = format!("{name}_{n}");
        }
        program.relations.push(Relation {
            name: unique,
            declared: columns.iter().all(|c| c.name.is_some()),
            columns,
            kind: RelationKind::User,
            span: None,
            open: false,
            order: program.relations.len() as u32,
        });
        RelationId(program.relations.len() as u32 - 1)
    };
    for (name, shape) in &inferred.relations {
        let columns = shape
            .columns
            .iter()
            .map(|(n, g)| g.column(n.as_deref().map(ident), shape.rows))
            .collect();
        add(&mut program, name, columns);
    }
    for (name, level) in &inferred.mappings {
        let root = build_level(&mut program, &mut add, name, level, None);
        program.mappings.push(RecordMapping {
            name: name.clone(),
            span: Span::default(),
            root,
        });
    }
    program
}

type Add<'a> = dyn FnMut(&mut Program, &str, Vec<Column>) -> RelationId + 'a;

/// One level's relation (named `name`; its first column is the parent's key when there is one) and
/// its nested lists' relations.
fn build_level(
    program: &mut Program,
    add: &mut Add<'_>,
    name: &str,
    level: &LevelShape,
    parent: Option<(&str, &Column)>,
) -> RecordLevel {
    let mut columns = vec![];
    let mut fields = vec![];
    let field = |up: u32, path: Vec<String>| RecordField {
        up,
        path,
        span: Span::default(),
    };
    if let Some((key, column)) = parent {
        columns.push(column.clone());
        fields.push(field(1, vec![key.to_string()]));
    }
    for (path, guess) in &level.fields {
        if guess.optional || guess.seen < level.records {
            // Missing or null in some records: left out, so that no record is skipped for it.
            continue;
        }
        let mut column_name = ident(&path.join("_"));
        if columns
            .iter()
            .any(|c: &Column| c.name.as_deref() == Some(&column_name))
        {
            column_name = format!("{column_name}_{}", columns.len() + 1);
        }
        columns.push(guess.column(Some(column_name), level.records));
        fields.push(field(0, path.clone()));
    }
    let key = level
        .fields
        .keys()
        .find(|p| p.len() == 1)
        .map(|p| p[0].clone());
    let key_column = key.as_ref().and_then(|k| {
        columns
            .iter()
            .zip(&fields)
            .find(|(_, f)| f.up == 0 && f.path == [k.clone()])
            .map(|(c, _)| c.clone())
    });
    let mut out = RecordLevel::default();
    if !columns.is_empty() {
        let relation = add(program, name, columns);
        out.rows.push(RecordRow {
            relation,
            fields,
            span: Span::default(),
        });
    }
    for (list, inner) in &level.lists {
        let parent = match (&key, &key_column) {
            (Some(k), Some(c)) => Some((k.as_str(), c)),
            _ => None,
        };
        out.nested.push(NestedRecords {
            path: vec![list.clone()],
            level: build_level(program, add, list, inner, parent),
            span: Span::default(),
        });
    }
    out
}
