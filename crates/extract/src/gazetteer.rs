//! Name indexes built from the official results: every constituency under the names the press
//! uses for it, every candidate under the forms of their name, the parties under their names
//! and nicknames, and the areas (nations, regions, counties, cities).

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap as HashMap, FxHashSet};

use newsroom_tally::{ConstituencyId, PartyCode, Tallies, Year};

use crate::lexicon;
use crate::text::normalise_name;

/// A candidate at one election.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidacy {
    pub election: Year,
    pub constituency: ConstituencyId,
    /// The name as the official results give it.
    pub name: String,
    pub surname: String,
    pub party: PartyCode,
    pub elected: bool,
}

/// What a name in the text can refer to.
#[derive(Debug, Clone, PartialEq)]
pub enum Entity {
    Constituency(ConstituencyId),
    /// One person: all their candidacies (usually one per election).
    Person(usize),
    Party(PartyCode),
    Area(String),
}

/// A person of the official results: one name, every candidacy under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub name: String,
    pub surname: String,
    /// The surname as tokens are normalised (`o'neill`, `mcvey`).
    pub surname_norm: String,
    pub candidacies: Vec<Candidacy>,
}

impl Person {
    pub fn candidacy(&self, election: Year) -> Option<&Candidacy> {
        self.candidacies.iter().find(|c| c.election == election)
    }
    /// The candidacy at `election`, else the latest one before it, else any.
    pub fn candidacy_near(&self, election: Year) -> Option<&Candidacy> {
        self.candidacy(election)
            .or_else(|| {
                self.candidacies
                    .iter()
                    .filter(|c| c.election < election)
                    .max_by_key(|c| c.election)
            })
            .or_else(|| self.candidacies.first())
    }
}

