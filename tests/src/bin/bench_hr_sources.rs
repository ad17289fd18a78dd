//! `bench-hr-sources [--postgres URL] [--seconds N] [--senders N]`: the HR systems'
//! callbacks (`POST /v1/hr/sources/{source}/events`), per source, beside the generic HR
//! webhook measured in the same run (issue 12).
//!
//! For SQLite (always; `synchronous=full`, WAL) and PostgreSQL (when a server URL is given),
//! one staffing per database (pool of 8, as `bench-staffing`) with a WeCom, a DingTalk and
//! a Feishu source configured; then, in turn, `--senders` senders (32 by default) for
//! `--seconds` seconds (10 by default) each:
//! - the generic webhook: `POST /v1/hr/events`, `employee.hired` signed per Standard
//!   Webhooks, answered 202 (the baseline the sources are compared with);
//! - WeCom: the XML envelope, AES per WXBizMsgCrypt, `msg_signature`, a `change_contact`
//!   `create_user`;
//! - DingTalk: `{"encrypt": …}`, `signature`, an `hrm_mdm_user_change` of changeType 1;
//! - Feishu: `{"encrypt": …}` under the Encrypt Key, `X-Lark-Signature`, a
//!   `contact.user.created_v3`.
//!
//! Every callback hires a new person in a mapped department, with its own event id and
//! nonce, encrypted and signed at the real time just before its run (wrk replays them;
//! signing as sent would measure the client): each is stored and applied before the 200.
//! Every answer must be the expected status, and every acknowledged event must be read
//! back applied through `GET /v1/hr/events`, or the program fails.
//!
//! Target: the acknowledgment's p99 under 100 ms on SQLite and on PostgreSQL. The ratio to
//! the generic webhook's rate is reported, with no target.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use continuity_shared::testing::TestDatabase;
use continuity_tests::bench::{
    Presigned, Replayed, client_runtime, get_json, hired_deliveries, hr_secret, replay,
    start_staffing, stop,
};
use serde_json::json;
use staffing::hr_sources::callback_crypto::CallbackCrypto;
use staffing::hr_sources::feishu;

/// The service's database pool, as in `bench-staffing`.
const POOL: u32 = 8;
const P99_TARGET_MS: f64 = 100.0;
/// WeCom's and DingTalk's EncodingAESKey (43 characters).
const AES_KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
const WX_TOKEN: &str = "wx-bench-token";
const WX_CORP: &str = "wwbenchcorp0001";
const DD_TOKEN: &str = "dd-bench-token";
const DD_APP_KEY: &str = "dingbenchappkey";
const FS_KEY: &str = "fs-bench-encrypt-key";
const FS_TOKEN: &str = "fs-bench-verification-token";
const FS_APP: &str = "cli_bench";

fn main() -> anyhow::Result<()> {
    let arg = continuity_tests::bench::arg;
    let postgres = arg("--postgres");
    let seconds: u64 = arg("--seconds").map_or(Ok(10), |n| n.parse())?;
    let senders: usize = arg("--senders").map_or(Ok(32), |n| n.parse())?;
    anyhow::ensure!(
        seconds < 240,
        "pre-signed callbacks must stay within the 300 s tolerance"
    );
    let run = Run { seconds, senders };
    run.measure(&TestDatabase::sqlite(), "SQLite (synchronous=full)")?;
    if let Some(url) = postgres {
        let title = format!("PostgreSQL, pool of {POOL}");
        run.measure(&TestDatabase::postgres(&url), &title)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Generic,
    Wecom,
    Dingtalk,
    Feishu,
}

/// The generic webhook first: it is what the sources are compared with.
const SOURCES: [Source; 4] = [
    Source::Generic,
    Source::Wecom,
    Source::Dingtalk,
    Source::Feishu,
];

impl Source {
    fn what(self) -> &'static str {
        match self {
            Self::Generic => {
                "generic webhook: `POST /v1/hr/events`, signed `employee.hired` (baseline)"
            }
            Self::Wecom => "WeCom `wx`: XML, AES, `msg_signature`; `create_user`",
            Self::Dingtalk => "DingTalk `dd`: AES, `signature`; `hrm_mdm_user_change` 1",
            Self::Feishu => "Feishu `fs`: AES, `X-Lark-Signature`; `contact.user.created_v3`",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Generic => "generic",
            Self::Wecom => "wecom",
            Self::Dingtalk => "dingtalk",
            Self::Feishu => "feishu",
        }
    }

    /// How its events' `webhook_id`s start.
    fn webhook_prefix(self) -> &'static str {
        match self {
            Self::Generic => "msg_bench_",
            Self::Wecom => "wx:",
            Self::Dingtalk => "dd:",
            Self::Feishu => "fs:",
        }
    }

    /// The acknowledgment of a fresh event: the generic webhook's 202 says it was stored.
    fn expect(self) -> u16 {
        match self {
            Self::Generic => 202,
            _ => 200,
        }
    }

    /// `count` hires, signed (and encrypted) now.
    fn requests(self, count: usize) -> Vec<Presigned> {
        let now = Utc::now();
        match self {
            Self::Generic => hired_deliveries(count, now.timestamp()),
            Self::Wecom => wecom_hires(count, now),
            Self::Dingtalk => dingtalk_hires(count, now),
            Self::Feishu => feishu_hires(count, now),
        }
    }
}

