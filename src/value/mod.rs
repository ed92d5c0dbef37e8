//! Values: the one runtime representation of a datum, and the store that interns them.
//!
//! accord is statically typed: every column of every relation has one [`ValueType`], fixed by the checker
//! before anything is evaluated. A [`Value`] is therefore just 64 bits whose meaning is given by the
//! column's type; it carries no tag. This keeps rows small (eight bytes a column) and makes equality and
//! hashing a single integer operation.
//!
//! Encoding, per type:
//! - `text`: a text of at most nine ASCII characters is packed into the value (bit 63 set), any other
//!   text is the id of the string in the [`ValueStore`]; canonical, so equal texts have equal bits (see
//!   [`text`]);
//! - `number`: canonical — an integer that fits in 63 bits is stored inline (`raw = n << 1`), any other
//!   number (a fraction, or a 64-bit integer beyond 63 bits) is interned in the store as an exact decimal
//!   (`raw = id << 1 | 1`); equal numbers therefore always have equal bits;
//! - `date`: days since 1970-01-01, as a signed integer;
//! - `bool`: 0 or 1.
//!
//! Invariant: values are only compared for order through [`ValueStore::compare`], which decodes them;
//! the raw bits order ints and dates correctly but not texts or decimals.
//!
//! There is no global state: each engine owns its store, and ids from one store mean nothing in another.

pub mod text;

use std::cmp::Ordering;
use std::fmt;

use indexmap::IndexSet;

use crate::intern::TextInterner;
use jiff::civil::Date;
use rust_decimal::Decimal;
use rustc_hash::FxBuildHasher;
pub use text::Text;

/// The type of a column, a variable or an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    Text,
    Number,
    Date,
    Bool,
}

impl ValueType {
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Text => "text",
            ValueType::Number => "number",
            ValueType::Date => "date",
            ValueType::Bool => "bool",
        }
    }

    pub fn from_name(name: &str) -> Option<ValueType> {
        Some(match name {
            "text" => ValueType::Text,
            "number" => ValueType::Number,
            "date" => ValueType::Date,
            "bool" => ValueType::Bool,
            _ => return None,
        })
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One datum; its meaning depends on the static type of the column or variable that holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Value(u64);

impl Value {
    pub const FALSE: Value = Value(0);
    pub const TRUE: Value = Value(1);

    pub fn from_raw(raw: u64) -> Value {
        Value(raw)
    }

    pub fn raw(self) -> u64 {
        self.0
    }

    pub fn bool(b: bool) -> Value {
        Value(b as u64)
    }

    pub fn as_bool(self) -> bool {
        self.0 != 0
    }

    /// A date as its day number (days since 1970-01-01).
    pub fn day(day: i32) -> Value {
        Value(day as i64 as u64)
    }

    pub fn as_day(self) -> i32 {
        self.0 as i64 as i32
    }

    /// The text `bytes` packed inline, when they are a short ASCII text (see [`text`]); such a text
    /// needs no store.
    pub fn packed_text(bytes: &[u8]) -> Option<Value> {
        text::pack_bytes(bytes).map(Value)
    }

    /// A small integer stored inline, when it fits in 63 bits.
    fn inline_int(n: i64) -> Option<Value> {
        const MIN: i64 = i64::MIN >> 1;
        const MAX: i64 = i64::MAX >> 1;
        (MIN..=MAX).contains(&n).then_some(Value((n << 1) as u64))
    }

    fn is_inline_int(self) -> bool {
        self.0 & 1 == 0
    }
}

/// An exact number: a 64-bit integer or a decimal. Arithmetic is checked and never wraps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Number {
    Int(i64),
    Decimal(Decimal),
}

/// Why an arithmetic operation produced no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArithmeticError {
    #[error("the result overflows")]
    Overflow,
    #[error("division by zero")]
    DivisionByZero,
    #[error("the date is out of range")]
    DateOutOfRange,
}

impl Number {
    fn to_decimal(self) -> Decimal {
        match self {
            Number::Int(n) => Decimal::from(n),
            Number::Decimal(d) => d,
        }
    }

