//! The integration tests: one binary, one module per area. `fixture` builds
//! advisories folders in temporary directories; see tests/README.md.

mod check;
mod fixture;
mod robustness;
mod samples;
