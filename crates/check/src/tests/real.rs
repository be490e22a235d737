//! The verdict rules on the real 2010 and 2015 results, read with the tally crate's HoC
//! Library parser from the shared data beside the repository.

use std::path::Path;
use std::sync::OnceLock;

use newsroom_claims::{Claim, Claimed, Comparator, Kind, Outcome, Verdict};
use newsroom_tally::{parse_hoc, SourceFile, Tallies, Year};
use serde_json::json;

use super::{area, candidate, claim, decimal, note, party, seat, whole, winner_party};
use crate::check;

/// The official 2010 and 2015 results, parsed once for all tests.
fn tallies() -> &'static Tallies {
    static TALLIES: OnceLock<Tallies> = OnceLock::new();
    TALLIES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/ge-results/raw/hoc-library");
        let read = |name: &str| {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let mut tallies = Tallies::new();
        for year in [2010u16, 2015] {
            let candidates_name = format!("HoC-GE{year}-results-by-candidate.csv");
            let constituencies_name = format!("HoC-GE{year}-results-by-constituency.csv");
            let (candidates, constituencies) = (read(&candidates_name), read(&constituencies_name));
            let results = parse_hoc(
                Year(year),
                SourceFile {
                    name: &candidates_name,
                    text: &candidates,
                },
                SourceFile {
                    name: &constituencies_name,
                    text: &constituencies,
                },
            )
            .unwrap();
            tallies.import(results);
        }
        tallies
    })
}

fn in_2010(mut c: Claim) -> Claim {
    c.election = Year(2010);
    c
}

fn since_2010(mut c: Claim) -> Claim {
    c.change_from = Some(Year(2010));
    c
}

fn by(mut c: Claim, comparator: Comparator) -> Claim {
    c.comparator = comparator;
    c
}

fn for_party(mut c: Claim, code: &str) -> Claim {
    c.party = party(code);
    c
}

fn of_candidate(mut c: Claim, name: &str) -> Claim {
    c.candidate = candidate(name);
    c
}

#[test]
fn given_the_real_results_when_loaded_then_both_elections_have_650_seats() {
    let t = tallies();
    assert_eq!(t.election(Year(2010)).unwrap().constituencies.len(), 650);
    assert_eq!(t.election(Year(2015)).unwrap().constituencies.len(), 650);
    assert_eq!(t.version(), 1300);
}

#[test]
fn given_barrow_and_furness_2010_when_a_majority_of_5028_is_claimed_then_inaccurate_for_5208() {
    let c = in_2010(claim(Kind::Majority, seat("E14000543"), whole(5_028)));
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Inaccurate);
    assert_eq!(r.official, json!(5_208));
    assert_eq!(r.evidence.tolerance.as_deref(), Some("exact"));
    assert_eq!(r.evidence.tally_version, Some(1300));
    assert_eq!(
        r.evidence.rows[0].candidate.as_deref(),
        Some("John Woodcock")
    );
}

#[test]
fn given_tim_farron_2015_when_a_51_point_5_share_is_claimed_then_accurate_for_51_491() {
    let c = of_candidate(
        claim(Kind::Share, seat("E14001037"), decimal(51.5, 1)),
        "Tim Farron",
    );
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(51.491));
}

#[test]
fn given_tim_farron_2015_when_his_25194_votes_are_claimed_then_accurate() {
    let c = of_candidate(
        claim(Kind::Votes, seat("E14001037"), whole(25_194)),
        "Tim Farron",
    );
    assert_eq!(check(&c, tallies()).verdict, Verdict::Accurate);
}

#[test]
fn given_paisley_when_a_26_point_9_swing_from_lab_to_snp_is_claimed_then_accurate_for_26_917() {
    let mut c = since_2010(for_party(
        claim(Kind::Swing, seat("S14000053"), decimal(26.9, 1)),
        "SNP",
    ));
    c.versus = party("Lab");
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(26.917));
    c.party = party("Lab");
    c.versus = party("SNP");
    assert_eq!(
        check(&c, tallies()).verdict,
        Verdict::Inaccurate,
        "a swing to the wrong party"
    );
}

#[test]
fn given_glenrothes_when_a_34_point_9_swing_to_snp_is_claimed_without_versus_then_accurate() {
    let c = since_2010(for_party(
        claim(Kind::Swing, seat("S14000036"), decimal(34.9, 1)),
        "SNP",
    ));
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(34.904));
    assert!(note(&r).contains("taken as Lab, the winner in 2010"));
}

#[test]
fn given_burnley_when_a_6_point_3_swing_to_lab_is_claimed_without_versus_then_accurate() {
    let c = since_2010(for_party(
        claim(Kind::Swing, seat("E14000609"), decimal(6.3, 1)),
        "Lab",
    ));
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(6.253));
    assert!(note(&r).contains("taken as LD, the winner in 2010"));
}

#[test]
fn given_scotland_2015_when_56_snp_seats_are_claimed_then_accurate() {
    let c = for_party(claim(Kind::Seats, area("Scotland"), whole(56)), "SNP");
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(
        r.evidence
            .rows
            .iter()
            .filter(|row| row.field == "won")
            .count(),
        56
    );
}

