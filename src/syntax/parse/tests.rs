//! Unit tests of the parser: every contract form, headers, blocks, errors in plain words, spans.
use super::*;

fn parse(text: &str) -> SourceFile {
    match parse_file(FileId(0), text) {
        Ok(f) => f,
        Err(d) => panic!("{}: {:?}", d.message, d.labels),
    }
}

fn error(text: &str) -> Diagnostic {
    match parse_file(FileId(0), text) {
        Ok(f) => panic!("parsed: {f:?}"),
        Err(d) => d,
    }
}

#[test]
fn parses_contract_forms() {
    let f = parse(
        "relation certified(company: text, program: text, status: text, until: date).\n\
         relation open().\n\
         open().\n\
         program(NEEC, MX). mra(US, MX, 2014-10-17). n(42, -3, 2.5, true, \"a \\\"q\\\" \\\\ \\n\").\n\
         certified(c, p, \"active\", until) ∧ program(p, home) and mra(home, dest, since) ⇒ recognized(c, dest).\n\
         a(x) and not b(x, _) and (x < 3 ∨ x >= 5 or c(x)) => d(x).\n\
         x = 0 ∧ y = 0 ⇒ z(x, y).\n\
         ¬ incon(_) ⇒ ok(\"Yes\").\n\
         gate(_) ⇒ open().\n\
         t(x) ∧ y = x + 1 * 2 ∧ d = today + 90 days ⇒ u(y, d).\n",
    );
    assert_eq!(f.items.len(), 12);
    let Item::Rule(r) = &f.items[6] else { panic!() };
    assert!(matches!(r.body, Formula::And(ref parts, _) if parts.len() == 3));
}

#[test]
fn parses_subject_blocks_and_headers() {
    let f = parse(
        "subject c {\n  NEEC certified ∧ MRA(US, MX) ⇒ fewer_exams.\n}\n\
         rule card source \"CBP, U.S.-Mexico MRA, signed 2014-10-17\" effective from 2014-10-17 on d:\n\
           shipment(s, d) ⇒ ok(s).\n\
         rule carve exception to card, other: bad(s) ⇒ ok(s).\n\
         fact us_mx source \"https://www.cbp.gov\": mra(US, MX, 2014-10-17).\n",
    );
    let Item::Subject(block) = &f.items[0] else {
        panic!()
    };
    let Formula::And(parts, _) = &block.rules[0].body else {
        panic!()
    };
    let Formula::Subject(s) = &parts[0] else {
        panic!("{:?}", parts[0])
    };
    assert_eq!(s.relation.text, "certified");
    assert!(matches!(&s.qualifier, Some(Literal::Text { value, .. }) if value == "NEEC"));
    assert!(matches!(&parts[1], Formula::Atom(a) if a.relation.text == "MRA"));
    assert!(
        matches!(&block.rules[0].head, Conclusion::Subject(h) if h.relation.text == "fewer_exams")
    );
    let Item::Rule(r) = &f.items[1] else { panic!() };
    assert_eq!(r.name.as_ref().map(|n| n.text.as_str()), Some("card"));
    assert_eq!(r.annotations.len(), 2);
    let Item::Rule(r) = &f.items[2] else { panic!() };
    assert!(matches!(&r.annotations[0], Annotation::ExceptionTo { rules, .. } if rules.len() == 2));
    assert!(matches!(
        &f.items[3],
        Item::Fact(fact) if fact.name.is_some()
    ));
}

#[test]
fn parses_aggregates_tests_and_imports() {
    let f = parse(
        "import \"lib/base.accord\".\n\
         symmetric relation mra(a: text, b: text, since: date).\n\
         relation company(id: text, country: text, ..).\n\
         n = count s { shipment(s, d) ∧ fewer(s) } ⇒ per_dest(d, n).\n\
         company(c, _) ∧ count p { certified(c, p) } ≥ 3 ⇒ big(c).\n\
         test \"card\" { a(X). load \"t.json\". expect b(X). expect not c(X). expect b(x) = { (X), Y }. }\n",
    );
    assert_eq!(f.items.len(), 6);
    let Item::Relation(r) = &f.items[1] else {
        panic!()
    };
    assert!(r.symmetric);
    let Item::Relation(r) = &f.items[2] else {
        panic!()
    };
    assert!(r.open);
    let Item::Test(t) = &f.items[5] else { panic!() };
    assert_eq!(t.items.len(), 5);
}

#[test]
fn keywords_are_contextual() {
    parse("source(A). test(B). count(C). relation(D). rule(x) ⇒ fact(x).\n");
}