/// Staffing's settings: the generic webhook's secret and the three sources, each mapping
/// its vendor's department id to `sales` (a department every new installation has).
fn settings() -> Vec<(String, String)> {
    let mut env = vec![
        ("CONTINUITY_HR_WEBHOOK_SECRET".to_owned(), hr_secret()),
        (
            "CONTINUITY_DATABASE__POOL_SIZE".to_owned(),
            POOL.to_string(),
        ),
    ];
    let sources = [
        ("WX__VENDOR", "wecom"),
        ("WX__TOKEN", WX_TOKEN),
        ("WX__ENCODING_AES_KEY", AES_KEY),
        ("WX__RECEIVE_ID", WX_CORP),
        ("WX__DEPARTMENTS__2", "sales"),
        ("DD__VENDOR", "dingtalk"),
        ("DD__TOKEN", DD_TOKEN),
        ("DD__ENCODING_AES_KEY", AES_KEY),
        ("DD__RECEIVE_ID", DD_APP_KEY),
        ("DD__DEPARTMENTS__7", "sales"),
        ("FS__VENDOR", "feishu"),
        ("FS__ENCRYPT_KEY", FS_KEY),
        ("FS__VERIFICATION_TOKEN", FS_TOKEN),
        ("FS__APP_ID", FS_APP),
        ("FS__DEPARTMENTS__OD123", "sales"),
    ];
    for (key, value) in sources {
        let key = format!("CONTINUITY_STAFFING__HR_SOURCES__{key}");
        env.push((key, value.to_owned()));
    }
    env
}

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// WeCom `create_user` callbacks: the `Encrypt` of the XML envelope signed with the
/// timestamp in seconds and a nonce of its own.
fn wecom_hires(count: usize, now: DateTime<Utc>) -> Vec<Presigned> {
    let crypto = CallbackCrypto::new(WX_TOKEN, AES_KEY, WX_CORP).unwrap();
    let ts = now.timestamp().to_string();
    (0..count)
        .map(|n| {
            let message = format!(
                "<xml><ToUserName><![CDATA[{WX_CORP}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
                 <CreateTime>{ts}</CreateTime><MsgType><![CDATA[event]]></MsgType>\
                 <Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[create_user]]></ChangeType>\
                 <UserID><![CDATA[WX{n}]]></UserID><Name><![CDATA[Person {n}]]></Name>\
                 <Department><![CDATA[2]]></Department></xml>"
            );
            let encrypt = crypto.encrypt(message.as_bytes());
            let nonce = (1_000_000_000 + n).to_string();
            let signature = crypto.signature(&ts, &nonce, &encrypt);
            Presigned {
                path: format!(
                    "/v1/hr/sources/wx/events?msg_signature={signature}&timestamp={ts}&nonce={nonce}"
                ),
                headers: vec![header("Content-Type", "application/xml")],
                body: format!(
                    "<xml><ToUserName><![CDATA[{WX_CORP}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt>\
                     <AgentID><![CDATA[1000002]]></AgentID></xml>"
                ),
            }
        })
        .collect()
}

