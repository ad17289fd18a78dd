//! Bearer-token authentication with the contract's roles.
//!
//! Tokens are kept only as SHA-256 digests; a presented token is hashed and looked up.
//! Every handler names who may call it through [`Caller::require`].

use std::collections::HashMap;
use std::future::{Ready, ready};

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::settings::Settings;
use crate::text;
use continuity_contract::EmployeeId;
pub use continuity_contract::Role;

/// Who holds a token.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Hex SHA-256 of the token: what tells two tokens apart, whatever their names.
    pub digest: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub employee_id: Option<EmployeeId>,
}

/// The known tokens, by digest.
#[derive(Debug, Default, Clone)]
pub struct TokenStore {
    by_digest: HashMap<[u8; 32], Principal>,
}

pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl TokenStore {
    /// The admin and service tokens plus every configured token.
    pub fn from_settings(settings: &Settings) -> Self {
        let mut store = Self::default();
        let mut add_plain = |token: &Option<SecretString>, name: &str, role: Role| {
            if let Some(t) = token {
                store.insert(
                    digest(t.expose_secret()),
                    Principal {
                        digest: String::new(),
                        name: name.into(),
                        roles: vec![role],
                        employee_id: None,
                    },
                );
            }
        };
        add_plain(&settings.admin_token, "admin", Role::Admin);
        add_plain(&settings.service_token, "service", Role::Service);
        for spec in &settings.tokens {
            let mut bytes = [0u8; 32];
            // Validated at start-up: 64 hex digits.
            if hex::decode_to_slice(&spec.sha256, &mut bytes).is_err() {
                continue;
            }
            store.insert(
                bytes,
                Principal {
                    digest: String::new(),
                    name: spec.name.clone(),
                    roles: spec.roles.clone(),
                    employee_id: spec.employee_id.clone(),
                },
            );
        }
        store
    }

    pub fn insert(&mut self, digest: [u8; 32], mut principal: Principal) {
        principal.digest = hex::encode(digest);
        self.by_digest.insert(digest, principal);
    }

    fn lookup(&self, token: &str) -> Option<&Principal> {
        self.by_digest.get(&digest(token))
    }
}

/// The authenticated caller of a request; extracting it answers 401 when the token is
/// missing or unknown.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl Caller {
    /// 403 unless the caller holds one of `roles` (admin holds every role).
    pub fn require(&self, roles: &[Role]) -> ApiResult<()> {
        if self.has_any(roles) {
            Ok(())
        } else {
            Err(ApiError::forbidden(text!(
                "Your token does not allow this operation.",
                "您的令牌无权执行此操作。"
            )))
        }
    }

    /// 403 unless the caller holds `role` itself: for what no other role may do, not even
    /// an admin (events between the services).
    pub fn require_exactly(&self, role: Role) -> ApiResult<()> {
        if self.0.roles.contains(&role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(text!(
                "Only the suite's own services may do this.",
                "只有本套件的服务可以执行此操作。"
            )))
        }
    }

    /// Like [`Caller::require`], but a `member` token also passes for its own person.
    pub fn require_self_or(&self, employee: &EmployeeId, roles: &[Role]) -> ApiResult<()> {
        let is_self =
            self.0.roles.contains(&Role::Member) && self.0.employee_id.as_ref() == Some(employee);
        if is_self { Ok(()) } else { self.require(roles) }
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.0
            .roles
            .iter()
            .any(|r| *r == Role::Admin || roles.contains(r))
    }

    /// Who the caller is, for people reading logs and the audit trail: the token's name
    /// (or the start of its digest when it has none), and its employee.
    pub fn identity(&self) -> String {
        let name = if self.0.name.is_empty() {
            format!("token:{}", self.0.digest.get(..12).unwrap_or_default())
        } else {
            self.0.name.clone()
        };
        match &self.0.employee_id {
            Some(e) => format!("{name}:{e}"),
            None => name,
        }
    }

    /// What tells this token from every other (idempotency scopes), never the token.
    pub fn token_digest(&self) -> &str {
        &self.0.digest
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> ApiResult<Caller> {
    let missing = || {
        ApiError::unauthorized(text!(
            "Send a valid token as `Authorization: Bearer <token>`.",
            "请以 `Authorization: Bearer <令牌>` 提供有效令牌。"
        ))
    };
    let token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .ok_or_else(missing)?;
    let store = req
        .app_data::<web::Data<TokenStore>>()
        .ok_or_else(|| ApiError::internal("token store missing from app data"))?;
    let principal = store.lookup(token).ok_or_else(missing)?;
    tracing::Span::current().record("caller", principal.name.as_str());
    Ok(Caller(principal.clone()))
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is case-insensitive
/// (RFC 9110, 11.1), so `bearer`, `BEARER` and `BeArEr` all name it.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(roles: Vec<Role>, employee: Option<&str>) -> Caller {
        Caller(Principal {
            digest: String::new(),
            name: "t".into(),
            roles,
            employee_id: employee.map(|e| EmployeeId::parse(e).unwrap()),
        })
    }

    #[test]
    fn admin_passes_every_role_check() {
        assert!(
            caller(vec![Role::Admin], None)
                .require(&[Role::Manager])
                .is_ok()
        );
    }

    #[test]
    fn a_member_acts_only_as_its_own_employee() {
        let me = EmployeeId::parse("E1").unwrap();
        let other = EmployeeId::parse("E2").unwrap();
        let c = caller(vec![Role::Member], Some("E1"));
        assert!(c.require_self_or(&me, &[Role::Manager]).is_ok());
        assert!(c.require_self_or(&other, &[Role::Manager]).is_err());
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        for value in [
            "Bearer t0k",
            "bearer t0k",
            "BEARER t0k",
            "BeArEr t0k",
            "Bearer   t0k ",
        ] {
            assert_eq!(bearer_token(value), Some("t0k"), "{value:?}");
        }
        for value in [
            "Basic dDA6aw==",
            "Bearer",
            "Bearer ",
            "Bearert0k",
            "t0k",
            "",
        ] {
            assert_eq!(bearer_token(value), None, "{value:?}");
        }
    }

    #[test]
    fn tokens_are_found_by_digest_only() {
        let mut store = TokenStore::default();
        store.insert(
            digest("s3cret"),
            Principal {
                digest: String::new(),
                name: "crm".into(),
                roles: vec![Role::Integration],
                employee_id: None,
            },
        );
        assert!(store.lookup("s3cret").is_some());
        assert!(store.lookup("s3cre").is_none());
    }
}
