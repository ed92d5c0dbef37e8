//! The `accord` binary: a thin shell over the library's command-line front end.
//!
//! The command runs on a thread with a large stack: explanations (proof trees, their text and JSON
//! renderings) and the parser recurse on the shape of their input, and the documented depth limits
//! (explanations at most `accord::explain::MAX_DEPTH` levels) must stay far from an overflow, in debug
//! builds too. The memory is reserved, not used, until a deep input needs it.

mod cli;

/// The stack of the command's thread.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() {
    let code = std::thread::Builder::new()
        .name("accord".to_string())
        .stack_size(STACK_BYTES)
        .spawn(cli::run)
        .map(|thread| thread.join().unwrap_or(101))
        .unwrap_or_else(|_| cli::run());
    std::process::exit(code);
}
