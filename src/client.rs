//! A small JSON client for the suite's APIs, shared by the demo and the companion.

use anyhow::{Context, bail};
use continuity_contract::ServiceName;
use continuity_shared::settings::Settings;
use reqwest::Method;
use serde_json::Value;

/// Where each service is reached.
#[derive(Debug, Clone)]
pub struct Urls {
    pub staffing: String,
    pub training_record: String,
    pub process_change: String,
    pub scheduling: String,
}

impl Urls {
    /// From the settings: each service's `base_url`, else its port on loopback.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let url = |name: &str| -> anyhow::Result<String> {
            let service = ServiceName::parse(name).map_err(|e| anyhow::anyhow!("{e}"))?;
            settings
                .service(&service)
                .base_url()
                .with_context(|| format!("the settings give {name} neither a port nor a base_url"))
        };
        Ok(Self {
            staffing: url("staffing")?,
            training_record: url("training-record")?,
            process_change: url("process-change")?,
            scheduling: url("scheduling")?,
        })
    }

    /// The services one process runs, on the ports they listen on.
    pub fn from_ports(host: &str, ports: &[(String, u16)]) -> anyhow::Result<Self> {
        // An address that listens everywhere is reached on loopback.
        let host = match host {
            "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
            other => other,
        };
        let url = |name: &str| -> anyhow::Result<String> {
            ports
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, port)| format!("http://{host}:{port}"))
                .with_context(|| format!("{name} is not running in this process"))
        };
        Ok(Self {
            staffing: url("staffing")?,
            training_record: url("training-record")?,
            process_change: url("process-change")?,
            scheduling: url("scheduling")?,
        })
    }
}

/// An answer: its status and its body (JSON, or the text as a JSON string).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

/// Calls with one bearer token.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    token: String,
    pub urls: std::sync::Arc<Urls>,
}

impl Api {
    pub fn new(token: String, urls: Urls) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(std::time::Duration::from_secs(60))
            .build()?;
        Ok(Self {
            http,
            token,
            urls: std::sync::Arc::new(urls),
        })
    }

    /// Sends a request and returns whatever the service answered.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> anyhow::Result<Reply> {
        let mut request = self
            .http
            .request(method.clone(), url)
            .bearer_auth(&self.token);
        if let Some((content_type, bytes)) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {url}: is the suite running?"))?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Reply { status, body })
    }

    /// The body of a 2xx answer; any other status is an error showing the answer.
    pub async fn call(
        &self,
        method: Method,
        url: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> anyhow::Result<Value> {
        let reply = self.send(method.clone(), url, body).await?;
        if !(200..300).contains(&reply.status) {
            bail!("{method} {url}: {} {}", reply.status, reply.body);
        }
        Ok(reply.body)
    }

    pub async fn get(&self, url: &str) -> anyhow::Result<Value> {
        self.call(Method::GET, url, None).await
    }

    pub async fn post(&self, url: &str, json: &Value) -> anyhow::Result<Value> {
        self.call(
            Method::POST,
            url,
            Some(("application/json", json.to_string().into_bytes())),
        )
        .await
    }

    pub async fn put(&self, url: &str, json: &Value) -> anyhow::Result<Value> {
        self.call(
            Method::PUT,
            url,
            Some(("application/json", json.to_string().into_bytes())),
        )
        .await
    }

    /// Every item of a paginated list (`{"items": [...], "next_cursor": ...}`).
    pub async fn list(&self, url: &str) -> anyhow::Result<Vec<Value>> {
        let mut items = Vec::new();
        let separator = if url.contains('?') { '&' } else { '?' };
        let mut next = format!("{url}{separator}limit=500");
        loop {
            let page = self.get(&next).await?;
            if let Some(found) = page["items"].as_array() {
                items.extend(found.iter().cloned());
            }
            match page["next_cursor"].as_str() {
                Some(cursor) => next = format!("{url}{separator}limit=500&cursor={cursor}"),
                None => return Ok(items),
            }
        }
    }
}

/// A project's id from its id or its name, as staffing lists it.
pub async fn find_project(api: &Api, id_or_name: &str) -> anyhow::Result<Value> {
    let projects = api
        .list(&format!("{}/v1/projects", api.urls.staffing))
        .await?;
    let matching: Vec<&Value> = projects
        .iter()
        .filter(|p| p["project_id"] == id_or_name || p["name"] == id_or_name)
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!("no project has the id or name {id_or_name:?}"),
        _ => bail!("several projects are named {id_or_name:?}: give its id"),
    }
}
