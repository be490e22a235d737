//! Figures derived from declared results: winner, runner-up, majority, rank, shares and
//! turnout of one constituency; seats, votes, shares and turnout of an area.
//!
//! Percentages are in percent (0–100), unrounded. Where the denominator is zero (no valid
//! votes, no electorate) a share or turnout is 0.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::area::Area;
use crate::model::{
    CandidateResult, ConstituencyId, ConstituencyResult, ElectionResults, PartyCode, Votes,
};
use crate::text::eq_ignore_case;

/// `part` as a percentage of `whole`; 0 when `whole` is 0.
pub(crate) fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64 * 100.0
    }
}

/// Turnout in percent, both ways the official publications define it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Turnout {
    /// Valid votes / electorate × 100 (the HoC Library's definition).
    pub on_valid_votes: f64,
    /// (Valid + invalid votes) / electorate × 100: every ballot paper counted.
    pub on_all_ballots: f64,
}

impl ConstituencyResult {
    /// The two candidates with the most votes, in that order. Among equal votes the one
    /// listed first wins the place.
    fn top_two(&self) -> (Option<&CandidateResult>, Option<&CandidateResult>) {
        let mut first: Option<&CandidateResult> = None;
        let mut second: Option<&CandidateResult> = None;
        for c in &self.candidates {
            match first {
                Some(f) if c.votes <= f.votes => {
                    if second.is_none_or(|s| c.votes > s.votes) {
                        second = Some(c);
                    }
                }
                _ => {
                    second = first;
                    first = Some(c);
                }
            }
        }
        (first, second)
    }

    /// The candidate with the most votes; `None` if no candidate stood.
    pub fn winner(&self) -> Option<&CandidateResult> {
        self.top_two().0
    }

    /// The candidate with the second most votes; `None` with fewer than two candidates.
    pub fn runner_up(&self) -> Option<&CandidateResult> {
        self.top_two().1
    }

    /// The winner's votes minus the runner-up's; `None` with fewer than two candidates.
    pub fn majority(&self) -> Option<Votes> {
        match self.top_two() {
            (Some(w), Some(r)) => Some(Votes(w.votes.0 - r.votes.0)),
            _ => None,
        }
    }

    /// A candidate's votes as a percentage of the valid votes.
    pub fn share(&self, candidate: &CandidateResult) -> f64 {
        percent(candidate.votes.0, self.valid_votes.0)
    }

    /// The votes of all of a party's candidates here; `None` if it had no candidate.
    pub fn party_votes(&self, party: &PartyCode) -> Option<Votes> {
        let mut votes = None;
        for c in self.candidates.iter().filter(|c| &c.party == party) {
            votes = Some(votes.unwrap_or(Votes(0)) + c.votes);
        }
        votes
    }

    /// A party's votes as a percentage of the valid votes; `None` if it had no candidate.
    pub fn party_share(&self, party: &PartyCode) -> Option<f64> {
        self.party_votes(party)
            .map(|v| percent(v.0, self.valid_votes.0))
    }

    /// Valid votes / electorate × 100.
    pub fn turnout_valid(&self) -> f64 {
        percent(self.valid_votes.0, self.electorate)
    }

    /// (Valid + invalid votes) / electorate × 100.
    pub fn turnout_ballots(&self) -> f64 {
        percent(self.valid_votes.0 + self.invalid_votes, self.electorate)
    }

    /// Turnout both ways.
    pub fn turnout(&self) -> Turnout {
        Turnout {
            on_valid_votes: self.turnout_valid(),
            on_all_ballots: self.turnout_ballots(),
        }
    }

    /// The candidate of this name (compared case-insensitively, otherwise exactly).
    pub fn candidate(&self, name: &str) -> Option<&CandidateResult> {
        self.candidates
            .iter()
            .find(|c| eq_ignore_case(&c.name, name))
    }

