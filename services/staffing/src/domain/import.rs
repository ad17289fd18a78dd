//! The roster CSV (`employee_id,name,department_code,hire_date,leave_date`): parsed and
//! checked row by row, so one upload reports every bad row at once.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use continuity_contract::{DepartmentCode, EmployeeId};
use continuity_shared::ids::id_error_text;
use continuity_shared::{FieldError, text};

use super::employee::{Employee, status_on};

pub const COLUMNS: [&str; 5] = [
    "employee_id",
    "name",
    "department_code",
    "hire_date",
    "leave_date",
];
/// A report stops here; a file with more errors is surely the wrong file.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Parses the file into employees as of `today`, or every problem found, each named
/// `rows[N].column` with N counting data rows from 1.
pub fn parse_roster(bytes: &[u8], today: NaiveDate) -> Result<Vec<Employee>, Vec<FieldError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| vec![csv_error("header", &e)])?
        .clone();
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        index.insert(h.trim_start_matches('\u{feff}').to_ascii_lowercase(), i);
    }
    let missing: Vec<&str> = COLUMNS[..4]
        .iter()
        .copied()
        .filter(|c| !index.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        let list = missing.join(", ");
        return Err(vec![FieldError::new(
            "header",
            text!("missing column(s): {list}", "缺少列：{list}"),
        )]);
    }
    let mut employees = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (n, record) in reader.records().enumerate() {
        let row = n + 1;
        if errors.len() >= MAX_REPORTED_ERRORS {
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(&format!("rows[{row}]"), &e));
                continue;
            }
        };
        let cell = |name: &str| index.get(name).and_then(|i| record.get(*i)).unwrap_or("");
        match parse_row(
            row,
            cell("employee_id"),
            cell("name"),
            cell("department_code"),
            cell("hire_date"),
            cell("leave_date"),
            today,
        ) {
            Ok(e) => {
                if seen.insert(e.employee_id.clone()) {
                    employees.push(e);
                } else {
                    errors.push(FieldError::new(
                        format!("rows[{row}].employee_id"),
                        text!("appears more than once in the file", "在文件中重复出现"),
                    ));
                }
            }
            Err(mut row_errors) => errors.append(&mut row_errors),
        }
    }
    if errors.is_empty() {
        Ok(employees)
    } else {
        Err(errors)
    }
}

fn parse_row(
    row: usize,
    employee_id: &str,
    name: &str,
    department_code: &str,
    hire_date: &str,
    leave_date: &str,
    today: NaiveDate,
) -> Result<Employee, Vec<FieldError>> {
    let at = |column: &str| format!("rows[{row}].{column}");
    let mut errors = Vec::new();
    let id = EmployeeId::parse(employee_id)
        .map_err(|e| errors.push(FieldError::new(at("employee_id"), id_error_text(e))))
        .ok();
    let dept = DepartmentCode::parse(department_code)
        .map_err(|e| errors.push(FieldError::new(at("department_code"), id_error_text(e))))
        .ok();
    let hired = parse_date(hire_date)
        .map_err(|m| errors.push(FieldError::new(at("hire_date"), m)))
        .ok();
    let leave = if leave_date.is_empty() {
        Some(None)
    } else {
        parse_date(leave_date)
            .map(Some)
            .map_err(|m| errors.push(FieldError::new(at("leave_date"), m)))
            .ok()
    };
    let (Some(id), Some(dept), Some(hired), Some(leave)) = (id, dept, hired, leave) else {
        return Err(errors);
    };
    let status = status_on(leave, today);
    Employee::new(id, name, dept, hired, status, leave).map_err(|errs| {
        errs.into_iter()
            .map(|e| {
                let column = if e.field == "last_working_day" {
                    "leave_date"
                } else {
                    e.field.as_str()
                };
                FieldError::new(at(column), e.message)
            })
            .collect()
    })
}

fn parse_date(raw: &str) -> Result<NaiveDate, continuity_shared::i18n::Text> {
    // The contract's dates: YYYY-MM-DD in the years 1900 to 9999.
    continuity_contract::date::parse(raw).map_err(|_| {
        text!(
            "`{raw}` is not a date (YYYY-MM-DD)",
            "`{raw}` 不是日期（YYYY-MM-DD）"
        )
    })
}

fn csv_error(field: &str, e: &csv::Error) -> FieldError {
    FieldError::new(field, text!("is not valid CSV: {e}", "不是有效的 CSV：{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::employee::EmployeeStatus;

    fn today() -> NaiveDate {
        "2026-11-28".parse().unwrap()
    }

    #[test]
    fn a_good_file_gives_employees_with_the_status_their_leave_date_implies() {
        let csv = "employee_id,name,department_code,hire_date,leave_date\n\
                   E1,Li Lei,sales,2020-01-01,\n\
                   E2,Han Meimei,quality,2021-03-01,2027-01-31\n\
                   E3,Wang Wu,sales,2019-05-01,2025-02-28\n";
        let rows = parse_roster(csv.as_bytes(), today()).unwrap();
        let statuses: Vec<_> = rows.iter().map(|e| e.status).collect();
        assert_eq!(
            statuses,
            vec![
                EmployeeStatus::Active,
                EmployeeStatus::Leaving,
                EmployeeStatus::Left
            ]
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_number_and_column() {
        let csv = "employee_id,name,department_code,hire_date,leave_date\n\
                   E1,Li Lei,sales,2020-13-01,\n\
                   bad id,Han,quality,2021-03-01,\n\
                   E1,Again,sales,2020-01-01,\n";
        let errors = parse_roster(csv.as_bytes(), today()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["rows[1].hire_date", "rows[2].employee_id"]);
    }

    #[test]
    fn a_duplicate_id_in_the_file_is_an_error() {
        let csv = "employee_id,name,department_code,hire_date,leave_date\n\
                   E1,Li Lei,sales,2020-01-01,\n\
                   E1,Again,sales,2020-01-01,\n";
        let errors = parse_roster(csv.as_bytes(), today()).unwrap_err();
        assert_eq!(errors[0].field, "rows[2].employee_id");
    }

    #[test]
    fn columns_may_come_in_any_order_but_must_all_be_there() {
        let csv = "name,employee_id,hire_date,department_code\nLi,E1,2020-01-01,sales\n";
        assert_eq!(parse_roster(csv.as_bytes(), today()).unwrap().len(), 1);
        let errors = parse_roster(b"employee_id,name\nE1,Li\n", today()).unwrap_err();
        assert_eq!(errors[0].field, "header");
    }

    #[test]
    fn a_leave_date_before_the_hire_date_is_named_as_the_leave_date() {
        let csv = "employee_id,name,department_code,hire_date,leave_date\nE1,Li,sales,2020-01-01,2019-01-01\n";
        assert_eq!(
            parse_roster(csv.as_bytes(), today()).unwrap_err()[0].field,
            "rows[1].leave_date"
        );
    }
}
