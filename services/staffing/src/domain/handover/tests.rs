use chrono::NaiveDate;
use continuity_contract::{
    DepartmentCode, EmployeeId, EmployeeStatus, HandoverId, HandoverPart, HandoverStatus,
    ProjectId, TeamRole,
};

use super::*;
use crate::domain::coverage::{CoverageRules, MemberFacts};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn id(s: &str) -> EmployeeId {
    EmployeeId::parse(s).unwrap()
}

fn sales() -> DepartmentCode {
    DepartmentCode::parse("sales").unwrap()
}

const TODAY: fn() -> NaiveDate = || day(2026, 6, 1);

fn member(who: &str, dept: &str, backup_for: Option<&str>) -> MemberFacts {
    MemberFacts {
        employee_id: id(who),
        department_code: DepartmentCode::parse(dept).unwrap(),
        role: TeamRole::Member,
        backup_for: backup_for.map(id),
        joined_on: day(2025, 1, 1),
        hire_date: day(2020, 1, 1),
        last_working_day: None,
    }
}

fn candidate(who: &str, hired: NaiveDate, sessions: u32) -> Candidate {
    Candidate {
        employee_id: id(who),
        department_code: sales(),
        status: EmployeeStatus::Active,
        hire_date: hired,
        last_working_day: None,
        sessions_done: sessions,
    }
}

fn propose_with(
    named: Option<&Candidate>,
    team: &[MemberFacts],
    colleagues: &[Candidate],
) -> (Option<EmployeeId>, ProposalKind) {
    let leaver = id("L");
    let dept = sales();
    propose(
        &ProposalFacts {
            leaver: &leaver,
            department: &dept,
            named_by_hr: named,
            team,
            colleagues,
            today: TODAY(),
        },
        &CoverageRules::default(),
    )
}

#[test]
fn the_due_date_is_the_last_working_day_unless_it_is_under_a_week_away() {
    let rules = HandoverRules::default();
    let opened = day(2026, 6, 1);
    assert_eq!(rules.due_date(day(2026, 6, 30), opened), day(2026, 6, 30));
    assert_eq!(rules.due_date(day(2026, 6, 8), opened), day(2026, 6, 8));
    assert_eq!(rules.due_date(day(2026, 6, 7), opened), day(2026, 6, 15));
    // A termination effective today.
    assert_eq!(rules.due_date(opened, opened), day(2026, 6, 15));
}

#[test]
fn hr_named_successor_wins_when_active_and_settled() {
    let team = [member("L", "sales", None), member("B", "sales", Some("L"))];
    let named = candidate("H", day(2020, 1, 1), 0);
    assert_eq!(
        propose_with(Some(&named), &team, &[]),
        (Some(id("H")), ProposalKind::NamedByHr)
    );
    // Still settling in (hired 30 days ago): the backup instead.
    let fresh = candidate("H", day(2026, 5, 2), 0);
    assert_eq!(
        propose_with(Some(&fresh), &team, &[]),
        (Some(id("B")), ProposalKind::Backup)
    );
    // Leaving themselves: not active.
    let leaving = Candidate {
        status: EmployeeStatus::Leaving,
        ..named
    };
    assert_eq!(
        propose_with(Some(&leaving), &team, &[]).1,
        ProposalKind::Backup
    );
}

#[test]
fn a_backup_who_is_not_effective_gives_way_to_the_department() {
    let mut backup = member("B", "sales", Some("L"));
    backup.hire_date = day(2026, 5, 1); // settling in
    let team = [
        member("L", "sales", None),
        backup,
        member("S", "sales", None),
        member("Q", "quality", None),
    ];
    assert_eq!(
        propose_with(None, &team, &[]),
        (Some(id("S")), ProposalKind::SameDepartment)
    );
    // A backup whose last working day has passed is not effective either.
    let mut gone = member("B", "sales", Some("L"));
    gone.last_working_day = Some(day(2026, 5, 31));
    let team = [member("L", "sales", None), gone];
    assert_eq!(propose_with(None, &team, &[]), (None, ProposalKind::None));
}

