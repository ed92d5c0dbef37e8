//! The `accord` binary: a thin shell over the library's command-line front end.
//!
//! The command runs on a thread with a large stack: explanations (proof trees, their text and JSON
//! renderings) and the parser recurse on the shape of their input, and the documented depth limits
//! (explanations at most `accord::explain::MAX_DEPTH` levels) must stay far from an overflow, in debug
//! builds too. The memory is reserved, not used, until a deep input needs it.
//!
//! On Linux the binary allocates with jemalloc, set to ask the kernel for transparent huge pages
//! (`thp:always`): a run's memory then arrives in 2 MiB pages instead of 4 KiB ones. On this
//! project's 2-core VM a page fault costs about 5 µs, and checking a 10 000-rule policy touches about
//! 40 MB, 10 000 fresh pages, a quarter of its CPU time; with huge pages the check takes about a fifth
//! less time, and the batch of 1 M shipments as long or less, with a larger peak (a huge page is
//! resident whole) (`docs/performance.md`, sixth round).
//! The setting is jemalloc's compiled-in `malloc_conf`, so `MALLOC_CONF`-style overrides
//! (`_RJEM_MALLOC_CONF`) still apply on top of it; a test reads it back from jemalloc's statistics.

mod cli;

#[cfg(all(target_os = "linux", feature = "jemalloc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options (its `malloc_conf`, a C string it reads once at start-up): memory it maps,
/// for data and for its own metadata, is advised as transparent huge pages; one arena per CPU, each
/// thread allocating from its CPU's, instead of jemalloc's four per CPU (where each of the command's
/// threads had an arena, and fresh 2 MiB pages, of its own: small commands started 1–3 ms later
/// and the batch's peak was 8 MiB higher).
#[cfg(all(target_os = "linux", feature = "jemalloc"))]
#[export_name = "_rjem_malloc_conf"]
static ALLOCATOR_OPTIONS: Option<&u8> =
    Some(&b"thp:always,metadata_thp:always,percpu_arena:percpu\0"[0]);

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
