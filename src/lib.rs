//! bulletin turns a folder of Markdown advisories into a website, feeds and
//! protective-measures checklists.
//!
//! The pipeline runs one way:
//!
//! ```text
//! advisories/ ──content::load──▶ Content ──render::site(now)──▶ Site ──▶ build: write files
//!                (validate all)   (typed model)                 (path → page)  serve: hold in memory
//! ```
//!
//! [`urls`] is the site's address scheme, shared by the stages: content checks body
//! links against it, render makes every page's path with it, the server routes by it.

pub mod cli;
pub mod commands;
pub mod content;
pub mod corpus;
pub mod diagnostics;
pub mod external_links;
pub mod git;
pub mod model;
pub mod notify;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod server;
pub mod site;
pub mod urls;
