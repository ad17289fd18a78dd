//! How far a person is with a session, and their catch-up plan: the required sessions of
//! their department they neither attended nor completed, oldest first.

use std::sync::Arc;

use chrono::NaiveDate;

use super::material::{Material, MaterialKind};
use super::session::TrainingSession;

/// One material as a person has used it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaterialUse {
    pub kind: MaterialKind,
    /// Watched share of a recording, or 1 for a document read.
    pub share: f64,
    /// A recording watched to the threshold, or a document read.
    pub done: bool,
}

/// The seconds a recording lasts: as recorded, or the session's length.
pub fn duration_seconds(m: &Material, s: &TrainingSession) -> f64 {
    recording_seconds(m.duration_seconds, s.duration_minutes)
}

/// [`duration_seconds`] from the two lengths alone: the `recorded` one, else the session's.
pub fn recording_seconds(recorded: Option<u32>, session_minutes: u32) -> f64 {
    f64::from(recorded.unwrap_or(session_minutes.saturating_mul(60)))
}

/// How someone has used `m`, from their stored progress on it (watched seconds and done),
/// if any: a recording by the share watched, slides and documents once done.
pub fn material_use(m: &Material, s: &TrainingSession, used: Option<(f64, bool)>) -> MaterialUse {
    let (seconds, done) = used.unwrap_or((0.0, false));
    let share = match m.kind {
        MaterialKind::Video => {
            let d = duration_seconds(m, s);
            if d > 0.0 {
                (seconds / d).clamp(0.0, 1.0)
            } else {
                0.0
            }
        }
        _ if done => 1.0,
        _ => 0.0,
    };
    MaterialUse {
        kind: m.kind,
        share,
        done,
    }
}

/// A person's state of one session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionState {
    pub done: bool,
    /// 0 to 1.
    pub share: f64,
}

/// Attending completes a session. Otherwise its recordings count: all of them watched to
/// the threshold; a session without a recording is done when all its materials are read.
/// A session without materials can only be attended.
pub fn session_state(attended: bool, uses: &[MaterialUse]) -> SessionState {
    if attended {
        return SessionState {
            done: true,
            share: 1.0,
        };
    }
    let videos: Vec<&MaterialUse> = uses
        .iter()
        .filter(|u| u.kind == MaterialKind::Video)
        .collect();
    let counted: Vec<&MaterialUse> = if videos.is_empty() {
        uses.iter().collect()
    } else {
        videos
    };
    if counted.is_empty() {
        return SessionState {
            done: false,
            share: 0.0,
        };
    }
    let done = counted.iter().all(|u| u.done);
    let share = counted.iter().map(|u| u.share.clamp(0.0, 1.0)).sum::<f64>() / counted.len() as f64;
    SessionState {
        done,
        share: if done { 1.0 } else { share },
    }
}

/// One session of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanItem {
    pub session: Arc<TrainingSession>,
    pub share_done: f64,
    pub minutes_left: u32,
}

/// A person's plan: what is left, and how many required sessions there are and are done.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub items: Vec<PlanItem>,
    pub sessions_required: u32,
    pub sessions_done: u32,
}

/// The plan from the required sessions of the person's department and their state of
/// each; oldest first (then by id, so equal dates keep one order).
pub fn plan(required: Vec<(Arc<TrainingSession>, SessionState)>) -> Plan {
    let sessions_required = required.len() as u32;
    let mut items: Vec<PlanItem> = Vec::with_capacity(required.len());
    for (session, state) in required {
        if state.done {
            continue;
        }
        let left = f64::from(session.duration_minutes) * (1.0 - state.share.clamp(0.0, 1.0));
        items.push(PlanItem {
            minutes_left: left.ceil() as u32,
            share_done: state.share,
            session,
        });
    }
    items.sort_by(|a, b| {
        (a.session.held_on, a.session.session_id).cmp(&(b.session.held_on, b.session.session_id))
    });
    Plan {
        sessions_done: sessions_required - items.len() as u32,
        sessions_required,
        items,
    }
}

/// Whether a plan with `left` sessions to go is overdue on `today`.
pub fn is_overdue(due: NaiveDate, today: NaiveDate, left: u32) -> bool {
    left > 0 && today > due
}

#[cfg(test)]
mod tests {
    use continuity_contract::{DepartmentCode, ProjectId};

    use super::*;
    use crate::domain::ids::SessionId;
    use crate::domain::session::SessionDraft;

    fn session(day: u32, minutes: u32) -> TrainingSession {
        TrainingSession::new(
            SessionId::new(),
            ProjectId::new(),
            SessionDraft {
                title: format!("S{day}"),
                module: "m".into(),
                held_on: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
                trainer: "T".into(),
                duration_minutes: minutes,
                departments: vec![DepartmentCode::parse("sales").unwrap()],
                description: String::new(),
                required: true,
            },
        )
        .unwrap()
    }

    fn video(share: f64, done: bool) -> MaterialUse {
        MaterialUse {
            kind: MaterialKind::Video,
            share,
            done,
        }
    }

    #[test]
    fn attending_or_watching_every_recording_completes_a_session_and_slides_do_not_replace_a_video()
    {
        assert!(session_state(true, &[]).done);
        assert!(!session_state(false, &[]).done);
        assert!(session_state(false, &[video(0.95, true)]).done);
        let slides = MaterialUse {
            kind: MaterialKind::Slides,
            share: 1.0,
            done: true,
        };
        let half = session_state(false, &[video(0.5, false), slides]);
        assert_eq!(
            half,
            SessionState {
                done: false,
                share: 0.5
            }
        );
        assert!(session_state(false, &[slides]).done);
    }

    #[test]
    fn the_plan_lists_what_is_left_oldest_first_with_minutes_left() {
        let (old, new, done) = (
            Arc::new(session(3, 60)),
            Arc::new(session(9, 90)),
            Arc::new(session(1, 30)),
        );
        let p = plan(vec![
            (
                new.clone(),
                SessionState {
                    done: false,
                    share: 0.0,
                },
            ),
            (
                done,
                SessionState {
                    done: true,
                    share: 1.0,
                },
            ),
            (
                old.clone(),
                SessionState {
                    done: false,
                    share: 0.25,
                },
            ),
        ]);
        assert_eq!((p.sessions_done, p.sessions_required), (1, 3));
        let order: Vec<_> = p
            .items
            .iter()
            .map(|i| (i.session.session_id, i.minutes_left))
            .collect();
        assert_eq!(order, [(old.session_id, 45), (new.session_id, 90)]);
    }

    #[test]
    fn nothing_required_is_a_plan_of_zero_of_zero() {
        let p = plan(vec![]);
        assert_eq!(
            (p.sessions_done, p.sessions_required, p.items.len()),
            (0, 0, 0)
        );
    }

    #[test]
    fn a_plan_is_overdue_only_after_its_due_date_with_work_left() {
        let due = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let next = due.succ_opt().unwrap();
        assert!(!is_overdue(due, due, 2));
        assert!(is_overdue(due, next, 2));
        assert!(!is_overdue(due, next, 0));
    }
}
