//! `GET /v1/attrition/seasonality`

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Days, NaiveDate};
use continuity_contract::DepartmentCode;
use continuity_shared::auth::Caller;
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::docs::Problem;
use continuity_shared::i18n::Lang;
use continuity_shared::ids::id_error_text;
use continuity_shared::{ApiError, ApiResult, text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::READERS;
use crate::domain::periods::Basis;
use crate::domain::seasonality::{DAYS_PER_MONTH, Kind};
use crate::service::seasonality::{self, SeasonalityQuery, SeasonalityReport};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeasonalityParams {
    /// Only this department's spells, shrunk toward the company's pattern.
    #[param(value_type = Option<DepartmentCode>)]
    pub department: Option<String>,
    /// `calendar` or `spring_festival`; default: the one that explains the history better.
    #[param(value_type = Option<Basis>)]
    pub basis: Option<String>,
    /// `departures` (default) or `hires`.
    #[param(value_type = Option<Kind>)]
    pub kind: Option<String>,
    /// First day of the window (default: ten years before `to`, or the first record).
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Last day of the window (default: the end of the last full month).
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
}

/// One period (a calendar month, or 28 days counted from the Spring Festival).
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodResponse {
    /// 0-based: January is 0; on the festival basis 0 is the festival's first four weeks.
    pub period: usize,
    pub label: String,
    /// Departures (or hires) in the period, all years together: the sample size.
    pub events: u64,
    /// People employed on an average day of the period.
    pub average_headcount: f64,
    /// Person-months at risk (person-days / 30.44).
    pub exposure_person_months: f64,
    /// Events per person per month.
    pub rate: f64,
    /// 95% interval of `rate` (Poisson, Byar's approximation).
    pub rate_low: f64,
    pub rate_high: f64,
    /// `rate` over the pooled rate of the window (1 = an average period).
    pub index: f64,
    pub index_low: f64,
    pub index_high: f64,
    /// One-sided p-value of "more events than the period's share of the exposure".
    pub p_value: f64,
    pub peak: bool,
    /// With `department`: the rate after borrowing from the company's pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shrunk_rate: Option<f64>,
    /// With `department`: the share of `shrunk_rate` that came from the company (0-1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub borrowed: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Occurrence {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeakResponse {
    pub period: usize,
    pub label: String,
    pub index: f64,
    /// The peak's real dates in the coming two years.
    pub projected: Vec<Occurrence>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BasisComparison {
    /// AIC = 2·periods − 2·lnL of a hazard constant within each period, on the same
    /// dated events and person-days; lower explains the history better.
    pub calendar_aic: f64,
    /// `null` when the window lies outside the festival calendar (1901-2100).
    pub spring_festival_aic: Option<f64>,
    pub better: Basis,
    pub criterion: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShrinkageResponse {
    /// Share of the department's estimates taken from the company's pattern (0-1),
    /// averaged over periods by expected events.
    pub borrowed: f64,
    /// The Gamma prior's strength `a` (pseudo-events); `null` means infinite: the
    /// department varies no more than chance, so its shape is the company's.
    pub prior_strength: Option<f64>,
    pub method: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeasonalityResponse {
    pub basis: Basis,
    pub kind: Kind,
    pub department: Option<DepartmentCode>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub events: u64,
    pub exposure_person_months: f64,
    /// Events per person per month over the whole window.
    pub pooled_rate: f64,
    pub periods: Vec<PeriodResponse>,
    pub peaks: Vec<PeakResponse>,
    pub peak_rule: String,
    pub comparison: BasisComparison,
    pub shrinkage: Option<ShrinkageResponse>,
}

impl SeasonalityResponse {
    pub(crate) fn new(r: &SeasonalityReport, today: NaiveDate, lang: Lang) -> Self {
        let s = &r.result;
        let pick = |(en, zh): (String, String)| if lang == Lang::ZhCn { zh } else { en };
        let label = |p: usize| pick(s.basis.label(p));
        let periods = s
            .periods
            .iter()
            .map(|p| {
                let shrunk = r.shrinkage.as_ref().map(|k| k.periods[p.period]);
                let of_pooled = |x: f64| {
                    if s.pooled_rate > 0.0 {
                        x / s.pooled_rate
                    } else {
                        0.0
                    }
                };
                PeriodResponse {
                    period: p.period,
                    label: label(p.period),
                    events: p.events,
                    average_headcount: p.average_headcount(),
                    exposure_person_months: p.exposure_days / DAYS_PER_MONTH,
                    rate: p.rate,
                    rate_low: p.rate_low,
                    rate_high: p.rate_high,
                    index: p.index,
                    index_low: of_pooled(p.rate_low),
                    index_high: of_pooled(p.rate_high),
                    p_value: p.p_value,
                    peak: p.peak,
                    shrunk_rate: shrunk.map(|x| x.0),
                    borrowed: shrunk.map(|x| x.1),
                }
            })
            .collect();
        let horizon = today.checked_add_days(Days::new(730)).unwrap_or(today);
        let peaks = s
            .periods
            .iter()
            .filter(|p| p.peak)
            .map(|p| PeakResponse {
                period: p.period,
                label: label(p.period),
                index: p.index,
                projected: s
                    .basis
                    .occurrences(p.period, today, horizon)
                    .into_iter()
                    .map(|(from, to)| Occurrence { from, to })
                    .collect(),
            })
            .collect();
        let alpha = s.alpha_per_period;
        Self {
            basis: s.basis,
            kind: s.kind,
            department: r.department.clone(),
            from: r.from,
            to: r.to,
            events: s.events,
            exposure_person_months: s.exposure_days / DAYS_PER_MONTH,
            pooled_rate: s.pooled_rate,
            periods,
            peaks,
            peak_rule: pick((
                format!("A period is a peak when its rate is above the pooled rate and a one-sided exact test (its events given the total, Binomial with its share of the exposure) gives p < {alpha:.5} (0.05 divided by the number of periods: Bonferroni)."),
                format!("当某期的比率高于合并比率，且单侧精确检验（给定总数时该期事件数服从以其暴露占比为概率的二项分布）p < {alpha:.5}（0.05 除以期数：Bonferroni 校正）时，该期为高峰。"),
            )),
            comparison: BasisComparison {
                calendar_aic: r.calendar_aic,
                spring_festival_aic: r.spring_festival_aic.is_finite().then_some(r.spring_festival_aic),
                better: r.better,
                criterion: pick((
                    "AIC of a piecewise-constant hazard (12 calendar months or 13 festival periods) on the same events and person-days; lower is better.".into(),
                    "在相同事件与人天数据上比较分段常数风险模型（12 个自然月或 13 个春节期）的 AIC；越低越好。".into(),
                )),
            },
            shrinkage: r.shrinkage.as_ref().map(|k| ShrinkageResponse {
                borrowed: k.borrowed,
                prior_strength: k.prior_strength,
                method: pick((
                    "Empirical Bayes (Poisson-Gamma): each period's relative risk against the company's shape, prior strength by the method of moments.".into(),
                    "经验贝叶斯（泊松-伽马）：各期相对公司模式的相对风险，先验强度由矩估计得出。".into(),
                )),
            }),
        }
    }
}

fn parse_date(field: &str, raw: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    raw.map(|r| {
        continuity_contract::date::parse(r).map_err(|_| {
            ApiError::invalid_field(
                field,
                text!(
                    "`{r}` is not a date (YYYY-MM-DD)",
                    "`{r}` 不是日期（YYYY-MM-DD）"
                ),
            )
        })
    })
    .transpose()
}

impl SeasonalityParams {
    pub(crate) fn parse(self) -> ApiResult<SeasonalityQuery> {
        let department = match self.department.as_deref() {
            None => None,
            Some(raw) => Some(
                DepartmentCode::parse(raw)
                    .map_err(|e| ApiError::invalid_field("department", id_error_text(e)))?,
            ),
        };
        let basis = match self.basis.as_deref() {
            None => None,
            Some(raw) => Some(Basis::parse(raw).ok_or_else(|| {
                ApiError::invalid_field(
                    "basis",
                    text!(
                        "must be calendar or spring_festival",
                        "须为 calendar 或 spring_festival"
                    ),
                )
            })?),
        };
        let kind = match self.kind.as_deref() {
            None => Kind::Departures,
            Some(raw) => Kind::parse(raw).ok_or_else(|| {
                ApiError::invalid_field(
                    "kind",
                    text!("must be departures or hires", "须为 departures 或 hires"),
                )
            })?,
        };
        Ok(SeasonalityQuery {
            department,
            basis,
            kind,
            from: parse_date("from", self.from.as_deref())?,
            to: parse_date("to", self.to.as_deref())?,
        })
    }
}

/// Departures (or hires) per average headcount in each calendar month, or each 28-day
/// period from the Spring Festival, over a window of the history: the index against the
/// pooled rate, a 95% interval, the sample size, the peaks (rule in `peak_rule`) with their
/// dates in the coming two years, which basis explains the history better, and for one
/// department how much it borrowed from the company's pattern.
#[utoipa::path(
    tag = "attrition",
    params(SeasonalityParams),
    responses(
        (status = 200, body = SeasonalityResponse),
        (status = 400, description = "Malformed query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameter or window", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/attrition/seasonality")]
pub async fn get_seasonality(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    params: web::Query<SeasonalityParams>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let query = params.into_inner().parse()?;
    let today = clock.today();
    let report = seasonality::report(&db, query, today).await?;
    Ok(HttpResponse::Ok().json(SeasonalityResponse::new(&report, today, Lang::of(&req))))
}
