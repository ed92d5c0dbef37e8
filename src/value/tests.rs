//! Unit tests of values: numbers, dates, durations, the store's encodings.
use super::*;

#[test]
fn numbers_are_canonical() {
    let mut store = ValueStore::new();
    let a = store.number(Number::parse("2.50").unwrap());
    let b = store.number(Number::parse("2.5").unwrap());
    assert_eq!(a, b);
    let c = store.number(Number::parse("4.0").unwrap());
    assert_eq!(c, store.number(Number::Int(4)));
    assert_eq!(store.number_of(c), Number::Int(4));
    let big = store.number(Number::Int(i64::MAX));
    assert_eq!(store.number_of(big), Number::Int(i64::MAX));
    let neg = store.number(Number::Int(-3));
    assert_eq!(store.compare(ValueType::Number, neg, c), Ordering::Less);
    assert_eq!(store.compare(ValueType::Number, big, c), Ordering::Greater);
}

#[test]
fn arithmetic_is_checked() {
    assert_eq!(
        Number::Int(i64::MAX).apply(ArithOp::Add, Number::Int(1)),
        Err(ArithmeticError::Overflow)
    );
    assert_eq!(
        Number::Int(1).apply(ArithOp::Div, Number::Int(0)),
        Err(ArithmeticError::DivisionByZero)
    );
    assert_eq!(
        Number::Int(1).apply(ArithOp::Div, Number::Int(4)),
        Ok(Number::Decimal(Decimal::new(25, 2)))
    );
    assert_eq!(
        Number::Int(6).apply(ArithOp::Div, Number::Int(3)),
        Ok(Number::Int(2))
    );
}

#[test]
fn dates_round_trip_and_month_arithmetic_clamps() {
    let d = parse_date("2024-01-31").unwrap();
    assert_eq!(format_day(d), "2024-01-31");
    assert_eq!(
        format_day(add_duration(d, 1, DurationUnit::Months).unwrap()),
        "2024-02-29"
    );
    assert_eq!(
        format_day(add_duration(d, 1, DurationUnit::Years).unwrap()),
        "2025-01-31"
    );
    assert_eq!(
        format_day(add_duration(d, 90, DurationUnit::Days).unwrap()),
        "2024-04-30"
    );
    assert_eq!(parse_date("2023-02-29"), None);
    assert_eq!(parse_date("2023-2-01"), None);
    assert_eq!(format_day(parse_date("1969-12-31").unwrap()), "1969-12-31");
}

#[test]
fn number_parsing_is_strict() {
    assert_eq!(Number::parse("-3"), Some(Number::Int(-3)));
    assert_eq!(Number::parse("1."), None);
    assert_eq!(Number::parse(".5"), None);
    assert_eq!(Number::parse("1e5"), None);
    assert_eq!(Number::parse("abc"), None);
}

#[test]
fn texts_quote_only_when_needed() {
    assert_eq!(quote_text_if_needed("US"), "US");
    assert_eq!(quote_text_if_needed("active"), "\"active\"");
    assert_eq!(quote_text_if_needed("a \"b\"\n"), "\"a \\\"b\\\"\\n\"");
}

#[test]
fn days_show_as_jiff_counts_them_across_its_whole_range() {
    let epoch = jiff::civil::date(1970, 1, 1);
    let reference = |day: i32| {
        epoch
            .checked_add(jiff::Span::new().days(i64::from(day)))
            .ok()
            .map(|d| format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
    };
    // Every day of 1999–2031, then a sparse walk over jiff's years -9999..=9999 and beyond.
    let dense = 10_592..22_647;
    let sparse = (-4_000_000..4_000_000).step_by(997);
    for day in dense
        .chain(sparse)
        .chain([-719_528, -719_529, 2_932_896, 2_932_897])
    {
        let shown = DayText(day).to_string();
        match reference(day) {
            Some(text) => {
                assert_eq!(shown, text, "day {day}");
                if text.len() == 10 && !text.starts_with('-') {
                    assert_eq!(parse_date(&text), Some(day), "{text}");
                    assert_eq!(
                        DayText(day).digits().map(|d| d.to_vec()),
                        Some(text.into_bytes())
                    );
                } else {
                    assert_eq!(DayText(day).digits(), None, "day {day}");
                }
            }
            None => assert_eq!(shown, format!("<day {day}>")),
        }
    }
}

#[test]
fn existing_text_names_what_text_would_give_without_interning() {
    let mut store = ValueStore::new();
    assert_eq!(store.existing_text("short"), Some(store.text("short")));
    assert_eq!(store.existing_text("a longer text"), None);
    assert!(store.interns_nothing());
    let long = store.text("a longer text");
    assert_eq!(store.existing_text("a longer text"), Some(long));
    assert_eq!(store.existing_text("another long text"), None);
}
