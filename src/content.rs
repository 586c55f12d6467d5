//! Loading an advisories folder into [`Content`]: read every file, validate it,
//! run the cross-file rules, and report every problem at once.

mod advisory;
mod attachments;
mod catalogue;
mod changes;
pub mod checklist;
mod fields;
mod files;
mod front_matter;
mod history;
pub mod links;
mod notice;
mod settings;
mod ui;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use rayon::prelude::*;

use files::{FileRole, discover, read_required};

use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile, display_path};
use crate::git::History;
use crate::model::{Advisory, Attachment, Catalogue, DataClass, Kind, Settings, Severity, Tag};

pub(crate) use advisory::is_absolute_http_url;
pub use advisory::{SUMMARY_MAX, TITLE_MAX};
pub use changes::{Changes, removed_public, removed_since};
pub use fields::did_you_mean;
pub use settings::DEFAULT_FEED_SIZE;

/// The fix for an advisories folder that does not exist (`load` and the commands say it).
pub const MISSING_FOLDER_HELP: &str = "run bulletin from the repository's top level, or pass the folder with --dir";

/// The validated content of an advisories folder.
#[derive(Debug, Clone)]
pub struct Content {
    /// The folder it was loaded from.
    pub root: PathBuf,
    /// `site.toml`.
    pub settings: Settings,
    /// `measures.toml`, with its translations (`measures.LANG.toml`).
    pub catalogue: Catalogue,
    /// The user interface's words in every language of the site.
    pub ui: crate::model::Ui,
    /// Every advisory, drafts and embargoed ones included, newest first. Shared, so a
    /// reload keeps the unchanged advisories of the content before it without copying them.
    advisories: Vec<Arc<Advisory>>,
    by_id: HashMap<String, usize>,
    /// What each file looked like when loaded, so the next load can reuse unchanged files.
    fingerprints: Fingerprints,
    /// What is not wrong enough to stop publishing but should be fixed (a missing
    /// translation, say): `check` prints it, `build` and `serve` say how many.
    pub warnings: Diagnostics,
}

/// Hashes of the loaded files: a reload re-parses only the files whose bytes changed
/// (everything when site.toml or measures.toml changed), then runs every cross-file rule.
#[derive(Debug, Clone, Default)]
struct Fingerprints {
    /// Hash of site.toml and measures.toml: what validating an advisory depends on.
    context: u128,
    /// Path → (hash of the bytes, span of the id in the file).
    files: HashMap<String, (u128, std::ops::Range<usize>)>,
}

impl Content {
    /// Builds the model from validated parts; sorts newest first.
    pub fn new(root: PathBuf, settings: Settings, catalogue: Catalogue, advisories: Vec<Advisory>) -> Self {
        Self::from_shared(root, settings, catalogue, advisories.into_iter().map(Arc::new).collect())
    }

    fn from_shared(
        root: PathBuf,
        settings: Settings,
        catalogue: Catalogue,
        mut advisories: Vec<Arc<Advisory>>,
    ) -> Self {
        advisories.sort_by(|a, b| b.published.cmp(&a.published).then_with(|| b.id.cmp(&a.id)));
        let by_id = advisories.iter().enumerate().map(|(i, a)| (a.id.0.clone(), i)).collect();
        Self {
            root,
            settings,
            catalogue,
            ui: crate::model::Ui::default(),
            advisories,
            by_id,
            fingerprints: Fingerprints::default(),
            warnings: Diagnostics::default(),
        }
    }

    /// How many advisories there are, drafts and embargoed ones included.
    pub fn advisories_count(&self) -> usize {
        self.advisories.len()
    }

    /// Every advisory, drafts and embargoed ones included, newest first.
    pub fn all(&self) -> &[Arc<Advisory>] {
        &self.advisories
    }

