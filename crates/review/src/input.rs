//! Values read from outside (requests, the command line), parsed once into types that can
//! only hold valid values: people's names, reasons, claim and article ids.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

/// Longest reason an editor may give, in characters.
pub const MAX_REASON_CHARS: usize = 2000;
/// Longest person name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest claim id accepted, in characters (claim ids are UUIDs: 36).
pub const MAX_CLAIM_ID_CHARS: usize = 128;
/// Longest article id accepted, as producers may submit (`MAX_ARTICLE_ID_LEN` of ingest).
pub const MAX_ARTICLE_ID_CHARS: usize = 200;

/// Why a value was refused: a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// The name a person acts under (recorded as `by` and `assignee` in the events): a handle
/// of 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit
/// (`alice`, `j.smith`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(s: &str) -> Result<PersonName, Invalid> {
        let valid_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        let starts_well = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if starts_well && s.len() <= MAX_NAME_CHARS && s.chars().all(valid_char) {
            Ok(PersonName(s.to_owned()))
        } else {
            Err(Invalid(format!(
                "a name is 1 to {MAX_NAME_CHARS} ASCII letters, digits, '.', '_' or '-', \
                 starting with a letter or digit"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for PersonName {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PersonName::parse(s)
    }
}

/// Why an editor decided as they did: 1 to 2000 characters that are not all whitespace,
/// with no control characters but line breaks and tabs. Kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Reason(String);

impl Reason {
    pub fn parse(s: &str) -> Result<Reason, Invalid> {
        if s.trim().is_empty() {
            return Err(Invalid("a reason must not be empty".to_owned()));
        }
        let chars = s.chars().count();
        if chars > MAX_REASON_CHARS {
            return Err(Invalid(format!(
                "a reason is at most {MAX_REASON_CHARS} characters; this one has {chars}"
            )));
        }
        if s.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(Invalid(
                "a reason must not hold control characters other than line breaks and tabs"
                    .to_owned(),
            ));
        }
        Ok(Reason(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A claim id as a client names it: 1 to 128 ASCII letters, digits, `-`, `_`, `.` or `:`
/// (the checker's ids are UUIDs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimKey(String);

impl ClaimKey {
    pub fn parse(s: &str) -> Result<ClaimKey, Invalid> {
        let valid_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
        if !s.is_empty() && s.len() <= MAX_CLAIM_ID_CHARS && s.chars().all(valid_char) {
            Ok(ClaimKey(s.to_owned()))
        } else {
            Err(Invalid(format!(
                "a claim id is 1 to {MAX_CLAIM_ID_CHARS} ASCII letters, digits, '-', '_', '.' or ':'"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An article id as a filter: what producers may submit (1 to 200 characters, no control
/// characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleKey(String);

impl ArticleKey {
    pub fn parse(s: &str) -> Result<ArticleKey, Invalid> {
        let chars = s.chars().count();
        if chars == 0 || chars > MAX_ARTICLE_ID_CHARS || s.chars().any(char::is_control) {
            Err(Invalid(format!(
                "an article id is 1 to {MAX_ARTICLE_ID_CHARS} characters without control characters"
            )))
        } else {
            Ok(ArticleKey(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_handles_when_parsed_as_names_then_only_well_formed_ones_are_kept() {
        for good in ["alice", "j.smith", "Bob_2", "x", "a-b"] {
            assert_eq!(PersonName::parse(good).unwrap().as_str(), good);
        }
        let too_long = "a".repeat(MAX_NAME_CHARS + 1);
        for bad in [
            "",
            "-alice",
            ".x",
            "al ice",
            "<script>",
            "ali\u{0}ce",
            "émile",
            &too_long,
        ] {
            assert!(PersonName::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn given_reasons_when_parsed_then_blank_overlong_and_control_characters_are_refused() {
        assert!(Reason::parse("The official figure is 8,949.\nSee the HoC file.").is_ok());
        assert!(Reason::parse(&"é".repeat(MAX_REASON_CHARS)).is_ok());
        assert!(Reason::parse(&"é".repeat(MAX_REASON_CHARS + 1)).is_err());
        assert!(Reason::parse("   \n ").is_err());
        assert!(Reason::parse("bell \u{7}").is_err());
    }

    #[test]
    fn given_claim_ids_when_parsed_then_uuids_pass_and_odd_characters_do_not() {
        assert!(ClaimKey::parse("6f1c2a4e-8d7b-5c3a-9e2f-0a1b2c3d4e5f").is_ok());
        for bad in ["", "a/b", "a b", "<x>", &"a".repeat(MAX_CLAIM_ID_CHARS + 1)] {
            assert!(ClaimKey::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn given_article_ids_when_parsed_then_control_characters_and_overlong_ids_are_refused() {
        assert!(ArticleKey::parse("002_d4610d365ca6d503.txt").is_ok());
        assert!(ArticleKey::parse("a\nb").is_err());
        assert!(ArticleKey::parse("").is_err());
        assert!(ArticleKey::parse(&"a".repeat(MAX_ARTICLE_ID_CHARS + 1)).is_err());
    }
}
