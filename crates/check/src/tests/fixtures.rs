//! The verdict rules on a hand-made world: four seats, two in Lancashire (North West,
//! England) and two in Glasgow (Scotland), at the 2010 and 2015 elections.
//!
//! | seat | 2010 | 2015 |
//! | --- | --- | --- |
//! | Ashtown E14000001 | Alice Able Lab 20,000; Bob Baker Con 15,000; Carol Clark LD 5,000 | Alice Able Lab 18,000; Bob Baker Con 17,000; Dan Dray UKIP 5,000 |
//! | Beeford E14000002 | Eve Evans Con 22,000; Frank Ford Lab 10,000; Liz Lane LD 8,000 | Eve Evans Con 25,000; Gina Gold Lab 12,000; Liz Lane LD 3,000 |
//! | Glasgow Central S14000001 | Hugh Hay Lab 24,000; Ian Ives SNP 12,000; Kim Kerr LD 4,000 | Jan Jones SNP 30,000; Hugh Hay Lab 15,000; Kim Kerr LD 5,000 |
//! | Glasgow North S14000002 | Mo Moss Lab 15,000; Ned Neil SNP 10,000 | Pat Park SNP 20,000; Mo Moss Lab 9,000 |
//!
//! Every seat has an electorate of 60,000 and 300 invalid ballots.

use newsroom_claims::{Claimed, Comparator, Kind, Outcome, Verdict};
use newsroom_tally::{
    CandidateResult, ConstituencyId, ConstituencyResult, Nation, PartyCode, Tallies, Votes, Year,
};
use serde_json::json;

use super::{area, candidate, claim, decimal, note, party, seat, whole, winner_party};
use crate::check;

fn person(name: &str, code: &str, votes: u64) -> CandidateResult {
    let (first_name, surname) = name.split_once(' ').unwrap_or(("", name));
    CandidateResult {
        name: name.to_owned(),
        first_name: first_name.to_owned(),
        surname: surname.to_owned(),
        party: PartyCode::new(code),
        party_name: code.to_owned(),
        votes: Votes(votes),
        sitting_mp: false,
        former_mp: false,
    }
}

fn result(year: u16, id: &str, name: &str, candidates: &[(&str, &str, u64)]) -> ConstituencyResult {
    let scottish = id.starts_with('S');
    let (nation, region, county) = if scottish {
        (Nation::Scotland, "Scotland", "Scotland")
    } else {
        (Nation::England, "North West", "Lancashire")
    };
    let mut candidates: Vec<CandidateResult> = candidates
        .iter()
        .map(|(n, p, v)| person(n, p, *v))
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.votes));
    ConstituencyResult {
        election: Year(year),
        id: ConstituencyId::parse(id).unwrap(),
        name: name.to_owned(),
        county: county.to_owned(),
        region: region.to_owned(),
        nation,
        declared_at: None,
        electorate: 60_000,
        valid_votes: candidates.iter().map(|c| c.votes).sum(),
        invalid_votes: 300,
        candidates,
    }
}

fn results_2010() -> Vec<ConstituencyResult> {
    vec![
        result(
            2010,
            "E14000001",
            "Ashtown",
            &[
                ("Alice Able", "Lab", 20_000),
                ("Bob Baker", "Con", 15_000),
                ("Carol Clark", "LD", 5_000),
            ],
        ),
        result(
            2010,
            "E14000002",
            "Beeford",
            &[
                ("Eve Evans", "Con", 22_000),
                ("Frank Ford", "Lab", 10_000),
                ("Liz Lane", "LD", 8_000),
            ],
        ),
        result(
            2010,
            "S14000001",
            "Glasgow Central",
            &[
                ("Hugh Hay", "Lab", 24_000),
                ("Ian Ives", "SNP", 12_000),
                ("Kim Kerr", "LD", 4_000),
            ],
        ),
        result(
            2010,
            "S14000002",
            "Glasgow North",
            &[("Mo Moss", "Lab", 15_000), ("Ned Neil", "SNP", 10_000)],
        ),
    ]
}

