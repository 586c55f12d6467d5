//! The `bulletin` binary: parse the command line, set up logging, run the subcommand
//! (see [`bulletin::commands`]) and exit with its code.

use std::process::ExitCode;

use bulletin::cli::{Cli, Command};
use bulletin::commands;
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(commands::colour_on_stderr())
        .init();
    match cli.command {
        Command::Check { dir, format, changed_since, deny_warnings, external } => {
            commands::check(&dir, format, changed_since.as_deref(), deny_warnings, external)
        }
        Command::Build { dir, out, base_url, now } => commands::build(&dir, &out, base_url.as_deref(), now),
        Command::Serve(args) => commands::serve(args),
        Command::New { title, kind, dir } => commands::new(&dir, &title, kind.as_deref()),
    }
}