/// DingTalk `hrm_mdm_user_change` hires: `{"encrypt": …}` signed with the timestamp in
/// milliseconds.
fn dingtalk_hires(count: usize, now: DateTime<Utc>) -> Vec<Presigned> {
    let crypto = CallbackCrypto::new(DD_TOKEN, AES_KEY, DD_APP_KEY).unwrap();
    let ts = now.timestamp_millis().to_string();
    (0..count)
        .map(|n| {
            let message = json!({"EventType": "hrm_mdm_user_change", "EventId": format!("ev-bench-{n}"),
                "TimeStamp": ts, "changeType": 1, "userId": format!("DD{n}"),
                "name": format!("Person {n}"), "deptId": 7, "CorpId": "dingbenchcorp"});
            let encrypt = crypto.encrypt(message.to_string().as_bytes());
            let nonce = format!("dd{n:08x}");
            let signature = crypto.signature(&ts, &nonce, &encrypt);
            Presigned {
                path: format!(
                    "/v1/hr/sources/dd/events?signature={signature}&timestamp={ts}&nonce={nonce}"
                ),
                headers: vec![header("Content-Type", "application/json")],
                body: json!({ "encrypt": encrypt }).to_string(),
            }
        })
        .collect()
}

/// Feishu `contact.user.created_v3` events, encrypted under the Encrypt Key and signed
/// over the body with the timestamp in seconds.
fn feishu_hires(count: usize, now: DateTime<Utc>) -> Vec<Presigned> {
    let ts = now.timestamp().to_string();
    (0..count)
        .map(|n| {
            let message = json!({"schema": "2.0", "header": {"event_id": format!("ev-bench-{n}"),
                "event_type": "contact.user.created_v3", "token": FS_TOKEN, "app_id": FS_APP,
                "tenant_key": "bench", "create_time": now.timestamp_millis().to_string()},
                "event": {"object": {"user_id": format!("FS{n}"), "open_id": format!("ou_{n}"),
                "name": format!("Person {n}"), "department_ids": ["od123"]}}});
            let mut iv = [0x5a; 16];
            iv[..8].copy_from_slice(&(n as u64).to_le_bytes());
            let encrypt = feishu::encrypt_with(FS_KEY, iv, message.to_string().as_bytes());
            let body = json!({ "encrypt": encrypt }).to_string();
            let nonce = format!("fs{n:08x}");
            let signature = feishu::signature(&ts, &nonce, FS_KEY, body.as_bytes());
            Presigned {
                path: "/v1/hr/sources/fs/events".to_owned(),
                headers: vec![
                    header("Content-Type", "application/json"),
                    header("X-Lark-Request-Timestamp", &ts),
                    header("X-Lark-Request-Nonce", &nonce),
                    header("X-Lark-Signature", &signature),
                ],
                body,
            }
        })
        .collect()
}

struct Run {
    seconds: u64,
    senders: usize,
}

impl Run {
    /// Staffing on `db`, stopped whatever the outcome.
    fn measure(&self, db: &TestDatabase, title: &str) -> anyhow::Result<()> {
        let settings = settings();
        let env: Vec<(&str, String)> = settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let (base, handle, thread) = start_staffing(db, &env)?;
        let outcome = self.measure_sources(&base, title);
        stop(handle, thread);
        outcome
    }

    /// Each source in turn, its row printed as soon as it is measured (and before an
    /// unexpected answer stops the run, so the figures stay in sight); then every
    /// acknowledged event read back.
    fn measure_sources(&self, base: &str, title: &str) -> anyhow::Result<()> {
        println!(
            "\n## {title}: {} senders, {} s per source\n",
            self.senders, self.seconds
        );
        println!(
            "| source | per second | p50 | p99 | ratio to the generic webhook | target (p99 < {P99_TARGET_MS} ms) |"
        );
        println!("| --- | --- | --- | --- | --- | --- |");
        let mut acknowledged = BTreeMap::new();
        let mut generic = f64::NAN;
        for source in SOURCES {
            let replayed = self.load(base, source)?;
            let m = &replayed.measured;
            if source == Source::Generic {
                generic = m.per_second;
            }
            println!(
                "{}",
                m.row(source.what(), generic, Some((0.0, P99_TARGET_MS)))
            );
            check_answers(source, &replayed)?;
            // The check sent before the load is stored too.
            acknowledged.insert(source, m.requests + 1);
        }
        verify_stored(base, &acknowledged, self.senders)
    }