fn results_2015() -> Vec<ConstituencyResult> {
    vec![
        result(
            2015,
            "E14000001",
            "Ashtown",
            &[
                ("Alice Able", "Lab", 18_000),
                ("Bob Baker", "Con", 17_000),
                ("Dan Dray", "UKIP", 5_000),
            ],
        ),
        result(
            2015,
            "E14000002",
            "Beeford",
            &[
                ("Eve Evans", "Con", 25_000),
                ("Gina Gold", "Lab", 12_000),
                ("Liz Lane", "LD", 3_000),
            ],
        ),
        result(
            2015,
            "S14000001",
            "Glasgow Central",
            &[
                ("Jan Jones", "SNP", 30_000),
                ("Hugh Hay", "Lab", 15_000),
                ("Kim Kerr", "LD", 5_000),
            ],
        ),
        result(
            2015,
            "S14000002",
            "Glasgow North",
            &[("Pat Park", "SNP", 20_000), ("Mo Moss", "Lab", 9_000)],
        ),
    ]
}

/// Both elections fully declared.
fn world() -> Tallies {
    let mut t = Tallies::new();
    t.import(results_2010());
    t.import(results_2015());
    t
}

/// 2010 declared; in 2015 Glasgow North has not declared yet.
fn election_night() -> Tallies {
    let mut t = Tallies::new();
    t.import(results_2010());
    t.import(
        results_2015()
            .into_iter()
            .filter(|r| r.id.as_str() != "S14000002"),
    );
    t
}

const ASHTOWN: &str = "E14000001";
const BEEFORD: &str = "E14000002";
const GLASGOW_CENTRAL: &str = "S14000001";
const GLASGOW_NORTH: &str = "S14000002";

// ---- the report ----

#[test]
fn given_any_claim_when_checked_then_the_report_carries_the_claim_and_the_tally_version() {
    let t = world();
    let c = claim(Kind::Majority, seat(ASHTOWN), whole(1000));
    let r = check(&c, &t);
    assert_eq!(r.article, c.article);
    assert_eq!(r.claim_id, c.claim_id);
    assert_eq!(r.quote, c.quote);
    assert_eq!(r.span, c.span);
    assert_eq!(r.kind, Kind::Majority);
    assert_eq!(r.constituency_id.as_ref().unwrap().as_str(), ASHTOWN);
    assert_eq!(r.area, None);
    assert_eq!(r.claimed, json!(1000));
    assert_eq!(r.evidence.tally_version, Some(8));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["verdict"], "accurate");
    assert_eq!(json["official"], 1000);
    assert_eq!(json["comparator"], "eq");
}

// ---- following the tallies ----

#[test]
fn given_an_election_night_then_the_election_is_awaiting_results_until_every_seat_declared() {
    assert!(crate::awaiting_results(&election_night(), Year(2015)));
    assert!(!crate::awaiting_results(&world(), Year(2015)));
    assert!(!crate::awaiting_results(&world(), Year(2010)));
    assert!(!crate::awaiting_results(&Tallies::new(), Year(2015)));
}

#[test]
fn given_an_election_night_then_areas_resolve_as_the_checker_reads_them() {
    let night = election_night();
    assert_eq!(
        crate::resolve_area(&night, Year(2015), "Glasgow"),
        Some(newsroom_tally::Area::City("Glasgow".to_owned())),
        "one Glasgow seat declared: the expected list still knows the city"
    );
    assert_eq!(crate::resolve_area(&night, Year(2015), "Atlantis"), None);
    assert_eq!(crate::resolve_area(&night, Year(2019), "Glasgow"), None);
}

// ---- seats ----

#[test]
fn given_the_seats_a_party_won_in_an_area_when_checked_then_they_are_counted_from_the_winners() {
    let t = world();
    let c = claim(Kind::Seats, area("Scotland"), whole(2));
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Unverifiable, "no party named");
    let c = with_party(c, "SNP");
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(2));
    assert_eq!(r.area.as_deref(), Some("Scotland"));
    assert_eq!(
        r.evidence.rule,
        "seats = constituencies in the area whose winner is the party"
    );
    assert_eq!(r.evidence.tolerance.as_deref(), Some("exact"));
    let won: Vec<_> = r
        .evidence
        .rows
        .iter()
        .filter(|row| row.field == "won")
        .map(|row| row.candidate.clone().unwrap())
        .collect();
    assert_eq!(won, ["Jan Jones", "Pat Park"]);
    let wrong = claim(Kind::Seats, area("Scotland"), whole(1));
    let r = check(&with_party(wrong, "SNP"), &t);
    assert_eq!(r.verdict, Verdict::Inaccurate);
}

