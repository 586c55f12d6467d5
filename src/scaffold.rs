//! `bulletin new`: writes a new advisory with the next free id and placeholders
//! that `bulletin check` rejects until a person replaces them.

use std::path::{Path, PathBuf};

use crate::model::{Keyword, Kind};

/// Why a new advisory could not be written.
#[derive(Debug)]
pub enum NewError {
    /// `--kind` is not a known kind.
    UnknownKind(String),
    /// `dir` is not an advisories folder (it has no `site.toml`): a usage error.
    NotAdvisoriesFolder(PathBuf),
    /// `site.toml` could not be read, so the id prefix is unknown.
    Settings(crate::diagnostics::Diagnostics),
    /// The file could not be written.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for NewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NewError::UnknownKind(k) => {
                write!(f, "unknown kind `{k}`; use one of: {}", Kind::words().join(", "))?;
                if let Some(near) = crate::content::did_you_mean(k, Kind::words()) {
                    write!(f, " (did you mean `{near}`?)")?;
                }
                Ok(())
            }
            NewError::NotAdvisoriesFolder(dir) if !dir.is_dir() => write!(
                f,
                "the advisories folder {} does not exist\n  = help: {}",
                dir.display(),
                crate::content::MISSING_FOLDER_HELP
            ),
            NewError::NotAdvisoriesFolder(dir) => write!(
                f,
                "{} is not an advisories folder: it has no site.toml\n  = help: run `bulletin new` from the folder above the advisories folder, or name the folder that holds site.toml with --dir",
                dir.display()
            ),
            NewError::Settings(d) => {
                write!(f, "site.toml is not valid, so the id prefix is unknown:\n{}", d.render_human(false))
            }
            NewError::Io(path, e) => write!(f, "cannot write {}: {e}", path.display()),
        }
    }
}

impl std::error::Error for NewError {}

/// The checklist section every new advisory starts with.
const MEASURES: &str = "## Protective measures\n\n- [ ] TODO: the first thing a reader should do.\n";

/// Writes `YYYY/PREFIX-YYYY-NNNN.md` under `dir` for the current year and returns its path.
pub fn new_advisory(dir: &Path, title: &str, kind: Option<&str>, now: jiff::Timestamp) -> Result<PathBuf, NewError> {
    let kind = match kind {
        Some(k) => Some(Kind::parse(k).ok_or_else(|| NewError::UnknownKind(k.to_string()))?),
        None => None,
    };
    if !dir.join("site.toml").is_file() {
        return Err(NewError::NotAdvisoriesFolder(dir.to_path_buf()));
    }
    let settings = crate::content::load_settings(dir).map_err(NewError::Settings)?;
    let year = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
    let folder = dir.join(year.to_string());
    let prefix = format!("{}-{year}-", settings.id_prefix);
    let highest = std::fs::read_dir(&folder)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let number: String = name.strip_prefix(&prefix)?.chars().take_while(char::is_ascii_digit).collect();
            number.parse::<u32>().ok()
        })
        .max()
        .unwrap_or(0);
    let id = format!("{prefix}{:04}", highest + 1);
    let path = folder.join(format!("{id}.md"));
    let now_example = now.strftime("%Y-%m-%dT%H:00:00Z");
    let kind_line = match kind {
        Some(k) => format!("\"{k}\""),
        None => format!("\"TODO: one of {}\"", Kind::words().join(", ")),
    };
    let notice = matches!(kind, Some(Kind::DataBreach | Kind::CredentialTheft));
    let dates = if notice {
        "# When it happened and was found, if known (shown on the page):\n# occurred = 2025-06-01   (or [2025-06-01, 2025-06-15], or \"unknown\")\n# discovered = 2025-07-03\n"
    } else {
        ""
    };
    let body = if notice {
        // The sections a breach notice needs (notice.toml), the checklist before the last.
        let headings = crate::content::notice_headings(dir, &settings.default_language);
        let (last, first) = headings.split_last().map_or((None, &headings[..]), |(l, f)| (Some(l), f));
        let mut body: String = first.iter().map(|h| format!("## {h}\n\nTODO: {}\n\n", h.to_lowercase())).collect();
        body.push_str(MEASURES);
        if let Some(last) = last {
            body.push_str(&format!("\n## {last}\n\nTODO: whom to contact, and where updates will appear.\n"));
        }
        body
    } else {
        format!(
            "## What happened\n\nTODO: what happened, in plain words.\n\n## What this means for you\n\nTODO: who is at risk and how.\n\n{MEASURES}"
        )
    };
    let text = format!(
        r#"+++
id = "{id}"
title = "{title}"
kind = {kind_line}
published = "TODO: when it goes public, without quotes, e.g. {now_example}"
severity = "TODO: critical, high, medium, low or info"
status = "TODO: active, monitoring, resolved or withdrawn"
summary = "TODO: one or two plain sentences for lists and feeds."
data = ["TODO: exposed data classes, the table names of measures.toml"]
affected = "TODO: who is affected"
{dates}tags = []

[[references]]
title = "TODO: name of the source"
url = "https://example.org/TODO"
+++

{body}"#,
        title = title.replace('\\', "\\\\").replace('"', "\\\""),
    );
    std::fs::create_dir_all(&folder).map_err(|e| NewError::Io(folder.clone(), e))?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| NewError::Io(path.clone(), e))?;
    Ok(path)
}
