//! Languages the suite speaks (`Accept-Language`: zh-CN and en) and text in both.

use std::borrow::Cow;

use actix_web::HttpRequest;
use actix_web::http::header::{ACCEPT_LANGUAGE, HeaderMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    /// The caller's first acceptable language by quality; English when nothing matches.
    pub fn negotiate(headers: &HeaderMap) -> Lang {
        let Some(raw) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Lang::En;
        };
        accept_language::parse(raw)
            .iter()
            .find_map(|tag| {
                let tag = tag.to_ascii_lowercase();
                if tag == "zh" || tag.starts_with("zh-") {
                    Some(Lang::ZhCn)
                } else if tag == "en" || tag.starts_with("en-") {
                    Some(Lang::En)
                } else {
                    None
                }
            })
            .unwrap_or_default()
    }

    pub fn of(req: &HttpRequest) -> Lang {
        Lang::negotiate(req.headers())
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }
}

/// A piece of text in every language the suite speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub en: Cow<'static, str>,
    pub zh: Cow<'static, str>,
}

impl Text {
    pub fn new(en: impl Into<Cow<'static, str>>, zh: impl Into<Cow<'static, str>>) -> Self {
        Self {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        }
    }
}

/// `text!("english {x}", "中文 {x}")`: both languages formatted at once.
#[macro_export]
macro_rules! text {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::i18n::Text::new(format!($en), format!($zh))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn lang(raw: &str) -> Lang {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(raw).unwrap());
        Lang::negotiate(&headers)
    }

    #[test]
    fn chinese_is_chosen_when_preferred() {
        assert_eq!(lang("zh-CN,zh;q=0.9,en;q=0.8"), Lang::ZhCn);
        assert_eq!(lang("zh"), Lang::ZhCn);
    }

    #[test]
    fn quality_order_wins_over_header_order() {
        assert_eq!(lang("zh-CN;q=0.5, en;q=0.9"), Lang::En);
    }

    #[test]
    fn english_is_the_fallback() {
        assert_eq!(lang("fr-FR, de"), Lang::En);
        assert_eq!(Lang::negotiate(&HeaderMap::new()), Lang::En);
    }
}