fn with_party(mut c: newsroom_claims::Claim, code: &str) -> newsroom_claims::Claim {
    c.party = party(code);
    c
}

#[test]
fn given_a_county_or_the_uk_when_seats_are_checked_then_only_its_constituencies_count() {
    let t = world();
    let lancashire = with_party(claim(Kind::Seats, area("Lancashire"), whole(1)), "Lab");
    assert_eq!(check(&lancashire, &t).verdict, Verdict::Accurate);
    let uk = with_party(claim(Kind::Seats, area("UK"), whole(2)), "SNP");
    assert_eq!(check(&uk, &t).verdict, Verdict::Accurate);
    let glasgow = with_party(claim(Kind::Seats, area("Glasgow"), whole(2)), "SNP");
    assert_eq!(check(&glasgow, &t).verdict, Verdict::Accurate);
}

#[test]
fn given_a_party_that_stood_but_won_nothing_when_zero_seats_are_claimed_then_accurate() {
    let t = world();
    let r = check(
        &with_party(claim(Kind::Seats, area("UK"), whole(0)), "UKIP"),
        &t,
    );
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(0));
}

#[test]
fn given_a_party_that_stood_nowhere_in_the_area_when_its_seats_are_checked_then_unverifiable() {
    let t = world();
    let r = check(
        &with_party(claim(Kind::Seats, area("UK"), whole(0)), "Green"),
        &t,
    );
    assert_eq!(r.verdict, Verdict::Unverifiable);
    assert_eq!(r.official, json!(null));
    assert!(
        note(&r).contains("Green stood no candidate"),
        "{}",
        note(&r)
    );
}

#[test]
fn given_a_change_in_seats_when_checked_then_it_is_the_difference_between_the_elections() {
    let t = world();
    let mut c = with_party(claim(Kind::Seats, area("UK"), whole(-2)), "Lab");
    c.change_from = Some(Year(2010));
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate, "{r:?}");
    assert_eq!(r.official, json!(-2));
    assert!(r
        .evidence
        .rule
        .contains("change = the 2015 figure - the 2010 figure"));
    assert!(r.evidence.rows.iter().any(|row| row.election == Year(2010)));
    assert!(r.evidence.rows.iter().any(|row| row.election == Year(2015)));
    c.claimed = whole(2);
    assert_eq!(
        check(&c, &t).verdict,
        Verdict::Inaccurate,
        "the sign counts"
    );
}

#[test]
fn given_an_area_that_does_not_exist_when_seats_are_checked_then_unverifiable() {
    let t = world();
    let r = check(
        &with_party(claim(Kind::Seats, area("Atlantis"), whole(1)), "Lab"),
        &t,
    );
    assert_eq!(r.verdict, Verdict::Unverifiable);
    assert!(note(&r).contains("Atlantis"));
}

// ---- votes ----

#[test]
fn given_a_candidates_votes_when_checked_then_they_must_be_exact() {
    let t = world();
    let mut c = claim(Kind::Votes, seat(ASHTOWN), whole(18_000));
    c.candidate = candidate("Alice Able");
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(18_000));
    assert_eq!(r.evidence.rows.len(), 1);
    assert_eq!(r.evidence.rows[0].field, "votes");
    assert_eq!(r.evidence.rows[0].value, json!(18_000));
    c.claimed = whole(18_001);
    assert_eq!(check(&c, &t).verdict, Verdict::Inaccurate);
}

#[test]
fn given_a_partys_votes_in_an_area_when_checked_then_they_are_summed_over_the_area() {
    let t = world();
    let c = with_party(claim(Kind::Votes, area("UK"), whole(54_000)), "Lab");
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(54_000));
    assert!(note(&r).contains("summed over the 4 constituencies"));
}

