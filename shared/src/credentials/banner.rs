//! What a first start says about its credentials: only the values in effect (a token the
//! environment overrides is never shown), and secrets only on a terminal, since anything
//! else (a container's output, a service manager's journal) keeps them in logs.

use std::path::Path;

use secrecy::ExposeSecret;

use super::{CredentialsOutcome, Origin};

/// The banner, or `None` when nothing was generated (there is nothing new to tell).
/// `in_environment` says whether a variable is set, to name where a value came from;
/// `terminal` whether standard output is a terminal.
pub fn banner(
    outcome: &CredentialsOutcome,
    in_environment: impl Fn(&str) -> bool,
    terminal: bool,
) -> Option<String> {
    if !outcome.generated_any() {
        return None;
    }
    let file = outcome
        .file
        .as_deref()
        .unwrap_or(Path::new(super::FILE_NAME));
    let mut text = if terminal {
        format!(
            "First start: credentials generated, saved to {} (owner-only). Shown this once:",
            file.display()
        )
    } else {
        format!(
            "First start: credentials generated, saved to {} (owner-only). Not shown, as the \
             output is not a terminal: read them from that file.",
            file.display()
        )
    };
    for (credential, origin) in &outcome.origins {
        let value = match origin {
            Origin::Generated(secret) if terminal => secret.expose_secret().to_owned(),
            Origin::Generated(_) => format!("generated, in {}", file.display()),
            Origin::File => format!("from {}", file.display()),
            Origin::Settings if in_environment(credential.variable()) => {
                format!("from {}", credential.variable())
            }
            Origin::Settings => "from the configuration file".to_owned(),
        };
        text.push_str(&format!(
            "\n  {:<18} {value}",
            format!("{}:", credential.label())
        ));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::credentials::Credential;

    /// A first start where the environment gave the admin token and the rest was generated.
    fn admin_from_environment() -> CredentialsOutcome {
        let generated = |v: &str| Origin::Generated(SecretString::from(v.to_owned()));
        CredentialsOutcome {
            file: Some("/data/credentials.toml".into()),
            origins: vec![
                (Credential::AdminToken, Origin::Settings),
                (Credential::ServiceToken, generated("svc_new")),
                (Credential::HrWebhookSecret, generated("whsec_new")),
            ],
        }
    }

    fn env_has_admin(variable: &str) -> bool {
        variable == "CONTINUITY_ADMIN_TOKEN"
    }

    #[test]
    fn on_a_terminal_the_generated_values_are_shown_and_an_admin_token_from_the_environment_is_named_not_shown()
     {
        let text = banner(&admin_from_environment(), env_has_admin, true).unwrap();
        assert!(
            text.contains("admin token:       from CONTINUITY_ADMIN_TOKEN"),
            "{text}"
        );
        assert!(
            text.contains("svc_new") && text.contains("whsec_new"),
            "{text}"
        );
        assert!(!text.contains("adm_"), "{text}");
    }

    #[test]
    fn without_a_terminal_no_secret_is_printed_only_where_they_are() {
        let text = banner(&admin_from_environment(), env_has_admin, false).unwrap();
        assert!(
            !text.contains("svc_new") && !text.contains("whsec_new"),
            "{text}"
        );
        assert!(text.contains("service token:     generated, in /data/credentials.toml"));
        assert!(
            text.contains("admin token:       from CONTINUITY_ADMIN_TOKEN"),
            "{text}"
        );
    }

    #[test]
    fn a_value_from_the_configuration_file_is_named_as_such() {
        let text = banner(&admin_from_environment(), |_| false, false).unwrap();
        assert!(
            text.contains("admin token:       from the configuration file"),
            "{text}"
        );
    }

    #[test]
    fn nothing_is_said_when_nothing_was_generated() {
        let outcome = CredentialsOutcome {
            file: Some("/data/credentials.toml".into()),
            origins: vec![
                (Credential::AdminToken, Origin::Settings),
                (Credential::ServiceToken, Origin::File),
                (Credential::HrWebhookSecret, Origin::File),
            ],
        };
        assert!(banner(&outcome, env_has_admin, true).is_none());
    }
}
