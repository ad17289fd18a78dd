//! Replaying requests signed (and encrypted) before the run: signing as they are sent
//! would put the client's crypto in the measure, and on a shared machine take the cores
//! the service is measured on. Every answer's status is checked against the one expected,
//! so that a run of refusals (401s are fast) cannot pass for throughput.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use super::{Measured, load_in_process, wrk_report};

/// One `POST`, ready to send as it is.
#[derive(Debug, Clone)]
pub struct Presigned {
    /// Path and query (`/v1/hr/sources/wx/events?msg_signature=…`).
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Presigned {
    /// The request, to `base`.
    pub fn build(&self, client: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
        let mut req = client.post(format!("{base}{}", self.path));
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        req.body(self.body.clone())
    }
}

/// A replay's measure, `failures` counting every answer other than the expected status
/// and every request that got no answer.
pub struct Replayed {
    pub measured: Measured,
    /// Requests sent again because the list ran out (each a redelivery to the service).
    pub repeats: usize,
    /// The first unexpected answer (status and the start of its body), when wrk saw one.
    pub sample: Option<String>,
}

/// Replays `requests` against `base` from `connections` connections for `duration` with
/// wrk when it is installed, else from the in-process client (which only tells 2xx from
/// the rest).
pub fn replay(
    name: &str,
    base: &str,
    connections: usize,
    duration: Duration,
    requests: Vec<Presigned>,
    expect: u16,
) -> anyhow::Result<Replayed> {
    if let Some(replayed) = wrk_presigned(name, base, connections, duration, &requests, expect)? {
        return Ok(replayed);
    }
    let count = requests.len();
    let (base, requests) = (base.to_owned(), Arc::new(requests));
    let measured = load_in_process(connections, duration, move |client, worker, n| {
        requests[(n * connections + worker) % requests.len()].build(client, &base)
    });
    Ok(Replayed {
        repeats: measured.requests.saturating_sub(count),
        measured,
        sample: None,
    })
}

/// Replays `requests` with wrk (its threads take every other one, in order); `None` when
/// wrk is not installed or gave no report.
pub fn wrk_presigned(
    name: &str,
    base: &str,
    connections: usize,
    duration: Duration,
    requests: &[Presigned],
    expect: u16,
) -> anyhow::Result<Option<Replayed>> {
    anyhow::ensure!(!requests.is_empty(), "nothing to replay");
    // One request a line, tab-separated: path, header count, names and values, body.
    let mut lines = String::with_capacity(requests.len() * (requests[0].body.len() + 512));
    for r in requests {
        let mut fields = vec![r.path.as_str()];
        let count = r.headers.len().to_string();
        fields.push(&count);
        for (k, v) in &r.headers {
            fields.extend([k.as_str(), v.as_str()]);
        }
        fields.push(&r.body);
        anyhow::ensure!(
            fields.iter().all(|f| !f.contains(['\t', '\n'])),
            "a pre-signed request holds a tab or a line break: {}",
            r.path
        );
        writeln!(lines, "{}", fields.join("\t"))?;
    }
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("presigned.tsv");
    std::fs::write(&file, lines)?;
    let script = format!(
        "FILE = {:?}\nTHREADS = 2\nEXPECT = {expect}\n{SCRIPT}",
        file.display().to_string()
    );
    let report = wrk_report(name, base, connections, duration, &script);
    let _ = std::fs::remove_file(&file);
    let Some((mut measured, report)) = report else {
        return Ok(None);
    };
    let tally = report
        .lines()
        .find_map(|l| l.strip_prefix("presigned: "))
        .ok_or_else(|| anyhow::anyhow!("wrk's script gave no tally: {report}"))?;
    let number = |key: &str| -> anyhow::Result<usize> {
        tally
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(key))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no {key} in wrk's tally: {tally}"))
    };
    let (other, unanswered) = (number("other=")?, number("unanswered=")?);
    measured.failures = other + unanswered;
    let sample = tally
        .split_once("sample=")
        .map(|(_, s)| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    Ok(Some(Replayed {
        repeats: measured.requests.saturating_sub(requests.len()),
        measured,
        sample,
    }))
}

/// wrk's sender: thread `tid` of `THREADS` sends lines tid, tid + THREADS, … of `FILE`,
/// counts the answers by whether they are `EXPECT`, and the main thread prints the tally
/// (socket errors and timeouts as unanswered). wrk calls `request` once on thread 0 to
/// check it, so line 0 is never sent.
const SCRIPT: &str = r#"
local reqs = {}
local index = 0
local threads = {}
good, other, sample = 0, 0, ""
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(FILE) do
    local f = {}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do f[#f + 1] = field end
    local headers = {}
    for i = 0, tonumber(f[2]) - 1 do headers[f[3 + 2 * i]] = f[4 + 2 * i] end
    reqs[#reqs + 1] = wrk.format("POST", f[1], headers, f[#f])
  end
  index = tid
end
function request()
  local r = reqs[(index % #reqs) + 1]
  index = index + THREADS
  return r
end
function response(status, headers, body)
  if status == EXPECT then
    good = good + 1
  else
    other = other + 1
    if sample == "" then
      sample = status .. " " .. (string.gsub(string.sub(body or "", 1, 300), "%s", " "))
    end
  end
end
function done(summary, latency, requests)
  local g, o, s = 0, 0, ""
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    o = o + t:get("other")
    if s == "" then s = t:get("sample") end
  end
  local e = summary.errors
  io.write(string.format("presigned: good=%d other=%d unanswered=%d sample=%s\n",
    g, o, e.connect + e.read + e.write + e.timeout, s))
end
"#;