#[test]
fn given_a_change_in_votes_when_checked_then_it_is_the_difference_and_a_new_party_counts_from_zero()
{
    let t = world();
    let mut c = claim(Kind::Votes, seat(ASHTOWN), whole(-2_000));
    c.candidate = candidate("Alice Able");
    c.change_from = Some(Year(2010));
    assert_eq!(check(&c, &t).verdict, Verdict::Accurate);
    let mut c = claim(Kind::Votes, seat(ASHTOWN), whole(5_000));
    c.candidate = candidate("Dan Dray");
    c.change_from = Some(Year(2010));
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate, "{r:?}");
    assert!(note(&r).contains("Dan Dray did not stand"), "{}", note(&r));
}

#[test]
fn given_a_party_that_did_not_stand_in_the_seat_when_its_votes_are_checked_then_unverifiable() {
    let t = world();
    let c = with_party(claim(Kind::Votes, seat(ASHTOWN), whole(0)), "Green");
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Unverifiable);
    assert!(note(&r).contains("Green had no candidate in Ashtown"));
}

// ---- share ----

#[test]
fn given_a_share_with_one_decimal_when_checked_then_the_official_share_is_rounded_to_one_decimal() {
    let t = world();
    let mut c = claim(Kind::Share, seat(ASHTOWN), decimal(45.0, 1));
    c.candidate = candidate("Alice Able");
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(45));
    assert_eq!(
        r.evidence.tolerance.as_deref(),
        Some("rounded to 1 decimal place")
    );
    assert!(r.evidence.rows.iter().any(|row| row.field == "valid_votes"));
    let c = with_party(claim(Kind::Share, area("UK"), decimal(34.0, 1)), "Lab");
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(33.962));
    let c = with_party(claim(Kind::Share, area("UK"), decimal(33.9, 1)), "Lab");
    assert_eq!(check(&c, &t).verdict, Verdict::Inaccurate);
}

#[test]
fn given_a_change_in_share_when_checked_then_it_is_the_difference_in_points() {
    let t = world();
    let mut c = claim(Kind::Share, seat(ASHTOWN), decimal(-5.0, 1));
    c.candidate = candidate("Alice Able");
    c.change_from = Some(Year(2010));
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(-5));
    let mut c = with_party(claim(Kind::Share, seat(ASHTOWN), whole(5)), "Con");
    c.change_from = Some(Year(2010));
    assert_eq!(check(&c, &t).verdict, Verdict::Accurate);
}

// ---- majority ----

