//! The sample company, as plain data computed from today's date: its departments, about
//! 300 employees over four years of HR history (resignations peak in the four weeks after
//! each Spring Festival), the CRM project's team, its training and its process changes.
//! Random choices come from a fixed seed, so every demo run tells the same story.

use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// `(code, name, key, min_project_members)`.
pub const DEPARTMENTS: [(&str, &str, bool, u32); 6] = [
    ("sales", "Sales", true, 2),
    ("quality", "Quality", true, 2),
    ("after_sales", "After-sales", true, 2),
    ("it", "IT", false, 1),
    ("finance", "Finance", false, 1),
    ("warehouse", "Warehouse", false, 1),
];

/// Shares of the headcount, in [`DEPARTMENTS`] order.
const DEPARTMENT_WEIGHTS: [u32; 6] = [30, 12, 22, 6, 10, 20];

pub const FIRST_ID: u32 = 1001;
pub const EMPLOYEES: u32 = 300;
pub const PROJECT_NAME: &str = "CRM roll-out";

/// A place on the CRM project's team: `(employee, name, department, role, backup_for)`.
pub type Place = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

/// The team: sales is well covered; after-sales has one effective member of the two it
/// needs (the other was hired a month ago and is still settling in); IT rests on one person.
pub const TEAM: [Place; 8] = [
    ("E1042", "Zhou Min", "sales", "key_user", None),
    ("E1043", "Wu Hao", "sales", "member", Some("E1042")),
    ("E1044", "Zheng Yu", "sales", "member", None),
    ("E1101", "Sun Li", "quality", "key_user", None),
    ("E1102", "Ma Jun", "quality", "member", Some("E1101")),
    ("E1150", "Hu Jing", "after_sales", "key_user", None),
    ("E1151", "Lin Tao", "after_sales", "member", None),
    ("E1201", "Guo Qiang", "it", "key_user", None),
];

/// The team member hired a month ago.
pub const NEWCOMER: &str = "E1151";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub employee_id: String,
    pub name: String,
    pub department: &'static str,
    pub hire_date: NaiveDate,
    pub leave_date: Option<NaiveDate>,
}

fn days_before(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(day)
}

