//! Printable documents: the notice as HTML and Markdown, and the simulation comparison as
//! HTML, in English or Chinese. Every value is escaped for its format.

use continuity_shared::i18n::Lang;

use super::comparison::ComparisonResponse;
use super::notices::{AckCounts, NoticeResponse};
use crate::domain::lifecycle::ChangeStatus;

/// One label in the reader's language.
fn l(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

/// Text made safe for HTML content and attribute values.
pub fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Multi-line text in HTML: escaped, line breaks kept.
fn html_lines(raw: &str) -> String {
    escape_html(raw).replace('\n', "<br>")
}

/// Text made literal in Markdown (inline and in table cells): every punctuation mark that
/// Markdown or HTML could read is backslash-escaped, line breaks become `<br>`.
pub fn escape_markdown(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        match ch {
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn status(lang: Lang, s: ChangeStatus) -> &'static str {
    match s {
        ChangeStatus::Draft => l(lang, "draft", "草稿"),
        ChangeStatus::Approved => l(lang, "approved", "已批准"),
        ChangeStatus::Published => l(lang, "in force", "现行"),
        ChangeStatus::Superseded => l(lang, "superseded", "已被取代"),
    }
}

fn counts(lang: Lang, c: &AckCounts) -> String {
    let total = c.acknowledged + c.pending;
    match lang {
        Lang::En => format!(
            "{} of {} acknowledged, {} pending",
            c.acknowledged, total, c.pending
        ),
        Lang::ZhCn => format!(
            "已确认 {} / {}，待确认 {}",
            c.acknowledged, total, c.pending
        ),
    }
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;margin:2em;color:#111}\
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #999;padding:.4em;vertical-align:top;text-align:left}\
th{background:#eee}.before{background:#fff4f4}.after{background:#f2fff2}@media print{body{margin:0}}";

fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n{body}</body></html>\n",
        lang.tag(),
        escape_html(title)
    )
}

fn department_names(n: &NoticeResponse) -> Vec<String> {
    n.departments
        .iter()
        .map(|d| match &d.name {
            Some(name) => format!("{name} ({})", d.code),
            None => d.code.to_string(),
        })
        .collect()
}

pub fn notice_html(n: &NoticeResponse, lang: Lang) -> String {
    let mut b = String::new();
    b.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"kind\">{}</p>\n<table class=\"meta\">",
        escape_html(n.title.as_str()),
        l(lang, "Liaison notice of process changes", "流程变更联络单")
    ));
    let date = n
        .published_on
        .map(|d| d.to_string())
        .unwrap_or_else(|| l(lang, "not published", "未发布").into());
    for (k, v) in [
        (l(lang, "Number", "编号"), n.reference.clone()),
        (l(lang, "Date", "日期"), date),
        (
            l(lang, "Departments", "部门"),
            department_names(n).join(", "),
        ),
        (
            l(lang, "Acknowledgments", "确认情况"),
            counts(lang, &n.acknowledgments),
        ),
    ] {
        b.push_str(&format!(
            "<tr><th>{k}</th><td>{}</td></tr>",
            escape_html(&v)
        ));
    }
    b.push_str("</table>\n");
    for (i, c) in n.changes.iter().enumerate() {
        b.push_str(&format!(
            "<section class=\"change\"><h2>{}. {} — {}</h2>\n<table><tr><th class=\"before\">{}</th><th class=\"after\">{}</th></tr>\
<tr><td class=\"before\">{}</td><td class=\"after\">{}</td></tr></table>\n<table>\
<tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr></table></section>\n",
            i + 1,
            escape_html(c.process.as_str()),
            escape_html(c.step.as_str()),
            l(lang, "Before", "变更前"),
            l(lang, "After", "变更后"),
            html_lines(c.before.as_str()),
            html_lines(c.after.as_str()),
            l(lang, "Reason", "变更原因"),
            html_lines(c.reason.as_str()),
            l(lang, "Effective date", "生效日期"),
            c.effective_date,
            l(lang, "Departments", "部门"),
            escape_html(&c.departments.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
            l(lang, "Status", "状态"),
            status(lang, c.status),
        ));
    }
    b.push_str(&format!(
        "<h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th></tr>",
        l(lang, "Acknowledgment status", "确认情况"),
        l(lang, "Department", "部门"),
        l(lang, "Acknowledged", "已确认"),
    ));
    for (d, name) in n.departments.iter().zip(department_names(n)) {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td></tr>",
            escape_html(&name),
            escape_html(&counts(lang, &d.acknowledgments))
        ));
    }
    b.push_str("</table>\n");
    page(lang, &format!("{} {}", n.reference, n.title), &b)
}

