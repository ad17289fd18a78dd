use chrono::NaiveDate;
use continuity_contract::{
    CoverageStatus, DepartmentCode, EmployeeId, ProjectId, ProjectStatus, TeamRole,
};

use super::*;
use crate::domain::project::Project;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dept(code: &str) -> DepartmentCode {
    DepartmentCode::parse(code).unwrap()
}

/// Go-live 2026-06-01 with three months of stabilization: risky departures are those
/// before 2026-09-01.
fn project() -> Project {
    Project::new(
        ProjectId::new(),
        "CRM",
        ProjectStatus::InProgress,
        Some(day(2026, 1, 1)),
        Some(day(2026, 6, 1)),
        3,
    )
    .unwrap()
}

fn need(code: &str, key: bool, required: u32) -> DepartmentNeed {
    DepartmentNeed {
        code: dept(code),
        key,
        required,
    }
}

fn member(id: &str, code: &str, hired: NaiveDate, leaves: Option<NaiveDate>) -> MemberFacts {
    MemberFacts {
        employee_id: EmployeeId::parse(id).unwrap(),
        department_code: dept(code),
        role: TeamRole::KeyUser,
        backup_for: None,
        joined_on: day(2025, 1, 1),
        hire_date: hired,
        last_working_day: leaves,
    }
}

fn status_on(members: &[MemberFacts], on: NaiveDate) -> CoverageStatus {
    let c = coverage(
        &project(),
        &[need("sales", true, 2)],
        members,
        on,
        &CoverageRules::default(),
    );
    c.department(&dept("sales")).unwrap().status
}

const VETERAN: fn() -> NaiveDate = || day(2020, 1, 1);

#[test]
fn two_settled_members_staying_past_stabilization_are_ok() {
    let team = [
        member("A", "sales", VETERAN(), None),
        member("B", "sales", VETERAN(), Some(day(2026, 9, 1))),
    ];
    assert_eq!(status_on(&team, day(2026, 3, 1)), CoverageStatus::Ok);
}

#[test]
fn a_departure_before_the_end_of_stabilization_is_at_risk_until_it_breaches() {
    let team = [
        member("A", "sales", VETERAN(), None),
        member("B", "sales", VETERAN(), Some(day(2026, 8, 31))),
        member("C", "sales", VETERAN(), None),
    ];
    // Before and on the last working day B still counts, but leaves too soon.
    assert_eq!(status_on(&team, day(2026, 8, 30)), CoverageStatus::AtRisk);
    assert_eq!(status_on(&team, day(2026, 8, 31)), CoverageStatus::AtRisk);
    // After it, two remain: ok.
    assert_eq!(status_on(&team, day(2026, 9, 1)), CoverageStatus::Ok);
    // Without C, the day after leaves one of two required.
    assert_eq!(
        status_on(&team[..2], day(2026, 9, 1)),
        CoverageStatus::Breached
    );
}

#[test]
fn after_stabilization_the_horizon_is_ninety_days_ahead() {
    let team = [
        member("A", "sales", VETERAN(), None),
        member("B", "sales", VETERAN(), Some(day(2027, 3, 1))),
    ];
    // 2027-01-01 is past stabilization (2026-09-01): 2027-03-01 is within 90 days.
    assert_eq!(status_on(&team, day(2027, 1, 1)), CoverageStatus::AtRisk);
    // On 2026-11-01 the horizon is 2027-01-30: the departure is beyond it.
    assert_eq!(status_on(&team, day(2026, 11, 1)), CoverageStatus::Ok);
}

#[test]
fn fewer_effective_than_required_is_breached_even_with_one_left() {
    let team = [member("A", "sales", VETERAN(), Some(day(2026, 4, 30)))];
    // One effective member of two required: breached wins over single point.
    assert_eq!(status_on(&team, day(2026, 4, 1)), CoverageStatus::Breached);
    assert_eq!(status_on(&[], day(2026, 4, 1)), CoverageStatus::Breached);
}

#[test]
fn exactly_one_effective_member_is_a_single_point_where_one_is_required() {
    let p = project();
    let team = [member("A", "it", VETERAN(), None)];
    let c = coverage(
        &p,
        &[need("it", false, 1)],
        &team,
        day(2026, 3, 1),
        &CoverageRules::default(),
    );
    assert_eq!(c.departments[0].status, CoverageStatus::SinglePoint);
    assert_eq!(c.departments[0].effective, 1);
}

#[test]
fn a_new_hire_counts_only_after_settling_in_and_puts_the_department_at_risk_meanwhile() {
    let hired = day(2026, 2, 1); // settled from 2026-05-02 (90 days)
    let team = [
        member("A", "sales", VETERAN(), None),
        member("B", "sales", VETERAN(), None),
        member("N", "sales", hired, None),
    ];
    let inside = day(2026, 5, 1);
    assert_eq!(status_on(&team, inside), CoverageStatus::AtRisk);
    assert_eq!(status_on(&team, day(2026, 5, 2)), CoverageStatus::Ok);
    // Two required, one veteran and the newcomer: breached while settling, then ok.
    let pair = [
        member("A", "sales", VETERAN(), None),
        member("N", "sales", hired, None),
    ];
    assert_eq!(status_on(&pair, inside), CoverageStatus::Breached);
    assert_eq!(status_on(&pair, day(2026, 5, 2)), CoverageStatus::Ok);
    let c = coverage(
        &project(),
        &[need("sales", true, 2)],
        &team,
        inside,
        &CoverageRules::default(),
    );
    let n = &c.departments[0].members[2];
    assert_eq!(
        (n.effective, n.new_hire_until),
        (false, Some(day(2026, 5, 2)))
    );
}

#[test]
fn key_departments_appear_without_members_and_others_only_with_them() {
    let needs = [
        need("sales", true, 2),
        need("quality", true, 2),
        need("it", false, 1),
    ];
    let team = [
        member("A", "sales", VETERAN(), None),
        member("B", "sales", VETERAN(), None),
    ];
    let c = coverage(
        &project(),
        &needs,
        &team,
        day(2026, 3, 1),
        &CoverageRules::default(),
    );
    let codes: Vec<_> = c.departments.iter().map(|d| d.code.as_str()).collect();
    // Worst first: quality (breached) before sales (ok); `it` has nobody and is not key.
    assert_eq!(codes, ["quality", "sales"]);
    assert_eq!(c.status, CoverageStatus::Breached);
}

#[test]
fn a_member_counts_from_the_day_they_joined_the_team() {
    let mut late = member("B", "sales", VETERAN(), None);
    late.joined_on = day(2026, 3, 10);
    let team = [member("A", "sales", VETERAN(), None), late];
    assert_eq!(status_on(&team, day(2026, 3, 9)), CoverageStatus::Breached);
    assert_eq!(status_on(&team, day(2026, 3, 10)), CoverageStatus::Ok);
}

#[test]
fn reasons_name_who_and_why_in_both_languages() {
    let team = [member("A", "sales", VETERAN(), Some(day(2026, 4, 30)))];
    let c = coverage(
        &project(),
        &[need("sales", true, 2)],
        &team,
        day(2026, 4, 1),
        &CoverageRules::default(),
    );
    let reasons: Vec<_> = c.departments[0].reasons.iter().map(|r| r.text()).collect();
    assert_eq!(reasons[0].en, "1 effective member(s), 2 required");
    assert_eq!(reasons[0].zh, "有效成员 1 人，要求 2 人");
    assert!(
        reasons[1].en.contains("A leaves on 2026-04-30"),
        "{reasons:?}"
    );
}
