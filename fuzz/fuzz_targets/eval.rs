//! Arbitrary policy text (which must check) → evaluate with small limits: never panics, never hangs.
#![no_main]

use std::time::Duration;

use accord::check::{check, CheckOptions};
use accord::eval::{evaluate, EvalOptions};
use accord::facts::FactSet;
use accord::syntax::SourceMap;
use accord::value::ValueStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = SourceMap::new();
    let (policy, diagnostics) = accord::workspace::parse_text("fuzz.accord", text, &mut sources);
    if !diagnostics.is_empty() {
        return;
    }
    let mut values = ValueStore::new();
    let Ok(checked) = check(&policy, &mut values, &CheckOptions { today: 20_000, ..CheckOptions::default() }) else {
        return;
    };
    let facts = FactSet::for_program(&checked.program);
    let options = EvalOptions { max_facts: 20_000, timeout: Some(Duration::from_millis(500)) };
    if let Ok(model) = evaluate(&checked.program, &facts, &mut values, &options) {
        let relations = checked.program.derived_relations();
        let _ = accord::output::json(&model, &checked.program, &values, &relations);
        let _ = accord::output::text(&model, &checked.program, &values, &relations);
    }
});
