//! What each subcommand does, from parsed arguments to an exit code: 0 (ok),
//! 1 (content problems or a failure to publish), 2 (usage errors).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::cli::{Format, ServeArgs};
use crate::content::{self, HistorySource, LoadOptions};

/// Colour for a person at a terminal; plain text for pipes, files and journals, and
/// wherever `NO_COLOR` is set (no-color.org).
pub fn colour_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `check`: every rule runs; with `--changed-since REV` only problems in changed files
/// (and in site.toml, measures.toml and cross-file rules touching them) are reported.
pub fn check(dir: &Path, format: Format, changed_since: Option<&str>, deny_warnings: bool, external: bool) -> ExitCode {
    if let Some(usage) = missing_folder(dir) {
        return usage;
    }
    let changed = match changed_since.map(|rev| crate::git::changed_since(dir, rev)).transpose() {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {}", e.chain());
            return ExitCode::from(2);
        }
    };
    let (mut all, advisories) = match content::load(dir) {
        Ok(content) => {
            let mut found = content.warnings.clone();
            if external {
                for d in crate::external_links::check(&content, dir, jiff::Timestamp::now()) {
                    found.push(d);
                }
                found.sort();
            }
            (found, content.advisories_count())
        }
        Err(diags) => (diags, 0),
    };
    // Ids are permanent: a public advisory deleted since REV (or since the last commit).
    let baseline = changed_since.or_else(|| crate::git::is_repository(dir).then_some("HEAD"));
    if let Some(rev) = baseline {
        match content::removed_since(dir, rev, jiff::Timestamp::now()) {
            Ok(Ok(())) => {}
            Ok(Err(removed)) => all.extend(removed),
            Err(e) => {
                tracing::warn!(error = %e.chain(), "cannot compare with {rev}: deleted advisories are not checked")
            }
        }
    }
    let report = match &changed {
        Some(changed) => {
            all.retain_paths(|path| changed.iter().any(|c| c == path) || path == "site.toml" || path == "measures.toml")
        }
        None => all,
    };
    let failed = report.has_errors() || (deny_warnings && !report.is_empty());
    match format {
        Format::Json => println!("{}", report.render_json(!failed)),
        Format::Human if report.has_errors() || failed => eprint!("{}", report.render_human(colour_on_stderr())),
        Format::Human => {
            if !report.is_empty() {
                eprint!("{}", report.render_human(colour_on_stderr()));
            }
            match (&changed, changed_since) {
                (Some(files), Some(rev)) => eprintln!("ok: {} changed file(s) since {rev} are valid", files.len()),
                _ => eprintln!("ok: {advisories} advisories in {} are valid", dir.display()),
            }
        }
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// A `--dir` that is no folder is a usage error (exit 2, like a bad option), not a
/// problem in the content (exit 1).
fn missing_folder(dir: &Path) -> Option<ExitCode> {
    if dir.is_dir() {
        return None;
    }
    eprintln!(
        "error: the advisories folder {} does not exist\n  = help: {}",
        dir.display(),
        content::MISSING_FOLDER_HELP
    );
    Some(ExitCode::from(2))
}

/// `build`: load, render as at `now`, write the folder atomically.
pub fn build(dir: &Path, out: &Path, base_url: Option<&str>, now: Option<jiff::Timestamp>) -> ExitCode {
    let started = Instant::now();
    if let Some(usage) = missing_folder(dir) {
        return usage;
    }
    if let Some(problem) = unsafe_output(dir, out) {
        eprintln!("error: {problem}; choose another --out (it is replaced as a whole)");
        return ExitCode::from(2);
    }
    let mut history = None;
    let options = LoadOptions {
        base_url,
        previous: None,
        history: Some(HistorySource { dir, rev: "HEAD", kept: &mut history, required: false }),
    };
    let content = match content::load_with(dir, options) {
        Ok(c) => c,
        Err(diags) => {
            eprint!("{}", diags.render_human(colour_on_stderr()));
            eprintln!("error: nothing was built; {} is unchanged", out.display());
            return ExitCode::from(1);
        }
    };
    if !content.warnings.is_empty() {
        eprint!("{}", content.warnings.render_human(colour_on_stderr()));
    }
    let now = now.unwrap_or_else(jiff::Timestamp::now);
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("rendering {bar:30} {pos}/{len} pages")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut site = crate::render::site_with_progress(&content, &content.settings, now, &|done, total| {
        // Only builds that take a while get a visible bar.
        if let Some(bar) = &bar
            && started.elapsed() > Duration::from_millis(500)
        {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let indexing = Instant::now();
    for (path, page) in crate::render::static_search_index(&content, &content.settings, now) {
        site.insert(path, page);
    }
    let indexing = indexing.elapsed();
    match site.write_to(out) {
        Ok(stats) => {
            eprintln!(
                "built {} pages ({:.1} MB, {} compressed copies reused) from {} advisories into {} in {:.2} s (search index {:.2} s)",
                stats.files,
                stats.bytes as f64 / 1e6,
                stats.compressed_reused,
                content.public_at(now).count(),
                out.display(),
                started.elapsed().as_secs_f64(),
                indexing.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}

/// `serve`: load, then answer over HTTP until SIGTERM or Ctrl-C, reloading as content changes.
pub fn serve(args: ServeArgs) -> ExitCode {
    if let Some(usage) = missing_folder(&args.dir) {
        return usage;
    }
    if args.preview && !args.addr.ip().is_loopback() {
        eprintln!(
            "error: --preview shows drafts and embargoed advisories; it listens only on a loopback address (127.0.0.1 or ::1), not {}",
            args.addr
        );
        return ExitCode::from(2);
    }
    let git = if args.git {
        let secret = match args.webhook_secret_file.as_deref().map(read_secret).transpose() {
            Ok(secret) => secret,
            Err(problem) => {
                eprintln!("error: {problem}");
                return ExitCode::from(2);
            }
        };
        Some(crate::server::GitOptions {
            remote: args.remote,
            branch: args.branch,
            webhook_secret: secret,
            pull_every: args.pull_every,
            fetch_timeout: args.fetch_timeout,
        })
    } else {
        None
    };
    let notify = match args.notify.as_deref().map(crate::notify::NotifyConfig::load).transpose() {
        Ok(config) => config,
        Err(problems) => {
            eprint!("{}", problems.render_human(colour_on_stderr()));
            eprintln!("error: the notify config is not valid; nothing was started");
            return ExitCode::from(2);
        }
    };
    let notifier = match notify.map(crate::notify::Notifier::open).transpose() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut options = crate::server::ServeOptions::new(args.dir);
    options.notifier = notifier;
    options.base_url = args.base_url;
    options.status_token = args.status_token.filter(|t| !t.is_empty());
    options.git = git;
    options.preview = args.preview;
    options.watch = !args.no_watch;
    let started = Instant::now();
    let state = match crate::server::AppState::load(options) {
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
    let addr = args.addr;
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {addr}: {e}");
                return ExitCode::from(1);
            }
        };
        match crate::server::serve(listener, state, started, crate::server::shutdown_signal()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        }
    })
}

/// The webhook secret: the file's contents without surrounding white space.
fn read_secret(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the webhook secret file: {e}"))?;
    let secret = String::from_utf8_lossy(&bytes).trim().as_bytes().to_vec();
    if secret.is_empty() {
        return Err("the webhook secret file is empty".into());
    }
    Ok(secret)
}

/// `new`: the next free id of this year, written with placeholders; prints its path.
pub fn new(dir: &Path, title: &str, kind: Option<&str>) -> ExitCode {
    match crate::scaffold::new_advisory(dir, title, kind, jiff::Timestamp::now()) {
        Ok(path) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e @ (crate::scaffold::NewError::UnknownKind(_) | crate::scaffold::NewError::NotAdvisoriesFolder(_))) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `--out` is replaced as a whole: refuse a folder that holds the advisories (or the
/// current folder, or `/`), and one inside the advisories folder.
fn unsafe_output(dir: &Path, out: &Path) -> Option<String> {
    let absolute = |p: &Path| {
        let p = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
        // Resolve what exists; a folder not made yet is compared by its parent's real path.
        match (p.canonicalize(), p.parent().and_then(|d| d.canonicalize().ok()), p.file_name()) {
            (Ok(real), _, _) => real,
            (Err(_), Some(parent), Some(name)) => parent.join(name),
            _ => p,
        }
    };
    let (dir, out): (PathBuf, PathBuf) = (absolute(dir), absolute(out));
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
