//! The language reference cannot drift: every ```accord block in `docs/language.md` is checked with the
//! real binary. A block marked `accord` must check clean; `accord,error=CODE` must fail with that code.

mod common;

use common::{accord_in, root};

#[test]
fn every_example_in_the_language_reference_checks() {
    let text = std::fs::read_to_string(root().join("docs/language.md")).expect("docs/language.md");
    let dir = common::Scratch::new("docs");
    let mut count = 0;
    let mut lines = text.lines().enumerate();
    while let Some((start, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```accord") else {
            continue;
        };
        let expected_error = info.strip_prefix(",error=").map(str::to_string);
        let mut block = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            block.push_str(l);
            block.push('\n');
        }
        count += 1;
        let file = format!("example{count}.accord");
        std::fs::write(dir.join(&file), &block).expect("write example");
        let out = accord_in(&dir, &["check", "--as-of", "2025-01-01", &file], None);
        match expected_error {
            None => assert_eq!(
                out.code,
                0,
                "docs/language.md:{}: the example should check:\n{block}\n{}",
                start + 1,
                out.stderr
            ),
            Some(code) => {
                assert_eq!(
                    out.code,
                    1,
                    "docs/language.md:{}: the example should fail:\n{block}",
                    start + 1
                );
                assert!(
                    out.stderr.contains(&format!("accord::{code}")),
                    "docs/language.md:{}: expected {code}:\n{}",
                    start + 1,
                    out.stderr
                );
            }
        }
    }
    assert!(count >= 20, "the reference has {count} examples");
}
