//! Data bytes → the loaders (canonical JSON, JSON Lines, CSV), against a fixed policy: never panics.
//! The first byte picks the format; the rest is the file.
#![no_main]

use std::path::PathBuf;

use accord::check::{check, CheckOptions};
use accord::syntax::SourceMap;
use accord::value::ValueStore;
use libfuzzer_sys::fuzz_target;

const POLICY: &str = "relation company(id: text, country: text).\n\
    relation certified(company: text, program: text, status: text, until: date).\n\
    relation shipment(id: text, exporter: text, weight: number, flagged: bool, date: date?).\n\
    open().\n";

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else { return };
    let mut sources = SourceMap::new();
    let (policy, _) = accord::workspace::parse_text("policy.accord", POLICY, &mut sources);
    let mut values = ValueStore::new();
    let Ok(checked) = check(&policy, &mut values, &CheckOptions::default()) else { return };
    let dir = std::env::temp_dir().join(format!("accord-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let name = match kind % 4 {
        0 => "data.json",
        1 => "data.jsonl",
        2 => "shipment.csv",
        _ => "certified.csv",
    };
    let path: PathBuf = dir.join(name);
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    if let Err(diagnostics) = accord::facts::load(&[path.clone()], &checked.program, &mut values, &mut sources) {
        let _ = accord::diagnostic::render_all(&diagnostics, &sources, Default::default());
    }
    let _ = std::fs::remove_file(&path);
});