#[test]
fn given_a_majority_when_checked_then_it_is_the_winners_lead_over_the_runner_up() {
    let t = world();
    let r = check(&claim(Kind::Majority, seat(ASHTOWN), whole(1_000)), &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(
        r.evidence.rule,
        "majority = winner's votes - runner-up's votes"
    );
    let fields: Vec<_> = r
        .evidence
        .rows
        .iter()
        .map(|row| (row.candidate.as_deref(), row.field.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (Some("Alice Able"), "votes"),
            (Some("Bob Baker"), "votes"),
            (None, "majority")
        ]
    );
    assert!(note(&r).contains("Alice Able (Lab) won Ashtown in 2015"));
    let r = check(&claim(Kind::Majority, seat(ASHTOWN), whole(1_001)), &t);
    assert_eq!(r.verdict, Verdict::Inaccurate);
}

#[test]
fn given_a_majority_claimed_for_the_losing_candidate_when_checked_then_the_seats_majority_is_used()
{
    let t = world();
    let mut c = claim(Kind::Majority, seat(ASHTOWN), whole(1_000));
    c.candidate = candidate("Bob Baker");
    c.party = party("Con");
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert!(
        note(&r).contains("Bob Baker did not win the seat in 2015"),
        "{}",
        note(&r)
    );
    c.candidate = None;
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert!(note(&r).contains("Con did not win the seat in 2015"));
}

#[test]
fn given_a_change_in_majority_when_checked_then_it_is_the_difference_between_the_elections() {
    let t = world();
    let mut c = claim(Kind::Majority, seat(ASHTOWN), whole(-4_000));
    c.change_from = Some(Year(2010));
    assert_eq!(check(&c, &t).official, json!(-4_000));
    assert_eq!(check(&c, &t).verdict, Verdict::Accurate);
    let mut c = claim(Kind::Majority, seat(BEEFORD), whole(0));
    c.change_from = Some(Year(2010));
    c.comparator = Comparator::Gt;
    assert_eq!(check(&c, &t).verdict, Verdict::Accurate, "up by 1,000");
}

#[test]
fn given_every_comparator_when_a_majority_is_checked_then_each_is_judged_as_stated() {
    let t = world();
    let judge = |comparator, claimed| {
        let mut c = claim(Kind::Majority, seat(BEEFORD), whole(claimed));
        c.comparator = comparator;
        check(&c, &t).verdict
    };
    // The official majority is 13,000.
    assert_eq!(judge(Comparator::Eq, 13_000), Verdict::Accurate);
    assert_eq!(judge(Comparator::Eq, 12_999), Verdict::Inaccurate);
    assert_eq!(judge(Comparator::Gt, 12_000), Verdict::Accurate);
    assert_eq!(judge(Comparator::Gt, 13_000), Verdict::Inaccurate);
    assert_eq!(judge(Comparator::Lt, 14_000), Verdict::Accurate);
    assert_eq!(judge(Comparator::Lt, 13_000), Verdict::Inaccurate);
    assert_eq!(judge(Comparator::Approx, 13_600), Verdict::Accurate);
    assert_eq!(judge(Comparator::Approx, 14_000), Verdict::Inaccurate);
    assert_eq!(judge(Comparator::Eq, 13_100), Verdict::Inaccurate);
}

#[test]
fn given_a_majority_claimed_for_an_area_when_checked_then_unverifiable() {
    let t = world();
    let r = check(&claim(Kind::Majority, area("Scotland"), whole(1_000)), &t);
    assert_eq!(r.verdict, Verdict::Unverifiable);
}

// ---- swing ----

#[test]
fn given_a_swing_from_one_party_to_another_when_checked_then_it_is_the_butler_swing() {
    let t = world();
    let mut c = with_party(
        claim(Kind::Swing, seat(GLASGOW_CENTRAL), decimal(30.0, 1)),
        "SNP",
    );
    c.versus = party("Lab");
    c.change_from = Some(Year(2010));
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate, "{r:?}");
    assert_eq!(r.official, json!(30));
    assert_eq!(r.evidence.rows.len(), 4);
    assert!(r
        .evidence
        .rows
        .iter()
        .all(|row| row.field == "share" && row.party.is_some()));
}

#[test]
fn given_a_swing_claimed_to_the_wrong_party_when_checked_then_inaccurate() {
    let t = world();
    let mut c = with_party(
        claim(Kind::Swing, seat(GLASGOW_CENTRAL), decimal(30.0, 1)),
        "Lab",
    );
    c.versus = party("SNP");
    c.change_from = Some(Year(2010));
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Inaccurate);
    assert_eq!(r.official, json!(-30));
}

#[test]
fn given_a_swing_without_versus_when_checked_then_it_is_from_the_earlier_winner() {
    let t = world();
    let mut c = with_party(
        claim(Kind::Swing, seat(GLASGOW_CENTRAL), decimal(30.0, 1)),
        "SNP",
    );
    c.change_from = Some(Year(2010));
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert!(
        note(&r).contains("taken as Lab, the winner in 2010"),
        "{}",
        note(&r)
    );
}

#[test]
fn given_a_swing_without_versus_to_the_earlier_winner_when_checked_then_it_is_from_the_runner_up() {
    // Beeford: Con 55 → 62.5, Lab (runner-up in 2010) 25 → 30: swing 1.25 to Con.
    let t = world();
    let mut c = with_party(claim(Kind::Swing, seat(BEEFORD), decimal(1.3, 1)), "Con");
    c.change_from = Some(Year(2010));
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate, "{r:?}");
    assert_eq!(r.official, json!(1.25));
    assert!(note(&r).contains("taken as Lab, the runner-up in 2010"));
}

#[test]
fn given_a_swing_without_an_earlier_election_when_checked_then_it_is_since_the_previous_one() {
    let t = world();
    let c = with_party(
        claim(Kind::Swing, seat(GLASGOW_CENTRAL), decimal(30.0, 1)),
        "SNP",
    );
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert!(note(&r).contains("the swing since 2010"));
}

