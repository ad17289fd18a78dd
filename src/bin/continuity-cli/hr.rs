//! `hr-event`: an HR event signed exactly as staffing's webhook verifies it (Standard
//! Webhooks, the platform's own signing), sent to `POST /v1/hr/events`.

use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::{Value, json};

#[derive(Subcommand)]
pub enum HrCommand {
    /// The employee has resigned: `leaving` until the last working day.
    Resign {
        /// Staffing's id of the employee, e.g. E1042.
        employee_id: String,
        /// The last working day (YYYY-MM-DD).
        #[arg(long)]
        last_day: NaiveDate,
        /// When HR was told (default today, in the company's time zone).
        #[arg(long)]
        notice_date: Option<NaiveDate>,
        /// Why, as HR recorded it.
        #[arg(long)]
        reason: Option<String>,
        /// The successor HR names for the employee's project places.
        #[arg(long)]
        successor: Option<String>,
    },
    /// The resignation is withdrawn: `active` again.
    Rescind {
        /// Staffing's id of the employee.
        employee_id: String,
    },
    /// The employee is let go on the last working day.
    Terminate {
        /// Staffing's id of the employee.
        employee_id: String,
        /// The last working day (YYYY-MM-DD).
        #[arg(long)]
        last_day: NaiveDate,
        /// The successor HR names for the employee's project places.
        #[arg(long)]
        successor: Option<String>,
    },
    /// A new employee (or a rehire).
    Hire {
        /// The new employee's id.
        employee_id: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Department code, e.g. sales.
        #[arg(long)]
        department: String,
        /// The first day (default today).
        #[arg(long)]
        hire_date: Option<NaiveDate>,
    },
    /// The employee moves to another department.
    Transfer {
        /// Staffing's id of the employee.
        employee_id: String,
        /// The new department's code.
        #[arg(long)]
        department: String,
        /// From when (default today).
        #[arg(long)]
        effective_date: Option<NaiveDate>,
    },
}

/// The webhook's body for a command, as the HR system would send it.
pub fn body(command: HrCommand, today: NaiveDate) -> Value {
    let (kind, data) = match command {
        HrCommand::Resign {
            employee_id,
            last_day,
            notice_date,
            reason,
            successor,
        } => (
            "employee.resigned",
            json!({"employee_id": employee_id, "notice_date": notice_date.unwrap_or(today),
                   "last_working_day": last_day, "reason": reason,
                   "successor_employee_id": successor}),
        ),
        HrCommand::Rescind { employee_id } => (
            "employee.resignation_rescinded",
            json!({"employee_id": employee_id}),
        ),
        HrCommand::Terminate {
            employee_id,
            last_day,
            successor,
        } => (
            "employee.terminated",
            json!({"employee_id": employee_id, "last_working_day": last_day,
                   "successor_employee_id": successor}),
        ),
        HrCommand::Hire {
            employee_id,
            name,
            department,
            hire_date,
        } => (
            "employee.hired",
            json!({"employee_id": employee_id, "name": name, "department_code": department,
                   "hire_date": hire_date.unwrap_or(today)}),
        ),
        HrCommand::Transfer {
            employee_id,
            department,
            effective_date,
        } => (
            "employee.transferred",
            json!({"employee_id": employee_id, "department_code": department,
                   "effective_date": effective_date.unwrap_or(today)}),
        ),
    };
    // Absent optional fields are left out rather than sent as null.
    let data: serde_json::Map<String, Value> = data
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    json!({"type": kind, "data": data})
}

/// Signs and sends; prints staffing's answer. Fails (exit 1) unless it is 2xx.
pub async fn send(
    staffing: &str,
    secret: &str,
    command: HrCommand,
    today: NaiveDate,
) -> anyhow::Result<ExitCode> {
    let body = body(command, today).to_string();
    let id = continuity_shared::credentials::random_token("msg");
    let timestamp = continuity_shared::clock::now().timestamp();
    let signature = continuity_shared::events::sign(secret, &id, timestamp, body.as_bytes())
        .map_err(|e| anyhow::anyhow!("signing: {e}"))?;
    let url = format!("{staffing}/v1/hr/events");
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()?
        .post(&url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .with_context(|| format!("POST {url}: is the suite running?"))?;
    let status = response.status();
    let text = response.text().await?;
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    match answer["status"].as_str() {
        Some(outcome) if status.is_success() => {
            let problem = answer["problem"].as_str().map(|p| format!(": {p}"));
            println!(
                "{} {} {}{}",
                status.as_u16(),
                answer["type"].as_str().unwrap_or_default(),
                outcome,
                problem.unwrap_or_default()
            );
        }
        _ => println!("{} {answer}", status.as_u16()),
    }
    Ok(if status.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resignation_defaults_its_notice_date_to_today_and_leaves_out_what_is_not_given() {
        let today: NaiveDate = "2026-11-28".parse().unwrap_or_default();
        let last: NaiveDate = "2027-03-31".parse().unwrap_or_default();
        let b = body(
            HrCommand::Resign {
                employee_id: "E1042".into(),
                last_day: last,
                notice_date: None,
                reason: None,
                successor: None,
            },
            today,
        );
        assert_eq!(
            b,
            json!({"type": "employee.resigned", "data": {"employee_id": "E1042",
                   "notice_date": "2026-11-28", "last_working_day": "2027-03-31"}})
        );
    }
}
