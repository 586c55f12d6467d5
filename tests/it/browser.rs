//! The sample build judged by real tools: every page valid for the Nu HTML Checker,
//! and the browser checks of tests/browser/check.mjs in Debian's chromium (axe-core,
//! checklist persistence, picker, JavaScript off). `tests/browser/install.sh`
//! installs the tools; in CI (`CI` set) a missing tool fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixture::{NOW, build, samples_dir};

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// True when the tools are there; otherwise skips locally and fails in CI.
fn tools_present(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{what} is missing in CI: .ci/run must run tests/browser/install.sh");
    eprintln!("SKIPPED: {what} is missing; run tests/browser/install.sh");
    false
}

#[test]
fn every_page_is_valid_html() {
    let vnu = browser_dir().join("node_modules/vnu-jar/build/dist/vnu.jar");
    let java = Command::new("java").arg("-version").output().is_ok_and(|o| o.status.success());
    if !tools_present("the Nu HTML Checker (vnu.jar and java)", vnu.is_file() && java) {
        return;
    }
    let (_tmp, out) = build(&samples_dir(), NOW);
    let output = Command::new("java")
        .arg("-jar")
        .arg(&vnu)
        .args(["--format", "json", "--skip-non-html", "--also-check-svg"])
        .arg(&out)
        .output()
        .expect("run vnu");
    let report: serde_json::Value = serde_json::from_slice(&output.stderr)
        .unwrap_or_else(|_| panic!("vnu output is not JSON: {}", String::from_utf8_lossy(&output.stderr)));
    let errors: Vec<String> = report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "error" || m["subType"] == "fatal")
        .map(|m| format!("{} L{}: {}", m["url"], m["lastLine"], m["message"]))
        .collect();
    assert!(errors.is_empty(), "vnu errors:\n{}", errors.join("\n"));
    let checked = walk_html(&out);
    assert!(checked > 50, "only {checked} pages");
}

fn walk_html(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { walk_html(&p) } else { usize::from(p.extension().is_some_and(|e| e == "html")) })
        .sum()
}

#[test]
fn pages_work_in_a_real_browser() {
    let modules = browser_dir().join("node_modules/playwright-core");
    if !tools_present("chromium and playwright-core", modules.is_dir() && Path::new("/usr/bin/chromium").exists()) {
        return;
    }
    let (_tmp, out) = build(&samples_dir(), NOW);
    let output = Command::new("node").arg(browser_dir().join("check.mjs")).arg(&out).output().expect("run node");
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "browser checks failed:\n{log}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(log.contains(", 0 failed"), "{log}");
}
