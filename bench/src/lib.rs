//! accord's benchmark kit (issue 9): the seeded workload generator shared by the `accord-bench`
//! binary, the criterion benches under `bench/benches/` and the tests under `bench/tests/`.
//!
//! Nothing here is part of the engine; it only calls accord's public library API.

pub mod measure;
pub mod workload;
