//! Read-only views of the roster copy, for inspection (`/v1/roster/...`).

use actix_web::{HttpResponse, get, web};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::{
    roster_departments as rd, roster_employees as re, roster_projects as rp,
    roster_team_members as rt,
};
use crate::auth::{Caller, Role};
use crate::clock;
use crate::db::Db;
use crate::error::ApiResult;
use crate::pagination::{Page, PageQuery};

const READERS: &[Role] = &[
    Role::Manager,
    Role::Documenter,
    Role::Trainer,
    Role::Integration,
    Role::Service,
];

#[derive(Debug, Serialize, Deserialize, ToSchema, Queryable, PartialEq)]
pub struct RosterDepartment {
    pub code: String,
    pub name: String,
    pub key: bool,
    pub min_project_members: i32,
    #[serde(with = "utc")]
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Queryable, PartialEq)]
pub struct RosterEmployee {
    pub employee_id: String,
    pub name: String,
    pub department_code: String,
    pub hire_date: Option<NaiveDate>,
    pub status: String,
    pub last_working_day: Option<NaiveDate>,
    #[serde(with = "utc")]
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Queryable, PartialEq)]
pub struct RosterProject {
    pub project_id: String,
    pub name: String,
    pub status: String,
    #[serde(with = "utc")]
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Queryable, PartialEq)]
pub struct RosterMember {
    pub project_id: String,
    pub employee_id: String,
    pub department_code: String,
    pub role: String,
    pub backup_for: Option<String>,
    #[serde(with = "utc")]
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    pub updated_at: NaiveDateTime,
}

/// Stored UTC timestamps written as RFC 3339 with `Z`.
mod utc {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::clock::utc(*t).to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let t = chrono::DateTime::<chrono::Utc>::deserialize(d)?;
        Ok(t.naive_utc())
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterEmployeeQuery {
    pub department: Option<String>,
}

/// Departments as copied from staffing.
#[utoipa::path(tag = "roster copy", params(PageQuery), responses((status = 200, body = Page<RosterDepartment>)))]
#[get("/v1/roster/departments")]
pub async fn departments(
    caller: Caller,
    db: web::Data<Db>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let out = page
        .load(
            &db,
            |c, p| {
                let mut q = rd::table
                    .order(rd::code.asc())
                    .limit(p.fetch())
                    .into_boxed();
                if let Some(a) = &p.after {
                    q = q.filter(rd::code.gt(a.clone()));
                }
                Ok(q.load::<RosterDepartment>(c)?)
            },
            |r| r.code.clone(),
            |r| r,
        )
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Employees as copied from staffing, with status and last working day.
#[utoipa::path(tag = "roster copy", params(RosterEmployeeQuery, PageQuery), responses((status = 200, body = Page<RosterEmployee>)))]
#[get("/v1/roster/employees")]
pub async fn employees(
    caller: Caller,
    db: web::Data<Db>,
    query: web::Query<RosterEmployeeQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let dept = query.into_inner().department;
    let out = page
        .load(
            &db,
            move |c, p| {
                let mut q = re::table
                    .order(re::employee_id.asc())
                    .limit(p.fetch())
                    .into_boxed();
                if let Some(a) = &p.after {
                    q = q.filter(re::employee_id.gt(a.clone()));
                }
                if let Some(d) = dept {
                    q = q.filter(re::department_code.eq(d));
                }
                Ok(q.load::<RosterEmployee>(c)?)
            },
            |r| r.employee_id.clone(),
            |r| r,
        )
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Projects as copied from staffing.
#[utoipa::path(tag = "roster copy", params(PageQuery), responses((status = 200, body = Page<RosterProject>)))]
#[get("/v1/roster/projects")]
pub async fn projects(
    caller: Caller,
    db: web::Data<Db>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let out = page
        .load(
            &db,
            |c, p| {
                let mut q = rp::table
                    .order(rp::project_id.asc())
                    .limit(p.fetch())
                    .into_boxed();
                if let Some(a) = &p.after {
                    q = q.filter(rp::project_id.gt(a.clone()));
                }
                Ok(q.load::<RosterProject>(c)?)
            },
            |r| r.project_id.clone(),
            |r| r,
        )
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A project's team as copied from staffing.
#[utoipa::path(
    tag = "roster copy",
    params(("project_id" = String, Path), PageQuery),
    responses((status = 200, body = Page<RosterMember>))
)]
#[get("/v1/roster/projects/{project_id}/members")]
pub async fn members(
    caller: Caller,
    db: web::Data<Db>,
    project: web::Path<String>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let project = project.into_inner();
    let out = page
        .load(
            &db,
            move |c, p| {
                let mut q = rt::table
                    .filter(rt::project_id.eq(project))
                    .order(rt::employee_id.asc())
                    .limit(p.fetch())
                    .into_boxed();
                if let Some(a) = &p.after {
                    q = q.filter(rt::employee_id.gt(a.clone()));
                }
                Ok(q.load::<RosterMember>(c)?)
            },
            |r| r.employee_id.clone(),
            |r| r,
        )
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(departments)
        .service(employees)
        .service(projects)
        .service(members);
}
