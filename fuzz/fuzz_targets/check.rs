//! Policy text → parse + check: must never panic, whatever the bytes.
#![no_main]

use accord::check::{check, CheckOptions};
use accord::syntax::SourceMap;
use accord::value::ValueStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = SourceMap::new();
    let (policy, diagnostics) = accord::workspace::parse_text("fuzz.accord", text, &mut sources);
    let mut values = ValueStore::new();
    let result = check(&policy, &mut values, &CheckOptions { today: 20_000, strict: true, queried: vec![] });
    // Rendering must not panic either.
    let mut all = diagnostics;
    if let Err(d) = result {
        all.extend(d);
    }
    let _ = accord::diagnostic::render_all(&all, &sources, Default::default());
});
