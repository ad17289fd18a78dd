//! Creating, changing and reading departments.

use continuity_shared::db::Db;
use continuity_shared::etag::IfMatch;
use continuity_shared::ids::DepartmentCode;
use continuity_shared::pagination::PageRequest;
use continuity_shared::{ApiError, ApiResult, clock, text};

use continuity_shared::events::outbox;

use super::{Put, events};
use crate::db::departments::{self as rows, DepartmentRow};
use crate::domain::department::Department;

pub fn not_found(code: &str) -> ApiError {
    ApiError::not_found(text!(
        "Department `{code}` does not exist.",
        "部门 `{code}` 不存在。"
    ))
}

/// Creates or replaces a department, honouring `If-Match`.
pub async fn put(db: &Db, dept: Department, if_match: IfMatch) -> ApiResult<(DepartmentRow, Put)> {
    db.write(move |conn| {
        let existing = rows::find(conn, dept.code.as_str())?;
        if_match.check(existing.as_ref().map(|r| r.version))?;
        let now = clock::now().naive_utc();
        match existing {
            None => {
                let row = DepartmentRow {
                    code: dept.code.to_string(),
                    name: dept.name,
                    is_key: dept.key,
                    min_project_members: dept.min_project_members,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                rows::insert(conn, &row)?;
                outbox::publish(conn, &[events::department_upserted(&row)?])?;
                Ok((row, Put::Created))
            }
            Some(old) if old.to_domain().as_ref() == Some(&dept) => Ok((old, Put::Unchanged)),
            Some(old) => {
                let row = DepartmentRow {
                    name: dept.name,
                    is_key: dept.key,
                    min_project_members: dept.min_project_members,
                    version: old.version + 1,
                    updated_at: now,
                    ..old
                };
                rows::update(conn, &row)?;
                outbox::publish(conn, &[events::department_upserted(&row)?])?;
                Ok((row, Put::Updated))
            }
        }
    })
    .await
}

pub async fn get(db: &Db, code: DepartmentCode) -> ApiResult<DepartmentRow> {
    db.read(move |conn| rows::find(conn, code.as_str())?.ok_or_else(|| not_found(code.as_str())))
        .await
}

pub async fn list(db: &Db, page: PageRequest) -> ApiResult<Vec<DepartmentRow>> {
    db.read(move |conn| rows::list(conn, &page)).await
}