/// The name indexes.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// Normalised name (tokens joined by one space) → what it may mean.
    names: HashMap<String, Vec<Entity>>,
    pub people: Vec<Person>,
    /// Normalised surname → people with it.
    surnames: HashMap<String, Vec<usize>>,
    /// Longest name, in tokens.
    pub max_tokens: usize,
    pub constituency_names: HashMap<ConstituencyId, String>,
    /// Every proper prefix (whole words) of a name: a lookup stops when its key is none.
    prefixes: FxHashSet<String>,
}
impl Gazetteer {
    pub fn new(tallies: &Tallies) -> Gazetteer {
        let mut g = Gazetteer::default();
        let mut people_by_name: HashMap<String, usize> = HashMap::default();
        let mut const_names: HashMap<ConstituencyId, String> = HashMap::default();
        let mut counties = BTreeSet::new();
        let mut regions = BTreeSet::new();
        for year in tallies.years() {
            let Some(results) = tallies.election(year) else {
                continue;
            };
            for c in results.constituencies.values() {
                const_names.insert(c.id.clone(), c.name.clone());
                counties.insert(c.county.clone());
                regions.insert(c.region.clone());
                for (rank, cand) in c.candidates.iter().enumerate() {
                    let key = normalise_name(&cand.name);
                    let idx = *people_by_name.entry(key.clone()).or_insert_with(|| {
                        g.people.push(Person {
                            name: cand.name.clone(),
                            surname: cand.surname.clone(),
                            surname_norm: normalise_name(&cand.surname),
                            candidacies: vec![],
                        });
                        g.people.len() - 1
                    });
                    // two different people with one name stand in different seats in one election:
                    // keep them apart by making a second person
                    let idx = if g.people[idx].candidacies.iter().any(|k| k.election == year) {
                        g.people.push(Person {
                            name: cand.name.clone(),
                            surname: cand.surname.clone(),
                            surname_norm: normalise_name(&cand.surname),
                            candidacies: vec![],
                        });
                        g.people.len() - 1
                    } else {
                        idx
                    };
                    g.people[idx].candidacies.push(Candidacy {
                        election: year,
                        constituency: c.id.clone(),
                        name: cand.name.clone(),
                        surname: cand.surname.clone(),
                        party: cand.party.clone(),
                        elected: rank == 0,
                    });
                }
            }
        }
        // people: full names, nickname forms of the first name
        for (idx, p) in g.people.iter().enumerate() {
            let full = normalise_name(&p.name);
            let sur = normalise_name(&p.surname);
            g.surnames.entry(sur.clone()).or_default().push(idx);
            let mut forms = BTreeSet::from([full.clone()]);
            if let Some(first) = full
                .strip_suffix(&sur)
                .map(str::trim)
                .filter(|f| !f.is_empty())
            {
                let first_word = first.split(' ').next().unwrap_or(first);
                for alt in lexicon::first_name_variants(first_word) {
                    forms.insert(format!("{alt} {sur}"));
                }
                forms.insert(format!("{first_word} {sur}"));
            }
            for f in forms {
                add(&mut g.names, f, Entity::Person(idx));
            }
        }
        // constituencies
        let all_const: Vec<(ConstituencyId, String)> = const_names
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut alias_count: HashMap<String, BTreeSet<ConstituencyId>> = HashMap::default();
        for (id, name) in &all_const {
            for a in constituency_aliases(name) {
                alias_count.entry(a).or_default().insert(id.clone());
            }
        }
        let place_names: BTreeSet<String> = counties
            .iter()
            .chain(regions.iter())
            .map(|s| normalise_name(s))
            .collect();
        for (alias, ids) in alias_count {
            if ids.len() == 1 && !place_names.contains(&alias) {
                if let Some(id) = ids.into_iter().next() {
                    add(&mut g.names, alias, Entity::Constituency(id));
                }
            }
        }
        for (id, name) in &all_const {
            add(
                &mut g.names,
                normalise_name(name),
                Entity::Constituency(id.clone()),
            );
        }
        // a distinctive first word names its seat alone ("Merthyr" for Merthyr Tydfil and
        // Rhymney) when no other seat starts with it and no candidate is called it
        let name_words: BTreeSet<String> = g
            .people
            .iter()
            .flat_map(|p| {
                normalise_name(&p.name)
                    .split(' ')
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut first_words: HashMap<String, Vec<ConstituencyId>> = HashMap::default();
        for (id, name) in &all_const {
            let norm = normalise_name(name);
            let rest: Vec<&str> = norm.split(' ').skip(1).collect();
            // "Westminster North": the bare first word is the place, not the seat
            if !rest.is_empty() && rest.iter().all(|r| lexicon::is_compass(r)) {
                continue;
            }
            if let Some(w) = norm.split(' ').next() {
                first_words
                    .entry(w.to_owned())
                    .or_default()
                    .push(id.clone());
            }
        }
        for (w, ids) in first_words {
            if ids.len() == 1
                && w.len() >= 5
                && !lexicon::is_compass(&w)
                && !name_words.contains(&w)
                && !g.names.contains_key(&w)
                && !place_names.contains(&w)
            {
                add(&mut g.names, w, Entity::Constituency(ids[0].clone()));
            }
        }
        // areas: nations, regions, counties, cities named by constituencies
        for (alias, area) in lexicon::NATION_NAMES {
            add(
                &mut g.names,
                (*alias).to_owned(),
                Entity::Area((*area).to_owned()),
            );
        }
        for r in regions.iter().chain(counties.iter()) {
            if newsroom_tally::Nation::parse(r).is_none() {
                add(&mut g.names, normalise_name(r), Entity::Area(r.clone()));
            }
        }
        let mut city_counts: HashMap<String, usize> = HashMap::default();
        for (_, name) in &all_const {
            if let Some(first) = name.split([' ', ',']).next() {
                *city_counts.entry(first.to_owned()).or_default() += 1;
            }
        }
        for (city, n) in city_counts {
            let norm = normalise_name(&city);
            if n >= 2
                && !lexicon::is_compass(&norm)
                && !matches!(norm.as_str(), "city" | "cities" | "vale" | "isle" | "the")
            {
                add(&mut g.names, norm, Entity::Area(city));
            }
        }
        // parties
        for (alias, code) in lexicon::PARTY_NAMES {
            add(
                &mut g.names,
                (*alias).to_owned(),
                Entity::Party(PartyCode::new(*code)),
            );
        }
        g.max_tokens = g
            .names
            .keys()
            .map(|k| k.split(' ').count())
            .max()
            .unwrap_or(1);
        g.prefixes = g
            .names
            .keys()
            .flat_map(|k| {
                k.match_indices(' ')
                    .map(|(i, _)| k[..i].to_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        g.constituency_names = const_names;
        g
    }

    /// Could a longer name start with these words?
    pub fn is_prefix(&self, normalised: &str) -> bool {
        self.prefixes.contains(normalised)
    }

    pub fn lookup(&self, normalised: &str) -> Option<&[Entity]> {
        self.names.get(normalised).map(Vec::as_slice)
    }

    pub fn people_with_surname(&self, normalised_surname: &str) -> &[usize] {
        self.surnames
            .get(normalised_surname)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn constituency_name(&self, id: &ConstituencyId) -> &str {
        self.constituency_names
            .get(id)
            .map(String::as_str)
            .unwrap_or("")
    }
}

fn add(names: &mut HashMap<String, Vec<Entity>>, key: String, e: Entity) {
    let v = names.entry(key).or_default();
    if !v.contains(&e) {
        v.push(e);
    }
}

/// The names the press uses for a constituency: `South Thanet` is also `Thanet South`,
/// `City of Chester` also `Chester`, `Kirkcaldy and Cowdenbeath` also `Kirkcaldy`.
pub fn constituency_aliases(official: &str) -> Vec<String> {
    let base = normalise_name(official);
    let mut out = vec![base.clone()];
    let words: Vec<&str> = base.split(' ').collect();
    // drop a parenthetical qualifier: Richmond (Yorks)
    if let Some(i) = official.find('(') {
        out.push(normalise_name(&official[..i]));
    }
    if let Some(rest) = base.strip_prefix("city of ") {
        out.push(rest.to_owned());
    }
    if let Some(rest) = base.strip_prefix("the ") {
        out.push(rest.to_owned());
    }
    // "Hull West and Hessle" for Kingston upon Hull West and Hessle
    if let Some(rest) = base.strip_prefix("kingston upon ") {
        out.push(rest.to_owned());
    }
    // compass words at the front move to the back and the other way round
    for n in [2usize, 1] {
        if words.len() > n
            && lexicon::is_compass(&words[..n].join(" "))
            && !lexicon::is_compass(words[n])
        {
            out.push(format!("{} {}", words[n..].join(" "), words[..n].join(" ")));
        }
        if words.len() > n
            && lexicon::is_compass(&words[words.len() - n..].join(" "))
            && !lexicon::is_compass(words[words.len() - n - 1])
        {
            out.push(format!(
                "{} {}",
                words[words.len() - n..].join(" "),
                words[..words.len() - n].join(" ")
            ));
        }
    }
    // the first part of a compound name: Kirkcaldy (and Cowdenbeath), Merthyr Tydfil (and Rhymney)
    let first_part = official.split([',']).next().unwrap_or(official);
    let first_part = first_part.split(" and ").next().unwrap_or(first_part);
    let fp = normalise_name(first_part);
    if fp != base && !lexicon::is_compass(&fp) && fp.len() >= 4 {
        out.push(fp.clone());
        if let Some(rest) = fp.strip_prefix("city of ") {
            out.push(rest.to_owned());
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_cover_compass_order_city_of_and_first_parts() {
        assert!(constituency_aliases("South Thanet").contains(&"thanet south".to_owned()));
        assert!(
            constituency_aliases("Dorset West").is_empty()
                || constituency_aliases("West Dorset").contains(&"dorset west".to_owned())
        );
        assert!(constituency_aliases("City Of Chester").contains(&"chester".to_owned()));
        assert!(constituency_aliases("Kirkcaldy and Cowdenbeath").contains(&"kirkcaldy".to_owned()));
        assert!(constituency_aliases("Sheffield, Hallam").contains(&"sheffield hallam".to_owned()));
        assert!(constituency_aliases("Richmond (Yorks)").contains(&"richmond".to_owned()));
        assert!(constituency_aliases("Ynys Môn").contains(&"ynys mon".to_owned()));
    }
}
