//! `accord fmt`: formatting never changes meaning and is idempotent, on every `.accord` file in the
//! repository; snapshots of tricky layouts; the command line (`--check`, `--stdout`, `--ascii`, errors).

mod common;

use std::path::{Path, PathBuf};

use accord::check::CheckOptions;
use accord::engine::Engine;
use accord::eval::EvalOptions;
use accord::syntax::comments;
use accord::syntax::format::{format_source, Connectives, FormatOptions};
use accord::syntax::{parse_file, FileId};
use common::{accord_in, relative, root};

const UNICODE: FormatOptions = FormatOptions {
    connectives: Connectives::Unicode,
};
const ASCII: FormatOptions = FormatOptions {
    connectives: Connectives::Ascii,
};

fn accord_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let hidden = name
            .as_deref()
            .is_some_and(|n| n.starts_with('.') || n == "target");
        if path.is_dir() && !hidden {
            accord_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "accord") {
            out.push(path);
        }
    }
}

fn format(text: &str, options: &FormatOptions) -> String {
    match format_source(FileId(0), text, options) {
        Ok(t) => t,
        Err(d) => panic!("the formatter failed: {}\n{text}", d.message),
    }
}

fn comment_texts(text: &str) -> Vec<String> {
    comments::scan(text).into_iter().map(|c| c.text).collect()
}

/// A copy of `dir` (recursively) with every policy file formatted: imports still resolve.
fn formatted_copy(dir: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("temp dir");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            formatted_copy(&path, &target);
        } else if path.extension().is_some_and(|e| e == "accord") {
            let text = std::fs::read_to_string(&path).expect("read policy");
            let out = format_source(FileId(0), &text, &UNICODE).unwrap_or(text);
            std::fs::write(&target, out).expect("write policy");
        }
    }
}

/// What evaluating a policy file gives: the derived relations as JSON, or the diagnostic codes.
fn evaluation(policy: &Path, data: &[PathBuf]) -> Result<String, Vec<String>> {
    let options = CheckOptions {
        today: accord::value::parse_date("2025-06-30").expect("date"),
        strict: false,
        queried: vec![],
    };
    let codes = |ds: &[accord::diagnostic::Diagnostic]| -> Vec<String> {
        ds.iter().map(|d| d.code.to_string()).collect()
    };
    let mut engine = Engine::load(&[policy.to_path_buf()], &options)
        .map_err(|failure| codes(&failure.diagnostics))?;
    engine.load_facts(data).map_err(|ds| codes(&ds))?;
    let model = engine
        .evaluate(&EvalOptions::default())
        .map_err(|e| vec![format!("{e:?}")])?;
    let program = engine.program();
    Ok(accord::output::json(
        &model,
        program,
        &engine.values,
        &program.derived_relations(),
    ))
}

#[test]
fn formatting_every_policy_in_the_repository_keeps_its_meaning() {
    let mut files = vec![];
    accord_files(&root(), &mut files);
    let temp = common::Scratch::new("fmt");
    let mut checked = 0;
    let mut copies: std::collections::HashMap<PathBuf, PathBuf> = std::collections::HashMap::new();
    for path in &files {
        let name = relative(path);
        // The no-panic corpus is adversarial input (unbounded growth, 20 000 premises), not policy.
        if name.starts_with("tests/corpus/no_panic/") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read policy");
        let Ok(ast) = parse_file(FileId(0), &text) else {
            assert!(
                name.starts_with("tests/corpus/err/")
                    || name.starts_with("tests/corpus/no_panic/")
                    || name.starts_with("tests/format/"),
                "{name} does not parse"
            );
            continue;
        };
        for options in [UNICODE, ASCII] {
            let once = format(&text, &options);
            let reparsed = parse_file(FileId(0), &once).expect("formatted text parses");
            assert_eq!(reparsed, ast, "{name}: formatting changed the AST:\n{once}");
            assert_eq!(format(&once, &options), once, "{name}: not idempotent");
            assert_eq!(
                comment_texts(&once),
                comment_texts(&text),
                "{name}: comments lost or reordered:\n{once}"
            );
            assert!(
                once.lines().all(|l| l == l.trim_end()),
                "{name}: trailing white space"
            );
        }

        let dir = path.parent().expect("a file has a parent");
        // One formatted copy per directory, shared by its files.
        let copy = copies
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let copy = temp.join(format!("{}", checked));
                formatted_copy(dir, &copy);
                copy
            })
            .clone();
        let data: Vec<PathBuf> = ["data.json", "data.jsonl", "data.csv"]
            .iter()
            .map(|d| dir.join(d))
            .filter(|d| d.is_file())
            .collect();
        let file = path.file_name().expect("a file name");
        assert_eq!(
            evaluation(&copy.join(file), &data),
            evaluation(path, &data),
            "{name}: the formatted policy evaluates differently"
        );
        checked += 1;
    }
    assert!(checked >= 13, "only {checked} policies checked");
}

/// Every input under `tests/format/` and its formatted text, in one snapshot (`*ascii*` inputs are
/// formatted with `--ascii`).
#[test]
fn tricky_layouts() {
    insta::glob!("format/*.accord", |path| {
        let text = std::fs::read_to_string(path).expect("read input");
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let options = if name.is_some_and(|n| n.contains("ascii")) {
            ASCII
        } else {
            UNICODE
        };
        let once = format(&text, &options);
        assert_eq!(format(&once, &options), once, "not idempotent");
        assert_eq!(
            parse_file(FileId(0), &once).ok(),
            parse_file(FileId(0), &text).ok()
        );
        assert_eq!(comment_texts(&once), comment_texts(&text));
        insta::assert_snapshot!(format!("{text}\n---- formatted ----\n{once}"));
    });
}

