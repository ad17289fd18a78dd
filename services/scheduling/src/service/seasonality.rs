//! `GET /v1/attrition/seasonality`: the history read once, the statistics computed on the
//! blocking pool (they are pure functions of the spells).

use chrono::{Datelike, Months, NaiveDate};
use continuity_contract::DepartmentCode;
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::{FieldError, text};

use super::{SchError, SchResult};
use crate::db::spells;
use crate::domain::periods::Basis;
use crate::domain::seasonality::{Kind, Seasonality, Shrinkage, Span, seasonality, shrink};

/// The longest window analysed at once.
pub const MAX_YEARS: u32 = 50;
/// The default window: this many years up to the end of the last full month.
pub const DEFAULT_YEARS: u32 = 10;

#[derive(Debug, Clone)]
pub struct SeasonalityQuery {
    pub department: Option<DepartmentCode>,
    /// `None`: the basis that explains the history better.
    pub basis: Option<Basis>,
    pub kind: Kind,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct SeasonalityReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub department: Option<DepartmentCode>,
    pub result: Seasonality,
    /// AIC of each basis on the same history; lower explains it better.
    pub calendar_aic: f64,
    pub spring_festival_aic: f64,
    pub better: Basis,
    pub basis_requested: bool,
    pub shrinkage: Option<Shrinkage>,
}

fn invalid(field: &str, message: continuity_shared::i18n::Text) -> SchError {
    SchError::Invalid(vec![FieldError::new(field, message)])
}

/// The window `[from, to]`: by default the last full ten years (from the first record,
/// when the history is shorter).
pub fn window(
    q: &SeasonalityQuery,
    today: NaiveDate,
    first: Option<NaiveDate>,
) -> SchResult<(NaiveDate, NaiveDate)> {
    let month_start = today.with_day(1).unwrap_or(today);
    let to =
        q.to.unwrap_or(month_start.pred_opt().unwrap_or(month_start));
    let earliest = to
        .checked_sub_months(Months::new(12 * DEFAULT_YEARS))
        .and_then(|d| d.succ_opt())
        .unwrap_or(to);
    let from = q
        .from
        .unwrap_or_else(|| first.map_or(earliest, |f| f.max(earliest)));
    if from > to {
        return Err(invalid(
            "from",
            text!("must not be after `to`", "不得晚于 `to`"),
        ));
    }
    if to.year() - from.year() > MAX_YEARS as i32 {
        return Err(invalid(
            "from",
            text!(
                "the window may span at most {MAX_YEARS} years",
                "时间窗口最多 {MAX_YEARS} 年"
            ),
        ));
    }
    Ok((from, to))
}

fn out_of_range() -> SchError {
    invalid(
        "from",
        text!(
            "the Spring Festival basis covers 1901-02-19 to 2100; choose `from` and `to` inside it",
            "春节口径覆盖 1901-02-19 至 2100 年；请在此范围内选择 `from` 与 `to`"
        ),
    )
}

/// Figures for a window of spans on one basis.
pub fn compute(
    spans: &[Span],
    basis: Basis,
    kind: Kind,
    from: NaiveDate,
    to: NaiveDate,
) -> SchResult<Seasonality> {
    seasonality(spans, basis, kind, from, to).map_err(|_| out_of_range())
}

/// Reads the history and computes the report, in one read.
pub fn report_in(
    conn: &mut DbConnection,
    q: SeasonalityQuery,
    today: NaiveDate,
) -> SchResult<SeasonalityReport> {
    let first = spells::first_date(conn)?;
    let (from, to) = window(&q, today, first)?;
    let all = spells::load(conn, None, from, to)?;
    let spans_of = |dept: Option<&DepartmentCode>| -> Vec<Span> {
        all.iter()
            .filter(|s| dept.is_none_or(|d| *d == s.department))
            .map(|s| s.span())
            .collect()
    };
    let spans = spans_of(q.department.as_ref());
    let calendar = compute(&spans, Basis::Calendar, q.kind, from, to)?;
    let festival = compute(&spans, Basis::SpringFestival, q.kind, from, to);
    let (festival_aic, festival) = match festival {
        Ok(f) => (f.aic, Some(f)),
        // Outside the festival calendar: the calendar basis is the only one.
        Err(e) if q.basis == Some(Basis::SpringFestival) => return Err(e),
        Err(_) => (f64::INFINITY, None),
    };
    let better = if festival_aic < calendar.aic {
        Basis::SpringFestival
    } else {
        Basis::Calendar
    };
    let basis = q.basis.unwrap_or(better);
    let calendar_aic = calendar.aic;
    let result = match (basis, festival) {
        (Basis::SpringFestival, Some(f)) => f,
        _ => calendar,
    };
    let shrinkage = match &q.department {
        None => None,
        Some(_) => {
            let company = compute(&spans_of(None), result.basis, q.kind, from, to)?;
            Some(shrink(&result, &company))
        }
    };
    Ok(SeasonalityReport {
        from,
        to,
        department: q.department,
        better,
        basis_requested: q.basis.is_some(),
        result,
        calendar_aic,
        spring_festival_aic: festival_aic,
        shrinkage,
    })
}

pub async fn report(
    db: &Db,
    q: SeasonalityQuery,
    today: NaiveDate,
) -> SchResult<SeasonalityReport> {
    db.read(move |conn| report_in(conn, q, today)).await
}