    /// True when `other` would render the same site: same settings, catalogue and
    /// advisories (history included). Cheap after a reload, which shares every unchanged
    /// advisory with the content before it.
    pub fn same_as(&self, other: &Content) -> bool {
        self.root == other.root
            && self.settings == other.settings
            && self.catalogue == other.catalogue
            && self.ui == other.ui
            && self.advisories.len() == other.advisories.len()
            && self.advisories.iter().zip(&other.advisories).all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
    }

    /// The advisory with this id, public or not.
    pub fn get(&self, id: &str) -> Option<&Advisory> {
        self.by_id.get(id).map(|&i| &*self.advisories[i])
    }

    /// The advisories the public may see at `now`, newest first.
    pub fn public_at(&self, now: Timestamp) -> impl Iterator<Item = &Advisory> + '_ {
        self.advisories.iter().map(|a| &**a).filter(move |a| a.is_public_at(now))
    }

    /// Public advisories with this tag.
    pub fn by_tag<'a>(&'a self, tag: &'a str, now: Timestamp) -> impl Iterator<Item = &'a Advisory> + 'a {
        self.public_at(now).filter(move |a| a.tags.iter().any(|t| t.0 == tag))
    }

    /// Public advisories of this severity.
    pub fn by_severity(&self, severity: Severity, now: Timestamp) -> impl Iterator<Item = &Advisory> + '_ {
        self.public_at(now).filter(move |a| a.severity == severity)
    }

    /// Public advisories of this kind.
    pub fn by_kind(&self, kind: Kind, now: Timestamp) -> impl Iterator<Item = &Advisory> + '_ {
        self.public_at(now).filter(move |a| a.kind == kind)
    }

    /// Public advisories that exposed this data class.
    pub fn by_data_class<'a>(&'a self, class: &'a str, now: Timestamp) -> impl Iterator<Item = &'a Advisory> + 'a {
        self.public_at(now).filter(move |a| a.data.iter().any(|d| d.0 == class))
    }

    /// Every tag of a public advisory, sorted.
    pub fn tags_at(&self, now: Timestamp) -> BTreeSet<&Tag> {
        self.public_at(now).flat_map(|a| &a.tags).collect()
    }

    /// Every data class of a public advisory.
    pub fn data_classes_at(&self, now: Timestamp) -> BTreeSet<&DataClass> {
        self.public_at(now).flat_map(|a| &a.data).collect()
    }

    /// The first embargo that lifts after `now` (a non-draft advisory published later).
    /// An update dated in the future is embargoed like an advisory: it counts too.
    pub fn next_embargo_lift(&self, now: Timestamp) -> Option<Timestamp> {
        self.next_embargo_lift_except(now, |_| false)
    }

    /// [`Content::next_embargo_lift`] among the advisories that `held` does not hold.
    pub fn next_embargo_lift_except(&self, now: Timestamp, held: impl Fn(&Advisory) -> bool) -> Option<Timestamp> {
        self.advisories.iter().filter(|a| !a.draft && !held(a)).flat_map(|a| a.embargoes()).filter(|t| *t > now).min()
    }

    /// A copy in which the advisories `held` stay as the public saw them at `since`: one
    /// published later is kept back (as a draft is), and updates dated later are left out.
    /// A server renders this while a rejected change may have altered their embargoes.
    pub fn frozen(&self, since: Timestamp, held: impl Fn(&Advisory) -> bool) -> Content {
        let mut copy = self.clone();
        for a in &mut copy.advisories {
            if held(a) && a.embargoes().any(|t| t > since) {
                let a = Arc::make_mut(a);
                a.draft |= a.published > since;
                a.updates.retain(|u| u.date <= since);
            }
        }
        copy
    }

    /// The content as the public may see it at `now` with respect to updates: a copy
    /// without the updates dated after `now`, or `None` when there is no such update.
    pub fn as_of(&self, now: Timestamp) -> Option<Content> {
        if !self.advisories.iter().any(|a| a.updates.iter().any(|u| u.date > now)) {
            return None;
        }
        let mut copy = self.clone();
        for a in &mut copy.advisories {
            if a.updates.iter().any(|u| u.date > now) {
                Arc::make_mut(a).updates.retain(|u| u.date <= now);
            }
        }
        Some(copy)
    }
}