#[test]
fn given_a_swing_in_an_area_when_checked_then_it_is_computed_on_the_areas_shares() {
    // Scotland: SNP 33.846 → 63.291, Lab 60.0 → 30.380: swing 29.533.
    let t = world();
    let mut c = with_party(
        claim(Kind::Swing, area("Scotland"), decimal(29.5, 1)),
        "SNP",
    );
    c.change_from = Some(Year(2010));
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate, "{r:?}");
    assert_eq!(r.official, json!(29.533));
    assert!(note(&r).contains("the party with the most votes in Scotland in 2010"));
}

// ---- turnout ----

#[test]
fn given_a_turnout_on_valid_votes_when_checked_then_accurate_and_the_note_says_which() {
    let t = world();
    let r = check(&claim(Kind::Turnout, seat(ASHTOWN), decimal(66.7, 1)), &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(66.667));
    assert!(
        note(&r).starts_with("matched on valid votes / electorate"),
        "{}",
        note(&r)
    );
}

#[test]
fn given_a_turnout_on_all_ballots_when_checked_then_accurate_and_the_note_says_which() {
    let t = world();
    let r = check(&claim(Kind::Turnout, seat(ASHTOWN), decimal(67.2, 1)), &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(67.167));
    assert!(note(&r).starts_with("matched on valid and invalid votes / electorate"));
}

#[test]
fn given_a_turnout_matching_neither_definition_when_checked_then_inaccurate() {
    let t = world();
    let r = check(&claim(Kind::Turnout, seat(ASHTOWN), decimal(66.9, 1)), &t);
    assert_eq!(r.verdict, Verdict::Inaccurate);
    assert_eq!(r.official, json!(66.667));
    assert!(note(&r).contains("matched on neither definition"));
    let r = check(&claim(Kind::Turnout, area("UK"), decimal(66.5, 1)), &t);
    assert_eq!(
        r.verdict,
        Verdict::Inaccurate,
        "UK turnout is 66.25 / 66.75"
    );
    let r = check(&claim(Kind::Turnout, area("UK"), decimal(66.3, 1)), &t);
    assert_eq!(r.verdict, Verdict::Accurate);
}

// ---- outcome ----

#[test]
fn given_the_winning_party_when_checked_then_accurate_and_any_other_party_inaccurate() {
    let t = world();
    let r = check(
        &claim(Kind::Outcome, seat(ASHTOWN), winner_party("Lab")),
        &t,
    );
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!("Lab"));
    assert_eq!(r.claimed, json!("Lab"));
    let r = check(
        &claim(Kind::Outcome, seat(ASHTOWN), winner_party("Con")),
        &t,
    );
    assert_eq!(r.verdict, Verdict::Inaccurate);
    assert_eq!(r.official, json!("Lab"));
}

#[test]
fn given_a_candidate_said_to_have_won_or_lost_when_checked_then_judged_by_who_finished_first() {
    let t = world();
    let judge = |name: &str, outcome: Outcome| {
        let mut c = claim(Kind::Outcome, seat(ASHTOWN), Claimed::Outcome(outcome));
        c.candidate = candidate(name);
        check(&c, &t)
    };
    let r = judge("Bob Baker", Outcome::Lost);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!("lost"));
    assert_eq!(judge("Alice Able", Outcome::Won).verdict, Verdict::Accurate);
    assert_eq!(judge("Alice Able", Outcome::Won).official, json!("won"));
    assert_eq!(
        judge("Alice Able", Outcome::Lost).verdict,
        Verdict::Inaccurate
    );
    assert_eq!(judge("Dan Dray", Outcome::Won).verdict, Verdict::Inaccurate);
    assert_eq!(
        judge("Zed Zane", Outcome::Lost).verdict,
        Verdict::Unverifiable
    );
}

