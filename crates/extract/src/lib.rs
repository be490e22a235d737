//! Claim extraction: reads every claim that official results can settle out of an article
//! about a UK general election. It owns the name indexes built from the official results
//! (constituencies as the press names them, candidates under the forms of their names,
//! parties and their nicknames, areas), sentence and number reading, and the rules that turn
//! a sentence into claims. Pure: text and tallies in, claims out; no IO, no official figures
//! consulted beyond names (the verdicts are the checker's).

mod gazetteer;
mod lexicon;
mod mentions;
mod rules;
mod text;

use chrono::{Datelike, NaiveDate};
use newsroom_claims::{Claim, ClaimId, Claimed, Scope};
use newsroom_tally::{Tallies, Year};

pub use gazetteer::{constituency_aliases, Gazetteer};
pub use text::{sentences, tokenize, MAX_SENTENCE_BYTES};

use mentions::{Memory, What};
use rules::{Draft, Elections, Sentence};

/// What was read out of one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    /// The election the article was read as being about.
    pub election: Year,
    pub claims: Vec<Claim>,
}

/// Reads claims out of articles; holds the name indexes built from the official results.
#[derive(Debug, Clone)]
pub struct Extractor {
    gazetteer: Gazetteer,
    years: Vec<Year>,
}

impl Extractor {
    pub fn new(tallies: &Tallies) -> Extractor {
        Extractor {
            gazetteer: Gazetteer::new(tallies),
            years: tallies.years().collect(),
        }
    }

    /// Which election is "this" one: the latest held on or before the publication date, else
    /// the latest election the text names, else the latest known.
    pub fn elections(&self, body: &str, published: Option<NaiveDate>) -> Option<Elections> {
        let this = match published {
            Some(d) => self
                .years
                .iter()
                .copied()
                .filter(|y| i32::from(y.0) <= d.year())
                .max(),
            None => None,
        }
        .or_else(|| {
            tokenize(body, 0)
                .iter()
                .filter_map(|t| t.norm.parse::<u16>().ok())
                .map(Year)
                .filter(|y| self.years.contains(y))
                .max()
        })
        .or_else(|| self.years.last().copied())?;
        let previous = self.years.iter().copied().filter(|y| *y < this).max();
        Some(Elections { this, previous })
    }

    /// Reads every checkable claim out of an article body.
    pub fn extract(
        &self,
        article_id: &str,
        body: &str,
        published: Option<NaiveDate>,
    ) -> Extraction {
        let Some(elections) = self.elections(body, published) else {
            return Extraction {
                election: Year(0),
                claims: Vec::new(),
            };
        };
        let g = &self.gazetteer;
        let mut mem = Memory::default();
        let mut claims = Vec::new();
        for (start, end) in sentences(body) {
            let tokens = tokenize(&body[start..end], start);
            let mentions = mentions::find(&tokens, g, &mem, elections.this);
            let mut drafts: Vec<Draft> = Vec::new();
            {
                let s = Sentence::new(&tokens, &mentions, g, &mem, elections);
                rules::figures(&s, &mut drafts);
                rules::words(&s, &mut drafts);
                rules::outcomes(&s, &mut drafts);
            }
            dedupe(&mut drafts);
            swing_parties(&mut drafts, g, elections.this);
            let quote = &body[start..end];
            let mut ordinals: std::collections::HashMap<newsroom_claims::Kind, usize> =
                Default::default();
            for d in drafts {
                let ordinal = ordinals.entry(d.kind).or_default();
                let claim_id = ClaimId::derive(article_id, (start, end), d.kind, *ordinal);
                *ordinal += 1;
                let scope = match (d.constituency, d.area) {
                    (Some(c), _) => Scope::Constituency(c),
                    (None, Some(a)) => Scope::Area(a),
                    (None, None) => Scope::Area("UK".into()),
                };
                claims.push(Claim {
                    article: article_id.to_owned(),
                    claim_id,
                    quote: quote.to_owned(),
                    span: (start, end),
                    kind: d.kind,
                    election: d.election,
                    change_from: d.change_from,
                    scope,
                    party: d.party,
                    candidate: d.person.map(|p| g.people[p].name.clone()),
                    versus: d.versus,
                    comparator: d.comparator,
                    claimed: match d.claimed {
                        rules::Claimed::Number(f) => Claimed::Number(f),
                        rules::Claimed::Outcome(o) => Claimed::Outcome(o),
                    },
                    ambiguity: d.ambiguity,
                });
            }
            remember(&mut mem, &mentions, g, elections);
        }
        Extraction {
            election: elections.this,
            claims,
        }
    }
}

