//! The daily reminder: `acknowledgment.overdue` for every acknowledgment still pending a
//! configured number of days after its notice was published, once each.

use chrono::{DateTime, Days, NaiveDate, Utc};
use continuity_contract::payloads::AcknowledgmentOverdue;
use continuity_shared::db::Db;
use continuity_shared::events::{CloudEvent, outbox};

use super::SOURCE;
use super::errors::PcResult;
use crate::db::acknowledgments as acks;
use crate::domain::acknowledgment::days_pending;

/// Acknowledgments reported per transaction.
const BATCH: i64 = 1000;

/// Publishes the overdue reminders due on `today`; how many.
pub async fn remind(
    db: &Db,
    today: NaiveDate,
    after_days: u32,
    now: DateTime<Utc>,
) -> PcResult<usize> {
    let Some(cutoff) = today.checked_sub_days(Days::new(u64::from(after_days))) else {
        return Ok(0);
    };
    let mut total = 0;
    loop {
        let n = db
            .write(move |conn| {
                let due = acks::overdue_unreported(conn, cutoff, BATCH)?;
                let mut events = Vec::with_capacity(due.len());
                for (notice, employee, department, published_on) in &due {
                    events.push(CloudEvent::new(
                        SOURCE,
                        &AcknowledgmentOverdue {
                            notice_id: *notice,
                            employee_id: employee.clone(),
                            department_code: department.clone(),
                            published_on: *published_on,
                            days_pending: days_pending(*published_on, today),
                        },
                        now,
                    )?);
                    acks::mark_overdue_reported(conn, notice, employee, today)?;
                }
                outbox::publish(conn, &events)?;
                Ok::<_, super::PcError>(due.len())
            })
            .await?;
        total += n;
        if (n as i64) < BATCH {
            return Ok(total);
        }
    }
}