#[test]
fn given_a_candidate_named_informally_when_checked_then_the_official_name_is_found_by_surname() {
    let t = world();
    let mut c = claim(Kind::Outcome, seat(ASHTOWN), Claimed::Outcome(Outcome::Won));
    c.candidate = candidate("Al Able");
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert!(note(&r).contains("taken as the official name \"Alice Able\""));
    c.candidate = candidate("BOB BAKER");
    assert_eq!(check(&c, &t).verdict, Verdict::Inaccurate);
}

// ---- rank ----

#[test]
fn given_a_candidates_place_when_checked_then_it_is_the_place_by_votes() {
    let t = world();
    let mut c = claim(Kind::Rank, seat(ASHTOWN), whole(3));
    c.candidate = candidate("Dan Dray");
    assert_eq!(check(&c, &t).verdict, Verdict::Accurate);
    c.claimed = whole(2);
    assert_eq!(check(&c, &t).verdict, Verdict::Inaccurate);
    let c = with_party(claim(Kind::Rank, seat(BEEFORD), whole(3)), "LD");
    assert_eq!(check(&c, &t).verdict, Verdict::Accurate);
}

#[test]
fn given_a_partys_place_in_an_area_when_checked_then_it_is_the_place_by_seats_won() {
    let t = world();
    let c = with_party(claim(Kind::Rank, area("UK"), whole(1)), "SNP");
    assert_eq!(check(&c, &t).verdict, Verdict::Accurate);
    let c = with_party(claim(Kind::Rank, area("UK"), whole(2)), "Con");
    assert_eq!(
        check(&c, &t).verdict,
        Verdict::Accurate,
        "Con and Lab share 2nd"
    );
    let c = with_party(claim(Kind::Rank, area("UK"), whole(4)), "UKIP");
    assert_eq!(
        check(&c, &t).verdict,
        Verdict::Accurate,
        "after SNP, Lab, Con"
    );
}

// ---- threshold ----

#[test]
fn given_the_seats_needed_for_a_majority_when_checked_then_it_is_half_the_seats_plus_one() {
    let t = world();
    let r = check(&claim(Kind::Threshold, area("UK"), whole(3)), &t);
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(3));
    let r = check(&claim(Kind::Threshold, area("UK"), whole(2)), &t);
    assert_eq!(r.verdict, Verdict::Inaccurate);
    let r = check(&claim(Kind::Threshold, area("Scotland"), whole(2)), &t);
    assert_eq!(r.verdict, Verdict::Unverifiable);
}

#[test]
fn given_an_election_still_declaring_when_the_threshold_is_checked_then_the_full_list_counts() {
    let t = election_night();
    let r = check(&claim(Kind::Threshold, area("UK"), whole(3)), &t);
    assert_eq!(r.verdict, Verdict::Accurate);
}

// ---- unverifiable ----

#[test]
fn given_an_election_not_in_the_tallies_when_checked_then_unverifiable_and_the_note_says_so() {
    let t = world();
    let mut c = claim(Kind::Majority, seat(ASHTOWN), whole(1_000));
    c.election = Year(2012);
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Unverifiable);
    assert_eq!(r.official, json!(null));
    assert_eq!(r.evidence.tolerance, None);
    assert!(note(&r).contains("2012"));
    let mut c = with_party(claim(Kind::Seats, area("UK"), whole(1)), "Lab");
    c.change_from = Some(Year(2005));
    assert_eq!(check(&c, &t).verdict, Verdict::Unverifiable);
}

#[test]
fn given_an_unknown_candidate_when_checked_then_unverifiable_and_the_note_names_them() {
    let t = world();
    let mut c = claim(Kind::Votes, seat(ASHTOWN), whole(100));
    c.candidate = candidate("Nobody Known");
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Unverifiable);
    assert!(note(&r).contains("no candidate called \"Nobody Known\" in Ashtown in 2015"));
}

#[test]
fn given_an_unknown_constituency_when_checked_then_unverifiable() {
    let t = world();
    let r = check(&claim(Kind::Majority, seat("E14000999"), whole(100)), &t);
    assert_eq!(r.verdict, Verdict::Unverifiable);
    assert!(note(&r).contains("no constituency E14000999"));
}