    /// The canonical form: a decimal with no fraction that fits in 64 bits is an integer.
    pub fn normalize(self) -> Number {
        match self {
            Number::Int(_) => self,
            Number::Decimal(d) => {
                let d = d.normalize();
                if d.fract().is_zero() {
                    if let Ok(n) = i64::try_from(d) {
                        return Number::Int(n);
                    }
                }
                Number::Decimal(d)
            }
        }
    }

    pub fn compare(self, other: Number) -> Ordering {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a.cmp(&b),
            (a, b) => a.to_decimal().cmp(&b.to_decimal()),
        }
    }

    pub fn apply(self, op: ArithOp, other: Number) -> Result<Number, ArithmeticError> {
        if let (Number::Int(a), Number::Int(b)) = (self, other) {
            let r = match op {
                ArithOp::Add => a.checked_add(b),
                ArithOp::Sub => a.checked_sub(b),
                ArithOp::Mul => a.checked_mul(b),
                ArithOp::Div => {
                    if b == 0 {
                        return Err(ArithmeticError::DivisionByZero);
                    }
                    if a % b == 0 {
                        a.checked_div(b)
                    } else {
                        return Number::Decimal(Decimal::from(a))
                            .apply(op, Number::Decimal(Decimal::from(b)));
                    }
                }
            };
            return r.map(Number::Int).ok_or(ArithmeticError::Overflow);
        }
        let (a, b) = (self.to_decimal(), other.to_decimal());
        let r = match op {
            ArithOp::Add => a.checked_add(b),
            ArithOp::Sub => a.checked_sub(b),
            ArithOp::Mul => a.checked_mul(b),
            ArithOp::Div => {
                if b.is_zero() {
                    return Err(ArithmeticError::DivisionByZero);
                }
                a.checked_div(b)
            }
        };
        r.map(|d| Number::Decimal(d).normalize())
            .ok_or(ArithmeticError::Overflow)
    }

    /// Parses `42`, `-3`, `2.5`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Number> {
        if let Ok(n) = text.parse::<i64>() {
            return Some(Number::Int(n));
        }
        let valid = !text.is_empty()
            && text
                .trim_start_matches('-')
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
            && text.matches('.').count() <= 1
            && !text.ends_with('.')
            && !text.trim_start_matches('-').starts_with('.');
        if !valid {
            return None;
        }
        text.parse::<Decimal>()
            .ok()
            .map(|d| Number::Decimal(d).normalize())
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(n) => write!(f, "{n}"),
            Number::Decimal(d) => write!(f, "{}", d.normalize()),
        }
    }
}

/// The arithmetic operators on numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

const EPOCH: Date = Date::constant(1970, 1, 1);

/// The day number of a calendar date.
pub fn day_of(date: Date) -> i32 {
    (date.duration_since(EPOCH).as_secs() / 86_400) as i32
}

/// The calendar date of a day number, if it is inside jiff's range (years -9999..=9999).
pub fn date_of(day: i32) -> Option<Date> {
    // A duration of whole days goes straight to day arithmetic (a `Span` takes the general path).
    EPOCH
        .checked_add(jiff::SignedDuration::from_secs(i64::from(day) * 86_400))
        .ok()
}

/// Parses a `YYYY-MM-DD` date strictly (four-digit year, two-digit month and day, a real calendar day).
pub fn parse_date(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i16> {
        let mut n: i16 = 0;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + (c - b'0') as i16;
        }
        Some(n)
    };
    let date = Date::new(digits(0..4)?, digits(5..7)? as i8, digits(8..10)? as i8).ok()?;
    Some(day_of(date))
}

/// A unit of calendar time for date arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Days,
    Months,
    Years,
}

impl DurationUnit {
    pub fn name(self) -> &'static str {
        match self {
            DurationUnit::Days => "days",
            DurationUnit::Months => "months",
            DurationUnit::Years => "years",
        }
    }
}

