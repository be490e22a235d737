//! Finding what a sentence names: people, constituencies, parties, areas, numbers, years and
//! places (ordinals), resolved against the gazetteer and what the article said before.

use newsroom_tally::{ConstituencyId, PartyCode, Year};

use crate::gazetteer::{Entity, Gazetteer};
use crate::lexicon;
use crate::text::{Token, TokenKind};

/// What a run of tokens names.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    Person(usize),
    Constituency(ConstituencyId),
    Party(PartyCode),
    Area(String),
    Number(Num),
    Year(u16),
    Ordinal(u32),
    /// he, she, his, her: the person in focus.
    PersonPronoun,
    /// it, its, the party: the party in focus.
    PartyPronoun,
}

/// A number as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Num {
    pub value: f64,
    pub decimals: u8,
    pub percent: bool,
    /// Written in words (`eight`).
    pub word: bool,
}

/// One mention: tokens `start..end` of the sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub what: What,
}

/// What the article has said so far that later sentences refer back to.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    /// People named so far, most recent last.
    pub people: Vec<usize>,
    /// The first person named in the last sentence that named one: who "he" or "she" is.
    pub subject: Option<usize>,
    pub constituencies: Vec<ConstituencyId>,
    /// The constituencies of the last sentence that named any.
    pub last_constituencies: Vec<ConstituencyId>,
    pub parties: Vec<PartyCode>,
    pub areas: Vec<String>,
    /// The party that last acted as a subject: who "it" or "the party" is.
    pub subject_party: Option<PartyCode>,
    /// The area the sentence before named, if it named one.
    pub prev_area: Option<String>,
}
impl Memory {
    pub fn last_party(&self) -> Option<&PartyCode> {
        self.parties.last()
    }
}

/// Finds the mentions in a sentence's tokens.
pub fn find(tokens: &[Token], g: &Gazetteer, mem: &Memory, election: Year) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some((len, m)) = name_at(tokens, i, g, mem, election) {
            let is_seat = matches!(m, What::Constituency(_));
            out.push(Mention {
                start: i,
                end: i + len,
                what: m,
            });
            if is_seat {
                i = elliptic_seats(tokens, i, i + len, g, &mut out);
            } else {
                i += len;
            }
            continue;
        }
        // an unknown first name before the surname of someone standing in a seat the article
        // names: "Naseem Shah" for Naz Shah in Bradford West
        if tokens[i].is_capitalised()
            && tokens.get(i + 1).is_some_and(|t| t.is_capitalised())
            && g.lookup(&tokens[i].norm).is_none()
        {
            if let Some(p) = resolve_surname(&tokens[i + 1].norm, g, mem, election) {
                out.push(Mention {
                    start: i,
                    end: i + 2,
                    what: What::Person(p),
                });
                i += 2;
                continue;
            }
        }
        // a surname alone for someone the article named before: "Cameron said"
        if tokens[i].is_capitalised() && !tokens.get(i + 1).is_some_and(|t| t.is_capitalised()) {
            if let Some(p) = mem
                .people
                .iter()
                .rev()
                .find(|p| g.people[**p].surname_norm == tokens[i].norm)
            {
                out.push(Mention {
                    start: i,
                    end: i + 1,
                    what: What::Person(*p),
                });
                i += 1;
                continue;
            }
        }
        if let Some((len, m)) = number_at(tokens, i) {
            out.push(Mention {
                start: i,
                end: i + len,
                what: m,
            });
            i += len;
            continue;
        }
        let t = &tokens[i];
        let w = t.norm.as_str();
        if let Some(o) = lexicon::ordinal(w) {
            out.push(Mention {
                start: i,
                end: i + 1,
                what: What::Ordinal(o),
            });
        } else if matches!(w, "he" | "his" | "him" | "she" | "her") {
            out.push(Mention {
                start: i,
                end: i + 1,
                what: What::PersonPronoun,
            });
        } else if matches!(w, "it" | "its") && !next_is(tokens, i + 1, &["is", "was", "'s"]) {
            out.push(Mention {
                start: i,
                end: i + 1,
                what: What::PartyPronoun,
            });
        } else if w == "party"
            && i > 0
            && tokens[i - 1].is("the")
            && !next_is(tokens, i + 1, &["of", "leader", "'s leader"])
        {
            out.push(Mention {
                start: i - 1,
                end: i + 1,
                what: What::PartyPronoun,
            });
        } else if matches!(w, "nationalist" | "nationalists") && !next_is(tokens, i + 1, &["party"])
        {
            // the nationalists: Scotland's or Wales's, by what the article is about
            let code = if mem
                .areas
                .iter()
                .rev()
                .find(|a| *a == "Wales" || *a == "Scotland")
                .is_some_and(|a| a == "Wales")
            {
                "PC"
            } else {
                "SNP"
            };
            out.push(Mention {
                start: i,
                end: i + 1,
                what: What::Party(PartyCode::new(code)),
            });
        }
        i += 1;
    }
    out
}

