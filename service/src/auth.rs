//! Who may do what: bearer tokens mapped to roles by the server's config file.
//!
//! ```toml
//! [[token]]
//! token = "a-long-random-secret"
//! name = "IETF Secretariat"
//! role = "secretariat"
//!
//! [[token]]
//! token = "another-secret"
//! name = "QUIC chairs"
//! role = "chair"            # chair or secretary of the listed groups
//! groups = ["quic"]
//!
//! [[token]]
//! token = "third-secret"
//! name = "Transport ADs"
//! role = "ad"               # area director of the listed areas
//! areas = ["tsv"]
//! ```

use crate::error::{Result, ServiceError};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// What a token lets its holder do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Everything: meetings, locks, solves, any request, even while locked.
    Secretariat,
    /// Chair or secretary: the requests of these groups.
    Chair {
        /// The groups' acronyms.
        groups: Vec<String>,
    },
    /// Area director: the requests of groups in these areas, and third-session approval.
    AreaDirector {
        /// The areas' acronyms.
        areas: Vec<String>,
    },
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Shown in histories and notifications.
    pub name: String,
    /// What the caller may do.
    pub role: Role,
}

impl Caller {
    pub(crate) fn is_secretariat(&self) -> bool {
        self.role == Role::Secretariat
    }

    /// May change the request of `group` (whose area is `area`).
    pub fn may_edit(&self, group: &str, area: &str) -> bool {
        match &self.role {
            Role::Secretariat => true,
            Role::Chair { groups } => groups.iter().any(|g| g == group),
            Role::AreaDirector { areas } => !area.is_empty() && areas.iter().any(|a| a == area),
        }
    }

    /// May approve a third session of a group in `area`.
    pub fn may_approve(&self, area: &str) -> bool {
        match &self.role {
            Role::Secretariat => true,
            Role::AreaDirector { areas } => !area.is_empty() && areas.iter().any(|a| a == area),
            Role::Chair { .. } => false,
        }
    }

    pub(crate) fn require_secretariat(&self, what: &str) -> Result<()> {
        if self.is_secretariat() {
            Ok(())
        } else {
            Err(ServiceError::PermissionDenied(format!(
                "only the secretariat can {what}; {} is not the secretariat",
                self.name
            )))
        }
    }

