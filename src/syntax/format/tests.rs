//! Unit tests of the formatter's layout; the repository-wide round trip lives in `tests/fmt.rs`.

use super::*;

fn fmt(text: &str) -> String {
    match format_source(FileId(0), text, &FormatOptions::default()) {
        Ok(t) => t,
        Err(d) => panic!("{}: {:?}", d.message, d.labels),
    }
}

#[test]
fn spacing_is_canonical() {
    assert_eq!(fmt("p(x)and q( x ,y)=>r(x)."), "p(x) ∧ q(x, y) ⇒ r(x).\n");
}