#[test]
fn errors_speak_plainly() {
    let d = error("a(X) ⇒ b(X)\n");
    assert!(
        d.message.contains("found the end of the file"),
        "{}",
        d.message
    );
    let d = error("b(x) :- a(x).");
    assert_eq!(d.code, "prolog_rule");
    let d = error("a(x), b(x) ⇒ c(x).");
    assert_eq!(d.code, "comma_between_premises");
    let d = error("a(x) ∧ x == 3 ⇒ c(x).");
    assert_eq!(d.code, "double_equals");
    let d = error("a(\"x\\q\").");
    assert_eq!(d.code, "bad_escape");
}

#[test]
fn spans_are_exact() {
    let f = parse("  program(NEEC, MX).");
    let Item::Fact(fact) = &f.items[0] else {
        panic!()
    };
    assert_eq!(
        (fact.atom.relation.span.start, fact.atom.relation.span.end),
        (2, 9)
    );
    assert_eq!((fact.span.start, fact.span.end), (2, 20));
}

#[test]
fn queries_and_repl_lines() {
    assert!(parse_query(FileId(0), "fewer_exams(s) ∧ shipment(s, e, US, d)").is_ok());
    assert!(matches!(
        parse_repl_line(FileId(0), "a(X)."),
        Ok(ReplLine::Item(Item::Fact(_)))
    ));
    assert!(matches!(
        parse_repl_line(FileId(0), "a(x)"),
        Ok(ReplLine::Query(_))
    ));
}

/// A file large enough to be cut into pieces: rules with strings, decimals, comments, `..`, blocks.
fn large_policy(error_at_end: bool) -> String {
    let mut text = String::from("relation r(a: text, ..).\n");
    for i in 0..700 {
        text.push_str(&format!(
            "rule r{i} source \"rule {i}. a sentence. with stops\":\n  \
             a(x, 2.5) ∧ b(x, \"t. {i}\") ∧ x ≠ C{i} ⇒ c{i}(x). // not. a cut\n\
             subject s{i} {{ d(s{i}) ⇒ e(s{i}). e(x) ⇒ f(x). }}\n\
             test \"t{i}. ok\" {{ a(A, 1.5). expect c{i}(A). }}\n"
        ));
    }
    if error_at_end {
        text.push_str("g(x) ⇒ .\n");
    }
    text
}

#[test]
fn large_files_parse_in_pieces_to_the_same_tree_and_errors() {
    let text = large_policy(false);
    assert!(pieces::pieces(&text, PIECE_BYTES).len() > 2);
    let whole = parse_items(FileId(3), &text, 0..text.len(), Rule::file).expect("parses");
    let cut = parse_file(FileId(3), &text).expect("parses");
    // Spans compare equal whatever their positions; their debug form shows them.
    assert_eq!(format!("{:?}", cut.items), format!("{whole:?}"));
    let bad = large_policy(true);
    let whole = parse_items(FileId(3), &bad, 0..bad.len(), Rule::file).expect_err("fails");
    let cut = parse_file(FileId(3), &bad).expect_err("fails");
    assert_eq!(format!("{cut:?}"), format!("{whole:?}"));
}

/// What reading `text` from `entry` gives: the statements with their spans, or that it failed.
fn read_from(entry: Rule, text: &str) -> Option<String> {
    parse_items(FileId(0), text, 0..text.len(), entry)
        .ok()
        .map(|items| format!("{items:?}"))
}

/// Every `.accord` file under the crate's `policies`, `examples` and `tests` directories, in path
/// order, with its text.
fn repository_policies() -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![];
    for dir in ["policies", "examples", "tests"] {
        crate::workspace::collect_accord_files(&root.join(dir), &mut paths);
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| Some((path.clone(), std::fs::read_to_string(path).ok()?)))
        .collect()
}

/// The fast entry `file_fast` and the reference entry `file` read every policy of the repository,
/// and every policy mutated by a deletion or an insertion of a token, to the same statements with
/// the same spans, or both fail (see the grammar's fast entry).
#[test]
fn the_fast_entry_reads_what_the_reference_reads() {
    // The parser recurses on nesting; the binary gives it a large stack, and so does this test.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(compare_entries_on_the_repository)
        .expect("spawns")
        .join()
        .expect("no difference");
}

