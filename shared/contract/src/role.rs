//! The roles a caller can hold, as the contract names them. Tokens, settings and the
//! audit trail all speak these names, so they live with the contract.

use crate::string_enum::string_enum;

string_enum! {
    /// What a token may do. `admin` holds every role; the platform enforces that.
    pub enum Role {
        Admin = "admin",
        Manager = "manager",
        Documenter = "documenter",
        Trainer = "trainer",
        /// Bound to one employee: reads and acts only as that person.
        Member = "member",
        /// An integrator such as a CRM: reads everything, writes on behalf of employees.
        Integration = "integration",
        /// Calls between the suite's own services.
        Service = "service",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_written_in_lower_case_as_the_contract_names_them() {
        let json = serde_json::to_string(&Role::ALL).unwrap();
        assert_eq!(
            json,
            r#"["admin","manager","documenter","trainer","member","integration","service"]"#
        );
        let back: Vec<Role> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Role::ALL);
    }

    #[test]
    fn unknown_or_differently_cased_roles_are_refused() {
        assert_eq!(Role::parse("Admin"), None);
        assert_eq!(Role::parse("root"), None);
        assert!(serde_json::from_str::<Role>("\"root\"").is_err());
        assert_eq!(Role::parse("service"), Some(Role::Service));
        assert_eq!(Role::Integration.as_str(), "integration");
    }
}
