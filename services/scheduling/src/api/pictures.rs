//! `GET /v1/attrition/seasonality.svg` and
//! `GET /v1/projects/{project_id}/schedule/recommendations/{id}.svg`: the JSON answers
//! drawn, labels in the request's language.

use actix_web::http::header::{CONTENT_LANGUAGE, ContentType};
use actix_web::{HttpRequest, HttpResponse, get, web};
use continuity_contract::ProjectId;
use continuity_shared::auth::Caller;
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::docs::Problem;
use continuity_shared::i18n::Lang;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult, text};

use super::READERS;
use super::recommendations::{CandidateResponse, RecommendationRequest, settings_for};
use super::seasonality::{SeasonalityParams, SeasonalityResponse};
use crate::domain::periods::Basis;
use crate::domain::seasonality::Kind;
use crate::pictures::seasonality::{Bar, Bars};
use crate::pictures::timeline::{Row, Timeline};
use crate::pictures::{self, PictureError};
use crate::service::{recommendations, seasonality};
use crate::settings::SchedulingSettings;

/// The candidates a timeline shows.
const ROWS: usize = 5;

fn pick(lang: Lang, en: String, zh: String) -> String {
    if lang == Lang::ZhCn { zh } else { en }
}

fn svg(lang: Lang, drawn: Result<String, PictureError>) -> ApiResult<HttpResponse> {
    let body = drawn.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header(ContentType(
            "image/svg+xml; charset=utf-8"
                .parse()
                .map_err(|_| ApiError::internal("svg media type"))?,
        ))
        .insert_header((CONTENT_LANGUAGE, lang.tag()))
        .body(body))
}

/// The seasonality answer as bars, in `lang`.
pub fn seasonality_bars(r: &SeasonalityResponse, lang: Lang) -> Bars {
    let what = match r.kind {
        Kind::Departures => ("Departures", "离职"),
        Kind::Hires => ("Hires", "入职"),
    };
    let (by_en, by_zh, x_en, x_zh) = match r.basis {
        Basis::Calendar => ("calendar month", "自然月", "Calendar month", "月份"),
        Basis::SpringFestival => (
            "28-day period from the Spring Festival",
            "春节起每 28 天",
            "Period from the Spring Festival",
            "春节后期间",
        ),
    };
    let dept = r.department.as_ref().map(|d| d.as_str());
    let title = pick(
        lang,
        format!(
            "{} per person-month by {by_en}{}, {} to {}",
            what.0,
            dept.map(|d| format!(", department {d}"))
                .unwrap_or_default(),
            r.from,
            r.to
        ),
        format!(
            "按{by_zh}统计的每人月{}率{}，{} 至 {}",
            what.1,
            dept.map(|d| format!("（部门 {d}）")).unwrap_or_default(),
            r.from,
            r.to
        ),
    );
    Bars {
        title,
        x_axis: pick(lang, x_en.into(), x_zh.into()),
        y_axis: pick(
            lang,
            format!("{} per person-month (95% interval)", what.0),
            format!("每人月{}数（95% 区间）", what.1),
        ),
        legend: [
            pick(lang, "Period".into(), "期间".into()),
            pick(lang, "Peak".into(), "高峰".into()),
            pick(lang, "Rate over the whole window".into(), "整体比率".into()),
        ],
        pooled_rate: r.pooled_rate,
        bars: r
            .periods
            .iter()
            .map(|p| Bar {
                label: p.label.clone(),
                rate: p.rate,
                low: p.rate_low,
                high: p.rate_high,
                peak: p.peak,
            })
            .collect(),
    }
}

/// The seasonality drawn: one bar per month or Spring Festival period with its 95%
/// interval, peaks in red, the rate over the whole window as a line. Same parameters as
/// the JSON answer.
#[utoipa::path(
    tag = "attrition",
    params(SeasonalityParams),
    responses(
        (status = 200, description = "SVG", content_type = "image/svg+xml"),
        (status = 400, description = "Malformed query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameter or window", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/attrition/seasonality.svg")]
pub async fn get_seasonality_svg(
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
    let lang = Lang::of(&req);
    let answer = SeasonalityResponse::new(&report, today, lang);
    svg(
        lang,
        pictures::seasonality::draw(&seasonality_bars(&answer, lang)),
    )
}

fn row(c: &CandidateResponse, lang: Lang) -> Row {
    let p = c.breach_probability * 100.0;
    let broken = match (c.broken_rules, lang) {
        (0, _) => String::new(),
        (n, Lang::ZhCn) => format!(" · 违反 {n} 条规则"),
        (1, _) => " · 1 rule broken".into(),
        (n, _) => format!(" · {n} rules broken"),
    };
    Row {
        label: format!("#{} {} · {p:.1}%{broken}", c.rank, c.start),
        start: c.start,
        go_live: c.go_live,
        stabilization_end: c.stabilization_end,
    }
}

/// A recommendation drawn as a timeline: the best five candidates (implementation,
/// go-live, stabilization), with the projected resignation peaks shaded. `id` is the `id`
/// of the recommendation's answer; the picture is computed from today's data, as the
/// answer was.
#[utoipa::path(
    tag = "schedule",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("id" = String, Path, description = "A recommendation's `id`"),
    ),
    responses(
        (status = 200, description = "SVG", content_type = "image/svg+xml"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The project is not in the roster copy", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed project id or recommendation id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}/schedule/recommendations/{id}.svg")]
pub async fn get_recommendation_svg(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    settings: web::Data<SchedulingSettings>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let (project, id) = path.into_inner();
    let project: ProjectId = parse_path("project_id", &project)?;
    let request = RecommendationRequest::from_id(&id).ok_or_else(|| {
        ApiError::invalid_field(
            "id",
            text!(
                "`{id}` is not a recommendation id (take it from a recommendation's answer)",
                "`{id}` 不是推荐编号（请使用推荐结果中的 id）"
            ),
        )
    })?;
    let (window, settling_in) = request.parse()?;
    let settings = settings_for(&settings, settling_in);
    let r = recommendations::recommend(&db, project, window, settings, clock.today()).await?;
    let lang = Lang::of(&req);
    let name = r.scoring.project.name.as_str();
    let timeline = Timeline {
        title: pick(
            lang,
            format!("Implementation windows for {name}: the best {ROWS}"),
            format!("{name} 的实施窗口：最佳 {ROWS} 个"),
        ),
        x_axis: pick(lang, "Month".into(), "月份".into()),
        legend: [
            pick(lang, "Implementation".into(), "实施".into()),
            pick(lang, "Stabilization".into(), "稳定期".into()),
            pick(lang, "Resignation peak".into(), "离职高峰".into()),
            pick(lang, "Go-live".into(), "上线".into()),
        ],
        peaks: r
            .scoring
            .departure_peaks
            .iter()
            .map(|p| (p.from, p.to))
            .collect(),
        rows: r
            .candidates
            .iter()
            .take(ROWS)
            .enumerate()
            .map(|(i, c)| row(&CandidateResponse::new(i + 1, c, lang), lang))
            .collect(),
    };
    svg(lang, pictures::timeline::draw(&timeline))
}