/// "Bournemouth East and West", "Dorset West, North and South": the seats a list of compass
/// words names after a seat named in full. Returns the token index after the list.
fn elliptic_seats(
    tokens: &[Token],
    start: usize,
    end: usize,
    g: &Gazetteer,
    out: &mut Vec<Mention>,
) -> usize {
    let words: Vec<&str> = tokens[start..end].iter().map(|t| t.norm.as_str()).collect();
    let stem = match (words.first(), words.last()) {
        (_, Some(l)) if words.len() > 1 && lexicon::is_compass(l) => {
            words[..words.len() - 1].join(" ")
        }
        (Some(f), _) if words.len() > 1 && lexicon::is_compass(f) => words[1..].join(" "),
        _ => return end,
    };
    let mut j = end;
    while j + 1 < tokens.len()
        && matches!(tokens[j].norm.as_str(), "," | "and")
        && tokens[j + 1].is_capitalised()
        && lexicon::is_compass(&tokens[j + 1].norm)
    {
        let dir = &tokens[j + 1].norm;
        let found = [format!("{stem} {dir}"), format!("{dir} {stem}")]
            .iter()
            .find_map(|k| {
                g.lookup(k).and_then(|es| {
                    es.iter().find_map(|e| {
                        if let Entity::Constituency(c) = e {
                            Some(c.clone())
                        } else {
                            None
                        }
                    })
                })
            });
        match found {
            Some(c) => out.push(Mention {
                start: j + 1,
                end: j + 2,
                what: What::Constituency(c),
            }),
            None => break,
        }
        j += 2;
    }
    j
}

fn next_is(tokens: &[Token], i: usize, words: &[&str]) -> bool {
    tokens
        .get(i)
        .is_some_and(|t| words.contains(&t.norm.as_str()))
}

/// The longest gazetteer name starting at token `i`, resolved.
fn name_at(
    tokens: &[Token],
    i: usize,
    g: &Gazetteer,
    mem: &Memory,
    election: Year,
) -> Option<(usize, What)> {
    let t = &tokens[i];
    // names are written with capitals; a lowercase word is a common word
    if !t.is_capitalised() {
        return None;
    }
    // Title + surname: Mr Balls, Ms McVey
    if lexicon::is_title(&t.norm) {
        let mut j = i + 1;
        if tokens.get(j).is_some_and(|t| t.norm == ".") {
            j += 1;
        }
        if let Some(s) = tokens.get(j).filter(|s| s.is_capitalised()) {
            // a full name after the title is read as a full name
            if let Some((len, what)) = name_at(tokens, j, g, mem, election) {
                if matches!(what, What::Person(_)) {
                    return Some((j - i + len, what));
                }
            }
            if let Some(p) = resolve_surname(&s.norm, g, mem, election) {
                return Some((j - i + 1, What::Person(p)));
            }
        }
        return None;
    }
    let max = g.max_tokens.min(tokens.len() - i);
    let mut key = String::new();
    let mut best: Option<(usize, &[Entity])> = None;
    for len in 1..=max {
        let tok = &tokens[i + len - 1];
        if !tok.is_word() {
            break;
        }
        if len > 1 {
            key.push(' ');
        }
        key.push_str(&tok.norm);
        if let Some(es) = g.lookup(&key) {
            best = Some((len, es));
        }
        if !g.is_prefix(&key) {
            break;
        }
    }
    let (len, entities) = best?;
    let first = &tokens[i];
    // names are written with capitals; a lowercase word is a common word (`labour market` aside)
    if !first.is_capitalised() {
        return None;
    }
    let what = choose(entities, g, mem, election)?;
    // a constituency or area name followed by a capitalised word that starts a person's name is
    // that person (Gordon Brown, not Gordon): the person is found by the caller on the next token
    Some((len, what))
}

/// Picks one meaning for a name that may mean several things.
fn choose(entities: &[Entity], g: &Gazetteer, mem: &Memory, election: Year) -> Option<What> {
    let people: Vec<usize> = entities
        .iter()
        .filter_map(|e| {
            if let Entity::Person(p) = e {
                Some(*p)
            } else {
                None
            }
        })
        .collect();
    if !people.is_empty() {
        return Some(What::Person(pick_person(&people, g, mem, election)));
    }
    if let Some(Entity::Constituency(c)) = entities
        .iter()
        .find(|e| matches!(e, Entity::Constituency(_)))
    {
        return Some(What::Constituency(c.clone()));
    }
    if let Some(Entity::Party(p)) = entities.iter().find(|e| matches!(e, Entity::Party(_))) {
        return Some(What::Party(p.clone()));
    }
    if let Some(Entity::Area(a)) = entities.iter().find(|e| matches!(e, Entity::Area(_))) {
        return Some(What::Area(a.clone()));
    }
    None
}

