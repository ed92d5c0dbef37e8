//! Shared test support: an IR program builder, the random program generator, the naive reference
//! evaluator and the ASP translator (the clingo oracle).

#![allow(dead_code)]

pub mod asp;
pub mod random;
pub mod reference;

#[path = "../../src/eval/testing.rs"]
mod builder;
pub use builder::*;
