//! The vendors' APIs, for events that carry only ids: sign in (the token is cached until a
//! minute before it expires), then ask for the person's departure.
//!
//! - **Feishu**: `POST /open-apis/auth/v3/tenant_access_token/internal` (`app_id`,
//!   `app_secret`), then `POST /open-apis/corehr/v1/offboardings/search?user_id_type=people_corehr_id`
//!   with the event's `employment_id`; the offboarding with the event's `offboarding_id`
//!   gives `offboarding_info.offboarding_date` (or `expected_offboarding_date`).
//! - **DingTalk**: `POST /v1.0/oauth2/accessToken` (`appKey`, `appSecret`), then
//!   `GET /v1.0/hrm/employees/dimissionInfos?userIdList=["…"]` (header
//!   `x-acs-dingtalk-access-token`): `lastWorkDay` (ms), `status` (1 leaving, 2 left) and
//!   `handoverUserId`, the successor HR named.
//!
//! One client for every source: its own timeout, the optional egress proxy of
//! `[staffing.hr_api]`, never the environment's proxy variables.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use continuity_shared::http::body::read_bounded;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::mapping::Pending;
use super::{ApiCredentials, Change, HrSource, Vendor};
use crate::settings::HrApiSettings;

/// Answers larger than this are refused unread.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Why an enrichment failed this time (it is retried).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VendorError(pub String);

fn failed(what: impl Into<String>) -> VendorError {
    VendorError(what.into())
}

struct Token {
    value: String,
    until: Instant,
}

/// The HTTP client for the vendors' APIs and the tokens it holds, per source.
pub struct VendorApi {
    http: reqwest::Client,
    tokens: Mutex<HashMap<String, Token>>,
}

impl VendorApi {
    pub fn new(settings: &HrApiSettings) -> anyhow::Result<Self> {
        let builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_secs))
            .redirect(reqwest::redirect::Policy::none());
        let builder = match &settings.proxy {
            Some(url) => builder.proxy(
                reqwest::Proxy::all(url)
                    .map_err(|e| anyhow::anyhow!("staffing.hr_api.proxy `{url}`: {e}"))?,
            ),
            None => builder.no_proxy(),
        };
        Ok(Self {
            http: builder.build()?,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// What `pending` (an event of `source`) means, from the vendor's API; dates are the
    /// company's (`tz`).
    pub async fn enrich(
        &self,
        source: &HrSource,
        pending: &Pending,
        tz: Tz,
    ) -> Result<Change, VendorError> {
        let api = source
            .api
            .as_ref()
            .ok_or_else(|| failed("the source has no API credentials"))?;
        let answer = match source.vendor {
            Vendor::Feishu => self.feishu_offboarding(source, api, pending).await,
            Vendor::Dingtalk => self.dingtalk_dimission(source, api, pending).await,
            Vendor::Wecom => return Err(failed("WeCom's events are not enriched")),
        };
        if answer.is_err() {
            // A revoked or expired token must not fail every retry after it.
            self.tokens.lock().await.remove(&source.name);
        }
        let answer = answer?;
        match source.vendor {
            Vendor::Feishu => feishu_change(pending, &answer),
            _ => dingtalk_change(source, pending, &answer, tz),
        }
    }

    async fn feishu_offboarding(
        &self,
        source: &HrSource,
        api: &ApiCredentials,
        pending: &Pending,
    ) -> Result<Value, VendorError> {
        let employment = pending
            .fields
            .get("employment_id")
            .ok_or_else(|| failed("the event carries no employment_id"))?;
        let token = self
            .token(source, || async {
                let url = format!(
                    "{}/open-apis/auth/v3/tenant_access_token/internal",
                    api.base_url
                );
                let body = json!({"app_id": api.app, "app_secret": api.secret.expose_secret()});
                let answer = feishu_ok(self.call(self.http.post(url).json(&body)).await?)?;
                let token = answer["tenant_access_token"]
                    .as_str()
                    .ok_or_else(|| failed("Feishu's sign-in answer has no tenant_access_token"))?;
                Ok((token.to_owned(), answer["expire"].as_u64().unwrap_or(7200)))
            })
            .await?;
        let url = format!(
            "{}/open-apis/corehr/v1/offboardings/search?user_id_type=people_corehr_id&page_size=100",
            api.base_url
        );
        let request = self
            .http
            .post(url)
            .bearer_auth(token)
            .json(&json!({"employment_ids": [employment]}));
        feishu_ok(self.call(request).await?)
    }

    async fn dingtalk_dimission(
        &self,
        source: &HrSource,
        api: &ApiCredentials,
        pending: &Pending,
    ) -> Result<Value, VendorError> {
        let user = pending
            .fields
            .get("userid")
            .ok_or_else(|| failed("the event carries no userid"))?;
        let token = self
            .token(source, || async {
                let url = format!("{}/v1.0/oauth2/accessToken", api.base_url);
                let body = json!({"appKey": api.app, "appSecret": api.secret.expose_secret()});
                let answer = self.call(self.http.post(url).json(&body)).await?;
                let token = answer["accessToken"]
                    .as_str()
                    .ok_or_else(|| failed("DingTalk's sign-in answer has no accessToken"))?;
                Ok((
                    token.to_owned(),
                    answer["expireIn"].as_u64().unwrap_or(7200),
                ))
            })
            .await?;
        let url = format!("{}/v1.0/hrm/employees/dimissionInfos", api.base_url);
        let users = serde_json::to_string(&[user]).map_err(|e| failed(e.to_string()))?;
        let request = self
            .http
            .get(url)
            .query(&[("userIdList", users)])
            .header("x-acs-dingtalk-access-token", token);
        self.call(request).await
    }

    /// The source's cached token, or a new one from `sign_in` (value, seconds valid).
    async fn token<F, Fut>(&self, source: &HrSource, sign_in: F) -> Result<String, VendorError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, u64), VendorError>>,
    {
        let mut tokens = self.tokens.lock().await;
        if let Some(t) = tokens
            .get(&source.name)
            .filter(|t| t.until > Instant::now())
        {
            return Ok(t.value.clone());
        }
        let (value, valid_secs) = sign_in().await?;
        let until = Instant::now() + Duration::from_secs(valid_secs.saturating_sub(60));
        tokens.insert(
            source.name.clone(),
            Token {
                value: value.clone(),
                until,
            },
        );
        Ok(value)
    }

    /// Sends `request`; its JSON answer when the status is 2xx.
    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Value, VendorError> {
        let answer = request
            .send()
            .await
            .map_err(|e| failed(format!("the API cannot be reached: {e}")))?;
        let status = answer.status();
        let body = read_bounded(answer, MAX_ANSWER_BYTES)
            .await
            .ok_or_else(|| failed(format!("HTTP {status}, with a broken or oversized body")))?;
        if !status.is_success() {
            let head = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
            return Err(failed(format!("HTTP {status}: {head}")));
        }
        serde_json::from_slice(&body).map_err(|e| failed(format!("HTTP {status}, not JSON: {e}")))
    }
}