fn compare_entries_on_the_repository() {
    let policies = repository_policies();
    assert!(policies.len() > 100, "found {} policies", policies.len());
    let inserts = [
        ",",
        ")",
        "(",
        " ∧ ",
        "x",
        "X",
        "1",
        "-",
        "+ 1",
        "*",
        " ≤ ",
        "=",
        "count",
        "{",
        "}",
        "\"",
        "_",
        ".",
        " days",
        "2024-01-01",
        "//",
        "¬",
        "⇒",
    ];
    let mut compared = 0;
    let mut differing = vec![];
    for (n, (path, text)) in policies.iter().enumerate() {
        let mut variants = vec![text.clone()];
        // Cut points spread over the file, on character boundaries; the corpus's few huge inputs
        // (made to stress the limits) are compared as they are.
        let pieces = if text.len() > 40_000 { 1 } else { 7 };
        let cuts: Vec<usize> = (1..pieces)
            .map(|k| k * text.len() / pieces)
            .map(|mut i| {
                while !text.is_char_boundary(i) {
                    i += 1;
                }
                i
            })
            .collect();
        for (k, &i) in cuts.iter().enumerate() {
            let insert = inserts[(n + k) % inserts.len()];
            variants.push(format!("{}{insert}{}", &text[..i], &text[i..]));
            let next = text[i..].chars().next().map_or(0, char::len_utf8);
            variants.push(format!("{}{}", &text[..i], &text[i + next..]));
        }
        // As `parse_file` does: the nesting guard first (the corpus has inputs made to fail it), and
        // the fast entry only for code without letters beyond ASCII.
        for variant in variants {
            if check_nesting(FileId(0), &variant).is_err() || !pieces::fast_entry_reads(&variant) {
                continue;
            }
            compared += 1;
            if read_from(Rule::file_fast, &variant) != read_from(Rule::file, &variant) {
                differing.push(format!("{}:\n{variant}", path.display()));
            }
        }
    }
    assert!(compared > 1_500, "compared {compared}");
    assert!(differing.is_empty(), "{}", differing.join("\n----\n"));
}

/// The shapes the fast entry shortcuts, and the ones next to them it must leave to `expr`.
#[test]
fn the_fast_entry_shortcuts_only_where_an_expression_is_one_term() {
    let cases = [
        "a(x, \"t\", _, 1, -2, 2024-01-01, true, today, X) ⇒ b(x).",
        "a(x,) ∧ a(count, sum) ∧ a(x - 1) ∧ a(x -1) ∧ a(x * 2, (x)) ⇒ b(x).",
        "a(x) ∧ x ≤ 3 ∧ x - 1 ≤ 3 ∧ count ≤ 2 ∧ 2024-01-01 < d ∧ -1 != x ⇒ b(x).",
        "a(x) ∧ n = count { a(y) } ∧ m = min y { a(y) } ∧ d = today + 3 days ⇒ b(x, n, m, d).",
        "rule r source \"s\": a(x) // c\n ∧ x = 1 ⇒ b(x). fact f: a(1).",
        "a(x) ⇒ b(x + 1).",
        "a(x) ∧ ¬ c(x, _) ∧ (c(x, 1) ∨ x > 2) ⇒ b(x).",
        "a(x) ∧ x = y ∧ x ≤ y + 1 ∧ x = count ∧ x = count { a(z) } ∧ x = max z { a(z) } ⇒ b(x).",
        "a(x) ∧ x = y  // c\n  ∧ x = \"t\" ∨ x ≠ 2024-01-01 ∨ x = -1 ⇒ b(x).",
        "a(x) ∧ x = y ⇒ b(x). a(x) ∧ NEEC certified ∧ x = today - 3 days ⇒ b(x).",
        "a ( x , y ) ∧ a( x ,y , ) ∧ a(\tx\n,\r\ny\n) ∧ a( ) ∧ a(,) ∧ a( , ) ⇒ b ( x ).",
        "a(x, \n y \n) ∧ a(x + 1 , y) ∧ a( (x) , y - 2 ,) ∧ a(x\n,y) ⇒ b(x).",
        "\u{FEFF}a(x)\u{B}∧\u{C}x = 1\r\n⇒\tb(x).\u{FEFF}",
    ];
    for case in cases {
        let fast = read_from(Rule::file_fast, case);
        assert!(fast.is_some(), "the fast entry fails on {case}");
        assert_eq!(fast, read_from(Rule::file, case), "{case}");
    }
    // The fast entry's atoms read no comment: the scan leaves one inside parentheses to the
    // reference entry, and one between a relation's name and its `(` fails the fast entry, so that
    // the file is read again from the reference.
    for commented in [
        "a(x, // c\n y // d\n) ∧ a(x// e\n,y) ⇒ b(x).",
        "a // c\n (x) ⇒ b(x).",
    ] {
        let reference = read_from(Rule::file, commented);
        assert!(reference.is_some(), "{commented}");
        let read = parse_file(FileId(0), commented).map(|file| format!("{:?}", file.items));
        assert_eq!(read.ok(), reference, "{commented}");
    }
    assert!(!pieces::fast_entry_reads("a(x, // c\n y) ⇒ b(x)."));
    assert!(read_from(Rule::file_fast, "a // c\n (x) ⇒ b(x).").is_none());
}

