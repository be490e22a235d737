//! Who may do what: roles and their permissions, bearer tokens (random, shown once, kept
//! only as SHA-256 hashes) and the registry of active tokens, a projection of the
//! `access.token_issued` and `access.token_revoked` events.

use std::collections::HashMap;
use std::fmt;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use newsroom_events::{AccessRole, Envelope, Event, TokenIssued, TokenRevoked};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::input::PersonName;
use crate::ReviewError;

/// What a request asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the queue and claims.
    Read,
    /// Assign, confirm, override, reopen.
    Decide,
    /// Approve another editor's override.
    Approve,
    /// Issue, list and revoke tokens.
    Administer,
    /// Take the signed audit exports and the ClaimReview JSON-LD.
    Audit,
}

impl Permission {
    /// Whether `role` grants this permission.
    pub fn granted_to(self, role: AccessRole) -> bool {
        use AccessRole::*;
        match self {
            Permission::Read => true,
            Permission::Decide => matches!(role, Editor | Approver | Admin),
            Permission::Approve => matches!(role, Approver | Admin),
            Permission::Administer => matches!(role, Admin),
            Permission::Audit => matches!(role, Auditor | Admin),
        }
    }

    /// The roles that have it, in words (for errors and the OpenAPI document).
    pub fn roles(self) -> &'static str {
        match self {
            Permission::Read => "auditor, editor, approver or admin",
            Permission::Decide => "editor, approver or admin",
            Permission::Approve => "approver or admin",
            Permission::Administer => "admin",
            Permission::Audit => "auditor or admin",
        }
    }
}

/// The roles, with their names on the command line and in the API.
pub const ROLES: [AccessRole; 4] = [
    AccessRole::Editor,
    AccessRole::Approver,
    AccessRole::Auditor,
    AccessRole::Admin,
];

pub fn role_name(role: AccessRole) -> &'static str {
    match role {
        AccessRole::Editor => "editor",
        AccessRole::Approver => "approver",
        AccessRole::Auditor => "auditor",
        AccessRole::Admin => "admin",
    }
}

pub fn parse_role(s: &str) -> Result<AccessRole, crate::input::Invalid> {
    ROLES
        .into_iter()
        .find(|r| role_name(*r) == s)
        .ok_or_else(|| {
            crate::input::Invalid(format!(
                "unknown role {s:?}: one of editor, approver, auditor, admin"
            ))
        })
}

/// A bearer token: `nrt_` and 32 random bytes in unpadded base64url. Only its holder ever
/// sees it; the store keeps [`TokenHash`].
pub struct Token(String);

impl Token {
    pub const PREFIX: &'static str = "nrt_";

    /// A fresh token from the operating system's random source.
    pub fn generate() -> Result<Token, ReviewError> {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|e| ReviewError::Random(e.to_string()))?;
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        Ok(Token(format!("{}{encoded}", Self::PREFIX)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<secret>)")
    }
}

/// SHA-256 of a token, lowercase hex: what the events record and requests are matched by.
/// A plain hash suffices because tokens carry 256 random bits: there is nothing to guess.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn of(token: &str) -> TokenHash {
        let digest = Sha256::digest(token.as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
            hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
        }
        TokenHash(hex)
    }

    pub fn from_hex(hex: impl Into<String>) -> TokenHash {
        TokenHash(hex.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 8 hex digits: enough to tell a person's tokens apart in a listing.
    pub fn fingerprint(&self) -> &str {
        self.0.get(..8).unwrap_or(&self.0)
    }
}

/// The person a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: PersonName,
    pub role: AccessRole,
}

/// One active token, as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInfo {
    pub name: String,
    pub role: AccessRole,
    /// The first 8 hex digits of the token's SHA-256.
    pub fingerprint: String,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
}

#[derive(Debug, Clone)]
struct Holder {
    name: String,
    role: AccessRole,
    issued_at: DateTime<Utc>,
    issued_by: String,
}

/// The active tokens: issued and not revoked.
#[derive(Debug, Default)]
pub struct TokenRegistry {
    by_hash: HashMap<TokenHash, Holder>,
}

impl TokenRegistry {
    /// Applies an `access.*` event; other events are passed over.
    pub fn apply(&mut self, envelope: &Envelope, event: &Event) {
        match event {
            Event::TokenIssued(issued) => {
                self.by_hash.insert(
                    TokenHash::from_hex(issued.token_hash.clone()),
                    Holder {
                        name: issued.name.clone(),
                        role: issued.role,
                        issued_at: envelope.occurred_at,
                        issued_by: issued.by.clone(),
                    },
                );
            }
            Event::TokenRevoked(revoked) => {
                let hash = TokenHash::from_hex(revoked.token_hash.clone());
                if self
                    .by_hash
                    .get(&hash)
                    .is_some_and(|h| h.name == revoked.name)
                {
                    self.by_hash.remove(&hash);
                }
            }
            _ => {}
        }
    }

    /// Who a bearer token belongs to, if it is active. A holder whose recorded name is
    /// not a valid name (written by something other than this crate) is refused.
    pub fn authenticate(&self, token: &str) -> Option<Actor> {
        let holder = self.by_hash.get(&TokenHash::of(token))?;
        let name = PersonName::parse(&holder.name).ok()?;
        Some(Actor {
            name,
            role: holder.role,
        })
    }