#[test]
fn given_scotland_when_labour_is_said_to_have_lost_40_seats_since_2010_then_accurate() {
    let c = since_2010(for_party(
        claim(Kind::Seats, area("Scotland"), whole(-40)),
        "Lab",
    ));
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(-40));
}

#[test]
fn given_the_uk_2010_when_57_lib_dem_seats_are_claimed_then_accurate() {
    let c = in_2010(for_party(claim(Kind::Seats, area("UK"), whole(57)), "LD"));
    assert_eq!(check(&c, tallies()).verdict, Verdict::Accurate);
}

#[test]
fn given_the_uk_when_a_326_seat_threshold_is_claimed_then_accurate() {
    let r = check(&claim(Kind::Threshold, area("UK"), whole(326)), tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(326));
}

#[test]
fn given_dundee_east_2010_when_a_round_majority_of_1800_is_claimed_then_accurate_for_1821() {
    let c = in_2010(claim(Kind::Majority, seat("S14000015"), whole(1_800)));
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(1_821));
    assert_eq!(
        r.evidence.tolerance.as_deref(),
        Some("rounded to the nearest 100")
    );
}

#[test]
fn given_stirling_2015_when_a_round_majority_of_10000_is_claimed_then_accurate_for_10480() {
    let r = check(
        &claim(Kind::Majority, seat("S14000057"), whole(10_000)),
        tallies(),
    );
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(10_480));
}

#[test]
fn given_perth_2015_when_a_majority_of_about_10000_is_claimed_then_accurate_for_9641() {
    let c = by(
        claim(Kind::Majority, seat("S14000054"), whole(10_000)),
        Comparator::Approx,
    );
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(9_641));
}

#[test]
fn given_bradford_west_2015_when_a_majority_of_more_than_11000_is_claimed_then_accurate() {
    let c = by(
        claim(Kind::Majority, seat("E14000589"), whole(11_000)),
        Comparator::Gt,
    );
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(11_420));
    assert_eq!(r.evidence.tolerance.as_deref(), Some("strictly greater"));
}

#[test]
fn given_merseyside_2015_when_no_conservative_seats_are_claimed_then_accurate() {
    let c = for_party(claim(Kind::Seats, area("Merseyside"), whole(0)), "Con");
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(0));
}

#[test]
fn given_lancashire_when_labour_is_said_to_have_gained_two_seats_since_2010_then_accurate() {
    let c = since_2010(for_party(
        claim(Kind::Seats, area("Lancashire"), whole(2)),
        "Lab",
    ));
    assert_eq!(check(&c, tallies()).verdict, Verdict::Accurate);
}

#[test]
fn given_bournemouth_east_when_the_lib_dem_share_is_said_to_have_fallen_22_point_5_then_accurate() {
    let c = since_2010(for_party(
        claim(Kind::Share, seat("E14000584"), decimal(-22.5, 1)),
        "LD",
    ));
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(-22.504));
}

#[test]
fn given_monmouth_when_the_majority_is_said_to_have_grown_since_2010_then_accurate_for_557() {
    let c = by(
        since_2010(claim(Kind::Majority, seat("W07000054"), whole(0))),
        Comparator::Gt,
    );
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!(557));
}

#[test]
fn given_morley_and_outwood_2015_when_ed_balls_is_said_to_have_lost_then_accurate() {
    let c = of_candidate(
        claim(
            Kind::Outcome,
            seat("E14000826"),
            Claimed::Outcome(Outcome::Lost),
        ),
        "Ed Balls",
    );
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!("lost"));
}

#[test]
fn given_morley_and_outwood_2015_when_andrea_jenkyns_is_said_to_have_won_it_for_con_then_accurate()
{
    let c = of_candidate(
        claim(Kind::Outcome, seat("E14000826"), winner_party("Con")),
        "Andrea Jenkyns",
    );
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert_eq!(r.official, json!("Con"));
}

#[test]
fn given_ed_balls_lost_by_422_when_the_majority_is_checked_then_it_is_the_winners_majority() {
    let c = for_party(
        of_candidate(
            claim(Kind::Majority, seat("E14000826"), whole(422)),
            "Ed Balls",
        ),
        "Lab",
    );
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Accurate);
    assert!(note(&r).contains("Andrea Jenkyns (Con) won Morley and Outwood in 2015"));
}

#[test]
fn given_the_uk_2015_turnout_when_claimed_on_either_definition_then_accurate() {
    let r = check(
        &claim(Kind::Turnout, area("UK"), decimal(66.2, 1)),
        tallies(),
    );
    assert_eq!(r.verdict, Verdict::Accurate);
    assert!(note(&r).starts_with("matched on valid votes / electorate"));
    let r = check(
        &claim(Kind::Turnout, area("UK"), decimal(66.4, 1)),
        tallies(),
    );
    assert_eq!(r.verdict, Verdict::Accurate);
    assert!(note(&r).starts_with("matched on valid and invalid votes / electorate"));
}

#[test]
fn given_an_election_in_2012_when_checked_against_the_real_results_then_unverifiable() {
    let mut c = claim(Kind::Majority, seat("E14000826"), whole(422));
    c.election = Year(2012);
    let r = check(&c, tallies());
    assert_eq!(r.verdict, Verdict::Unverifiable);
    assert!(note(&r).contains("2012"));
}
