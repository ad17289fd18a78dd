//! The CloudEvents 1.0 envelope (JSON format) and the typed payloads inside it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Text;

/// One event as it travels between the services and out to webhooks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CloudEvent {
    /// Always `1.0`.
    pub specversion: String,
    /// A UUID v7, unique per source.
    pub id: String,
    /// The producing service, e.g. `staffing`.
    pub source: String,
    /// From the contract's table, e.g. `employee.upserted`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub time: DateTime<Utc>,
    /// The entity the event is about, e.g. `employee/E1001`: events with the same subject
    /// reach each subscriber in the order they happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacontenttype: Option<String>,
    /// `urn:continuity:event:{type}:v{version}`: the payload's schema and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataschema: Option<String>,
    pub data: serde_json::Value,
}

pub use continuity_contract::EventData;

impl CloudEvent {
    /// A new event from `source` about `data`, happening at `time`.
    pub fn new<T: EventData>(source: &str, data: &T, time: DateTime<Utc>) -> ApiResult<Self> {
        Ok(Self {
            specversion: "1.0".into(),
            id: crate::ids::new_id().to_string(),
            source: source.into(),
            event_type: T::TYPE.as_str().into(),
            time,
            subject: Some(data.subject()),
            datacontenttype: Some("application/json".into()),
            dataschema: Some(format!("urn:continuity:event:{}:v{}", T::TYPE, T::VERSION)),
            data: serde_json::to_value(data).map_err(ApiError::internal)?,
        })
    }

    /// The payload as `T`; a 422 naming the bad field when it does not fit.
    pub fn payload<T: EventData>(&self) -> ApiResult<T> {
        serde_path_to_error::deserialize(&self.data).map_err(|e| {
            let field = format!("data.{}", e.path());
            let msg = e.into_inner().to_string();
            ApiError::validation(vec![FieldError::new(field, Text::new(msg.clone(), msg))])
        })
    }

    /// Checks what the contract requires of every event.
    pub fn validate(&self) -> ApiResult<()> {
        let mut errors = Vec::new();
        if self.specversion != "1.0" {
            errors.push(FieldError::new(
                "specversion",
                Text::new("must be 1.0", "须为 1.0"),
            ));
        }
        for (field, value) in [
            ("id", &self.id),
            ("source", &self.source),
            ("type", &self.event_type),
        ] {
            if value.is_empty() || value.len() > 200 {
                errors.push(FieldError::new(
                    field,
                    Text::new("must be 1 to 200 characters", "须为 1 到 200 个字符"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(errors))
        }
    }
}