/// Among people of one name, the one the article most likely means: already named, standing in
/// a constituency the article names, standing at this election, elected.
fn pick_person(people: &[usize], g: &Gazetteer, mem: &Memory, election: Year) -> usize {
    let score = |p: &usize| {
        let person = &g.people[*p];
        let mut s = 0;
        if mem.people.contains(p) {
            s += 8;
        }
        if person
            .candidacies
            .iter()
            .any(|c| mem.constituencies.contains(&c.constituency))
        {
            s += 4;
        }
        if person.candidacy(election).is_some() {
            s += 2;
        }
        if person.candidacies.iter().any(|c| c.elected) {
            s += 1;
        }
        s
    };
    people
        .iter()
        .copied()
        .max_by_key(|p| (score(p), std::cmp::Reverse(*p)))
        .unwrap_or(people[0])
}

/// A surname after a title: someone the article named before, else the one candidate of that
/// surname standing in a constituency the article names.
pub fn resolve_surname(
    surname: &str,
    g: &Gazetteer,
    mem: &Memory,
    election: Year,
) -> Option<usize> {
    if let Some(p) = mem
        .people
        .iter()
        .rev()
        .find(|p| g.people[**p].surname_norm == surname)
    {
        return Some(*p);
    }
    let with: Vec<usize> = g
        .people_with_surname(surname)
        .iter()
        .copied()
        .filter(|p| {
            g.people[*p]
                .candidacies
                .iter()
                .any(|c| mem.constituencies.contains(&c.constituency))
        })
        .collect();
    if with.len() == 1 {
        return Some(with[0]);
    }
    let _ = election;
    None
}

/// A number at token `i`: digits (`25,194`, `17, 525`, `51.5`), a number word (`eight`), with a
/// following `%`, `per cent` or `percent` read as a percentage.
fn number_at(tokens: &[Token], i: usize) -> Option<(usize, What)> {
    let t = &tokens[i];
    let (mut value, mut decimals, mut len, word) = match t.kind {
        TokenKind::Number => {
            let s = t.norm.replace(',', "");
            let decimals = s.split_once('.').map(|(_, d)| d.len() as u8).unwrap_or(0);
            // a comma-grouped number must group in threes; 3.05 style times are not numbers here
            (s.parse::<f64>().ok()?, decimals, 1, false)
        }
        TokenKind::Word { .. } => {
            let v = lexicon::number_word(&t.norm)?;
            if v == 1 && t.norm == "one" && !next_is(tokens, i + 1, &["seat", "mp", "of"]) {
                // "one" is mostly a pronoun ("one of the ..."), read only as a count of seats
                return None;
            }
            (v as f64, 0, 1, true)
        }
        TokenKind::Punct => return None,
    };
    // "17, 525": a thousands group split by a stray space
    if !word && decimals == 0 && value < 1000.0 && !t.norm.contains(',') {
        if let (Some(c), Some(n)) = (tokens.get(i + 1), tokens.get(i + 2)) {
            if c.norm == ","
                && c.end == n.start - 1
                && n.kind == TokenKind::Number
                && n.norm.len() == 3
                && n.norm.chars().all(|d| d.is_ascii_digit())
                && c.start == t.end
            {
                value = value * 1000.0 + n.norm.parse::<f64>().ok()?;
                len = 3;
                decimals = 0;
            }
        }
    }
    // years are years
    if !word
        && decimals == 0
        && !t.norm.contains(',')
        && (1900.0..=2100.0).contains(&value)
        && len == 1
    {
        let unit_follows = next_is(
            tokens,
            i + 1,
            &[
                "votes", "vote", "seats", "%", "per", "percent", "more", "majority",
            ],
        );
        if !unit_follows {
            return Some((1, What::Year(value as u16)));
        }
    }
    let mut percent = false;
    let mut word = word;
    // "3.9 million", "four million"
    if next_is(tokens, i + len, &["million", "m"]) {
        value = (value * 1_000_000.0).round();
        decimals = 0;
        word = false;
        len += 1;
    }
    if next_is(tokens, i + len, &["%", "percent", "pc"]) {
        percent = true;
        len += 1;
    } else if decimals > 0 && next_is(tokens, i + len, &["points", "point"]) {
        // "up 1.5 points": percentage points
        percent = true;
        len += 1;
    } else if (next_is(tokens, i + len, &["per"]) && next_is(tokens, i + len + 1, &["cent"]))
        || (next_is(tokens, i + len, &["percentage"])
            && next_is(tokens, i + len + 1, &["points", "point"]))
    {
        percent = true;
        len += 2;
    }
    Some((
        len,
        What::Number(Num {
            value,
            decimals,
            percent,
            word,
        }),
    ))
}
