use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// What a user may do (PRODUCT.md, "Roles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Primary inspection at the booth.
    Officer,
    /// Secondary inspection: adjudicates hits.
    Supervisor,
    /// Intelligence unit.
    Analyst,
    /// Protection officer: trafficking and smuggling-victim cases.
    Protection,
    /// Users, posts, list imports, retention.
    Admin,
    /// Reads the audit log.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Officer, Role::Supervisor, Role::Analyst, Role::Protection, Role::Admin, Role::Auditor];

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "officer" => Ok(Role::Officer),
            "supervisor" => Ok(Role::Supervisor),
            "analyst" => Ok(Role::Analyst),
            "protection" => Ok(Role::Protection),
            "admin" => Ok(Role::Admin),
            "auditor" => Ok(Role::Auditor),
            _ => Err(ValueError::Choice { expected: "officer, supervisor, analyst, protection, admin, auditor" }),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Analyst => "analyst",
            Role::Protection => "protection",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert_eq!(Role::parse(" Admin "), Ok(Role::Admin));
        let err = Role::parse("root").unwrap_err().to_string();
        assert!(err.contains("officer, supervisor"), "{err}");
    }
}