/// The fast entry's names read the rest of a word with `XID_CONTINUE`, the reference's with
/// `ident_char`: on ASCII they are the same class, which the fast entry relies on.
#[test]
fn fast_names_and_names_read_the_same_ascii() {
    let read = |entry: Rule, text: &str| {
        AccordParser::parse(entry, text)
            .ok()
            .and_then(|mut pairs| pairs.next())
            .map(|pair| pair.as_str().to_string())
    };
    for byte in 0u8..128 {
        let c = char::from(byte);
        for text in [format!("x{c}y"), format!("a{c}"), format!("B{c}1")] {
            assert_eq!(
                read(Rule::name_fast, &text),
                read(Rule::name, &text),
                "{text:?}"
            );
        }
    }
}

/// A letter beyond ASCII in code is a syntax error, which the fast entry alone would read as part of
/// a name: the scan leaves its piece to the reference entry, in a large file cut in pieces too.
#[test]
fn a_letter_beyond_ascii_in_code_is_left_to_the_reference_entry() {
    let text = "café(x) ⇒ b(x).";
    assert!(read_from(Rule::file_fast, text).is_some());
    assert!(read_from(Rule::file, text).is_none());
    assert!(!pieces::fast_entry_reads(text));
    let whole = parse_items(FileId(0), text, 0..text.len(), Rule::file).expect_err("fails");
    assert_eq!(
        format!("{:?}", parse_file(FileId(0), text).expect_err("fails")),
        format!("{whole:?}")
    );
    // Beyond ASCII, but no letter, or not in code: the fast entry reads the piece.
    for fast in [
        "a(x) ∧ ¬ c(x) ∧ x ≤ 2 ⇒ b(x).",
        "rule r source \"México\": a(x) ⇒ b(x). // café",
    ] {
        assert!(pieces::fast_entry_reads(fast), "{fast}");
        assert_eq!(
            read_from(Rule::file_fast, fast),
            read_from(Rule::file, fast)
        );
    }
    // A space beyond ASCII, or a byte-order mark, is left to the reference entry too (the fast
    // entry's whitespace in an atom would read the first, and not the second).
    for slow in [
        "a(x,\u{A0}y) ⇒ b(x).",
        "a(x) ⇒\u{3000}b(x).",
        "\u{FEFF}a(x) ⇒ b(x).",
        "a(\u{FEFF}x) ⇒ b(x).",
    ] {
        assert!(!pieces::fast_entry_reads(slow), "{slow}");
        let whole =
            parse_items(FileId(0), slow, 0..slow.len(), Rule::file).map(|f| format!("{f:?}"));
        let file = parse_file(FileId(0), slow).map(|f| format!("{:?}", f.items));
        assert_eq!(format!("{file:?}"), format!("{whole:?}"), "{slow}");
    }
    let mut large = large_policy(false);
    large.push_str("d(x) ⇒ é(x).\n");
    large.push_str(&large_policy(false));
    let cut = pieces::scan(&large, PIECE_BYTES, usize::MAX).expect("scans");
    assert!(cut.len() > 4 && cut.iter().filter(|piece| !piece.fast).count() == 1);
    let whole = parse_items(FileId(0), &large, 0..large.len(), Rule::file).expect_err("fails");
    assert_eq!(
        format!("{:?}", parse_file(FileId(0), &large).expect_err("fails")),
        format!("{whole:?}")
    );
}

/// The fast entry's whitespace in an atom (`ws`) and `WHITESPACE`, the reference's: the same on ASCII.
#[test]
fn fast_whitespace_and_whitespace_read_the_same_ascii() {
    for byte in 0u8..128 {
        let c = char::from(byte);
        let text = format!("a({c}x{c},{c}y{c}){c}∧ a(x, y) // {c}\n ⇒ b(x).");
        // (An unclosed `(` or `{` puts the comment inside, which leaves the text to the reference.)
        assert_eq!(
            pieces::fast_entry_reads(&text),
            !"({".contains(c),
            "{text:?}"
        );
        let fast = read_from(Rule::file_fast, &text);
        assert_eq!(fast, read_from(Rule::file, &text), "{text:?}");
        assert_eq!(fast.is_some(), " \t\n\u{B}\u{C}\r".contains(c), "{text:?}");
    }
}
