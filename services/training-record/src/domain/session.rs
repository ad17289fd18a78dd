//! Training sessions: what was taught, to whom, and whether it is required.

use chrono::NaiveDate;
use continuity_contract::{DepartmentCode, Name, ProjectId};
use continuity_shared::i18n::Text;
use continuity_shared::{FieldError, text};

use super::ids::SessionId;

/// The longest session a trainer records, in minutes (a full day and then some).
pub const MAX_DURATION_MINUTES: u32 = 24 * 60;
/// The longest description kept, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;

/// A training session of a project; serialized as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TrainingSession {
    pub session_id: SessionId,
    pub project_id: ProjectId,
    pub title: Name,
    pub module: Name,
    pub held_on: NaiveDate,
    pub trainer: Name,
    pub duration_minutes: u32,
    /// The audience: sorted, without repeats, at least one.
    pub departments: Vec<DepartmentCode>,
    pub description: String,
    pub required: bool,
}

/// What a client sends for a session, before it is checked.
#[derive(Debug, Clone)]
pub struct SessionDraft {
    pub title: String,
    pub module: String,
    pub held_on: NaiveDate,
    pub trainer: String,
    pub duration_minutes: u32,
    pub departments: Vec<DepartmentCode>,
    pub description: String,
    pub required: bool,
}

fn name(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Name> {
    Name::parse(raw)
        .map_err(|e| errors.push(FieldError::new(field, Text::new(e.to_string(), e.zh()))))
        .ok()
}

impl TrainingSession {
    /// A session from a draft: names of 1 to 200 characters, a duration of 1 minute to a
    /// day, at least one audience department, a description of at most 10,000 characters.
    pub fn new(
        session_id: SessionId,
        project_id: ProjectId,
        d: SessionDraft,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = name("title", &d.title, &mut errors);
        let module = name("module", &d.module, &mut errors);
        let trainer = name("trainer", &d.trainer, &mut errors);
        if !(1..=MAX_DURATION_MINUTES).contains(&d.duration_minutes) {
            errors.push(FieldError::new(
                "duration_minutes",
                text!(
                    "must be from 1 to {MAX_DURATION_MINUTES}",
                    "须在 1 到 {MAX_DURATION_MINUTES} 之间"
                ),
            ));
        }
        let mut departments = d.departments;
        departments.sort();
        departments.dedup();
        if departments.is_empty() {
            errors.push(FieldError::new(
                "departments",
                text!("must name at least one department", "须至少包含一个部门"),
            ));
        }
        if d.description.chars().count() > MAX_DESCRIPTION_CHARS {
            errors.push(FieldError::new(
                "description",
                text!(
                    "must be at most {MAX_DESCRIPTION_CHARS} characters",
                    "不能超过 {MAX_DESCRIPTION_CHARS} 个字符"
                ),
            ));
        }
        match (title, module, trainer) {
            (Some(title), Some(module), Some(trainer)) if errors.is_empty() => Ok(Self {
                session_id,
                project_id,
                title,
                module,
                held_on: d.held_on,
                trainer,
                duration_minutes: d.duration_minutes,
                departments,
                description: d.description,
                required: d.required,
            }),
            _ => Err(errors),
        }
    }

    /// The draft this session was made from: what a patch starts from.
    pub fn draft(&self) -> SessionDraft {
        SessionDraft {
            title: self.title.to_string(),
            module: self.module.to_string(),
            held_on: self.held_on,
            trainer: self.trainer.to_string(),
            duration_minutes: self.duration_minutes,
            departments: self.departments.clone(),
            description: self.description.clone(),
            required: self.required,
        }
    }

    /// Whether people of `department` are in the audience.
    pub fn is_for(&self, department: &DepartmentCode) -> bool {
        self.departments.binary_search(department).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> SessionDraft {
        SessionDraft {
            title: "Leads".into(),
            module: "sales".into(),
            held_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            trainer: "Wang".into(),
            duration_minutes: 60,
            departments: vec![
                DepartmentCode::parse("sales").unwrap(),
                DepartmentCode::parse("it").unwrap(),
                DepartmentCode::parse("sales").unwrap(),
            ],
            description: String::new(),
            required: true,
        }
    }

    #[test]
    fn the_audience_is_sorted_without_repeats_and_read_by_department() {
        let s = TrainingSession::new(SessionId::new(), ProjectId::new(), draft()).unwrap();
        let codes: Vec<_> = s.departments.iter().map(|d| d.as_str()).collect();
        assert_eq!(codes, ["it", "sales"]);
        assert!(s.is_for(&DepartmentCode::parse("it").unwrap()));
        assert!(!s.is_for(&DepartmentCode::parse("quality").unwrap()));
    }

    #[test]
    fn blank_names_a_zero_duration_and_no_audience_are_each_named() {
        let bad = SessionDraft {
            title: " ".into(),
            trainer: String::new(),
            duration_minutes: 0,
            departments: vec![],
            description: "x".repeat(MAX_DESCRIPTION_CHARS + 1),
            ..draft()
        };
        let errors = TrainingSession::new(SessionId::new(), ProjectId::new(), bad).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "trainer",
                "duration_minutes",
                "departments",
                "description"
            ]
        );
    }
}