fn days_after(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

/// A uniformly chosen day in `[from, to)`; `None` when that is empty.
fn day_between(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> Option<NaiveDate> {
    let span = (to - from).num_days();
    (span > 0).then(|| days_after(from, rng.random_range(0..span) as u64))
}

const SURNAMES: [&str; 20] = [
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo",
];
const GIVEN: [&str; 24] = [
    "Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yong", "Yan", "Jie",
    "Tao", "Ming", "Chao", "Xiu", "Hua", "Ping", "Gang", "Hui", "Ling", "Bo", "Ying",
];

/// Everyone the company has employed in the last four years, as of `today`. The team of
/// [`TEAM`] is there for good (hired three years ago, the newcomer a month ago); of the
/// others about a third have left, about half of them in the four weeks after a Spring
/// Festival, the rest at any time.
pub fn people(today: NaiveDate, spring_festival: impl Fn(i32) -> Option<NaiveDate>) -> Vec<Person> {
    let mut rng = StdRng::seed_from_u64(13);
    let history_start = days_before(today, 4 * 365);
    let festivals: Vec<NaiveDate> = (history_start.year()..=today.year())
        .filter_map(&spring_festival)
        .filter(|d| *d >= history_start && *d < today)
        .collect();
    let total_weight: u32 = DEPARTMENT_WEIGHTS.iter().sum();
    (FIRST_ID..FIRST_ID + EMPLOYEES)
        .map(|n| {
            let employee_id = format!("E{n}");
            if let Some(place) = TEAM.iter().find(|p| p.0 == employee_id) {
                let hired_days_ago = if place.0 == NEWCOMER { 30 } else { 3 * 365 };
                return Person {
                    employee_id,
                    name: place.1.to_owned(),
                    department: place.2,
                    hire_date: days_before(today, hired_days_ago),
                    leave_date: None,
                };
            }
            let mut pick = rng.random_range(0..total_weight);
            let mut department = DEPARTMENTS[0].0;
            for (d, w) in DEPARTMENTS.iter().zip(DEPARTMENT_WEIGHTS) {
                if pick < w {
                    department = d.0;
                    break;
                }
                pick -= w;
            }
            let name = format!(
                "{} {}",
                SURNAMES[rng.random_range(0..SURNAMES.len())],
                GIVEN[rng.random_range(0..GIVEN.len())]
            );
            // Over half were there when the history starts (hired in the year before); the
            // rest joined since.
            let hire_date = if rng.random_bool(0.55) {
                day_between(&mut rng, days_before(history_start, 365), history_start)
            } else {
                day_between(&mut rng, history_start, days_before(today, 30))
            }
            .unwrap_or(history_start);
            let leave_date = leave_date(&mut rng, hire_date, history_start, today, &festivals);
            Person {
                employee_id,
                name,
                department,
                hire_date,
                leave_date,
            }
        })
        .collect()
}

/// Whether and when someone hired on `hire_date` left: a third do, at least 60 days after
/// joining; about half of those in the four weeks after a Spring Festival.
fn leave_date(
    rng: &mut StdRng,
    hire_date: NaiveDate,
    history_start: NaiveDate,
    today: NaiveDate,
    festivals: &[NaiveDate],
) -> Option<NaiveDate> {
    if !rng.random_bool(0.35) {
        return None;
    }
    let earliest = days_after(hire_date, 60).max(history_start);
    let after_festival = rng.random_bool(0.55);
    let candidates: Vec<NaiveDate> = festivals
        .iter()
        .copied()
        .filter(|f| *f >= earliest && days_after(*f, 28) < today)
        .collect();
    if after_festival && !candidates.is_empty() {
        let festival = candidates[rng.random_range(0..candidates.len())];
        return Some(days_after(festival, rng.random_range(0..28)));
    }
    day_between(rng, earliest, today)
}

/// The roster CSV that staffing imports.
pub fn roster_csv(people: &[Person]) -> String {
    let mut csv = String::from("employee_id,name,department_code,hire_date,leave_date\n");
    for p in people {
        let leave = p.leave_date.map(|d| d.to_string()).unwrap_or_default();
        csv.push_str(&format!(
            "{},{},{},{},{leave}\n",
            p.employee_id, p.name, p.department, p.hire_date
        ));
    }
    csv
}

/// A recorded training session: `(title, module, departments, days ago, required, who attended)`.
pub type Session = (
    &'static str,
    &'static str,
    &'static [&'static str],
    u64,
    bool,
    &'static [&'static str],
);

/// A dozen sessions since the project started. E1043, the key user's backup, attended only
/// two of the four required sales sessions: a successor with something to catch up on.
pub const SESSIONS: [Session; 12] = [
    (
        "Leads and opportunities",
        "leads",
        &["sales"],
        52,
        true,
        &["E1042", "E1043", "E1044"],
    ),
    (
        "Quotes and discounts",
        "quotes",
        &["sales"],
        45,
        true,
        &["E1042", "E1044"],
    ),
    (
        "Contracts and orders",
        "orders",
        &["sales", "finance"],
        38,
        true,
        &["E1042", "E1043"],
    ),
    (
        "Sales forecasting",
        "forecasts",
        &["sales"],
        31,
        true,
        &["E1042", "E1044"],
    ),
    (
        "The CRM on the phone",
        "mobile",
        &["sales", "after_sales"],
        24,
        false,
        &["E1042"],
    ),
    (
        "Service tickets",
        "service",
        &["after_sales"],
        50,
        true,
        &["E1150"],
    ),
    (
        "Warranty and returns",
        "returns",
        &["after_sales", "quality"],
        40,
        true,
        &["E1150", "E1101"],
    ),
    (
        "Customer satisfaction surveys",
        "surveys",
        &["after_sales"],
        20,
        true,
        &["E1150", "E1151"],
    ),
    (
        "Complaint handling",
        "complaints",
        &["quality"],
        35,
        true,
        &["E1101", "E1102"],
    ),
    (
        "Supplier quality records",
        "suppliers",
        &["quality"],
        17,
        true,
        &["E1101"],
    ),
    ("CRM administration", "admin", &["it"], 55, true, &["E1201"]),
    (
        "Integrations and data exchange",
        "integration",
        &["it"],
        12,
        true,
        &["E1201"],
    ),
];