#[test]
fn given_a_claim_whose_figure_does_not_fit_its_kind_when_checked_then_unverifiable() {
    let t = world();
    let r = check(
        &claim(Kind::Majority, seat(ASHTOWN), winner_party("Lab")),
        &t,
    );
    assert_eq!(r.verdict, Verdict::Unverifiable);
    let r = check(&claim(Kind::Outcome, seat(ASHTOWN), whole(1)), &t);
    assert_eq!(r.verdict, Verdict::Unverifiable);
    let r = check(&claim(Kind::Outcome, area("UK"), winner_party("Lab")), &t);
    assert_eq!(r.verdict, Verdict::Unverifiable);
}

// ---- pending ----

#[test]
fn given_a_seat_not_declared_yet_when_checked_then_pending() {
    let t = election_night();
    let r = check(
        &claim(Kind::Majority, seat(GLASGOW_NORTH), whole(11_000)),
        &t,
    );
    assert_eq!(r.verdict, Verdict::Pending);
    assert_eq!(r.official, json!(null));
    assert!(
        note(&r).contains("Glasgow North (S14000002) has not declared its 2015 result yet"),
        "{}",
        note(&r)
    );
    let r = check(
        &claim(Kind::Outcome, seat(GLASGOW_NORTH), winner_party("SNP")),
        &t,
    );
    assert_eq!(r.verdict, Verdict::Pending);
    let r = check(&claim(Kind::Majority, seat(ASHTOWN), whole(1_000)), &t);
    assert_eq!(r.verdict, Verdict::Accurate, "a declared seat is judged");
}

#[test]
fn given_an_area_with_a_seat_not_declared_yet_when_checked_then_pending() {
    let t = election_night();
    let scotland = with_party(claim(Kind::Seats, area("Scotland"), whole(2)), "SNP");
    let r = check(&scotland, &t);
    assert_eq!(r.verdict, Verdict::Pending);
    assert!(note(&r).contains("1 of the 2 constituencies in Scotland"));
    let uk = with_party(claim(Kind::Votes, area("UK"), whole(45_000)), "Lab");
    assert_eq!(check(&uk, &t).verdict, Verdict::Pending);
    let lancashire = with_party(claim(Kind::Seats, area("Lancashire"), whole(1)), "Con");
    assert_eq!(check(&lancashire, &t).verdict, Verdict::Accurate);
}

// ---- ambiguous ----

#[test]
fn given_a_claim_read_with_an_ambiguity_when_checked_then_ambiguous_with_the_reason() {
    let t = world();
    let mut c = claim(Kind::Majority, seat(ASHTOWN), whole(1_000));
    c.ambiguity = Some("\"his lead\" may be the majority or the vote".to_owned());
    let r = check(&c, &t);
    assert_eq!(r.verdict, Verdict::Ambiguous);
    assert!(note(&r).starts_with("ambiguous reading: \"his lead\""));
    assert_eq!(
        r.official,
        json!(1_000),
        "the official figure is still shown"
    );
    c.election = Year(2012);
    assert_eq!(check(&c, &t).verdict, Verdict::Ambiguous);
}

// ---- totality ----

#[test]
fn given_empty_tallies_or_odd_figures_when_any_kind_is_checked_then_a_report_comes_back() {
    let empty = Tallies::new();
    let t = world();
    let figures = [
        whole(0),
        decimal(f64::NAN, 3),
        decimal(f64::INFINITY, 0),
        decimal(-1e300, 255),
        winner_party("Lab"),
        Claimed::Outcome(Outcome::Won),
    ];
    for kind in Kind::ALL {
        for scope in [seat(ASHTOWN), area("UK"), area(""), seat("N06000001")] {
            for figure in &figures {
                for tallies in [&empty, &t] {
                    let mut c = claim(kind, scope.clone(), figure.clone());
                    c.change_from = Some(Year(2015));
                    let r = check(&c, tallies);
                    assert_eq!(r.kind, kind);
                    let mut c = claim(kind, scope.clone(), figure.clone());
                    c.party = party("Lab");
                    c.candidate = candidate("x");
                    assert_eq!(check(&c, tallies).claim_id, c.claim_id);
                }
            }
        }
    }
    assert_eq!(
        check(&claim(Kind::Seats, area("UK"), whole(1)), &empty).verdict,
        Verdict::Unverifiable
    );
}