/// What validating one file gave.
enum Loaded {
    Advisory(advisory::Parsed<Arc<Advisory>>),
    Translation(Box<advisory::Parsed<crate::model::Translation>>, String),
    /// A file beside an advisory, for the advisory `stem`.
    Attachment(Attachment, String),
    Nothing,
}

/// What [`load_with`] does beyond validating the folder: what `build` and `serve` both
/// need to publish it.
#[derive(Default)]
pub struct LoadOptions<'a> {
    /// Publish under this URL (ending in `/`) instead of site.toml's `base_url`.
    pub base_url: Option<&'a str>,
    /// The content loaded before; files whose bytes did not change are taken from it.
    pub previous: Option<&'a Content>,
    /// Where each advisory's revision history comes from; none when `None`.
    pub history: Option<HistorySource<'a>>,
}

/// The git history that advisories carry.
pub struct HistorySource<'a> {
    /// A folder of the repository whose history is read: the advisories folder itself,
    /// or (when the content is a checkout of a commit) the folder it was checked out from.
    pub dir: &'a Path,
    /// The revision the history goes up to: `HEAD`, or the commit being published.
    pub rev: &'a str,
    /// The history an earlier load read, brought up to `rev` in place; a server keeps it
    /// between reloads so that each one reads only the new commits.
    pub kept: &'a mut Option<History>,
    /// Whether `dir` must be a repository (a commit being published); otherwise a folder
    /// outside git simply has no history.
    pub required: bool,
}

/// Loads and validates the folder. Returns every problem found, sorted by file and line.
pub fn load(root: &Path) -> Result<Content, Diagnostics> {
    load_with(root, LoadOptions::default())
}

/// [`load`], reusing the advisories of `previous` whose files did not change.
pub fn load_after(root: &Path, previous: Option<&Content>) -> Result<Content, Diagnostics> {
    load_with(root, LoadOptions { previous, ..LoadOptions::default() })
}

/// Loads, validates and completes the content for publishing: the base URL override and
/// each advisory's revision history are applied here, so the `Content` that comes back
/// is final. Reusing `previous` keeps every rule: an unchanged file under unchanged
/// settings validates the same, and the cross-file rules run on everything. A history
/// that cannot be read is logged and left out; it never stops publishing.
pub fn load_with(root: &Path, options: LoadOptions<'_>) -> Result<Content, Diagnostics> {
    let mut content = validate(root, options.previous)?;
    if let Some(url) = options.base_url {
        content.settings.base_url = url.to_string();
    }
    if let Some(source) = options.history
        && (source.required || crate::git::is_repository(source.dir))
    {
        let kept = source.kept;
        let read = match kept.as_mut() {
            Some(history) => history.update(source.dir, source.rev),
            None => History::load(source.dir, source.rev).map(|history| *kept = Some(history)),
        };
        match (read, kept.as_ref()) {
            (Ok(()), Some(history)) => history::attach(&mut content, history, source.dir, source.rev),
            (Err(e), _) => tracing::warn!(error = %e.chain(), "no revision history"),
            (Ok(()), None) => {}
        }
    }
    Ok(content)
}