    /// One callback alone, then the load from fresh ones.
    fn load(&self, base: &str, source: Source) -> anyhow::Result<Replayed> {
        let count = continuity_tests::bench::deliveries_for(self.seconds);
        let mut requests = source.requests(count + 1);
        let check = requests.pop().unwrap();
        send_one(base, &check, source.expect())?;
        let duration = Duration::from_secs(self.seconds);
        replay(
            "bench-hr-sources",
            base,
            self.senders,
            duration,
            requests,
            source.expect(),
        )
    }
}

/// One callback before the load, so that a refusal stops the run at once, with its reason.
fn send_one(base: &str, request: &Presigned, expect: u16) -> anyhow::Result<()> {
    client_runtime().block_on(async {
        let res = request.build(&reqwest::Client::new(), base).send().await?;
        let status = res.status();
        let text = res.text().await?;
        anyhow::ensure!(
            status.as_u16() == expect,
            "{} answered {status}, not {expect}: {text}",
            request.path
        );
        Ok(())
    })
}

/// A measure of 401s (or of redeliveries) would be fast and worthless: any answer but
/// the expected one, or any repeat, fails the run.
fn check_answers(source: Source, replayed: &Replayed) -> anyhow::Result<()> {
    let m = &replayed.measured;
    anyhow::ensure!(
        m.failures == 0 && m.requests > 0,
        "{}: {} of {} requests were not answered {} (first: {})",
        source.name(),
        m.failures,
        m.requests,
        source.expect(),
        replayed.sample.as_deref().unwrap_or("not kept")
    );
    anyhow::ensure!(
        replayed.repeats == 0,
        "{}: {} requests repeated a pre-signed callback: more must be pre-signed",
        source.name(),
        replayed.repeats
    );
    Ok(())
}

/// Every HR event read back: per source, the applied ones are at least those
/// acknowledged and at most one more per sender (sent as the run ended, stored, the
/// answer not awaited); none is stored otherwise. The first hire of each is an employee.
fn verify_stored(
    base: &str,
    acknowledged: &BTreeMap<Source, usize>,
    senders: usize,
) -> anyhow::Result<()> {
    let (applied, other) = client_runtime().block_on(read_back(base))?;
    let mut stored = Vec::new();
    for (source, &acked) in acknowledged {
        let name = source.name();
        let not_applied = other.get(source).copied().unwrap_or(0);
        anyhow::ensure!(
            not_applied == 0,
            "{name}: {not_applied} events stored but not applied"
        );
        let n = applied.get(source).copied().unwrap_or(0);
        anyhow::ensure!(
            (acked..=acked + senders).contains(&n),
            "{name}: {n} events applied for {acked} acknowledged"
        );
        stored.push(format!("{name} {n} ({acked} acknowledged)"));
    }
    println!(
        "\nStored and applied, read back through `GET /v1/hr/events`: {}.",
        stored.join(", ")
    );
    Ok(())
}

/// Applied and other HR events per source, from every page of `GET /v1/hr/events`; the
/// employee each source's first applied event hired checked to be active.
async fn read_back(
    base: &str,
) -> anyhow::Result<(BTreeMap<Source, usize>, BTreeMap<Source, usize>)> {
    let client = reqwest::Client::new();
    let (mut applied, mut other) = (BTreeMap::new(), BTreeMap::new());
    let mut first_hire: BTreeMap<Source, String> = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/v1/hr/events?limit=500".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = get_json(&client, base, &path).await?;
        for event in page["items"].as_array().into_iter().flatten() {
            let id = event["webhook_id"].as_str().unwrap_or_default();
            let source = SOURCES
                .into_iter()
                .find(|s| id.starts_with(s.webhook_prefix()))
                .ok_or_else(|| anyhow::anyhow!("an HR event of no source: {event}"))?;
            let tally = if event["status"] == "applied" {
                if let Some(id) = event["data"]["employee_id"].as_str() {
                    first_hire.entry(source).or_insert_with(|| id.to_owned());
                }
                &mut applied
            } else {
                &mut other
            };
            *tally.entry(source).or_insert(0usize) += 1;
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    for source in SOURCES {
        let id = first_hire
            .get(&source)
            .ok_or_else(|| anyhow::anyhow!("{}: no event applied", source.name()))?;
        let employee = get_json(&client, base, &format!("/v1/employees/{id}")).await?;
        anyhow::ensure!(employee["status"] == "active", "employee {id}: {employee}");
    }
    Ok((applied, other))
}
