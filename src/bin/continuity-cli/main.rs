//! `continuity-cli`: what people otherwise do by hand against a running suite. It reads the
//! same settings as the services (`continuity.toml` or `CONTINUITY_CONFIG`, the
//! `CONTINUITY_*` variables, and the credentials file in the data directory).

use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use continuity::client::{Api, Urls, find_project};
use continuity_contract::{EmployeeId, Role};
use continuity_shared::clock::Clock;
use secrecy::ExposeSecret;
use serde_json::Value;

mod hr;
mod table;

/// The Continuity suite's command-line companion.
#[derive(Parser)]
#[command(
    name = "continuity-cli",
    version,
    after_help = "Settings as the services read them: continuity.toml (or the file \
                  CONTINUITY_CONFIG names), CONTINUITY_* variables, and the credentials file \
                  in the data directory."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the admin token, service token, HR webhook secret and the services' URLs.
    Credentials {
        /// As shell assignments (TOKEN, SERVICE_TOKEN, HR_SECRET, and S, TR, PC, SC for the
        /// four services' URLs), for `eval "$(continuity-cli credentials --shell)"`.
        #[arg(long)]
        shell: bool,
    },
    /// Make bearer tokens for the settings file's `tokens` list.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Sign an HR event as the HR system does and send it to staffing's webhook.
    #[command(subcommand, name = "hr-event")]
    HrEvent(hr::HrCommand),
    /// List the projects staffing knows.
    Projects,
    /// A project's coverage by department, as a table.
    Coverage {
        /// The project's id or name.
        project: String,
        /// The day to read it on (default today, in the company's time zone).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// A project's handovers with their successors and progress, as a table.
    Handovers {
        /// The project's id or name.
        project: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make a new random token and print it with its settings-file entry (its SHA-256).
    New {
        /// Who holds it, as the audit trail names it.
        #[arg(long)]
        name: String,
        /// Its roles (repeat for several): admin, manager, documenter, trainer, member,
        /// integration, service.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The employee a `member` token acts as.
        #[arg(long)]
        employee_id: Option<String>,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("continuity-cli: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    // A new token needs no settings: it is made here and only its digest is configured.
    let command = match command {
        Command::Token(TokenCommand::New {
            name,
            roles,
            employee_id,
        }) => {
            print!("{}", new_token(&name, &roles, employee_id.as_deref())?);
            return Ok(ExitCode::SUCCESS);
        }
        other => other,
    };
    let (settings, file) = continuity::settings()?;
    let urls = Urls::from_settings(&settings)?;
    let secret =
        |s: &Option<secrecy::SecretString>| s.as_ref().map(|v| v.expose_secret().to_owned());
    let admin = secret(&settings.admin_token);
    let colour = table::colours();
    match command {
        Command::Token(_) => Ok(ExitCode::SUCCESS), // answered above
        Command::Credentials { shell } => {
            let values = [
                ("TOKEN", "admin token", admin),
                (
                    "SERVICE_TOKEN",
                    "service token",
                    secret(&settings.service_token),
                ),
                (
                    "HR_SECRET",
                    "HR webhook secret",
                    secret(&settings.hr_webhook_secret),
                ),
            ];
            if values.iter().all(|v| v.2.is_none()) {
                bail!(
                    "no credentials: start the suite once (it writes {}), or set them in the environment",
                    settings.data_dir.join("credentials.toml").display()
                );
            }
            let services = [
                ("S", "staffing", &urls.staffing),
                ("TR", "training-record", &urls.training_record),
                ("PC", "process-change", &urls.process_change),
                ("SC", "scheduling", &urls.scheduling),
            ];
            if shell {
                for (var, _, value) in &values {
                    if let Some(v) = value {
                        println!("{var}={}", shell_quoted(v));
                    }
                }
                for (var, _, url) in services {
                    println!("{var}={}", shell_quoted(url));
                }
            } else {
                let mut rows: Vec<Vec<String>> = values
                    .iter()
                    .map(|(_, label, v)| {
                        vec![
                            label.to_string(),
                            v.clone().unwrap_or_else(|| "(not set)".into()),
                        ]
                    })
                    .collect();
                rows.extend(
                    services
                        .iter()
                        .map(|(_, name, url)| vec![name.to_string(), url.to_string()]),
                );
                print!("{}", table::render(&["WHAT", "VALUE"], &rows, &[], colour));
                match file {
                    Some(f) => println!("(from the settings and {})", f.display()),
                    None => println!("(from the settings)"),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::HrEvent(event) => {
            let secret = secret(&settings.hr_webhook_secret)
                .context("no HR webhook secret in the settings or the credentials file")?;
            let today = Clock::system(settings.time_zone.0).today();
            hr::send(&urls.staffing, &secret, event, today).await
        }
        Command::Projects => {
            let api = api(admin, urls)?;
            let projects = api
                .list(&format!("{}/v1/projects", api.urls.staffing))
                .await?;
            let rows: Vec<Vec<String>> = projects
                .iter()
                .map(|p| {
                    [
                        "project_id",
                        "name",
                        "status",
                        "planned_start",
                        "planned_go_live",
                    ]
                    .iter()
                    .map(|k| text(&p[*k]))
                    .collect()
                })
                .collect();
            let header = ["ID", "NAME", "STATUS", "START", "GO-LIVE"];
            print!("{}", table::render(&header, &rows, &[], colour));
            Ok(ExitCode::SUCCESS)
        }
        Command::Coverage { project, on } => {
            let api = api(admin, urls)?;
            let p = find_project(&api, &project).await?;
            let id = text(&p["project_id"]);
            let on = on.map(|d| format!("?on={d}")).unwrap_or_default();
            let coverage = api
                .get(&format!(
                    "{}/v1/projects/{id}/coverage{on}",
                    api.urls.staffing
                ))
                .await?;
            println!(
                "{} ({id}): {} on {}",
                text(&p["name"]),
                text(&coverage["status"]),
                text(&coverage["on"])
            );
            print!("{}", coverage_table(&coverage, colour));
            Ok(ExitCode::SUCCESS)
        }
        Command::Handovers { project } => {
            let api = api(admin, urls)?;
            let p = find_project(&api, &project).await?;
            let id = text(&p["project_id"]);
            let handovers = api
                .list(&format!("{}/v1/handovers?project={id}", api.urls.staffing))
                .await?;
            println!(
                "{} ({id}): {} handover(s)",
                text(&p["name"]),
                handovers.len()
            );
            if !handovers.is_empty() {
                print!("{}", handover_table(&handovers, colour));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn api(admin: Option<String>, urls: Urls) -> anyhow::Result<Api> {
    let token = admin.context("no admin token in the settings or the credentials file")?;
    Api::new(token, urls)
}

/// `value` as one shell word, whatever it holds (the output is meant for `eval`).
fn shell_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A JSON value as a table cell: strings bare, null empty.
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The token and its `[[tokens]]` entry; the token itself is never stored, only its digest.
fn new_token(name: &str, roles: &[String], employee_id: Option<&str>) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty()
        || name.len() > 100
        || name.contains(['"', '\\'])
        || name.contains(char::is_control)
    {
        bail!(
            "--name must be 1 to 100 characters without quotes, backslashes or control characters"
        );
    }
    let roles: Vec<Role> = roles
        .iter()
        .map(|r| Role::parse(r).with_context(|| format!("no role is called {r:?}")))
        .collect::<anyhow::Result<_>>()?;
    let employee = employee_id
        .map(|e| EmployeeId::parse(e).map_err(|err| anyhow::anyhow!("--employee-id: {err}")))
        .transpose()?;
    if roles.contains(&Role::Member) != employee.is_some() {
        bail!("a member token needs --employee-id, and only a member token takes one");
    }
    let token = continuity_shared::credentials::random_token("tok");
    let digest = hex::encode(continuity_shared::auth::digest(&token));
    let roles: Vec<String> = roles
        .iter()
        .map(|r| format!("\"{}\"", r.as_str()))
        .collect();
    let mut entry = format!(
        "[[tokens]]\nname = \"{name}\"\nroles = [{}]\nsha256 = \"{digest}\"\n",
        roles.join(", ")
    );
    if let Some(e) = employee {
        entry.push_str(&format!("employee_id = \"{e}\"\n"));
    }
    Ok(format!(
        "Token (shown only now; give it to {name}): {token}\n\
         Add this to the settings file (continuity.toml) and restart the services:\n\n{entry}"
    ))
}

fn coverage_table(coverage: &Value, colour: bool) -> String {
    let empty = Vec::new();
    let rows: Vec<Vec<String>> = coverage["departments"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|d| {
            let members: Vec<String> = d["members"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .map(|m| {
                    let mut s = format!("{} {}", text(&m["employee_id"]), text(&m["role"]));
                    if m["effective"] != true {
                        s.push_str(" (not effective)");
                    } else if m["leaving"] == true {
                        s.push_str(&format!(" (leaves {})", text(&m["last_working_day"])));
                    }
                    s
                })
                .collect();
            let reasons: Vec<String> = d["reasons"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .map(text)
                .collect();
            vec![
                text(&d["department_code"]),
                if d["key"] == true { "key" } else { "" }.into(),
                text(&d["status"]),
                format!("{} of {}", text(&d["effective"]), text(&d["required"])),
                members.join(", "),
                reasons.join("; "),
            ]
        })
        .collect();
    let header = ["DEPARTMENT", "KEY", "STATUS", "EFFECTIVE", "MEMBERS", "WHY"];
    table::render(&header, &rows, &[2], colour)
}

fn handover_table(handovers: &[Value], colour: bool) -> String {
    let progress = |p: &Value| {
        if p.is_null() {
            "-".to_owned()
        } else {
            format!("{} of {}", text(&p["done"]), text(&p["required"]))
        }
    };
    let rows: Vec<Vec<String>> = handovers
        .iter()
        .map(|h| {
            let successor = &h["successor"];
            let who = match (
                successor["assigned_employee_id"].as_str(),
                successor["proposed_employee_id"].as_str(),
            ) {
                (Some(a), _) => a.to_owned(),
                (None, Some(p)) => format!("{p} (proposed)"),
                (None, None) => "nobody yet".to_owned(),
            };
            vec![
                text(&h["leaver_employee_id"]),
                text(&h["department_code"]),
                text(&h["role"]),
                text(&h["last_working_day"]),
                text(&h["due_date"]),
                who,
                text(&h["status"]),
                progress(&h["training"]),
                progress(&h["acknowledgments"]),
            ]
        })
        .collect();
    let header = [
        "LEAVER",
        "DEPARTMENT",
        "ROLE",
        "LAST DAY",
        "DUE",
        "SUCCESSOR",
        "STATUS",
        "TRAINING",
        "ACKNOWLEDGED",
    ];
    table::render(&header, &rows, &[6], colour)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use serde_json::json;

    #[test]
    fn every_command_says_what_it_does_in_its_help() {
        fn check(command: &clap::Command, path: &str) {
            for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
                let path = format!("{path} {}", sub.get_name());
                assert!(sub.get_about().is_some(), "{path} has no help text");
                for arg in sub.get_arguments().filter(|a| a.get_id() != "help") {
                    assert!(
                        arg.get_help().is_some(),
                        "{path} {} has no help",
                        arg.get_id()
                    );
                }
                check(sub, &path);
            }
        }
        Cli::command().debug_assert();
        check(&Cli::command(), "continuity-cli");
    }

    #[test]
    fn a_new_token_prints_its_digest_and_never_stores_itself() {
        let out = new_token("crm", &["integration".into()], None).unwrap_or_default();
        let token = out
            .split_whitespace()
            .find(|w| w.starts_with("tok_"))
            .unwrap_or_default();
        assert_eq!(token.len(), 4 + 64);
        let digest = hex::encode(continuity_shared::auth::digest(token));
        assert!(out.contains(&format!("sha256 = \"{digest}\"")), "{out}");
        assert!(out.contains("roles = [\"integration\"]"), "{out}");
        assert_eq!(out.matches(token).count(), 1);
    }

    #[test]
    fn shell_output_stays_one_word_whatever_the_value() {
        assert_eq!(shell_quoted("adm_1f"), "'adm_1f'");
        assert_eq!(shell_quoted("a'b; rm -rf x"), r"'a'\''b; rm -rf x'");
    }

    #[test]
    fn member_tokens_need_an_employee_and_roles_must_exist() {
        assert!(new_token("li", &["member".into()], None).is_err());
        assert!(new_token("li", &["manager".into()], Some("E1001")).is_err());
        assert!(new_token("li", &["boss".into()], None).is_err());
        assert!(new_token("li\"", &["manager".into()], None).is_err());
        assert!(new_token("li\nroles = [\"admin\"]", &["manager".into()], None).is_err());
        let member = new_token("li", &["member".into()], Some("E1001")).unwrap_or_default();
        assert!(member.contains("employee_id = \"E1001\""), "{member}");
    }

    #[test]
    fn coverage_rows_say_who_counts_and_why() {
        let coverage = json!({"departments": [{"department_code": "after_sales", "key": true,
            "required": 2, "effective": 1, "status": "breached",
            "reasons": ["1 effective member(s), 2 required"],
            "members": [{"employee_id": "E1150", "role": "key_user", "effective": true, "leaving": false},
                        {"employee_id": "E1151", "role": "member", "effective": false, "leaving": false}]}]});
        let t = coverage_table(&coverage, false);
        assert!(t.contains("after_sales  key  breached  1 of 2     E1150 key_user, E1151 member (not effective)  1 effective"), "{t}");
    }
}
