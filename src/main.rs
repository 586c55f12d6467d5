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
                    Format::Human => eprintln!("ok: {} advisories in {} are valid", content.all().len(), dir.display()),
                    Format::Json => {
                        println!("{{\n  \"version\": 1,\n  \"ok\": true,\n  \"count\": 0,\n  \"diagnostics\": []\n}}")
                    }
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
        Command::Build { dir, out, base_url, now } => build(&dir, &out, base_url, now),
        Command::New { title, kind, dir } => {
            match bulletin::scaffold::new_advisory(&dir, &title, kind.as_deref(), jiff::Timestamp::now()) {
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

fn build(
    dir: &std::path::Path,
    out: &std::path::Path,
    base_url: Option<String>,
    now: Option<jiff::Timestamp>,
) -> ExitCode {
    let started = std::time::Instant::now();
    let mut content = match bulletin::content::load(dir) {
        Ok(c) => c,
        Err(diags) => {
            eprint!("{}", diags.render_human(std::io::stderr().is_terminal()));
            eprintln!("error: nothing was built; {} is unchanged", out.display());
            return ExitCode::from(1);
        }
    };
    if let Some(url) = base_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            eprintln!("error: --base-url must be an absolute http(s) URL, got `{url}`");
            return ExitCode::from(2);
        }
        content.settings.base_url = if url.ends_with('/') { url } else { format!("{url}/") };
    }
    let now = now.unwrap_or_else(jiff::Timestamp::now);
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("rendering {bar:30} {pos}/{len} pages")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let site = bulletin::render::site_with_progress(&content, &content.settings, now, &|done, total| {
        if let Some(bar) = &bar {
            // Only builds that take a while get a visible bar.
            if started.elapsed() > std::time::Duration::from_millis(500) {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            }
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match site.write_to(out) {
        Ok(stats) => {
            eprintln!(
                "built {} pages ({:.1} MB, {} compressed copies reused) from {} advisories into {} in {:.2} s",
                stats.files,
                stats.bytes as f64 / 1e6,
                stats.compressed_reused,
                content.public_at(now).count(),
                out.display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}
