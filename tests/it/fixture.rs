//! A chaining builder for advisories folders in a temporary directory.

use std::path::{Path, PathBuf};

use bulletin::content::{self, Content};
use bulletin::diagnostics::Diagnostic;

pub(crate) const SITE_TOML: &str = r#"title = "Test Advisories"
description = "Advisories for tests."
base_url = "https://advisories.test/"
id_prefix = "PK"
default_language = "en"
languages = ["en", "ur"]
contact_email = "help@advisories.test"
security_email = "security@advisories.test"
never_ask = ["your password"]

[license]
name = "CC BY 4.0"
url = "https://creativecommons.org/licenses/by/4.0/"

[[channels]]
name = "This website"
url = "https://advisories.test/"

[translations.ur]
title = "ٹیسٹ ایڈوائزریز"
description = "ٹیسٹ کے لیے ایڈوائزریز۔"
never_ask = ["آپ کا پاس ورڈ"]
channels = [{ name = "یہ ویب سائٹ", url = "https://advisories.test/" }]
"#;

/// The Urdu words of [`MEASURES_TOML`].
pub(crate) const MEASURES_UR_TOML: &str = r#"[classes.passwords]
label = "پاس ورڈ"
description = "آن لائن اکاؤنٹس کے پاس ورڈ۔"

[classes.phone-numbers]
label = "فون نمبر"
description = "موبائل نمبر۔"

[measures]
change-passwords = "کسی صاف ڈیوائس سے اپنے پاس ورڈ بدلیں۔"
two-step = "دو مرحلوں والی تصدیق آن کریں۔"
no-otp = "ایک بار استعمال ہونے والا کوڈ کبھی کسی کو نہ بتائیں۔"
"#;

pub(crate) const MEASURES_TOML: &str = r#"[passwords]
label = "Passwords"
description = "Passwords for online accounts."

[[passwords.measures]]
id = "change-passwords"
urgency = "now"
text = "Change your passwords from a clean device."

[[passwords.measures]]
id = "two-step"
urgency = "this-week"
text = "Turn on two-step verification."

[phone-numbers]
label = "Phone numbers"
description = "Mobile numbers."

[[phone-numbers.measures]]
id = "no-otp"
urgency = "now"
text = "Never share a one-time code."

[[phone-numbers.measures]]
id = "two-step"
"#;

/// A valid advisory with the given id; `extra` lines are added to the front matter.
pub(crate) fn advisory(id: &str, extra: &str) -> String {
    format!(
        r#"+++
id = "{id}"
title = "Test advisory {id}"
kind = "data-breach"
published = 2025-07-27T09:00:00Z
severity = "high"
status = "active"
summary = "A short summary."
data = ["passwords"]
affected = "Customers"
{extra}+++

## What happened

Something.

## Protective measures

- [ ] Do the first thing.

## What we are doing

We are working with the operator.
"#
    )
}

/// A folder with one valid advisory whose body paragraph is `body`.
pub(crate) fn with_body(body: &str) -> Fixture {
    Fixture::new().file("2025/PK-2025-0001.md", advisory("PK-2025-0001", "").replace("Something.", body))
}

pub(crate) struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// A folder with site.toml and measures.toml and no advisory.
    pub(crate) fn new() -> Self {
        let f = Self { dir: tempfile::tempdir().expect("tempdir") };
        f.file("site.toml", SITE_TOML).file("measures.toml", MEASURES_TOML).file("measures.ur.toml", MEASURES_UR_TOML)
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn file(self, rel: &str, text: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub(crate) fn symlink(self, rel: &str, target: &Path) -> Self {
        let path: PathBuf = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
        self
    }

    pub(crate) fn load(&self) -> Result<Content, Vec<Diagnostic>> {
        content::load(self.path()).map_err(|d| d.items().to_vec())
    }

    /// The errors as `path:line:col: message` lines.
    pub(crate) fn errors(&self) -> Vec<String> {
        match self.load() {
            Ok(_) => Vec::new(),
            Err(d) => d
                .iter()
                .filter(|d| d.level == bulletin::diagnostics::Level::Error)
                .map(|d| format!("{}:{}:{}: {}", d.path, d.line, d.column, d.message))
                .collect(),
        }
    }

    /// The warnings as `path:line:col: message` lines (the content may load or not).
    pub(crate) fn warnings(&self) -> Vec<String> {
        let diagnostics = match content::load(self.path()) {
            Ok(c) => c.warnings.items().to_vec(),
            Err(d) => d.items().to_vec(),
        };
        diagnostics
            .iter()
            .filter(|d| d.level == bulletin::diagnostics::Level::Warning)
            .map(|d| format!("{}:{}:{}: {}", d.path, d.line, d.column, d.message))
            .collect()
    }
}

/// The shipped sample advisories.
pub(crate) fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories")
}

/// A fixed instant after every sample's publication and before the embargoed one.
pub(crate) const NOW: &str = "2026-11-25T00:00:00Z";

/// Runs `bulletin build` and returns its output folder (inside a temp dir kept alive by the caller).
pub(crate) fn build(dir: &Path, now: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("public");
    let status = run_build(dir, &out, &["--now", now]);
    assert!(status.status.success(), "build failed: {}", String::from_utf8_lossy(&status.stderr));
    (tmp, out)
}

/// Runs `bulletin build --dir DIR --out OUT EXTRA…` and returns what it did.
pub(crate) fn run_build(dir: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bulletin"))
        .args(["build", "--dir"])
        .arg(dir)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run bulletin")
}

/// Every file under `dir` (relative path, bytes), compressed copies excluded.
pub(crate) fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("gz" | "br")) {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A copy of the samples outside any git repository, so output does not depend on commits.
pub(crate) fn samples_copy() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() { copy(&path, &target) } else { std::fs::copy(&path, &target).map(|_| ()).unwrap() }
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    copy(&samples_dir(), tmp.path());
    tmp
}
