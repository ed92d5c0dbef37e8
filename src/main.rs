//! The `accord` binary: a thin shell over the library's command-line front end.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