    /// The place the named candidate finished, 1 for the winner. Candidates with equal
    /// votes share a place (the next one is skipped: 1, 2, 2, 4).
    pub fn rank_of(&self, name: &str) -> Option<usize> {
        let candidate = self.candidate(name)?;
        Some(
            1 + self
                .candidates
                .iter()
                .filter(|c| c.votes > candidate.votes)
                .count(),
        )
    }
}

impl FromIterator<ConstituencyResult> for ElectionResults {
    fn from_iter<I: IntoIterator<Item = ConstituencyResult>>(results: I) -> Self {
        ElectionResults {
            constituencies: results.into_iter().map(|r| (r.id.clone(), r)).collect(),
        }
    }
}

fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl ElectionResults {
    /// Every constituency result, in order of ONS code.
    pub fn constituencies(&self) -> impl Iterator<Item = &ConstituencyResult> + '_ {
        self.constituencies.values()
    }

    pub fn constituency(&self, id: &ConstituencyId) -> Option<&ConstituencyResult> {
        self.constituencies.get(id)
    }

    /// The constituency of this official name (compared case-insensitively).
    pub fn constituency_named(&self, name: &str) -> Option<&ConstituencyResult> {
        self.constituencies()
            .find(|c| eq_ignore_case(&c.name, name))
    }

    /// The constituencies in an area, in order of ONS code.
    pub fn in_area<'a>(
        &'a self,
        area: &'a Area,
    ) -> impl Iterator<Item = &'a ConstituencyResult> + 'a {
        self.constituencies().filter(move |c| area.contains(c))
    }

    /// Every party that stood a candidate.
    pub fn parties(&self) -> BTreeSet<PartyCode> {
        self.constituencies()
            .flat_map(|c| c.candidates.iter().map(|cand| cand.party.clone()))
            .collect()
    }

    /// How many seats in the area the party won.
    pub fn seats(&self, area: &Area, party: &PartyCode) -> u32 {
        count_u32(
            self.in_area(area)
                .filter(|c| c.winner().is_some_and(|w| &w.party == party))
                .count(),
        )
    }

    /// Seats won in the area, per winning party.
    pub fn seats_by_party(&self, area: &Area) -> BTreeMap<PartyCode, u32> {
        let mut seats = BTreeMap::new();
        for winner in self.in_area(area).filter_map(ConstituencyResult::winner) {
            *seats.entry(winner.party.clone()).or_insert(0) += 1;
        }
        seats
    }

    /// How many constituencies the area has.
    pub fn seat_count(&self, area: &Area) -> u32 {
        count_u32(self.in_area(area).count())
    }

    /// The seats a party needs for a majority in the Commons: more than half of all seats
    /// (326 of 650).
    pub fn majority_threshold(&self) -> u32 {
        count_u32(self.constituencies.len() / 2 + 1)
    }

    /// The party's votes over the area's constituencies (0 if it stood nowhere there).
    pub fn party_votes(&self, area: &Area, party: &PartyCode) -> Votes {
        self.in_area(area)
            .filter_map(|c| c.party_votes(party))
            .sum()
    }

    pub fn valid_votes(&self, area: &Area) -> Votes {
        self.in_area(area).map(|c| c.valid_votes).sum()
    }

    pub fn electorate(&self, area: &Area) -> u64 {
        self.in_area(area).map(|c| c.electorate).sum()
    }

    pub fn invalid_votes(&self, area: &Area) -> u64 {
        self.in_area(area).map(|c| c.invalid_votes).sum()
    }

    /// The party's votes as a percentage of the area's valid votes; `None` if the party
    /// stood no candidate in the area.
    pub fn party_share(&self, area: &Area, party: &PartyCode) -> Option<f64> {
        let mut stood = false;
        let mut votes = 0u64;
        let mut valid = 0u64;
        for c in self.in_area(area) {
            valid += c.valid_votes.0;
            if let Some(v) = c.party_votes(party) {
                stood = true;
                votes += v.0;
            }
        }
        stood.then(|| percent(votes, valid))
    }

    /// The area's turnout, both ways; `None` if the area has no constituency.
    pub fn turnout(&self, area: &Area) -> Option<Turnout> {
        let mut any = false;
        let (mut electorate, mut valid, mut invalid) = (0u64, 0u64, 0u64);
        for c in self.in_area(area) {
            any = true;
            electorate += c.electorate;
            valid += c.valid_votes.0;
            invalid += c.invalid_votes;
        }
        any.then(|| Turnout {
            on_valid_votes: percent(valid, electorate),
            on_all_ballots: percent(valid + invalid, electorate),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Nation, Year};

    pub(crate) fn candidate(name: &str, party: &str, votes: u64) -> CandidateResult {
        let (first_name, surname) = name.split_once(' ').unwrap_or(("", name));
        CandidateResult {
            name: name.to_owned(),
            first_name: first_name.to_owned(),
            surname: surname.to_owned(),
            party: PartyCode::new(party),
            party_name: party.to_owned(),
            votes: Votes(votes),
            sitting_mp: false,
            former_mp: false,
        }
    }

    pub(crate) fn seat(
        id: &str,
        name: &str,
        candidates: Vec<CandidateResult>,
    ) -> ConstituencyResult {
        let valid = candidates.iter().map(|c| c.votes).sum();
        ConstituencyResult {
            election: Year(2015),
            id: ConstituencyId::parse(id).unwrap(),
            name: name.to_owned(),
            county: "West Yorkshire".to_owned(),
            region: "Yorkshire and The Humber".to_owned(),
            nation: Nation::England,
            declared_at: None,
            electorate: 1000,
            valid_votes: valid,
            invalid_votes: 10,
            candidates,
        }
    }

    fn morley() -> ConstituencyResult {
        seat(
            "E14000826",
            "Morley and Outwood",
            vec![
                candidate("Ed Balls", "Lab", 300),
                candidate("Andrea Jenkyns", "Con", 400),
                candidate("Jane Doe", "Ind", 50),
                candidate("John Doe", "Ind", 50),
                candidate("Sam Smith", "Green", 200),
            ],
        )
    }

    #[test]
    fn given_candidates_in_any_order_when_asking_for_the_winner_then_the_most_votes_win() {
        let c = morley();
        assert_eq!(c.winner().unwrap().name, "Andrea Jenkyns");
        assert_eq!(c.runner_up().unwrap().name, "Ed Balls");
        assert_eq!(c.majority(), Some(Votes(100)));
    }

    #[test]
    fn given_a_single_candidate_then_there_is_a_winner_but_no_runner_up_or_majority() {
        let c = seat("E14000001", "Unopposed", vec![candidate("A B", "Spk", 10)]);
        assert_eq!(c.winner().unwrap().name, "A B");
        assert!(c.runner_up().is_none());
        assert_eq!(c.majority(), None);
        let empty = seat("E14000002", "Nobody", vec![]);
        assert!(empty.winner().is_none());
        assert_eq!(empty.share(&candidate("A B", "X", 0)), 0.0);
    }

    #[test]
    fn given_a_tie_for_first_then_the_majority_is_zero() {
        let c = seat(
            "E14000001",
            "Tied",
            vec![candidate("A A", "Con", 5), candidate("B B", "Lab", 5)],
        );
        assert_eq!(c.winner().unwrap().name, "A A");
        assert_eq!(c.runner_up().unwrap().name, "B B");
        assert_eq!(c.majority(), Some(Votes(0)));
    }

    #[test]
    fn shares_are_percentages_of_the_valid_votes() {
        let c = morley();
        assert_eq!(c.valid_votes, Votes(1000));
        let balls = c.candidate("Ed Balls").unwrap();
        assert_eq!(c.share(balls), 30.0);
        assert_eq!(c.party_votes(&PartyCode::new("Ind")), Some(Votes(100)));
        assert_eq!(c.party_share(&PartyCode::new("Ind")), Some(10.0));
        assert_eq!(c.party_share(&PartyCode::new("UKIP")), None);
        assert_eq!(c.party_votes(&PartyCode::new("UKIP")), None);
    }

    #[test]
    fn turnout_is_given_on_valid_votes_and_on_all_ballots() {
        let mut c = morley();
        c.electorate = 2000;
        assert_eq!(c.turnout_valid(), 50.0);
        assert_eq!(c.turnout_ballots(), 50.5);
        assert_eq!(
            c.turnout(),
            Turnout {
                on_valid_votes: 50.0,
                on_all_ballots: 50.5
            }
        );
    }

    #[test]
    fn candidates_are_found_by_name_case_insensitively_and_ranked_with_shared_places() {
        let c = morley();
        assert_eq!(c.candidate("ed balls").unwrap().votes, Votes(300));
        assert!(c.candidate("Ed").is_none());
        assert_eq!(c.rank_of("Andrea Jenkyns"), Some(1));
        assert_eq!(c.rank_of("ED BALLS"), Some(2));
        assert_eq!(c.rank_of("Sam Smith"), Some(3));
        assert_eq!(c.rank_of("Jane Doe"), Some(4));
        assert_eq!(c.rank_of("John Doe"), Some(4));
        assert_eq!(c.rank_of("Nobody"), None);
    }

    fn two_seats() -> ElectionResults {
        let mut glasgow = seat(
            "S14000030",
            "Glasgow Central",
            vec![candidate("A A", "SNP", 600), candidate("B B", "Lab", 400)],
        );
        glasgow.nation = Nation::Scotland;
        glasgow.region = "Scotland".to_owned();
        glasgow.county = "Scotland".to_owned();
        [glasgow, morley()].into_iter().collect()
    }

    #[test]
    fn area_figures_add_up_the_constituencies_in_the_area() {
        let e = two_seats();
        let (uk, scotland) = (Area::Uk, Area::Nation(Nation::Scotland));
        let lab = PartyCode::new("Lab");
        assert_eq!(e.seat_count(&uk), 2);
        assert_eq!(e.seat_count(&scotland), 1);
        assert_eq!(e.seats(&uk, &PartyCode::new("Con")), 1);
        assert_eq!(e.seats(&scotland, &PartyCode::new("Con")), 0);
        assert_eq!(e.seats(&uk, &lab), 0);
        assert_eq!(e.party_votes(&uk, &lab), Votes(700));
        assert_eq!(e.valid_votes(&uk), Votes(2000));
        assert_eq!(e.party_share(&uk, &lab), Some(35.0));
        assert_eq!(e.party_share(&scotland, &lab), Some(40.0));
        assert_eq!(e.party_share(&scotland, &PartyCode::new("Con")), None);
        assert_eq!(e.electorate(&uk), 2000);
        assert_eq!(e.invalid_votes(&uk), 20);
        let t = e.turnout(&uk).unwrap();
        assert_eq!(t.on_valid_votes, 100.0);
        assert_eq!(t.on_all_ballots, 101.0);
        assert!(e.turnout(&Area::Nation(Nation::Wales)).is_none());
        assert_eq!(
            e.seats_by_party(&uk),
            BTreeMap::from([(PartyCode::new("Con"), 1), (PartyCode::new("SNP"), 1)])
        );
        assert_eq!(e.majority_threshold(), 2);
    }

    #[test]
    fn constituencies_are_found_by_code_and_by_name_and_parties_are_listed() {
        let e = two_seats();
        let id = ConstituencyId::parse("E14000826").unwrap();
        assert_eq!(e.constituency(&id).unwrap().name, "Morley and Outwood");
        assert_eq!(e.constituency_named("morley and outwood").unwrap().id, id);
        assert_eq!(e.constituencies().count(), 2);
        let parties: Vec<String> = e.parties().into_iter().map(|p| p.0).collect();
        assert_eq!(parties, ["Con", "Green", "Ind", "Lab", "SNP"]);
    }
}