fn scratch(name: &str, files: &[(&str, &str)]) -> common::Scratch {
    let dir = common::Scratch::new(&format!("fmt-cli-{name}"));
    std::fs::create_dir_all(dir.join("sub")).expect("temp dir");
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("write");
    }
    dir
}

const MESSY: &str =
    "relation r(a: text, b: number).\nr(A,1). r(\"long text\",22).\nr(x,n)and n>=2=>big(x).\n";

#[test]
fn fmt_rewrites_files_in_place_and_check_reports_a_diff() {
    let dir = scratch("write", &[("p.accord", MESSY), ("sub/q.accord", MESSY)]);
    let check = accord_in(&dir, &["fmt", "--check", "."], None);
    assert_eq!(check.code, 1, "{}", check.stderr);
    insta::assert_snapshot!(check.stdout);
    assert_eq!(
        std::fs::read_to_string(dir.join("p.accord"))
            .ok()
            .as_deref(),
        Some(MESSY),
        "--check changed a file"
    );

    let printed = accord_in(&dir, &["fmt", "--stdout", "p.accord"], None);
    assert_eq!(printed.code, 0);
    assert_eq!(
        printed.stdout,
        "relation r(a: text, b: number).\n\
         r(A,           1).\n\
         r(\"long text\", 22).\n\
         r(x, n) ∧ n ≥ 2 ⇒ big(x).\n"
    );

    let write = accord_in(&dir, &["fmt", "."], None);
    assert_eq!((write.code, write.stdout.as_str()), (0, ""));
    for file in ["p.accord", "sub/q.accord"] {
        let now = std::fs::read_to_string(dir.join(file)).expect("read");
        assert_eq!(now, printed.stdout, "{file} was not rewritten");
    }
    let again = accord_in(&dir, &["fmt", "--check", "."], None);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
}

#[test]
fn fmt_ascii_spells_connectives_in_ascii() {
    let dir = scratch(
        "ascii",
        &[(
            "p.accord",
            "a(x) ∧ ¬ b(x) ∧ x ≠ 1 ∧ x ≤ 2 ∨ x ≥ 3 ⇒ c(x).\n",
        )],
    );
    let out = accord_in(&dir, &["fmt", "--stdout", "--ascii", "p.accord"], None);
    assert_eq!(
        out.stdout,
        "a(x) and not b(x) and x != 1 and x <= 2 or x >= 3 => c(x).\n"
    );
    let back = accord_in(&dir, &["fmt", "--stdout", "--unicode", "p.accord"], None);
    assert_eq!(
        back.stdout,
        "a(x) ∧ ¬ b(x) ∧ x ≠ 1 ∧ x ≤ 2 ∨ x ≥ 3 ⇒ c(x).\n"
    );
}

#[test]
fn fmt_leaves_a_file_that_does_not_parse_untouched() {
    let broken = "a(x) ⇒ b(x)\n";
    let dir = scratch(
        "broken",
        &[("bad.accord", broken), ("good.accord", "a( X ).\n")],
    );
    let out = accord_in(&dir, &["fmt", "bad.accord", "good.accord"], None);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("accord::syntax"), "{}", out.stderr);
    assert!(out.stderr.contains("bad.accord:1:"), "{}", out.stderr);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("read");
    assert_eq!(read("bad.accord"), broken);
    assert_eq!(
        read("good.accord"),
        "a(X).\n",
        "the good file is still formatted"
    );
    let missing = accord_in(&dir, &["fmt", "nowhere.accord"], None);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("unreadable_file"),
        "{}",
        missing.stderr
    );
}

/// The layouts `docs/formatting.md` shows are the formatter's own: each ```accord block is already
/// formatted.
#[test]
fn the_examples_in_the_formatting_guide_are_formatted() {
    let text =
        std::fs::read_to_string(root().join("docs/formatting.md")).expect("docs/formatting.md");
    let mut count = 0;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(indent) = line.strip_suffix("```accord").map(str::len) else {
            continue;
        };
        let mut block = String::new();
        for l in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            block.push_str(l.get(indent..).unwrap_or(""));
            block.push('\n');
        }
        assert_eq!(format(&block, &UNICODE), block, "not in canonical layout");
        count += 1;
    }
    assert!(count >= 4, "the guide has {count} examples");
}

/// The repository's own example policies are kept in canonical layout (the contract examples under
/// `tests/corpus/ok/contract/` stay byte-identical to their originals, and the error corpus quotes its
/// sources verbatim, so neither is checked).
#[test]
fn the_repository_examples_are_formatted() {
    let dirs: Vec<&str> = ["examples", "policies"]
        .into_iter()
        .filter(|d| root().join(d).is_dir())
        .collect();
    let mut args = vec!["fmt", "--check"];
    args.extend(&dirs);
    let out = accord_in(&root(), &args, None);
    assert_eq!(
        out.code,
        0,
        "run `accord fmt {}`:\n{}{}",
        dirs.join(" "),
        out.stdout,
        out.stderr
    );
}
