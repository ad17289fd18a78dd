//! `GET /v1/audit`: the trail, newest first, for admins and managers. Read-only: the
//! contract makes the trail never editable, so no other method is served.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Action;
use super::db::{self, AuditFilter, AuditRow};
use crate::auth::{Caller, Role};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::docs::Problem;
use crate::pagination::{Page, PageQuery};
use crate::{clock, text};

/// Longest `entity` or `id` filter accepted.
const MAX_FILTER_CHARS: usize = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries about this kind of resource, e.g. `department`.
    pub entity: Option<String>,
    /// Only entries about the resource with this id (needs `entity`), e.g. `sales`.
    pub id: Option<String>,
}

impl AuditQuery {
    fn to_filter(&self) -> ApiResult<AuditFilter> {
        let entity = self
            .entity
            .as_deref()
            .map(|e| check("entity", e))
            .transpose()?;
        let entity_id = self.id.as_deref().map(|i| check("id", i)).transpose()?;
        if entity_id.is_some() && entity.is_none() {
            return Err(ApiError::invalid_field(
                "id",
                text!("needs `entity` as well", "须同时提供 `entity`"),
            ));
        }
        Ok(AuditFilter { entity, entity_id })
    }
}

/// 1 to 200 of the characters ids and entity names of the suite are made of.
fn check(field: &str, raw: &str) -> ApiResult<String> {
    let ok = (1..=MAX_FILTER_CHARS).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':' | b'/'));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::invalid_field(
            field,
            text!(
                "must be 1 to {MAX_FILTER_CHARS} characters of A-Z, a-z, 0-9, '.', '_', '-', ':' or '/'",
                "须为 1 到 {MAX_FILTER_CHARS} 个字母、数字、'.'、'_'、'-'、':' 或 '/'"
            ),
        ))
    }
}

/// Why a change was made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AuditCause {
    /// A request, by the `X-Request-Id` its response carried.
    Request { id: String },
    /// An event, by its CloudEvents `source` and `id`.
    Event { source: String, id: String },
}

/// One entry of the trail.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub entity: String,
    pub entity_id: String,
    pub action: Action,
    /// The token's name (`name:employee_id` for a member), or `event:<source>`.
    pub actor: String,
    pub cause: AuditCause,
    /// The resource before the change, as the API shows it; null when created.
    pub old: Option<serde_json::Value>,
    /// The resource after the change; null when deleted.
    pub new: Option<serde_json::Value>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = ApiError;

    /// A stored value this code cannot read is an error, never a silent default.
    fn try_from(r: AuditRow) -> ApiResult<Self> {
        let corrupt = |what: &str| ApiError::internal(format!("audit entry {}: bad {what}", r.id));
        let json = |v: &Option<String>, what: &str| {
            v.as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|_| corrupt(what))
        };
        let cause = match (r.cause_kind.as_str(), &r.cause_source) {
            (db::REQUEST, _) => AuditCause::Request {
                id: r.cause_id.clone(),
            },
            (db::EVENT, Some(source)) => AuditCause::Event {
                source: source.clone(),
                id: r.cause_id.clone(),
            },
            _ => return Err(corrupt("cause")),
        };
        Ok(Self {
            action: Action::parse(&r.action).ok_or_else(|| corrupt("action"))?,
            old: json(&r.old_value, "old value")?,
            new: json(&r.new_value, "new value")?,
            cause,
            at: clock::utc(r.at),
            id: r.id,
            entity: r.entity,
            entity_id: r.entity_id,
            actor: r.actor,
        })
    }
}

/// The audit trail of this service's own resources, newest first: who changed what,
/// when, from which value to which, and for which request or event. Never editable.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery, PageQuery),
    responses(
        (status = 200, description = "Entries, newest first", body = Page<AuditEntry>),
        (status = 401, description = "No or unknown token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither admin nor manager", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter or page", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/audit")]
pub async fn list_audit(
    caller: Caller,
    db: web::Data<Db>,
    query: web::Query<AuditQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(&[Role::Manager])?;
    let filter = query.to_filter()?;
    let page = page
        .load(
            &db,
            move |c, p| {
                db::list(c, &filter, p)?
                    .into_iter()
                    .map(AuditEntry::try_from)
                    .collect()
            },
            |e: &AuditEntry| e.id.clone(),
            Ok::<_, ApiError>,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Registers the audit endpoint.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_audit);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(entity: Option<&str>, id: Option<&str>) -> String {
        let q = AuditQuery {
            entity: entity.map(str::to_owned),
            id: id.map(str::to_owned),
        };
        q.to_filter().unwrap_err().field_errors()[0].field.clone()
    }

    #[test]
    fn filters_of_ids_the_suite_uses_are_accepted() {
        let q = AuditQuery {
            entity: Some("employee".into()),
            id: Some("E-1001.a_b".into()),
        };
        assert_eq!(
            q.to_filter().unwrap().entity_id.as_deref(),
            Some("E-1001.a_b")
        );
    }

    #[test]
    fn a_bad_filter_is_refused_by_name() {
        assert_eq!(field_of(Some("dep artment"), None), "entity");
        assert_eq!(field_of(Some(""), None), "entity");
        assert_eq!(field_of(Some("employee"), Some(&"x".repeat(201))), "id");
        assert_eq!(field_of(Some("employee"), Some("E1'--")), "id");
    }

    #[test]
    fn an_id_without_its_entity_is_refused() {
        assert_eq!(field_of(None, Some("sales")), "id");
    }
}