#[test]
fn off_the_team_the_most_trained_colleague_then_the_longest_serving() {
    let team = [member("L", "sales", None), member("Q", "quality", None)];
    let colleagues = [
        candidate("OLD", day(2010, 1, 1), 0),
        candidate("T2", day(2019, 1, 1), 2),
        candidate("T5", day(2021, 1, 1), 5),
        candidate("NEW", day(2026, 5, 1), 9), // still settling in
    ];
    assert_eq!(
        propose_with(None, &team, &colleagues),
        (Some(id("T5")), ProposalKind::MostTrained)
    );
    let untrained = [
        candidate("OLD", day(2010, 1, 1), 0),
        candidate("YOUNG", day(2022, 1, 1), 0),
    ];
    assert_eq!(
        propose_with(None, &team, &untrained),
        (Some(id("OLD")), ProposalKind::LongestServing)
    );
    assert_eq!(propose_with(None, &team, &[]), (None, ProposalKind::None));
}

#[test]
fn only_hr_named_and_backup_proposals_are_assigned_at_once() {
    let at_once: Vec<_> = ProposalKind::ALL
        .into_iter()
        .filter(|k| k.assigns_at_once())
        .collect();
    assert_eq!(at_once, [ProposalKind::NamedByHr, ProposalKind::Backup]);
    for k in ProposalKind::ALL {
        assert_eq!(ProposalKind::parse(k.as_str()), Some(k));
    }
}

fn handover() -> Handover {
    Handover {
        handover_id: HandoverId::new(),
        project_id: ProjectId::new(),
        leaver_employee_id: id("L"),
        department_code: sales(),
        role: TeamRole::KeyUser,
        last_working_day: day(2026, 6, 30),
        due_date: day(2026, 6, 30),
        status: HandoverStatus::Open,
        proposed_successor: None,
        proposal: ProposalKind::None,
        successor: None,
        training: None,
        acknowledgments: None,
        forced: false,
        closing_reason: None,
    }
}

#[test]
fn completion_needs_a_successor_and_both_parts_done_unless_forced() {
    let mut h = handover();
    assert_eq!(h.complete(None), Err(HandoverRefusal::NoSuccessor));
    h.assign(id("S")).unwrap();
    assert_eq!(h.status, HandoverStatus::SuccessorAssigned);
    assert_eq!(
        h.complete(None),
        Err(HandoverRefusal::PartsNotDone(vec![
            HandoverPart::Training,
            HandoverPart::Acknowledgments
        ]))
    );
    assert!(h.progress(
        HandoverPart::Training,
        PartProgress {
            done: 3,
            required: 3
        }
    ));
    assert_eq!(h.status, HandoverStatus::InProgress);
    assert!(h.progress(
        HandoverPart::Acknowledgments,
        PartProgress {
            done: 1,
            required: 2
        }
    ));
    assert_eq!(
        h.complete(None),
        Err(HandoverRefusal::PartsNotDone(vec![
            HandoverPart::Acknowledgments
        ]))
    );
    // The latest report counts: two of two.
    assert!(h.progress(
        HandoverPart::Acknowledgments,
        PartProgress {
            done: 2,
            required: 2
        }
    ));
    h.complete(None).unwrap();
    assert_eq!((h.status, h.forced), (HandoverStatus::Completed, false));
    assert_eq!(
        h.complete(None),
        Err(HandoverRefusal::Closed(HandoverStatus::Completed))
    );
}

#[test]
fn nothing_required_counts_as_done_and_forcing_records_the_reason() {
    let mut h = handover();
    h.assign(id("S")).unwrap();
    h.progress(
        HandoverPart::Training,
        PartProgress {
            done: 0,
            required: 0,
        },
    );
    h.complete(Some("left early, trained by hand".into()))
        .unwrap();
    assert!(h.forced);
    assert_eq!(
        h.closing_reason.as_deref(),
        Some("left early, trained by hand")
    );
}

#[test]
fn a_cancelled_handover_takes_no_more_progress_or_assignments() {
    let mut h = handover();
    assert!(h.cancel("resignation rescinded"));
    assert!(!h.cancel("again"));
    assert!(!h.progress(
        HandoverPart::Training,
        PartProgress {
            done: 1,
            required: 1
        }
    ));
    assert_eq!(
        h.assign(id("S")),
        Err(HandoverRefusal::Closed(HandoverStatus::Cancelled))
    );
}
