//! The README's demo walkthrough, run exactly as written. (A test of the root package, kept
//! here with the other cross-service tests; it needs the root binaries `continuity` and
//! `continuity-cli`, which only the root package's tests are given.)
//!
//! A fresh `continuity --demo` runs on a temporary data directory and free ports (and on
//! PostgreSQL when `CONTINUITY_TEST_POSTGRES_URL` names a server). Every ```` ```sh
//! walkthrough ```` block of the README is run, in order, by one `bash` with the same
//! settings and `continuity-cli` on its `PATH`. Each command's output must hold what its
//! `# =>` lines show, in that order, `…` standing for whatever varies (ids, dates).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use continuity_shared::testing::TestDatabase;

const MARKER: &str = "@@walkthrough-step@@";

/// One command (or several lines run together) and the output it must show.
#[derive(Debug, PartialEq)]
struct Step {
    script: String,
    expected: Vec<String>,
}

/// The steps of every ```` ```sh walkthrough ```` block. An expectation is a `# => ` line and
/// the comment lines indented under it; other comments are explanations.
fn walkthrough(readme: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut inside = false;
    let mut expecting = false;
    for line in readme.lines() {
        let trimmed = line.trim_end();
        if !inside {
            inside = trimmed == "```sh walkthrough";
            continue;
        }
        if trimmed == "```" {
            inside = false;
            expecting = false;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("# => ") {
            if let Some(step) = steps.last_mut() {
                step.expected.push(rest.trim().to_owned());
            }
            expecting = true;
        } else if expecting && trimmed.starts_with("#   ") {
            if let Some(step) = steps.last_mut() {
                step.expected.push(trimmed[1..].trim().to_owned());
            }
        } else if trimmed.starts_with('#') || trimmed.is_empty() {
            expecting = false;
        } else {
            // A command; the lines after one ending in `\` or `|` belong to it.
            let continues = steps.last().is_some_and(|s| {
                let end = s.script.trim_end();
                s.expected.is_empty() && (end.ends_with('\\') || end.ends_with('|'))
            });
            match steps.last_mut() {
                Some(step) if continues => {
                    step.script.push_str(line);
                    step.script.push('\n');
                }
                _ => steps.push(Step {
                    script: format!("{line}\n"),
                    expected: Vec::new(),
                }),
            }
            expecting = false;
        }
    }
    steps
}

/// Where `expected` (its `…` standing for anything) is found in `output` from `from`: the
/// end of the match.
fn find(output: &str, expected: &str, from: usize) -> Option<usize> {
    let mut at = from;
    for fragment in expected.split('…').map(str::trim).filter(|f| !f.is_empty()) {
        at += output.get(at..)?.find(fragment)? + fragment.len();
    }
    Some(at)
}

/// The problems with `output` for `step`, if any: each expectation found after the last.
fn check(step: &Step, output: &str) -> Option<String> {
    let mut at = 0;
    for expected in &step.expected {
        match find(output, expected, at) {
            Some(end) => at = end,
            None => {
                return Some(format!(
                    "`{}` did not show `{expected}` (after byte {at}) in:\n{output}",
                    step.script.trim()
                ));
            }
        }
    }
    None
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// Waits for the demo to say it is ready; its output so far when it fails instead.
fn wait_for_demo(child: &mut std::process::Child, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains("Demo data ready") {
            return;
        }
        assert!(
            !text.contains("demo data failed"),
            "the demo failed:\n{text}"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("continuity --demo exited ({status}):\n{text}");
        }
        assert!(Instant::now() < deadline, "the demo is not ready:\n{text}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_readme_walkthrough_runs_as_written_on_a_fresh_demo() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let steps = walkthrough(&readme);
    assert!(
        steps.len() >= 8,
        "the README's walkthrough has {} steps",
        steps.len()
    );

    let data = TestDatabase::new();
    let dir = data.dir();
    let mut env: Vec<(String, String)> = vec![
        (
            "CONTINUITY_DATA_DIR".into(),
            dir.join("data").display().to_string(),
        ),
        ("CONTINUITY_LOG__LEVEL".into(), "warn".into()),
        ("CONTINUITY_HTTP__WORKERS".into(), "2".into()),
    ];
    let mut databases = Vec::new();
    for section in [
        "STAFFING",
        "TRAINING_RECORD",
        "PROCESS_CHANGE",
        "SCHEDULING",
    ] {
        env.push((
            format!("CONTINUITY_{section}__PORT"),
            free_port().to_string(),
        ));
        // On SQLite the default file under the data directory, as a newcomer has it.
        if std::env::var("CONTINUITY_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
            let db = TestDatabase::new();
            env.push((
                format!("CONTINUITY_{section}__DATABASE_URL"),
                db.url.clone(),
            ));
            databases.push(db);
        }
    }
    let log = dir.join("demo.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_continuity"))
        .arg("--demo")
        .envs(env.iter().cloned())
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_for_demo(&mut demo, &log);
        run_steps(&steps, &env, &dir);
    }));
    let _ = demo.kill();
    let _ = demo.wait();
    if let Err(e) = result {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        eprintln!("the demo's output:\n{text}");
        std::panic::resume_unwind(e);
    }
}

fn run_steps(steps: &[Step], env: &[(String, String)], dir: &Path) {
    let mut script = String::from("set -euo pipefail\nexec 2>&1\n");
    for step in steps {
        script.push_str(&format!("echo {MARKER}\n{}", step.script));
    }
    let cli = Path::new(env!("CARGO_BIN_EXE_continuity-cli"));
    let path = format!(
        "{}:{}",
        cli.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .envs(env.iter().cloned())
        .env("PATH", path)
        .env_remove("CONTINUITY_ADMIN_TOKEN")
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let outputs: Vec<&str> = text.split(&format!("{MARKER}\n")).skip(1).collect();
    assert!(
        output.status.success() && outputs.len() == steps.len(),
        "the walkthrough stopped ({}) after {} of {} steps:\n{text}",
        output.status,
        outputs.len(),
        steps.len()
    );
    for (step, out) in steps.iter().zip(&outputs) {
        if let Some(problem) = check(step, out) {
            panic!("{problem}");
        }
    }
}

#[test]
fn walkthrough_blocks_split_into_commands_and_their_expected_output() {
    let readme = "text\n```sh\nnot this\n```\n```sh walkthrough\n# why\nA=1 \\\n  B=2\n\
                  # => one … two\n#    three\n# a remark\necho x\n```\n";
    let steps = walkthrough(readme);
    assert_eq!(
        steps,
        vec![
            Step {
                script: "A=1 \\\n  B=2\n".into(),
                expected: vec!["one … two".into(), "three".into()],
            },
            Step {
                script: "echo x\n".into(),
                expected: vec![],
            },
        ]
    );
}

#[test]
fn expectations_match_in_order_with_ellipses_for_what_varies() {
    let step = Step {
        script: "x".into(),
        expected: vec!["a … c".into(), "d".into()],
    };
    assert_eq!(check(&step, "a b c d"), None);
    assert!(check(&step, "a b d c").is_some());
    assert!(check(&step, "c a").is_some());
}