/// Feishu answers 200 with `code` ≠ 0 when a call fails: its `data` otherwise.
fn feishu_ok(answer: Value) -> Result<Value, VendorError> {
    match answer["code"].as_i64() {
        Some(0) => Ok(answer.get("data").cloned().unwrap_or(answer)),
        code => Err(failed(format!(
            "Feishu answered code {}: {}",
            code.map_or("none".to_owned(), |c| c.to_string()),
            answer["msg"].as_str().unwrap_or("")
        ))),
    }
}

/// The CoreHR offboarding `pending` names, in the search's `data`: resigning (status
/// 1/2/6) or left (3) on its offboarding date.
pub fn feishu_change(pending: &Pending, data: &Value) -> Result<Change, VendorError> {
    let wanted = pending.fields.get("offboarding_id");
    let items = data["items"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let item = items
        .iter()
        .find(|i| wanted.is_none_or(|w| i["offboarding_id"].as_str() == Some(w.as_str())))
        .ok_or_else(|| failed("Feishu's offboarding search does not list this offboarding yet"))?;
    let info = &item["offboarding_info"];
    let date = ["offboarding_date", "expected_offboarding_date"]
        .iter()
        .find_map(|k| info[k].as_str().filter(|d| !d.is_empty()))
        .ok_or_else(|| failed("the offboarding has no date yet"))?;
    let last_working_day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| failed(format!("the offboarding date `{date}` is not YYYY-MM-DD")))?;
    match pending.fields.get("status").map(String::as_str) {
        Some("3") => Ok(Change::LeftOn {
            last_working_day,
            successor: None,
        }),
        _ => Ok(Change::Resigning {
            last_working_day: Some(last_working_day),
            successor: None,
        }),
    }
}

/// The person's dimission record in DingTalk's answer: leaving (status 1) or left (2) on
/// `lastWorkDay`, with `handoverUserId` as the successor when our employee ids are
/// DingTalk user ids. No record: removed from the organization without HR's process, a
/// departure today.
pub fn dingtalk_change(
    source: &HrSource,
    pending: &Pending,
    answer: &Value,
    tz: Tz,
) -> Result<Change, VendorError> {
    let user = pending.fields.get("userid").map(String::as_str);
    let records = answer["result"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let Some(record) = records.iter().find(|r| r["userId"].as_str() == user) else {
        return Ok(Change::Left);
    };
    let last_working_day = record["lastWorkDay"]
        .as_i64()
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .map(|at| at.with_timezone(&tz).date_naive())
        .ok_or_else(|| failed("the dimission record has no lastWorkDay"))?;
    let successor = record["handoverUserId"]
        .as_str()
        .filter(|id| !id.is_empty() && source.employee_id_field == "userid")
        .map(str::to_owned);
    match record["status"].as_i64() {
        Some(1) => Ok(Change::Resigning {
            last_working_day: Some(last_working_day),
            successor,
        }),
        _ => Ok(Change::LeftOn {
            last_working_day,
            successor,
        }),
    }
}

#[cfg(test)]
#[path = "vendor_api/tests.rs"]
mod tests;
