//! accord: a declarative policy engine for customs trusted-trader programs and mutual recognition
//! arrangements.
//!
//! The pipeline runs one way (see `ARCHITECTURE.md`):
//! text → [`syntax`] (grammar → spanned AST) → [`check`] (names, types, safety, strata; lowers to
//! [`ir`]) → [`eval`] (join plans, semi-naive evaluation) → consumers. Facts enter through [`facts`].
//! The library never prints; front ends render [`diagnostic::Diagnostic`]s.

// pest's generated parser names `::alloc` when pest is built without its `std` feature, which this
// crate turns off: with it, pest probes the native stack on every grammar rule (a quarter of the
// parse time); accord bounds nesting itself (`syntax::parse::MAX_NESTING`).
extern crate alloc;
// The crate calls itself `accord` too, so that test support written as the integration tests see the
// crate (`eval/testing.rs`, included by `tests/support`) compiles inside it as well.
#[cfg(test)]
extern crate self as accord;

pub mod check;
pub mod diagnostic;
pub mod engine;
pub mod eval;
pub mod explain;
pub mod facts;
pub mod intern;
pub mod ir;
pub mod output;
pub mod repl;
pub mod stratify;
pub mod syntax;
pub mod testing;
pub mod value;
pub mod workspace;

#[cfg(test)]
mod scratch;
