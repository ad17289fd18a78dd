//! What to answer to a `GET` of stored content, from its size and validators and the
//! request's `If-None-Match`, `Range` and `If-Range`: the rules of RFC 9110 for one range.

/// The answer to give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// 304: the client's copy is current.
    NotModified,
    /// 200 with the whole content.
    Full,
    /// 206 with bytes `start..=end`.
    Partial { start: u64, end: u64 },
    /// 416: no byte of the range exists.
    Unsatisfiable,
}

/// The validators of one stored content.
#[derive(Debug, Clone, Copy)]
pub struct Validators<'a> {
    /// The quoted strong entity tag, e.g. `"sha256-ab12..."`.
    pub etag: &'a str,
    /// The IMF-fixdate of `Last-Modified`.
    pub last_modified: &'a str,
}

/// Whether an `If-None-Match` list names the tag (weak comparison), or is `*`.
fn none_match_hits(header: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    header.trim() == "*" || header.split(',').any(|t| bare(t) == bare(etag))
}

/// Decides the answer. A malformed `Range` is ignored (the whole content), as RFC 9110
/// asks; of several ranges the first is served.
pub fn decide(
    size: u64,
    v: Validators<'_>,
    if_none_match: Option<&str>,
    range: Option<&str>,
    if_range: Option<&str>,
) -> Delivery {
    if if_none_match.is_some_and(|h| none_match_hits(h, v.etag)) {
        return Delivery::NotModified;
    }
    let Some(range) = range else {
        return Delivery::Full;
    };
    if let Some(cond) = if_range {
        // A strong tag must match exactly; a date must be the Last-Modified exactly.
        let cond = cond.trim();
        if cond != v.etag && cond != v.last_modified {
            return Delivery::Full;
        }
    }
    match parse_first_range(range, size) {
        Some(Some((start, end))) => Delivery::Partial { start, end },
        Some(None) => Delivery::Unsatisfiable,
        None => Delivery::Full,
    }
}

/// `None`: not a byte range (ignored); `Some(None)`: unsatisfiable; else the inclusive
/// bounds within `size`.
fn parse_first_range(header: &str, size: u64) -> Option<Option<(u64, u64)>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    let first = spec.split(',').next()?.trim();
    let (a, b) = first.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 || size == 0 {
            return Some(None);
        }
        return Some(Some((size.saturating_sub(n), size - 1)));
    }
    let start: u64 = a.parse().ok()?;
    let end: Option<u64> = if b.is_empty() {
        None
    } else {
        Some(b.parse().ok()?)
    };
    if let Some(e) = end
        && e < start
    {
        return None;
    }
    if start >= size {
        return Some(None);
    }
    let end = end.map_or(size - 1, |e| e.min(size - 1));
    Some(Some((start, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Validators<'static> = Validators {
        etag: "\"sha256-ab\"",
        last_modified: "Sat, 28 Nov 2026 02:00:00 GMT",
    };

    fn range(r: &str) -> Delivery {
        decide(1000, V, None, Some(r), None)
    }

    #[test]
    fn first_bytes_middle_suffix_and_open_end_are_served_in_bounds() {
        assert_eq!(range("bytes=0-99"), Delivery::Partial { start: 0, end: 99 });
        assert_eq!(
            range("bytes=500-599"),
            Delivery::Partial {
                start: 500,
                end: 599
            }
        );
        assert_eq!(
            range("bytes=-500"),
            Delivery::Partial {
                start: 500,
                end: 999
            }
        );
        assert_eq!(
            range("bytes=-5000"),
            Delivery::Partial { start: 0, end: 999 }
        );
        assert_eq!(
            range("bytes=900-"),
            Delivery::Partial {
                start: 900,
                end: 999
            }
        );
        assert_eq!(
            range("bytes=900-5000"),
            Delivery::Partial {
                start: 900,
                end: 999
            }
        );
        assert_eq!(
            range("bytes=0-0, 5-9"),
            Delivery::Partial { start: 0, end: 0 }
        );
    }

    #[test]
    fn ranges_past_the_end_are_unsatisfiable_and_malformed_ones_ignored() {
        assert_eq!(range("bytes=1000-"), Delivery::Unsatisfiable);
        assert_eq!(range("bytes=-0"), Delivery::Unsatisfiable);
        for bad in ["bytes=9-1", "items=0-1", "bytes=a-b", "bytes=-"] {
            assert_eq!(range(bad), Delivery::Full, "{bad}");
        }
    }

    #[test]
    fn a_current_tag_is_not_modified_and_a_stale_if_range_gets_everything() {
        assert_eq!(
            decide(1000, V, Some("\"x\", \"sha256-ab\""), None, None),
            Delivery::NotModified
        );
        assert_eq!(
            decide(1000, V, Some("W/\"sha256-ab\""), None, None),
            Delivery::NotModified
        );
        assert_eq!(
            decide(1000, V, Some("\"other\""), None, None),
            Delivery::Full
        );
        let r = Some("bytes=0-9");
        assert_eq!(decide(1000, V, None, r, Some("\"old\"")), Delivery::Full);
        assert_eq!(
            decide(1000, V, None, r, Some("\"sha256-ab\"")),
            Delivery::Partial { start: 0, end: 9 }
        );
        assert_eq!(
            decide(1000, V, None, r, Some(V.last_modified)),
            Delivery::Partial { start: 0, end: 9 }
        );
    }
}
