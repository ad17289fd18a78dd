//! The printable notice as a reader sees it: the HTML opened in headless Chromium, in
//! Chinese and in English, its text read from the DOM the browser built, and a screenshot.
//!
//! Chromium (and, for Chinese, a CJK font: Debian's `fonts-noto-cjk`) may be missing on a
//! newcomer's machine: the test then says so and passes, unless
//! `CONTINUITY_REQUIRE_CHROMIUM=1` (set by `.ci/run`) makes the absence a failure.

use std::path::PathBuf;
use std::process::Command;

use continuity_shared::auth::Role;
use continuity_shared::testing::tools::{self, browser};
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

/// Two changes whose texts must be found in the rendered page, with characters that
/// HTML escapes, so the browser's decoding is part of what is checked.
const CHANGES: [(&str, &str, &str); 2] = [
    (
        "审批折扣",
        "纸质表单由关键用户手工签字 & 归档",
        "在 CRM 中审批 <自动通知财务>",
    ),
    (
        "Invoice check",
        "Finance retypes the invoice from e-mail",
        "The CRM posts the invoice to \"ERP\" directly",
    ),
];

/// Whether fontconfig resolves Simplified Chinese to a CJK font (else Chinese is tofu).
fn cjk_font() -> bool {
    Command::new("fc-match")
        .args(["-f", "%{family}", "sans-serif:lang=zh-cn"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("CJK"))
}

/// The text of a serialized DOM: tags dropped (with `<style>`/`<script>` content),
/// character references decoded, whitespace collapsed.
fn text_of(dom: &str) -> String {
    let mut out = String::new();
    let mut rest = dom;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push(' ');
        let tail = &rest[start..];
        let skip_to = ["style", "script"]
            .iter()
            .find(|t| tail.starts_with(&format!("<{t}")))
            .and_then(|t| tail.find(&format!("</{t}>")));
        let from = skip_to.unwrap_or(0);
        rest = match tail[from..].find('>') {
            Some(end) => &tail[from + end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[actix_web::test]
async fn the_notice_renders_in_headless_chromium_in_chinese_and_english_with_every_before_and_after()
 {
    let Some(exe) = tools::find_or_skip(
        "CHROMIUM",
        tools::chromium,
        "apt-get install chromium fonts-noto-cjk",
    ) else {
        return;
    };
    let cjk = cjk_font();
    assert!(
        cjk || !tools::required("CHROMIUM"),
        "no CJK font: Chinese would render as empty boxes (apt-get install fonts-noto-cjk)"
    );

    let app = spawn().await;
    staff(&app, "sales", "S", 3).await;
    staff(&app, "finance", "F", 2).await;
    let p = project(&app).await;
    let mut ids = Vec::new();
    for (step, before, after) in CHANGES {
        let mut body = change_body(step, &["sales", "finance"]);
        body["before"] = json!(before);
        body["after"] = json!(after);
        let res = send(
            &app,
            Role::Documenter,
            Method::POST,
            &format!("/v1/projects/{p}/process-changes"),
            Some(body),
        )
        .await;
        let (code, c) = json_of(res).await;
        assert_eq!(code, 201, "{c}");
        let id = c["change_id"].as_str().unwrap().to_owned();
        approve(&app, &id).await;
        ids.push(id);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let n = notice(&app, &p, &refs).await;
    publish(&app, &n).await;

    let work = tempfile::tempdir().unwrap();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for (lang, headings) in [
        ("zh-CN", ["流程变更联络单", "变更前", "变更后", "确认情况"]),
        (
            "en",
            [
                "Liaison notice of process changes",
                "Before",
                "After",
                "Acknowledgments",
            ],
        ),
    ] {
        // The notice needs a token: the browser opens the HTML the service answered.
        let html = app
            .as_role(Role::Manager, Method::GET, &format!("/v1/notices/{n}"))
            .header("accept", "text/html")
            .header("accept-language", lang)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let page = work.path().join(format!("notice-{lang}.html"));
        std::fs::write(&page, &html).unwrap();
        let url = format!("file://{}", page.display());
        let profile = work.path().join(format!("profile-{lang}"));

        let out = browser(&exe, &profile)
            .args(["--virtual-time-budget=5000", "--dump-dom", &url])
            .output()
            .unwrap();
        assert!(out.status.success(), "chromium --dump-dom: {out:?}");
        let dom = String::from_utf8(out.stdout).unwrap();
        // The parser's own additions prove this is the browser's DOM, not the file.
        assert!(
            dom.contains("<tbody>") && !html.contains("<tbody>"),
            "{lang}: not a rendered DOM: {dom}"
        );
        let text = text_of(&dom);
        for h in headings {
            assert!(text.contains(h), "{lang}: no {h:?} in {text}");
        }
        assert!(text.contains("LN-0001"), "{lang}: {text}");
        for (step, before, after) in CHANGES {
            let (b, a, s) = (
                text.find(before)
                    .unwrap_or_else(|| panic!("{lang}: no {before:?} in {text}")),
                text.find(after)
                    .unwrap_or_else(|| panic!("{lang}: no {after:?} in {text}")),
                text.find(step)
                    .unwrap_or_else(|| panic!("{lang}: no {step:?} in {text}")),
            );
            // Under its own heading, before then after.
            assert!(s < b && b < a, "{lang}: {step}: {s} {b} {a} in {text}");
        }

        let shot = shots.join(format!("process-change-notice-{lang}.png"));
        let _ = std::fs::remove_file(&shot);
        let out = browser(&exe, &profile)
            .arg(format!("--screenshot={}", shot.display()))
            .arg(&url)
            .output()
            .unwrap();
        assert!(out.status.success(), "chromium --screenshot: {out:?}");
        let png = std::fs::read(&shot).unwrap();
        assert!(
            png.len() > 1000 && png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{lang}: {} is not a PNG screenshot ({} bytes)",
            shot.display(),
            png.len()
        );
        eprintln!(
            "{lang}: screenshot {} ({} bytes)",
            shot.display(),
            png.len()
        );
    }
    if !cjk {
        eprintln!("note: no CJK font installed; the Chinese screenshot shows empty boxes");
    }
}

#[test]
fn the_text_of_a_dom_drops_tags_and_styles_and_decodes_references() {
    let dom = "<html><head><style>td{color:red}</style></head><body><h1>A &amp; B</h1>\
<table><tbody><tr><td>x &lt;y&gt;</td><td>\"z\"</td></tr></tbody></table></body></html>";
    assert_eq!(text_of(dom), "A & B x <y> \"z\"");
}