pub fn notice_markdown(n: &NoticeResponse, lang: Lang) -> String {
    let mut m = String::new();
    let date = n
        .published_on
        .map(|d| d.to_string())
        .unwrap_or_else(|| l(lang, "not published", "未发布").into());
    m.push_str(&format!(
        "# {}\n\n{}\n\n- **{}**: {}\n- **{}**: {}\n- **{}**: {}\n- **{}**: {}\n",
        escape_markdown(n.title.as_str()),
        l(lang, "Liaison notice of process changes", "流程变更联络单"),
        l(lang, "Number", "编号"),
        escape_markdown(&n.reference),
        l(lang, "Date", "日期"),
        escape_markdown(&date),
        l(lang, "Departments", "部门"),
        escape_markdown(&department_names(n).join(", ")),
        l(lang, "Acknowledgments", "确认情况"),
        escape_markdown(&counts(lang, &n.acknowledgments)),
    ));
    for (i, c) in n.changes.iter().enumerate() {
        m.push_str(&format!(
            "\n## {}\\. {} — {}\n\n| {} | {} |\n| --- | --- |\n| {} | {} |\n\n- **{}**: {}\n- **{}**: {}\n- **{}**: {}\n",
            i + 1,
            escape_markdown(c.process.as_str()),
            escape_markdown(c.step.as_str()),
            l(lang, "Before", "变更前"),
            l(lang, "After", "变更后"),
            escape_markdown(c.before.as_str()),
            escape_markdown(c.after.as_str()),
            l(lang, "Reason", "变更原因"),
            escape_markdown(c.reason.as_str()),
            l(lang, "Effective date", "生效日期"),
            escape_markdown(&c.effective_date.to_string()),
            l(lang, "Status", "状态"),
            status(lang, c.status),
        ));
    }
    m.push_str(&format!(
        "\n## {}\n\n| {} | {} |\n| --- | --- |\n",
        l(lang, "Acknowledgment status", "确认情况"),
        l(lang, "Department", "部门"),
        l(lang, "Acknowledged", "已确认"),
    ));
    for (d, name) in n.departments.iter().zip(department_names(n)) {
        m.push_str(&format!(
            "| {} | {} |\n",
            escape_markdown(&name),
            escape_markdown(&counts(lang, &d.acknowledgments))
        ));
    }
    m
}

pub fn comparison_html(c: &ComparisonResponse, lang: Lang) -> String {
    let mut b = format!(
        "<h1>{}</h1>\n<table><tr><th>{}</th><th>{}</th><th class=\"before\">{}</th><th class=\"after\">{}</th><th>{}</th><th>{}</th></tr>",
        l(lang, "Process changes: before and after", "流程变更对照表"),
        l(lang, "Process", "流程"),
        l(lang, "Step", "步骤"),
        l(lang, "Before", "变更前"),
        l(lang, "After", "变更后"),
        l(lang, "Effective date", "生效日期"),
        l(lang, "Departments", "部门"),
    );
    for p in &c.processes {
        for s in &p.steps {
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"before\">{}</td><td class=\"after\">{}</td><td>{}</td><td>{}</td></tr>",
                escape_html(p.process.as_str()),
                escape_html(s.step.as_str()),
                html_lines(s.before.as_str()),
                html_lines(s.after.as_str()),
                s.effective_date,
                escape_html(&s.departments.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
            ));
        }
    }
    b.push_str("</table>\n");
    page(
        lang,
        l(lang, "Process changes: before and after", "流程变更对照表"),
        &b,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_leaves_no_markup() {
        assert_eq!(
            escape_html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn markdown_escaping_keeps_table_cells_whole() {
        assert_eq!(escape_markdown("a | b\n*c*"), "a \\| b<br>\\*c\\*");
        assert_eq!(escape_markdown("<b>审批</b>"), "\\<b\\>审批\\<\\/b\\>");
    }
}
