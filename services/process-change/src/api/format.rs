//! Which representation a request asks for by `Accept`: the first supported media type
//! it names (JSON when it names none).

use actix_web::HttpRequest;
use actix_web::http::header;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
    Markdown,
    Csv,
}

impl Format {
    fn media(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Html => "text/html",
            Format::Markdown => "text/markdown",
            Format::Csv => "text/csv",
        }
    }

    /// The content type of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Html => "text/html; charset=utf-8",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The format of `offered` that `Accept` prefers: highest quality, then listed first;
/// JSON when `Accept` is absent, unreadable or names none of them.
pub fn negotiate(req: &HttpRequest, offered: &[Format]) -> Format {
    let Some(raw) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Format::Json;
    };
    let mut best: Option<(f32, usize, Format)> = None;
    for (i, part) in raw.split(',').enumerate() {
        let mut pieces = part.split(';');
        let media = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let Some(f) = offered.iter().find(|f| f.media() == media) else {
            continue;
        };
        if best.is_none_or(|(bq, _, _)| q > bq) {
            best = Some((q, i, *f));
        }
    }
    best.map(|(_, _, f)| f).unwrap_or(Format::Json)
}