/// Adds `amount` units to a day number, calendar-correctly: adding months or years to a day that does not
/// exist in the target month (the 31st, or 29 February) gives the last day of that month.
pub fn add_duration(day: i32, amount: i64, unit: DurationUnit) -> Result<i32, ArithmeticError> {
    if unit == DurationUnit::Days {
        let r = (day as i64)
            .checked_add(amount)
            .ok_or(ArithmeticError::Overflow)?;
        let r = i32::try_from(r).map_err(|_| ArithmeticError::DateOutOfRange)?;
        return date_of(r).map(|_| r).ok_or(ArithmeticError::DateOutOfRange);
    }
    let date = date_of(day).ok_or(ArithmeticError::DateOutOfRange)?;
    let span = match unit {
        DurationUnit::Months => jiff::Span::new().try_months(amount),
        _ => jiff::Span::new().try_years(amount),
    }
    .map_err(|_| ArithmeticError::DateOutOfRange)?;
    let shifted = date
        .checked_add(span)
        .map_err(|_| ArithmeticError::DateOutOfRange)?;
    Ok(day_of(shifted))
}

/// Owns the interned texts and decimals that [`Value`]s refer to.
#[derive(Clone, Debug, Default)]
pub struct ValueStore {
    texts: TextInterner,
    decimals: IndexSet<Decimal, FxBuildHasher>,
}

impl ValueStore {
    pub fn new() -> ValueStore {
        ValueStore::default()
    }

    /// The value of `s`: packed inline when it fits, interned otherwise.
    pub fn text(&mut self, s: &str) -> Value {
        match text::pack(s) {
            Some(raw) => Value(raw),
            None => Value(u64::from(self.texts.intern(s))),
        }
    }

    /// The value of `s` when this store can name it without interning anything (the value
    /// [`ValueStore::text`] would give).
    pub fn existing_text(&self, s: &str) -> Option<Value> {
        match text::pack(s) {
            Some(raw) => Some(Value(raw)),
            None => self.texts.find(s).map(|id| Value(u64::from(id))),
        }
    }

    /// The characters of a text value.
    pub fn text_of(&self, v: Value) -> Text<'_> {
        if text::is_inline(v.0) {
            return Text::Inline(text::InlineText::unpack(v.0));
        }
        Text::Interned(
            u32::try_from(v.0)
                .ok()
                .and_then(|id| self.texts.get(id))
                .unwrap_or("<unknown text>"),
        )
    }

    /// Whether nothing was interned: every value of this store is inline.
    pub fn interns_nothing(&self) -> bool {
        self.texts.is_empty() && self.decimals.is_empty()
    }

    /// The value in this store of `v`, a value of type `ty` in `from` (interned here when it must be).
    pub fn value_from(&mut self, from: &ValueStore, ty: ValueType, v: Value) -> Value {
        match ty {
            ValueType::Text if !text::is_inline(v.0) => self.text(&from.text_of(v)),
            ValueType::Number if !v.is_inline_int() => self.number(from.number_of(v)),
            _ => v,
        }
    }

    /// The texts interned in this store (not the inline ones), in first-seen order.
    pub fn interned_texts(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.texts.len() as u32).filter_map(|id| self.texts.get(id))
    }

    pub fn number(&mut self, n: Number) -> Value {
        match n.normalize() {
            Number::Int(i) => {
                if let Some(v) = Value::inline_int(i) {
                    return v;
                }
                let (id, _) = self.decimals.insert_full(Decimal::from(i));
                Value(((id as u64) << 1) | 1)
            }
            Number::Decimal(d) => {
                let (id, _) = self.decimals.insert_full(d);
                Value(((id as u64) << 1) | 1)
            }
        }
    }

    /// The value of `n` when this store can name it without interning anything.
    pub fn existing_number(&self, n: Number) -> Option<Value> {
        let d = match n.normalize() {
            Number::Int(i) => match Value::inline_int(i) {
                Some(v) => return Some(v),
                None => Decimal::from(i),
            },
            Number::Decimal(d) => d,
        };
        let id = self.decimals.get_index_of(&d)?;
        Some(Value(((id as u64) << 1) | 1))
    }

    pub fn number_of(&self, v: Value) -> Number {
        if v.is_inline_int() {
            Number::Int((v.0 as i64) >> 1)
        } else {
            let d = self
                .decimals
                .get_index((v.0 >> 1) as usize)
                .copied()
                .unwrap_or_default();
            Number::Decimal(d).normalize()
        }
    }

    /// Orders two values of the same type by their meaning (texts by Unicode code points).
    pub fn compare(&self, ty: ValueType, a: Value, b: Value) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        match ty {
            ValueType::Text if text::is_inline(a.0) && text::is_inline(b.0) => a.0.cmp(&b.0),
            ValueType::Text => (*self.text_of(a)).cmp(&*self.text_of(b)),
            ValueType::Number => {
                if a.is_inline_int() && b.is_inline_int() {
                    ((a.0 as i64) >> 1).cmp(&((b.0 as i64) >> 1))
                } else {
                    self.number_of(a).compare(self.number_of(b))
                }
            }
            ValueType::Date => a.as_day().cmp(&b.as_day()),
            ValueType::Bool => a.0.cmp(&b.0),
        }
    }

    /// Orders two rows of the given column types, column by column.
    pub fn compare_rows(&self, types: &[ValueType], a: &[Value], b: &[Value]) -> Ordering {
        for ((ty, x), y) in types.iter().zip(a).zip(b) {
            match self.compare(*ty, *x, *y) {
                Ordering::Equal => continue,
                other => return other,
            }
        }
        a.len().cmp(&b.len())
    }

    /// A value as a policy author would write it back (texts quoted only when they must be).
    pub fn display(&self, ty: ValueType, v: Value) -> String {
        match ty {
            ValueType::Text => self.text_of(v).to_string(),
            ValueType::Number => self.number_of(v).to_string(),
            ValueType::Date => format_day(v.as_day()),
            ValueType::Bool => v.as_bool().to_string(),
        }
    }

    /// A value in accord's source syntax: bare constants stay bare, other texts are quoted and escaped.
    pub fn literal(&self, ty: ValueType, v: Value) -> String {
        match ty {
            ValueType::Text => quote_text_if_needed(&self.text_of(v)),
            _ => self.display(ty, v),
        }
    }

    pub fn to_json(&self, ty: ValueType, v: Value) -> serde_json::Value {
        match ty {
            ValueType::Text => serde_json::Value::String(self.text_of(v).to_string()),
            ValueType::Number => match self.number_of(v) {
                Number::Int(n) => serde_json::Value::from(n),
                Number::Decimal(d) => serde_json::from_str(&d.normalize().to_string())
                    .unwrap_or(serde_json::Value::Null),
            },
            ValueType::Date => serde_json::Value::String(format_day(v.as_day())),
            ValueType::Bool => serde_json::Value::Bool(v.as_bool()),
        }
    }
}

