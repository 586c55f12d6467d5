//! The `bulletin` binary: parse the command line, run, report, exit with 0 (ok),
//! 1 (content problems) or 2 (usage errors).

use std::io::IsTerminal;
use std::process::ExitCode;

use bulletin::cli::{Cli, Command, Format};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { dir, format } => match bulletin::content::load(&dir) {
            Ok(content) => {
                match format {
                    Format::Human => eprintln!(
                        "ok: {} advisories in {} are valid",
                        content.all().len(),
                        dir.display()
                    ),
                    Format::Json => println!(
                        "{{\n  \"version\": 1,\n  \"ok\": true,\n  \"count\": 0,\n  \"diagnostics\": []\n}}"
                    ),
                }
                ExitCode::SUCCESS
            }
            Err(diags) => {
                match format {
                    Format::Human => {
                        eprint!("{}", diags.render_human(std::io::stderr().is_terminal()))
                    }
                    Format::Json => println!("{}", diags.render_json()),
                }
                ExitCode::from(1)
            }
        },
        Command::New { title, kind, dir } => {
            match bulletin::scaffold::new_advisory(
                &dir,
                &title,
                kind.as_deref(),
                jiff::Timestamp::now(),
            ) {
                Ok(path) => {
                    println!("{}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e @ bulletin::scaffold::NewError::UnknownKind(_)) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}
