//! Cursor pagination: `?limit=` (default 50, max 500) and an opaque `?cursor=`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::text;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 500 (default 50). Read as text so that a bad value is
    /// reported under its own name.
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A validated page request: how many, and the sort key to start after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<String>,
}

impl PageQuery {
    pub fn parse(&self) -> ApiResult<PageRequest> {
        let limit = match self.limit.as_deref().map(str::parse::<i64>) {
            None => DEFAULT_LIMIT,
            Some(Ok(n)) => n,
            Some(Err(_)) => MAX_LIMIT + 1,
        };
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid_field(
                "limit",
                text!(
                    "must be between 1 and {MAX_LIMIT}",
                    "须在 1 到 {MAX_LIMIT} 之间"
                ),
            ));
        }
        let after = match &self.cursor {
            None => None,
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                ApiError::invalid_field(
                    "cursor",
                    text!(
                        "is not a cursor this service issued",
                        "不是本服务签发的游标"
                    ),
                )
            })?),
        };
        Ok(PageRequest { limit, after })
    }
}

impl PageQuery {
    /// Validates the page, loads up to `fetch()` rows after the cursor on the database's
    /// threads, and builds the page: the whole of a plain list endpoint but its query.
    pub async fn load<R, T, E>(
        &self,
        db: &crate::db::Db,
        query: impl FnOnce(&mut crate::db::DbConnection, &PageRequest) -> ApiResult<Vec<R>>
        + Send
        + 'static,
        key: impl Fn(&R) -> String,
        map: impl FnMut(R) -> Result<T, E>,
    ) -> ApiResult<Page<T>>
    where
        R: Send + 'static,
        E: Into<crate::ApiError>,
    {
        let page = self.parse()?;
        let request = page.clone();
        let rows = db.read(move |c| query(c, &request)).await?;
        Page::try_from_rows(rows, &page, key, map).map_err(Into::into)
    }
}

impl PageRequest {
    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

/// One page of a list, as every list of the suite is answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `fetch()` rows sorted by `key`.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        req: &PageRequest,
        key: impl Fn(&R) -> String,
        map: impl FnMut(R) -> T,
    ) -> Self {
        let more = rows.len() as i64 > req.limit;
        rows.truncate(req.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(&key(r)))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(map).collect(),
            next_cursor,
        }
    }
}

impl<T> Page<T> {
    /// Like [`Page::from_rows`], for rows that may fail to become values (a corrupt row).
    pub fn try_from_rows<R, E>(
        rows: Vec<R>,
        req: &PageRequest,
        key: impl Fn(&R) -> String,
        map: impl FnMut(R) -> Result<T, E>,
    ) -> Result<Self, E> {
        let page = Page::from_rows(rows, req, key, map);
        Ok(Page {
            items: page.items.into_iter().collect::<Result<_, E>>()?,
            next_cursor: page.next_cursor,
        })
    }
}

fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_to_50_and_refuses_more_than_500() {
        assert_eq!(PageQuery::default().parse().unwrap().limit, 50);
        let too_many = PageQuery {
            limit: Some("501".into()),
            cursor: None,
        };
        assert_eq!(
            too_many.parse().unwrap_err().field_errors()[0].field,
            "limit"
        );
    }

    #[test]
    fn a_limit_that_is_not_a_number_is_refused_by_name() {
        let q = PageQuery {
            limit: Some("ten".into()),
            cursor: None,
        };
        assert_eq!(q.parse().unwrap_err().field_errors()[0].field, "limit");
    }

    #[test]
    fn a_page_with_more_rows_than_the_limit_carries_a_cursor_to_the_last_item() {
        let req = PageQuery {
            limit: Some("2".into()),
            cursor: None,
        }
        .parse()
        .unwrap();
        let page = Page::from_rows(vec!["a", "b", "c"], &req, |r| r.to_string(), |r| r);
        assert_eq!(page.items, vec!["a", "b"]);
        let next = PageQuery {
            limit: Some("2".into()),
            cursor: page.next_cursor,
        }
        .parse()
        .unwrap();
        assert_eq!(next.after.as_deref(), Some("b"));
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let req = PageQuery {
            limit: Some("5".into()),
            cursor: None,
        }
        .parse()
        .unwrap();
        let page = Page::from_rows(vec![1, 2], &req, |r| r.to_string(), |r| r);
        assert!(page.next_cursor.is_none());
    }

    #[test]
    fn a_forged_cursor_is_refused() {
        let q = PageQuery {
            limit: None,
            cursor: Some("%%%".into()),
        };
        assert!(q.parse().is_err());
    }
}
