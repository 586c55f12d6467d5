//! The integration tests: one binary, one module per area. `fixture` builds
//! advisories folders in temporary directories; see tests/README.md.

mod browser;
mod build;
mod check;
mod feeds;
mod fixture;
mod git;
mod notify;
mod render;
mod robustness;
mod samples;
mod search;
mod serve;
