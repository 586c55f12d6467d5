//! The `bulletin` binary: parse the command line, run, report, exit with 0 (ok),
//! 1 (content problems) or 2 (usage errors).

use std::io::IsTerminal;
use std::process::ExitCode;

use bulletin::cli::{Cli, Command, Format};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { dir, format, changed_since } => check(&dir, format, changed_since.as_deref()),
        Command::Build { dir, out, base_url, now } => build(&dir, &out, base_url, now),
        Command::Serve {
            dir,
            addr,
            base_url,
            status_token,
            no_watch,
            git,
            remote,
            branch,
            webhook_secret_file,
            pull_every,
            preview,
        } => {
            if preview && !addr.ip().is_loopback() {
                eprintln!(
                    "error: --preview shows drafts and embargoed advisories; it listens only on a loopback address (127.0.0.1 or ::1), not {addr}"
                );
                return ExitCode::from(2);
            }
            let git = if git {
                let secret = match webhook_secret_file.map(std::fs::read).transpose() {
                    Ok(s) => s.map(|s| String::from_utf8_lossy(&s).trim().as_bytes().to_vec()),
                    Err(e) => {
                        eprintln!("error: cannot read the webhook secret file: {e}");
                        return ExitCode::from(2);
                    }
                };
                if secret.as_ref().is_some_and(|s| s.is_empty()) {
                    eprintln!("error: the webhook secret file is empty");
                    return ExitCode::from(2);
                }
                Some(bulletin::server::GitOptions { remote, branch, webhook_secret: secret, pull_every })
            } else {
                None
            };
            serve(dir, addr, base_url, status_token, no_watch, git, preview)
        }
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

/// Colour for a person at a terminal; plain text for pipes, files and journals, and
/// wherever `NO_COLOR` is set (no-color.org).
fn colour_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn build(
    dir: &std::path::Path,
    out: &std::path::Path,
    base_url: Option<String>,
    now: Option<jiff::Timestamp>,
) -> ExitCode {
    let started = std::time::Instant::now();
    if let Some(problem) = unsafe_output(dir, out) {
        eprintln!("error: {problem}; choose another --out (it is replaced as a whole)");
        return ExitCode::from(2);
    }
    let mut content = match bulletin::content::load(dir) {
        Ok(c) => c,
        Err(diags) => {
            eprint!("{}", diags.render_human(colour_on_stderr()));
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
    if bulletin::git::is_repository(dir) {
        match bulletin::git::History::load(dir, "HEAD") {
            Ok(history) => content.attach_history(&history),
            Err(e) => eprintln!("warning: no revision history: {e}"),
        }
    }
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

fn serve(
    dir: std::path::PathBuf,
    addr: std::net::SocketAddr,
    base_url: Option<String>,
    status_token: Option<String>,
    no_watch: bool,
    git: Option<bulletin::server::GitOptions>,
    preview: bool,
) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(colour_on_stderr())
        .init();
    if let Some(url) = &base_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        eprintln!("error: --base-url must be an absolute http(s) URL, got `{url}`");
        return ExitCode::from(2);
    }
    let mut options = bulletin::server::ServeOptions::new(dir.clone());
    options.base_url = base_url;
    options.status_token = status_token.filter(|t| !t.is_empty());
    let git_mode = git.is_some();
    options.git = git;
    options.preview = preview;
    let started = std::time::Instant::now();
    let state = match bulletin::server::AppState::load(options) {
        Ok(state) => state,
        Err(error) => {
            eprint!("{}", error.render());
            eprintln!("error: nothing to serve until the advisories are valid");
            return ExitCode::from(1);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {addr}: {e}");
                return ExitCode::from(1);
            }
        };
        // In --git mode the working copy is not what is published: only commits are.
        let watcher = if no_watch || git_mode {
            None
        } else {
            match bulletin::server::reload::watch(&dir, state.reload_sender()) {
                // An edit made while the site was first loading is seen by one more reload.
                Ok(w) => {
                    state.request_reload();
                    Some(w)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot watch the folder; changes need a restart");
                    None
                }
            }
        };
        let live = state.live.load();
        tracing::info!(
            advisories = live.content.all().len(),
            pages = live.site.len(),
            startup_ms = started.elapsed().as_millis() as u64,
            "serving {} on http://{addr}/",
            dir.display()
        );
        drop(live);
        tokio::spawn(bulletin::server::reload::run(state.clone()));
        if let Some(every) = state.options.git.as_ref().and_then(|g| g.pull_every) {
            tokio::spawn(bulletin::server::reload::poll(state.clone(), every));
        }
        let result = bulletin::server::run(listener, state, bulletin::server::shutdown_signal()).await;
        drop(watcher);
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        }
    })
}

/// `check`: every rule runs; with `--changed-since REV` only problems in changed files
/// (and in site.toml, measures.toml and cross-file rules touching them) are reported.
fn check(dir: &std::path::Path, format: Format, changed_since: Option<&str>) -> ExitCode {
    let changed = match changed_since.map(|rev| bulletin::git::changed_since(dir, rev)).transpose() {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (report, advisories) = match bulletin::content::load(dir) {
        Ok(content) => (bulletin::diagnostics::Diagnostics::default(), content.all().len()),
        Err(diags) => match &changed {
            Some(changed) => (
                diags.retain_paths(|path| {
                    changed.iter().any(|c| c == path) || path == "site.toml" || path == "measures.toml"
                }),
                0,
            ),
            None => (diags, 0),
        },
    };
    match format {
        Format::Json => println!("{}", report.render_json()),
        Format::Human if report.is_empty() => match (&changed, changed_since) {
            (Some(files), Some(rev)) => eprintln!("ok: {} changed file(s) since {rev} are valid", files.len()),
            _ => eprintln!("ok: {advisories} advisories in {} are valid", dir.display()),
        },
        Format::Human => eprint!("{}", report.render_human(colour_on_stderr())),
    }
    if report.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// `--out` is replaced as a whole: refuse a folder that holds the advisories (or the
/// current folder, or `/`), and one inside the advisories folder.
fn unsafe_output(dir: &std::path::Path, out: &std::path::Path) -> Option<String> {
    let absolute = |p: &std::path::Path| {
        let p = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
        // Resolve what exists; a folder not made yet is compared by its parent's real path.
        match (p.canonicalize(), p.parent().and_then(|d| d.canonicalize().ok()), p.file_name()) {
            (Ok(real), _, _) => real,
            (Err(_), Some(parent), Some(name)) => parent.join(name),
            _ => p,
        }
    };
    let (dir, out) = (absolute(dir), absolute(out));
    let cwd = std::env::current_dir().ok().and_then(|d| d.canonicalize().ok());
    if out.parent().is_none() || Some(&out) == cwd.as_ref() {
        Some(format!("--out {} would replace the whole folder", out.display()))
    } else if dir.starts_with(&out) {
        Some(format!("--out {} holds the advisories folder {}", out.display(), dir.display()))
    } else if out.starts_with(&dir) {
        Some(format!("--out {} is inside the advisories folder {}", out.display(), dir.display()))
    } else {
        None
    }
}