/// `YYYY-MM-DD` for a day number.
pub fn format_day(day: i32) -> String {
    DayText(day).to_string()
}

/// A day number shown as `YYYY-MM-DD` (`<day N>` when it is no date), without allocating.
#[derive(Clone, Copy, Debug)]
pub struct DayText(pub i32);

impl DayText {
    /// The `YYYY-MM-DD` bytes, when the day is a date with a four-digit year.
    pub fn digits(self) -> Option<[u8; 10]> {
        let d = date_of(self.0)?;
        let (year, month, day) = (d.year(), d.month(), d.day());
        if !(0..=9999).contains(&year) {
            return None;
        }
        let digit = |n: i16, place: i16| b'0' + ((n / place) % 10) as u8;
        let (y, m, dd) = (year, i16::from(month), i16::from(day));
        Some([
            digit(y, 1000),
            digit(y, 100),
            digit(y, 10),
            digit(y, 1),
            b'-',
            digit(m, 10),
            digit(m, 1),
            b'-',
            digit(dd, 10),
            digit(dd, 1),
        ])
    }
}

impl fmt::Display for DayText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(digits) = self.digits() {
            // Only ASCII digits and dashes.
            return f.write_str(std::str::from_utf8(&digits).unwrap_or_default());
        }
        match date_of(self.0) {
            Some(d) => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            None => write!(f, "<day {}>", self.0),
        }
    }
}

/// Whether a text can be written bare in policy source: an upper-case identifier.
pub fn is_bare_constant(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Quotes and escapes a text, unless it can be written bare.
pub fn quote_text_if_needed(s: &str) -> String {
    if is_bare_constant(s) {
        s.to_string()
    } else {
        quote_text(s)
    }
}

/// Quotes and escapes a text as a `"…"` literal.
pub fn quote_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