fn validate(root: &Path, previous: Option<&Content>) -> Result<Content, Diagnostics> {
    let mut report = Diagnostics::default();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let root_display = root.display().to_string();
    let Ok(canonical_root) = root.canonicalize() else {
        report.push(
            SourceFile::new(root_display.clone(), "")
                .error(0..0, "the advisories folder does not exist")
                .help(MISSING_FOLDER_HELP),
        );
        return Err(report);
    };

    let (settings_file, settings_hash) = read_required(root, &canonical_root, "site.toml", &mut report, &mut diags);
    let settings = settings_file.and_then(|f| settings::parse(&f, &mut diags));
    let (catalogue_file, catalogue_hash) =
        read_required(root, &canonical_root, "measures.toml", &mut report, &mut diags);
    let mut catalogue = catalogue_file.and_then(|f| catalogue::parse(&f, &mut diags));
    let ui = settings.as_ref().map(|s| ui::load(root, &canonical_root, s, &mut report, &mut diags));
    if let (Some(settings), Some(catalogue)) = (&settings, &mut catalogue) {
        for lang in settings.translated_languages() {
            let name = format!("measures.{lang}.toml");
            match files::read_file(&root.join(&name), &canonical_root, files::SETTINGS_MAX) {
                Ok(bytes) => match front_matter::decode(&name, &bytes) {
                    Ok(file) => {
                        if let Some(texts) = catalogue::parse_texts(&file, catalogue, &mut diags) {
                            catalogue.texts.insert(lang.to_string(), texts);
                        }
                        report.add_source(file);
                    }
                    Err((file, d)) => {
                        report.add_source(file);
                        diags.push(d);
                    }
                },
                Err(files::Refusal::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => diags.push(
                    SourceFile::new(name.clone(), "")
                        .warning(0..0, format!("no {name}: the protective measures show in the default language on pages in {lang}"))
                        .help(format!("add {name} with a [classes.KEY] table per data class and a line per measure id under [measures]")),
                ),
                Err(refusal) => diags.push(refusal.diagnostic(&name)),
            }
        }
    }
    let (notice_rules, notice_hash) = read_notice_rules(root, &canonical_root, &mut report, &mut diags);
    let ctx = advisory::Context {
        settings: settings.as_ref(),
        catalogue: catalogue.as_ref(),
        notice: notice_rules.as_ref().unwrap_or_else(|| notice::NoticeRules::built_in()),
    };
    let context_hash = context_hash(settings_hash, catalogue_hash) ^ notice_hash.rotate_left(2);
    let previous = previous.filter(|p| p.fingerprints.context == context_hash);
    let previous_by_path: HashMap<&str, &Arc<Advisory>> =
        previous.map(|p| p.advisories.iter().map(|a| (a.path.as_str(), a)).collect()).unwrap_or_default();

    let files = discover(root, &canonical_root, &mut diags);
    // An original that exists but could not be read has its own error; its translations
    // are then not also told that it is missing.
    let original_files: HashSet<String> = files
        .iter()
        .filter_map(|(_, role)| match role {
            FileRole::Advisory { stem, .. } => Some(stem.clone()),
            _ => None,
        })
        .collect();
    let previous_attachments: HashMap<&str, &Attachment> = previous
        .map(|p| p.advisories.iter().flat_map(|a| a.attachments.iter().map(|f| (f.path.as_str(), f))).collect())
        .unwrap_or_default();
    let mut advisories: Vec<(advisory::Parsed<Arc<Advisory>>, usize)> = Vec::new();
    let mut translations: Vec<(advisory::Parsed<crate::model::Translation>, String, usize)> = Vec::new();
    let mut sources: Vec<SourceFile> = Vec::with_capacity(files.len());

    // Each file is read and validated on its own, in parallel; the results are then
    // gathered in file order, so diagnostics and ids come out the same every run.
    type FileResult = (Option<SourceFile>, Loaded, Vec<Diagnostic>, Option<(String, u128)>);
    let per_file: Vec<FileResult> = files
        .into_par_iter()
        .map(|(path, role)| {
            let mut diags = Vec::new();
            let display = display_path(root, &path);
            if let FileRole::Attachment { stem, name } = role {
                let loaded = load_attachment(&path, &canonical_root, &display, &name, &previous_attachments)
                    .map_err(|d| diags.push(d))
                    .map_or(Loaded::Nothing, |a| Loaded::Attachment(a, stem));
                return (None, loaded, diags, None);
            }
            let bytes = match files::read_file(&path, &canonical_root, files::ADVISORY_MAX) {
                Ok(b) => b,
                Err(refusal) => {
                    diags.push(refusal.diagnostic(&display));
                    return (None, Loaded::Nothing, diags, None);
                }
            };
            let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
            let file = match front_matter::decode(&display, &bytes) {
                Ok(f) => f,
                Err((f, d)) => {
                    diags.push(d);
                    return (Some(f), Loaded::Nothing, diags, None);
                }
            };
            let unchanged = previous
                .and_then(|p| p.fingerprints.files.get(&display))
                .filter(|(h, _)| *h == hash)
                .map(|(_, span)| span.clone());
            if let Some(id_span) = unchanged {
                let reused = match &role {
                    FileRole::Advisory { .. } => previous_by_path.get(display.as_str()).map(|a| {
                        // Translations and attachments are attached again below, from their own files.
                        let a = if a.translations.is_empty() && a.attachments.is_empty() {
                            Arc::clone(a)
                        } else {
                            Arc::new(Advisory {
                                translations: Default::default(),
                                attachments: Vec::new(),
                                ..Advisory::clone(a)
                            })
                        };
                        Loaded::Advisory(advisory::Parsed {
                            id: Some((a.id.0.clone(), id_span.clone())),
                            links: a.links.clone(),
                            value: Some(a),
                        })
                    }),
                    FileRole::Translation { stem, .. } => previous
                        .and_then(|p| p.get(stem))
                        .and_then(|a| a.translations.values().find(|t| t.path == display))
                        .map(|t| {
                            let parsed = advisory::Parsed {
                                id: Some((stem.clone(), id_span.clone())),
                                links: t.links.clone(),
                                value: Some(t.clone()),
                            };
                            Loaded::Translation(Box::new(parsed), stem.clone())
                        }),
                    FileRole::Attachment { .. } => None,
                };
                if let Some(loaded) = reused {
                    return (Some(file), loaded, diags, Some((display, hash)));
                }
            }
            let loaded = match role {
                FileRole::Advisory { stem, year } => {
                    let parsed = advisory::advisory(&file, &stem, &year, ctx, &mut diags);
                    Loaded::Advisory(advisory::Parsed {
                        id: parsed.id,
                        links: parsed.links,
                        value: parsed.value.map(Arc::new),
                    })
                }
                FileRole::Translation { stem, lang } => {
                    let parsed = advisory::translation(&file, &stem, &lang, ctx, &mut diags);
                    Loaded::Translation(Box::new(parsed), stem)
                }
                FileRole::Attachment { .. } => Loaded::Nothing,
            };
            (Some(file), loaded, diags, Some((display, hash)))
        })
        .collect();
    let mut fingerprints = Fingerprints { context: context_hash, files: HashMap::new() };
    let mut attachments: Vec<(Attachment, String)> = Vec::new();
    for (file, loaded, file_diags, hash) in per_file {
        diags.extend(file_diags);
        if let Loaded::Attachment(attachment, stem) = loaded {
            attachments.push((attachment, stem));
            continue;
        }
        let Some(file) = file else { continue };
        let id_span = match &loaded {
            Loaded::Advisory(p) => p.id.as_ref().map(|(_, s)| s.clone()),
            Loaded::Translation(p, _) => p.id.as_ref().map(|(_, s)| s.clone()),
            Loaded::Attachment(..) | Loaded::Nothing => None,
        };
        if let (Some((path, hash)), Some(span)) = (hash, id_span) {
            fingerprints.files.insert(path, (hash, span));
        }
        let index = sources.len();
        match loaded {
            Loaded::Advisory(parsed) => advisories.push((parsed, index)),
            Loaded::Translation(parsed, stem) => translations.push((*parsed, stem, index)),
            Loaded::Attachment(..) | Loaded::Nothing => {}
        }
        sources.push(file);
    }

    // Every body's links into the site, valid file or not, by id and language.
    let documents: Vec<links::Document> = advisories
        .iter()
        .filter_map(|(p, index)| Some(links::Document::new(&p.id.as_ref()?.0, None, *index, &p.links)))
        .chain(translations.iter().filter_map(|(p, stem, index)| {
            let lang = sources[*index].path.rsplit('.').nth(1)?;
            Some(links::Document::new(stem, Some(lang), *index, &p.links))
        }))
        .collect();

    // Cross-file rules: unique ids, translations with an original. They run on every
    // file whose id could be read, valid or not, so one run reports everything.
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut unique: Vec<Arc<Advisory>> = Vec::with_capacity(advisories.len());
    for (parsed, index) in advisories {
        let Some((id, id_span)) = parsed.id else {
            continue;
        };
        if let Some(first) = first_seen.get(&id) {
            let first_path = &sources[*first].path;
            diags.push(
                sources[index]
                    .error(id_span, format!("duplicate id `{id}`: {first_path} uses it too"))
                    .note(format!("the first use is in {first_path}"))
                    .help("every advisory needs its own id; `bulletin new` picks the next free one"),
            );
            continue;
        }
        first_seen.insert(id, index);
        unique.extend(parsed.value);
    }
    let by_id: HashMap<String, usize> = unique.iter().enumerate().map(|(i, a)| (a.id.0.clone(), i)).collect();
    for (parsed, stem, index) in translations {
        let file = &sources[index];
        let Some((_, id_span)) = parsed.id else {
            continue;
        };
        if !first_seen.contains_key(&stem) {
            if original_files.contains(&stem) {
                continue;
            }
            diags.push(
                file.error(id_span, format!("translation of `{stem}`, but there is no advisory `{stem}.md`"))
                    .help(format!("add the original {stem}.md in the same folder, or fix the file name")),
            );
            continue;
        }
        let (Some(translation), Some(&i)) = (parsed.value, by_id.get(&stem)) else {
            continue;
        };
        let original = Arc::make_mut(&mut unique[i]);
        if Path::new(&original.path).parent() != Path::new(&translation.path).parent() {
            diags.push(
                file.error(
                    0..0,
                    format!("the translation is not in the same folder as its original {}", original.path),
                )
                .help("move it next to the original"),
            );
            continue;
        }
        let covered = std::iter::once(original.published).chain(original.updates.iter().map(|u| u.date));
        if !covered.clone().any(|t| t == translation.covers) {
            diags.push(
                file.error(
                    id_span.clone(),
                    format!(
                        "`covers` ({}) is neither the original's `published` nor one of its update dates",
                        translation.covers
                    ),
                )
                .help(format!(
                    "set covers to the newest date of the original that this translation includes: one of {}",
                    covered.map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
                )),
            );
        }
        for date in translation.updates.keys() {
            if !original.updates.iter().any(|u| u.date == *date) {
                diags.push(
                    file.error(
                        id_span.clone(),
                        format!("the translation has an update dated {date} that the original does not have"),
                    )
                    .help("translated updates carry the same date as the original's update they translate"),
                );
            }
        }
        original.translations.insert(translation.lang.clone(), translation);
    }
    for (attachment, stem) in attachments {
        match by_id.get(&stem) {
            Some(&i) => Arc::make_mut(&mut unique[i]).attachments.push(attachment),
            None if original_files.contains(&stem) => {}
            None => {
                let folder = attachment.path.rsplit_once('/').map_or("", |(f, _)| f).to_string();
                diags.push(
                    SourceFile::new(folder.clone(), "")
                        .error(0..0, format!("the folder `{folder}/` is named after no advisory"))
                        .help(format!("files beside an advisory live in a folder named after its id, next to it: rename the folder, or add {stem}.md")),
                );
            }
        }
    }
    if let (Some(settings), Some(catalogue)) = (&settings, &catalogue) {
        let all: Vec<&Advisory> = unique.iter().map(|a| &**a).collect();
        links::check_targets(&documents, &sources, &all, settings, catalogue, &mut diags);
    }

    for s in sources {
        report.add_source(s);
    }
    for d in diags {
        report.push(d);
    }
    report.sort();
    match (settings, catalogue) {
        (Some(settings), Some(catalogue)) if !report.has_errors() => {
            let mut content = Content::from_shared(root.to_path_buf(), settings, catalogue, unique);
            content.ui = ui.unwrap_or_default();
            content.fingerprints = fingerprints;
            content.warnings = report.warnings();
            Ok(content)
        }
        _ => Err(report),
    }
}

/// The folder's own `notice.toml`, if it has one (else the built-in rules apply), and
/// the hash of its bytes.
fn read_notice_rules(
    root: &Path,
    canonical_root: &Path,
    report: &mut Diagnostics,
    diags: &mut Vec<Diagnostic>,
) -> (Option<notice::NoticeRules>, u128) {
    let name = "notice.toml";
    match files::read_file(&root.join(name), canonical_root, files::SETTINGS_MAX) {
        Ok(bytes) => {
            let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
            match front_matter::decode(name, &bytes) {
                Ok(file) => {
                    let rules = notice::NoticeRules::parse(&file, diags);
                    report.add_source(file);
                    (Some(rules), hash)
                }
                Err((file, d)) => {
                    report.add_source(file);
                    diags.push(d);
                    (None, hash)
                }
            }
        }
        Err(files::Refusal::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => (None, 0),
        Err(refusal) => {
            diags.push(refusal.diagnostic(name));
            (None, 0)
        }
    }
}

/// The section headings a breach notice in `lang` needs, in order, from the folder's
/// `notice.toml` or the built-in rules: what `bulletin new --kind data-breach` writes.
/// The protective-measures section (what readers can do) is the checklist's own.
pub fn notice_headings(root: &Path, lang: &str) -> Vec<String> {
    let own = std::fs::read_to_string(root.join("notice.toml"))
        .ok()
        .map(|text| notice::NoticeRules::parse(&SourceFile::new("notice.toml", text), &mut Vec::new()));
    let rules = own.as_ref().unwrap_or_else(|| notice::NoticeRules::built_in());
    let lang = if rules.languages.contains_key(lang) { lang } else { "en" };
    notice::SECTIONS
        .iter()
        .filter(|(key, _)| *key != "what-you-can-do")
        .filter_map(|(key, _)| rules.heading(lang, key).map(str::to_string))
        .collect()
}

/// Reads and prepares one file of an advisory's folder, or takes the one prepared
/// before when its bytes are unchanged (re-encoding an image takes a while).
fn load_attachment(
    path: &Path,
    canonical_root: &Path,
    display: &str,
    name: &str,
    previous: &HashMap<&str, &Attachment>,
) -> Result<Attachment, Diagnostic> {
    let bytes = files::read_file(path, canonical_root, attachments::ATTACHMENT_MAX)
        .map_err(|refusal| refusal.diagnostic(display))?;
    let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
    if let Some(before) = previous.get(display).filter(|a| a.source_hash == hash) {
        return Ok((*before).clone());
    }
    attachments::prepare(display, name, &bytes)
        .map_err(|r| SourceFile::new(display, "").error(0..0, r.message).help(r.help))
}

/// What validating an advisory depends on: site.toml and measures.toml, by the hashes of their bytes.
fn context_hash(settings: u128, catalogue: u128) -> u128 {
    settings ^ catalogue.rotate_left(1)
}

/// Reads only `site.toml` (for commands that need the settings of a folder whose advisories may be broken).
pub fn load_settings(root: &Path) -> Result<Settings, Diagnostics> {
    let mut report = Diagnostics::default();
    let mut diags = Vec::new();
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let (file, _) = read_required(root, &canonical_root, "site.toml", &mut report, &mut diags);
    let settings = file.and_then(|f| settings::parse(&f, &mut diags));
    for d in diags {
        report.push(d);
    }
    match settings {
        Some(s) if !report.has_errors() => Ok(s),
        _ => Err(report),
    }
}
