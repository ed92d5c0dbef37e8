//! Shared helpers for the integration tests: run the real `accord` binary from the repository root,
//! with colours off, and collect what it printed; a scratch directory that removes itself.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path relative to the repository root, with `/` separators, for stable snapshots.
pub fn relative(path: &Path) -> String {
    let rel = path.strip_prefix(root()).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `accord ARGS…` in the repository root.
pub fn accord(args: &[&str]) -> Output {
    accord_in(&root(), args, None)
}

/// Runs `accord ARGS…` in `dir`, with `stdin` fed to it when given.
pub fn accord_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_accord"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    let output = match stdin {
        Some(input) => {
            use std::io::Write;
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().expect("the accord binary runs");
            if let Some(mut pipe) = child.stdin.take() {
                pipe.write_all(input.as_bytes())
                    .expect("stdin accepts the script");
            }
            child
                .wait_with_output()
                .expect("the accord binary finishes")
        }
        None => cmd.output().expect("the accord binary runs"),
    };
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[path = "../../src/scratch.rs"]
mod scratch;
#[allow(unused_imports)] // not every test uses it
pub use scratch::Scratch;
