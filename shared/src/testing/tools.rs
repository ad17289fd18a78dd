//! Programs some tests drive (headless Chromium, ffmpeg) that a newcomer's machine may
//! lack: such a test says so and passes, unless its `CONTINUITY_REQUIRE_*=1` variable
//! (set by `.ci/run`) makes the absence a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `CONTINUITY_REQUIRE_{name}=1` asks for the tool (e.g. `CHROMIUM`, `FFMPEG`).
pub fn required(name: &str) -> bool {
    std::env::var(format!("CONTINUITY_REQUIRE_{name}")).is_ok_and(|v| v == "1")
}

/// The first of `names` found on the PATH.
pub fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|p| p.is_file())
}

/// The Chromium executable on the PATH, if any.
pub fn chromium() -> Option<PathBuf> {
    on_path(&["chromium", "chromium-browser", "google-chrome"])
}

/// The ffmpeg executable on the PATH, if any.
pub fn ffmpeg() -> Option<PathBuf> {
    on_path(&["ffmpeg"])
}

/// The tool `find` returns, or `None` after saying why the test is skipped; panics when
/// `CONTINUITY_REQUIRE_{name}=1` and the tool is missing.
pub fn find_or_skip(name: &str, find: fn() -> Option<PathBuf>, install: &str) -> Option<PathBuf> {
    let found = find();
    if found.is_none() {
        assert!(
            !required(name),
            "CONTINUITY_REQUIRE_{name}=1 but it is not on the PATH"
        );
        eprintln!(
            "skipped: no {} on the PATH ({install})",
            name.to_lowercase()
        );
    }
    found
}

/// Chromium headless with a fresh profile and no network beyond the page.
pub fn browser(exe: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1000,1400",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}