    /// Whether `name` holds an active token that lets them decide: who a claim can be
    /// assigned to.
    pub fn can_decide(&self, name: &PersonName) -> bool {
        self.by_hash
            .values()
            .any(|h| h.name == name.as_str() && Permission::Decide.granted_to(h.role))
    }

    /// The active tokens of `name`.
    pub fn hashes_of(&self, name: &PersonName) -> Vec<TokenHash> {
        let mut hashes: Vec<TokenHash> = self
            .by_hash
            .iter()
            .filter(|(_, h)| h.name == name.as_str())
            .map(|(hash, _)| hash.clone())
            .collect();
        hashes.sort_by(|a, b| a.0.cmp(&b.0));
        hashes
    }

    /// Every active token, by name, then issue time.
    pub fn list(&self) -> Vec<TokenInfo> {
        let mut tokens: Vec<TokenInfo> = self
            .by_hash
            .iter()
            .map(|(hash, h)| TokenInfo {
                name: h.name.clone(),
                role: h.role,
                fingerprint: hash.fingerprint().to_owned(),
                issued_at: h.issued_at,
                issued_by: h.issued_by.clone(),
            })
            .collect();
        tokens.sort_by(|a, b| (&a.name, a.issued_at).cmp(&(&b.name, b.issued_at)));
        tokens
    }
}

/// The event that records a new token of `name`.
pub fn issued_event(name: &PersonName, role: AccessRole, token: &Token, by: &str) -> Event {
    Event::TokenIssued(TokenIssued {
        name: name.as_str().to_owned(),
        role,
        token_hash: token.hash().as_str().to_owned(),
        by: by.to_owned(),
    })
}

/// The events that revoke every one of `hashes`, tokens of `name`.
pub fn revoked_events(name: &PersonName, hashes: &[TokenHash], by: &str) -> Vec<Event> {
    hashes
        .iter()
        .map(|hash| {
            Event::TokenRevoked(TokenRevoked {
                name: name.as_str().to_owned(),
                token_hash: hash.as_str().to_owned(),
                by: by.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsroom_events::{EventId, StreamVersion};

    fn envelope(event: &Event) -> Envelope {
        Envelope::new(event, StreamVersion(1), "test", EventId::random())
    }

    fn name(s: &str) -> PersonName {
        PersonName::parse(s).unwrap()
    }

    #[test]
    fn given_two_fresh_tokens_then_they_differ_and_carry_256_random_bits() {
        let a = Token::generate().unwrap();
        let b = Token::generate().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().starts_with(Token::PREFIX));
        assert_eq!(a.expose().len(), Token::PREFIX.len() + 43);
        assert_eq!(format!("{a:?}"), "Token(<secret>)");
    }

    #[test]
    fn given_a_token_when_hashed_then_it_is_the_sha256_hex_of_its_text() {
        assert_eq!(
            TokenHash::of("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(TokenHash::of("abc").fingerprint(), "ba7816bf");
    }

    #[test]
    fn given_an_issued_token_when_presented_then_it_authenticates_its_holder_until_revoked() {
        let mut registry = TokenRegistry::default();
        let token = Token::generate().unwrap();
        let issued = issued_event(&name("alice"), AccessRole::Approver, &token, "admin");
        registry.apply(&envelope(&issued), &issued);

        let actor = registry.authenticate(token.expose()).unwrap();
        assert_eq!(actor.name.as_str(), "alice");
        assert_eq!(actor.role, AccessRole::Approver);
        assert!(registry.authenticate("nrt_guess").is_none());
        assert!(registry.can_decide(&name("alice")));

        for revoked in revoked_events(&name("alice"), &registry.hashes_of(&name("alice")), "admin")
        {
            registry.apply(&envelope(&revoked), &revoked);
        }
        assert!(registry.authenticate(token.expose()).is_none());
        assert!(registry.list().is_empty());
    }

    #[test]
    fn given_an_auditor_then_they_may_read_but_not_decide_and_cannot_be_assigned() {
        let mut registry = TokenRegistry::default();
        let token = Token::generate().unwrap();
        let issued = issued_event(&name("carol"), AccessRole::Auditor, &token, "admin");
        registry.apply(&envelope(&issued), &issued);
        assert!(!registry.can_decide(&name("carol")));
        assert!(Permission::Read.granted_to(AccessRole::Auditor));
        assert!(!Permission::Decide.granted_to(AccessRole::Auditor));
        assert!(!Permission::Approve.granted_to(AccessRole::Editor));
        assert!(Permission::Approve.granted_to(AccessRole::Admin));
        assert!(!Permission::Administer.granted_to(AccessRole::Approver));
    }

    #[test]
    fn given_the_audit_exports_then_only_auditors_and_admins_may_take_them() {
        assert!(Permission::Audit.granted_to(AccessRole::Auditor));
        assert!(Permission::Audit.granted_to(AccessRole::Admin));
        assert!(!Permission::Audit.granted_to(AccessRole::Editor));
        assert!(!Permission::Audit.granted_to(AccessRole::Approver));
    }

    #[test]
    fn given_role_names_when_parsed_then_each_round_trips_and_others_are_refused() {
        for role in ROLES {
            assert_eq!(parse_role(role_name(role)).unwrap(), role);
        }
        assert!(parse_role("root").is_err());
    }
}
