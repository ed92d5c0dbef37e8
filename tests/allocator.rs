//! The binary's allocator (see `src/main.rs`): on Linux, jemalloc with its memory advised as
//! transparent huge pages and one arena per CPU. jemalloc ignores a `malloc_conf` symbol it does not
//! find, so the test reads the options back from the statistics jemalloc prints at exit when asked.
#![cfg(all(target_os = "linux", feature = "jemalloc"))]

use std::process::Command;

#[test]
fn the_binary_allocates_with_jemalloc_on_huge_pages() {
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["check", "examples/us-mx"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .output()
        .expect("the accord binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
    let statistics = format!("{stdout}{stderr}");
    for option in [
        r#"opt.thp: "always""#,
        r#"opt.metadata_thp: "always""#,
        r#"opt.percpu_arena: "percpu""#,
    ] {
        assert!(
            statistics.contains(option),
            "jemalloc's statistics lack {option}:\n{statistics}"
        );
    }
}