/// A swing whose party the text leaves out is the swing to the party the sentence says took
/// the seat ("unseating the Lib Dem in a 6.3% swing").
fn swing_parties(drafts: &mut [Draft], g: &Gazetteer, this: Year) {
    let winners: Vec<(newsroom_tally::ConstituencyId, newsroom_tally::PartyCode)> = drafts
        .iter()
        .filter(|d| d.kind == newsroom_claims::Kind::Outcome)
        .filter_map(|d| {
            let party = match &d.claimed {
                rules::Claimed::Outcome(newsroom_claims::Outcome::Party(p)) => Some(p.clone()),
                rules::Claimed::Outcome(newsroom_claims::Outcome::Won) => d
                    .person
                    .and_then(|p| g.people[p].candidacy(this))
                    .map(|c| c.party.clone()),
                _ => None,
            };
            Some((d.constituency.clone()?, party?))
        })
        .collect();
    for d in drafts
        .iter_mut()
        .filter(|d| d.kind == newsroom_claims::Kind::Swing && d.party.is_none())
    {
        if let Some((_, p)) = winners
            .iter()
            .find(|(c, _)| Some(c) == d.constituency.as_ref())
        {
            d.party = Some(p.clone());
        }
    }
}

/// One claim per kind, scope, election and figure in a sentence.
fn dedupe(drafts: &mut Vec<Draft>) {
    let mut seen: Vec<Draft> = Vec::new();
    drafts.retain(|d| {
        let dup = seen.iter().any(|s| {
            s.kind == d.kind
                && s.election == d.election
                && s.change_from == d.change_from
                && s.constituency == d.constituency
                && s.area == d.area
                && (s.party == d.party || s.constituency.is_some())
                && (s.claimed == d.claimed || d.kind == newsroom_claims::Kind::Outcome)
        });
        if !dup {
            seen.push(d.clone());
        }
        !dup
    });
}

fn remember(mem: &mut Memory, mentions: &[mentions::Mention], g: &Gazetteer, elections: Elections) {
    let mut consts = Vec::new();
    let mut first_person = None;
    for m in mentions {
        match &m.what {
            What::Person(p) => {
                mem.people.retain(|x| x != p);
                mem.people.push(*p);
                first_person.get_or_insert(*p);
                if let Some(c) = g.people[*p].candidacy_near(elections.this) {
                    if !mem.constituencies.contains(&c.constituency) {
                        mem.constituencies.push(c.constituency.clone());
                    }
                }
            }
            What::Constituency(c) => {
                consts.push(c.clone());
                mem.constituencies.retain(|x| x != c);
                mem.constituencies.push(c.clone());
            }
            What::Party(p) => {
                mem.parties.push(p.clone());
            }
            What::Area(a) => mem.areas.push(a.clone()),
            _ => {}
        }
    }
    // "she said ...": a sentence led by a pronoun keeps the subject it refers to
    let pronoun_first = mentions
        .iter()
        .find(|m| matches!(m.what, What::Person(_) | What::PersonPronoun))
        .is_some_and(|m| m.what == What::PersonPronoun);
    if first_person.is_some() && !pronoun_first {
        mem.subject = first_person;
    }
    // "It also held Angus": the party acting first in a sentence that names one
    let leads_with_pronoun = mentions
        .iter()
        .find(|m| matches!(m.what, What::Party(_) | What::PartyPronoun))
        .is_some_and(|m| m.what == What::PartyPronoun);
    if !leads_with_pronoun {
        if let Some(What::Party(p)) = mentions
            .iter()
            .find(|m| matches!(m.what, What::Party(_)))
            .map(|m| &m.what)
        {
            mem.subject_party = Some(p.clone());
        }
    }
    mem.prev_area = mentions.iter().rev().find_map(|m| {
        if let What::Area(a) = &m.what {
            Some(a.clone())
        } else {
            None
        }
    });
    if !consts.is_empty() {
        mem.last_constituencies = consts;
    }
}