    pub(crate) fn require_edit(&self, group: &str, area: &str) -> Result<()> {
        if self.may_edit(group, area) {
            Ok(())
        } else {
            Err(ServiceError::PermissionDenied(format!(
                "{} may not change the request of {group}: only its chairs, its area's ADs and the secretariat can",
                self.name
            )))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    token: Vec<TokenEntry>,
    /// Mail delivery, read by [`crate::mail::MailConfig`].
    #[serde(default)]
    #[allow(dead_code)]
    mail: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    token: String,
    name: String,
    role: String,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    areas: Vec<String>,
}

/// How the example config's tokens begin.
pub const EXAMPLE_TOKEN_PREFIX: &str = "change-me";

/// The token table: who each bearer token is.
#[derive(Clone, Default)]
pub struct AccessConfig {
    tokens: HashMap<String, Caller>,
}

/// Never prints a token.
impl std::fmt::Debug for AccessConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessConfig")
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

/// Why the access config cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the access config {path}")]
    Read {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not a valid config, or is unsafe (anyone may write it).
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl AccessConfig {
    /// Reads the config at `path`, refusing one that anyone may write (whoever can
    /// write it can make themselves the secretariat).
    pub fn load(path: &Path) -> Result<AccessConfig, ConfigError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|source| ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })?
                .permissions()
                .mode();
            if mode & 0o002 != 0 {
                return Err(ConfigError::Invalid {
                    path: path.display().to_string(),
                    message: format!(
                        "anyone may write this file (mode {:o}), and so give themselves any role; run `chmod o-w {}`",
                        mode & 0o777,
                        path.display()
                    ),
                });
            }
        }
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        AccessConfig::parse(&text).map_err(|message| ConfigError::Invalid {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses the TOML config; the error names the entry and the fix.
    pub fn parse(text: &str) -> Result<AccessConfig, String> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut tokens = HashMap::new();
        for (i, e) in file.token.into_iter().enumerate() {
            let at = format!("token[{i}] ({})", e.name);
            if e.token.len() < 8 {
                return Err(format!(
                    "{at}: the token is shorter than 8 characters; use a long random secret"
                ));
            }
            let role = match e.role.as_str() {
                "secretariat" => Role::Secretariat,
                "chair" | "secretary" => {
                    if e.groups.is_empty() {
                        return Err(format!("{at}: role {:?} needs `groups = [\"acronym\", ...]`", e.role));
                    }
                    Role::Chair { groups: e.groups }
                }
                "ad" => {
                    if e.areas.is_empty() {
                        return Err(format!("{at}: role \"ad\" needs `areas = [\"area\", ...]`"));
                    }
                    Role::AreaDirector { areas: e.areas }
                }
                other => {
                    return Err(format!(
                        "{at}: unknown role {other:?}; use \"secretariat\", \"chair\", \"secretary\" or \"ad\""
                    ))
                }
            };
            let caller = Caller { name: e.name, role };
            if tokens.insert(e.token, caller).is_some() {
                return Err(format!(
                    "{at}: this token is already given to another entry"
                ));
            }
        }
        Ok(AccessConfig { tokens })
    }

    /// The names of the entries whose token is an example's (`change-me...`, as in
    /// `service/serve.example.toml`): anyone who read the example has it.
    pub fn example_tokens(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tokens
            .iter()
            .filter(|(token, _)| token.starts_with(EXAMPLE_TOKEN_PREFIX))
            .map(|(_, caller)| caller.name.clone())
            .collect();
        names.sort();
        names
    }

    /// Adds a token (tests and embedding).
    pub fn with(mut self, token: &str, caller: Caller) -> AccessConfig {
        self.tokens.insert(token.to_string(), caller);
        self
    }

    /// The caller of `authorization` metadata (`Bearer <token>`).
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Caller> {
        let token = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(ServiceError::Unauthenticated)?;
        self.tokens
            .get(token)
            .cloned()
            .ok_or(ServiceError::Unauthenticated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
        [[token]]
        token = "secretariat-token"
        name = "Secretariat"
        role = "secretariat"

        [[token]]
        token = "quic-chairs-token"
        name = "QUIC chairs"
        role = "chair"
        groups = ["quic"]

        [[token]]
        token = "tsv-ads-token"
        name = "TSV ADs"
        role = "ad"
        areas = ["tsv"]
    "#;

    #[test]
    fn tokens_map_to_roles() {
        let config = AccessConfig::parse(CONFIG).unwrap();
        let chair = config
            .authenticate(Some("Bearer quic-chairs-token"))
            .unwrap();
        assert!(chair.may_edit("quic", "tsv"));
        assert!(!chair.may_edit("tls", "sec"));
        assert!(!chair.may_approve("tsv"));
        let ad = config.authenticate(Some("Bearer tsv-ads-token")).unwrap();
        assert!(ad.may_edit("quic", "tsv") && ad.may_approve("tsv"));
        assert!(!ad.may_approve("sec"));
        assert!(config
            .authenticate(Some("Bearer secretariat-token"))
            .unwrap()
            .is_secretariat());
    }

    #[test]
    fn missing_or_unknown_tokens_are_unauthenticated() {
        let config = AccessConfig::parse(CONFIG).unwrap();
        for header in [
            None,
            Some("Bearer nope-nope-nope"),
            Some("quic-chairs-token"),
        ] {
            assert!(matches!(
                config.authenticate(header),
                Err(ServiceError::Unauthenticated)
            ));
        }
    }

    #[test]
    fn bad_entries_are_named() {
        let err = AccessConfig::parse(
            "[[token]]\ntoken = \"long-enough\"\nname = \"X\"\nrole = \"chair\"\n",
        )
        .unwrap_err();
        assert!(
            err.contains("token[0] (X)") && err.contains("groups"),
            "{err}"
        );
        let err = AccessConfig::parse(
            "[[token]]\ntoken = \"long-enough\"\nname = \"X\"\nrole = \"boss\"\n",
        )
        .unwrap_err();
        assert!(err.contains("unknown role"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_config_anyone_may_write_is_refused_and_example_tokens_are_named() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("agenda-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tokens.toml");
        let text = CONFIG.replace("quic-chairs-token", "change-me-quic-chairs");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        let refused = AccessConfig::load(&path).unwrap_err().to_string();
        assert!(
            refused.contains("anyone may write this file (mode 666)"),
            "{refused}"
        );
        assert!(refused.contains("chmod o-w"), "{refused}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let config = AccessConfig::load(&path).unwrap();
        assert_eq!(config.example_tokens(), ["QUIC chairs"]);
        assert!(
            !format!("{config:?}").contains("token\""),
            "Debug hides tokens"
        );
        assert!(!format!("{config:?}").contains("secretariat-token"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