/// A process change: `(process, step, before, after, reason, departments)`.
pub type Change = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// Two liaison notices: `(title, changes, who has acknowledged)`.
pub const NOTICES: [(&str, &[Change], &[&str]); 2] = [
    (
        "Quotes and discounts move into the CRM",
        &[
            (
                "Order to cash",
                "Issue a quote",
                "Word template emailed to the customer",
                "Quote generated from the CRM opportunity",
                "Prices and versions in one place",
                &["sales"],
            ),
            (
                "Order to cash",
                "Approve a discount",
                "Signed on paper by the sales manager",
                "Approved in the CRM by the sales manager",
                "One record of every discount",
                &["sales", "finance"],
            ),
        ],
        &["E1042", "E1044"],
    ),
    (
        "Service tickets replace the hotline log",
        &[
            (
                "Service",
                "Log a complaint",
                "Written in the hotline's spreadsheet",
                "A CRM service ticket linked to the customer",
                "Every complaint is followed up",
                &["after_sales", "quality"],
            ),
            (
                "Service",
                "Escalate to sales",
                "A phone call to the account manager",
                "The ticket is assigned to the account's owner",
                "Sales sees its customers' problems",
                &["after_sales", "sales"],
            ),
            (
                "Returns",
                "Authorize a return",
                "Approved by email",
                "Approved on the ticket by quality",
                "Returns are traced to their cause",
                &["after_sales", "quality"],
            ),
        ],
        &["E1150", "E1101"],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    // Spring Festivals of the years the tests span.
    fn festival(year: i32) -> Option<NaiveDate> {
        scheduling::domain::festival::spring_festival(year)
    }

    #[test]
    fn about_300_people_a_third_of_them_gone_mostly_after_the_spring_festival() {
        // Whenever the demo runs: just after a festival, in summer, years from now.
        for today in ["2026-11-28", "2027-02-20", "2028-07-01", "2031-01-15"] {
            the_history_holds_its_story(d(today));
        }
    }

    fn the_history_holds_its_story(today: NaiveDate) {
        let people = people(today, festival);
        assert_eq!(people.len(), EMPLOYEES as usize);
        let left: Vec<NaiveDate> = people.iter().filter_map(|p| p.leave_date).collect();
        assert!(
            (70..=130).contains(&left.len()),
            "{today}: {} left",
            left.len()
        );
        let after_festival = left
            .iter()
            .filter(|day| {
                (day.year() - 1..=day.year())
                    .filter_map(festival)
                    .any(|f| **day >= f && (**day - f).num_days() < 28)
            })
            .count();
        // Four weeks of 52 would hold about 8% of evenly spread departures; the demo's
        // peak holds about half of them (at least 30% whatever the date).
        assert!(
            after_festival * 10 > left.len() * 3,
            "{today}: {after_festival} of {}",
            left.len()
        );
        for p in &people {
            assert!(p.hire_date < today, "{p:?}");
            assert!(
                p.leave_date.is_none_or(|l| l > p.hire_date && l < today),
                "{p:?}"
            );
        }
    }

    #[test]
    fn the_team_is_there_and_the_newcomer_still_settles_in() {
        let today = d("2027-03-02");
        let people = people(today, festival);
        for place in TEAM {
            let p = people.iter().find(|p| p.employee_id == place.0);
            assert!(p.is_some_and(|p| p.leave_date.is_none() && p.department == place.2));
        }
        let newcomer = people.iter().find(|p| p.employee_id == NEWCOMER);
        assert_eq!(newcomer.map(|p| (today - p.hire_date).num_days()), Some(30));
    }

    #[test]
    fn the_csv_has_one_row_per_person_and_leave_dates_only_for_leavers() {
        let people = people(d("2026-11-28"), festival);
        let csv = roster_csv(&people);
        assert_eq!(csv.lines().count(), people.len() + 1);
        let gone = csv.lines().skip(1).filter(|l| !l.ends_with(',')).count();
        assert_eq!(
            gone,
            people.iter().filter(|p| p.leave_date.is_some()).count()
        );
    }
}
