//! Extraction specifications: given a sentence of an article about the 2015 general election
//! (and the official 2010 and 2015 results as the name index), then these claims are read.

use std::sync::OnceLock;

use chrono::NaiveDate;
use newsroom_claims::{Claim, Claimed, Comparator, Kind, Outcome, Scope};
use newsroom_extract::Extractor;
use newsroom_tally::{parse_hoc, SourceFile, Tallies, Year};

fn extractor() -> &'static Extractor {
    static EX: OnceLock<Extractor> = OnceLock::new();
    EX.get_or_init(|| {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/ge-results/raw/hoc-library"
        );
        let mut t = Tallies::new();
        for year in [2010u16, 2015] {
            let cn = format!("HoC-GE{year}-results-by-candidate.csv");
            let kn = format!("HoC-GE{year}-results-by-constituency.csv");
            let c = std::fs::read_to_string(format!("{dir}/{cn}"))
                .expect("candidate file beside the repository");
            let k = std::fs::read_to_string(format!("{dir}/{kn}"))
                .expect("constituency file beside the repository");
            t.import(
                parse_hoc(
                    Year(year),
                    SourceFile {
                        name: &cn,
                        text: &c,
                    },
                    SourceFile {
                        name: &kn,
                        text: &k,
                    },
                )
                .expect("official files parse"),
            );
        }
        Extractor::new(&t)
    })
}

fn read(text: &str) -> Vec<Claim> {
    extractor()
        .extract("spec.txt", text, NaiveDate::from_ymd_opt(2015, 5, 8))
        .claims
}

fn seat(c: &Claim) -> &str {
    match &c.scope {
        Scope::Constituency(id) => id.as_str(),
        Scope::Area(a) => a.as_str(),
    }
}

fn number(c: &Claim) -> f64 {
    match &c.claimed {
        Claimed::Number(f) => f.value,
        Claimed::Outcome(_) => f64::NAN,
    }
}

fn find<'a>(claims: &'a [Claim], kind: Kind, scope: &str, value: Option<f64>) -> &'a Claim {
    claims
        .iter()
        .find(|c| {
            c.kind == kind && seat(c) == scope && value.is_none_or(|v| (number(c) - v).abs() < 1e-9)
        })
        .unwrap_or_else(|| panic!("no {kind} claim for {scope} {value:?} in {claims:#?}"))
}

#[test]
fn given_votes_polled_by_a_named_candidate_then_a_votes_claim_for_their_seat() {
    let claims = read("Margaret Greenwood won in Wirral West after securing 18,898 votes.");
    let c = find(&claims, Kind::Votes, "E14001044", Some(18898.0));
    assert_eq!(c.candidate.as_deref(), Some("Margaret Greenwood"));
    assert_eq!(c.election, Year(2015));
}

#[test]
fn given_a_majority_that_fell_from_one_figure_to_another_then_two_majorities_of_two_elections() {
    let claims = read(
        "Tim Farron held Westmorland and Lonsdale. His majority fell from 12,264 in 2010 to 8,949.",
    );
    assert_eq!(
        find(&claims, Kind::Majority, "E14001037", Some(12264.0)).election,
        Year(2010)
    );
    assert_eq!(
        find(&claims, Kind::Majority, "E14001037", Some(8949.0)).election,
        Year(2015)
    );
}

#[test]
fn given_a_previous_majority_then_the_earlier_election() {
    let claims = read("Labour's John Woodcock held Barrow and Furness, but his previous majority of 5,028 was slashed to just 795.");
    assert_eq!(
        find(&claims, Kind::Majority, "E14000543", Some(5028.0)).election,
        Year(2010)
    );
    assert_eq!(
        find(&claims, Kind::Majority, "E14000543", Some(795.0)).election,
        Year(2015)
    );
}

#[test]
fn given_comparators_then_gt_and_approx() {
    let claims = read("Tory David Davies held Monmouth increasing his majority to almost 11,000. Mr Cable lost Twickenham to Conservative rival Tania Mathias by more than 2,000 votes.");
    assert_eq!(
        find(&claims, Kind::Majority, "W07000054", Some(11000.0)).comparator,
        Comparator::Approx
    );
    assert_eq!(
        find(&claims, Kind::Majority, "E14001005", Some(2000.0)).comparator,
        Comparator::Gt
    );
}

#[test]
fn given_a_share_in_per_cent_then_a_share_claim_with_its_precision() {
    let claims = read("Rory Stewart of Penrith and The Border polled 26,202 votes, which amounted to a 59.7 per cent share of the vote.");
    let c = find(&claims, Kind::Share, "E14000877", Some(59.7));
    match c.claimed {
        Claimed::Number(f) => assert_eq!(f.decimals, 1),
        _ => panic!("a number"),
    }
}

#[test]
fn given_a_swing_from_one_party_to_another_then_the_party_swung_to_and_from() {
    let claims = read("Mr Alexander lost his seat after a massive 26.9% swing from Labour to the SNP in Paisley and Renfrewshire South.");
    let c = find(&claims, Kind::Swing, "S14000053", Some(26.9));
    assert_eq!(c.party.as_ref().map(|p| p.as_str()), Some("SNP"));
    assert_eq!(c.versus.as_ref().map(|p| p.as_str()), Some("Lab"));
    assert_eq!(c.change_from, Some(Year(2010)));
}

#[test]
fn given_seats_of_a_party_in_a_nation_then_a_seats_claim_for_the_area() {
    let claims = read("The SNP took 56 of the 59 seats in Scotland.");
    let c = find(&claims, Kind::Seats, "Scotland", Some(56.0));
    assert_eq!(c.party.as_ref().map(|p| p.as_str()), Some("SNP"));
    assert!(
        claims.iter().all(|c| number(c) != 59.0),
        "the total of seats is not a claim"
    );
}

#[test]
fn given_seats_lost_since_the_last_election_then_a_signed_change_and_the_earlier_count() {
    let claims = read("Labour lost 40 of the 41 Scottish seats they won in 2010.");
    let change = find(&claims, Kind::Seats, "Scotland", Some(-40.0));
    assert_eq!(change.change_from, Some(Year(2010)));
    assert_eq!(
        find(&claims, Kind::Seats, "Scotland", Some(41.0)).election,
        Year(2010)
    );
}

#[test]
fn given_numbers_in_words_and_down_from_then_both_elections() {
    let claims = read("The Liberal Democrats won only eight seats - down from 57 in 2010.");
    assert_eq!(
        find(&claims, Kind::Seats, "UK", Some(8.0)).election,
        Year(2015)
    );
    assert_eq!(
        find(&claims, Kind::Seats, "UK", Some(57.0)).election,
        Year(2010)
    );
}

#[test]
fn given_the_majority_threshold_then_a_threshold_claim_and_the_party_past_it() {
    let claims =
        read("The Conservatives have surpassed the 326 seats they need for an overall majority.");
    find(&claims, Kind::Threshold, "UK", Some(326.0));
    assert_eq!(
        find(&claims, Kind::Seats, "UK", Some(326.0)).comparator,
        Comparator::Gt
    );
}

#[test]
fn given_a_party_holding_a_list_of_seats_then_one_outcome_per_seat() {
    let claims = read(
        "The Tories held Bournemouth East and West, Christchurch and Dorset West, North and South.",
    );
    let seats: Vec<&str> = claims
        .iter()
        .filter(|c| c.kind == Kind::Outcome)
        .map(seat)
        .collect();
    for id in [
        "E14000584",
        "E14000585",
        "E14000638",
        "E14001031",
        "E14000839",
        "E14000936",
    ] {
        assert!(seats.contains(&id), "{id} missing from {seats:?}");
    }
    assert!(claims
        .iter()
        .filter(|c| c.kind == Kind::Outcome)
        .all(|c| c.claimed
            == Claimed::Outcome(Outcome::Party(newsroom_tally::PartyCode::new("Con")))));
}

#[test]
fn given_a_candidate_who_lost_to_a_party_then_the_winning_party_for_their_seat() {
    let claims = read("Scottish Labour leader Jim Murphy also lost his seat to the SNP.");
    let c = find(&claims, Kind::Outcome, "S14000021", None);
    assert_eq!(
        c.claimed,
        Claimed::Outcome(Outcome::Party(newsroom_tally::PartyCode::new("SNP")))
    );
}

#[test]
fn given_a_nickname_then_the_official_name() {
    let claims = read("High-profile casualties included Business Secretary Vince Cable.");
    let c = find(&claims, Kind::Outcome, "E14001005", None);
    assert_eq!(c.candidate.as_deref(), Some("Vincent Cable"));
    assert_eq!(c.claimed, Claimed::Outcome(Outcome::Lost));
}

#[test]
fn given_a_title_and_surname_after_the_full_name_then_the_same_person() {
    let claims = read("Ed Balls stood in Morley and Outwood. Mr Balls polled 18,354 votes.");
    assert_eq!(
        find(&claims, Kind::Votes, "E14000826", Some(18354.0))
            .candidate
            .as_deref(),
        Some("Ed Balls")
    );
}

#[test]
fn given_a_place_finished_then_a_rank_claim() {
    let claims = read(
        "Earlier Nigel Farage resigned as Ukip leader after finishing second in Thanet South.",
    );
    assert_eq!(
        find(&claims, Kind::Rank, "E14000948", Some(2.0))
            .candidate
            .as_deref(),
        Some("Nigel Farage")
    );
}

#[test]
fn given_an_exit_poll_then_no_claim_is_read_from_it() {
    let claims =
        read("An exit poll predicted the Conservatives would win 316 seats to Labour's 239.");
    assert!(claims.is_empty(), "{claims:#?}");
}

#[test]
fn given_ages_and_years_then_they_are_not_figures() {
    let claims = read("Mhairi Black, 20-year-old SNP student, was born in 1994.");
    assert!(
        claims.iter().all(|c| c.kind == Kind::Outcome),
        "{claims:#?}"
    );
}

#[test]
fn given_a_by_election_year_then_the_claim_keeps_that_year() {
    let claims = read("George Galloway took Bradford West in a by-election in 2012 with a majority of 10,140 votes.");
    assert_eq!(
        find(&claims, Kind::Majority, "E14000589", Some(10140.0)).election,
        Year(2012)
    );
}

#[test]
fn given_a_stray_space_in_a_number_and_a_glued_unit_then_the_number_is_whole() {
    let claims = read("At Barrow and Furness John Woodcock gained 18,320 votes and Conservative Simon Fell 17, 525. In Morecambe and Lunesdale David Morris won after polling 19,691votes.");
    find(&claims, Kind::Votes, "E14000543", Some(17525.0));
    find(&claims, Kind::Votes, "E14000825", Some(19691.0));
}

#[test]
fn given_the_same_text_twice_then_the_same_claim_ids() {
    let a = read("Labour held Bootle.");
    let b = read("Labour held Bootle.");
    assert_eq!(
        a.iter().map(|c| &c.claim_id).collect::<Vec<_>>(),
        b.iter().map(|c| &c.claim_id).collect::<Vec<_>>()
    );
    assert!(!a.is_empty());
}

#[test]
fn given_an_article_without_a_date_then_the_latest_election_it_names() {
    let ex = extractor();
    let e = ex.extract("x", "In the 2010 election Labour held Bootle.", None);
    assert_eq!(e.election, Year(2010));
}

#[test]
fn given_a_turnout_up_from_an_earlier_one_then_two_turnouts_of_two_elections() {
    let claims = read("Turnout in Gower was 69.2%, up from 67.5% in 2010.");
    assert_eq!(
        find(&claims, Kind::Turnout, "W07000046", Some(69.2)).election,
        Year(2015)
    );
    assert_eq!(
        find(&claims, Kind::Turnout, "W07000046", Some(67.5)).election,
        Year(2010)
    );
}

#[test]
fn given_millions_of_votes_for_a_party_then_an_area_votes_claim() {
    let claims = read("UKIP won nearly four million votes but only one seat.");
    let c = find(&claims, Kind::Votes, "UK", Some(4_000_000.0));
    assert_eq!(c.comparator, Comparator::Approx);
    find(&claims, Kind::Seats, "UK", Some(1.0));
}

#[test]
fn given_a_share_change_in_percentage_points_then_a_signed_change() {
    let claims = read("Labour's vote share in Scotland fell by 17.9 percentage points.");
    let c = find(&claims, Kind::Share, "Scotland", Some(-17.9));
    assert_eq!(c.change_from, Some(Year(2010)));
}

#[test]
fn given_a_gain_by_a_few_votes_then_a_majority_not_votes() {
    let claims = read("The Conservatives gained Gower from Labour by just 27 votes.");
    find(&claims, Kind::Majority, "W07000046", Some(27.0));
    assert!(claims.iter().all(|c| c.kind != Kind::Votes), "{claims:#?}");
}

#[test]
fn given_a_swing_named_before_its_figure_then_a_swing_claim() {
    let claims = read("The swing from Labour to the Conservatives in Nuneaton was 3%.");
    let c = find(&claims, Kind::Swing, "E14000868", Some(3.0));
    assert_eq!(c.party.as_ref().map(|p| p.as_str()), Some("Con"));
}

#[test]
fn given_a_comparator_of_less_then_lt() {
    let claims = read("Labour's Emily Benn won fewer than 15,000 votes in Croydon South.");
    assert_eq!(
        find(&claims, Kind::Votes, "E14000656", Some(15000.0)).comparator,
        Comparator::Lt
    );
}

#[test]
fn given_constituency_names_as_the_press_writes_them_then_the_official_seat() {
    // compass word last, ampersand, "City of", a distinctive first word alone
    let claims =
        read("Labour held Lancaster & Fleetwood, the City of Chester, Merthyr and Dorset South.");
    let seats: Vec<&str> = claims
        .iter()
        .filter(|c| c.kind == Kind::Outcome)
        .map(seat)
        .collect();
    for id in ["E14000776", "E14000640", "W07000071", "E14000936"] {
        assert!(seats.contains(&id), "{id} missing from {seats:?}");
    }
}

#[test]
fn given_party_nicknames_and_misspellings_then_official_abbreviations() {
    for (text, party) in [
        ("The Tories held Nuneaton.", "Con"),
        ("The Lib Dems held Southport.", "LD"),
        ("Ukip won Clacton.", "UKIP"),
        ("Labor held Bootle.", "Lab"),
        ("Plaid Cymru held Arfon.", "PC"),
    ] {
        let claims = read(text);
        let c = claims
            .iter()
            .find(|c| c.kind == Kind::Outcome)
            .unwrap_or_else(|| panic!("no outcome in {text}"));
        assert_eq!(
            c.claimed,
            Claimed::Outcome(Outcome::Party(newsroom_tally::PartyCode::new(party))),
            "{text}"
        );
    }
}

#[test]
fn given_the_nationalists_in_a_scottish_article_then_the_snp() {
    let claims = read(
        "In Scotland the result was a landslide. Kirkcaldy was swallowed by the nationalists.",
    );
    let c = find(&claims, Kind::Outcome, "S14000041", None);
    assert_eq!(
        c.claimed,
        Claimed::Outcome(Outcome::Party(newsroom_tally::PartyCode::new("SNP")))
    );
}

#[test]
fn given_a_seat_named_only_through_its_candidate_then_the_candidates_seat() {
    let claims =
        read("Labour also lost previous leader Gordon Brown's former constituency to the SNP.");
    find(&claims, Kind::Outcome, "S14000041", None);
}

#[test]
fn given_a_pronoun_then_the_person_of_the_sentence_before() {
    let claims = read("Tim Farron held Westmorland and Lonsdale. He polled 25,194 votes.");
    assert_eq!(
        find(&claims, Kind::Votes, "E14001037", Some(25194.0))
            .candidate
            .as_deref(),
        Some("Tim Farron")
    );
}

#[test]
fn given_sentences_run_together_without_a_full_stop_then_both_are_read() {
    let claims = read("His majority in Penrith and The Border was 19,894 up from 11,241 in 2010 At Morecambe and Lunesdale, Conservative David Morris won after polling 19,691votes.");
    find(&claims, Kind::Majority, "E14000877", Some(19894.0));
    find(&claims, Kind::Votes, "E14000825", Some(19691.0));
}

#[test]
fn given_quotes_ages_and_opinions_then_no_claims() {
    let claims = read(
        "Mr Cable, 71, said: \"It has been a cruel night.\" Polls had suggested a hung parliament.",
    );
    assert!(claims.is_empty(), "{claims:#?}");
}

#[test]
fn given_more_verbs_of_keeping_and_taking_back_then_outcomes() {
    let claims = read("Conservative Chloe Smith regained Norwich North. Lib Dem leader Nick Clegg clung on to his Sheffield Hallam seat. Cardiff Central was won by Labour's Jo Stevens. Labour held Hull West and Hessle.");
    for id in ["E14000863", "E14000922", "W07000050", "E14000773"] {
        find(&claims, Kind::Outcome, id, None);
    }
}

#[test]
fn given_more_seats_than_last_time_then_a_change_in_seats() {
    let claims = read("The Conservatives won 24 more seats than in 2010.");
    let c = find(&claims, Kind::Seats, "UK", Some(24.0));
    assert_eq!(c.change_from, Some(Year(2010)));
    assert!(claims.iter().all(|c| c.kind != Kind::Votes), "{claims:#?}");
}

#[test]
fn given_a_share_up_some_points_then_the_share_and_its_change() {
    let claims = read("Labour won 30.4% of the vote, up 1.5 points on 2010.");
    assert_eq!(
        find(&claims, Kind::Share, "UK", Some(30.4)).change_from,
        None
    );
    assert_eq!(
        find(&claims, Kind::Share, "UK", Some(1.5)).change_from,
        Some(Year(2010))
    );
}

#[test]
fn given_a_turnout_with_no_place_then_the_claim_is_marked_ambiguous() {
    let claims = read("The turnout of 72% was the highest since 1997.");
    assert!(find(&claims, Kind::Turnout, "UK", Some(72.0))
        .ambiguity
        .is_some());
    let claims = read("Turnout in Gower was 69.2%.");
    assert!(find(&claims, Kind::Turnout, "W07000046", Some(69.2))
        .ambiguity
        .is_none());
}

#[test]
fn given_figures_that_share_a_verb_then_each_party_gets_its_claim() {
    let claims = read("The SNP gained 50 seats, Labour lost 40 and the Liberal Democrats 10.");
    assert_eq!(
        find(&claims, Kind::Seats, "UK", Some(-40.0))
            .party
            .as_ref()
            .map(|p| p.as_str()),
        Some("Lab")
    );
    assert_eq!(
        find(&claims, Kind::Seats, "UK", Some(-10.0))
            .party
            .as_ref()
            .map(|p| p.as_str()),
        Some("LD")
    );
}

#[test]
fn given_a_count_of_seats_after_naming_the_seats_then_seats_not_votes() {
    let claims = read("Of Scotland's 59 seats, the SNP won 56.");
    find(&claims, Kind::Seats, "Scotland", Some(56.0));
    assert!(claims.iter().all(|c| c.kind != Kind::Votes), "{claims:#?}");
}

#[test]
fn given_a_winner_with_votes_and_the_runner_up_then_outcome_votes_and_place() {
    let claims = read("Labour candidate Sarah Champion retained Rotherham with 19,860 votes, with UKIP's Jane Collins second on 12,156.");
    find(&claims, Kind::Outcome, "E14000904", None);
    find(&claims, Kind::Votes, "E14000904", Some(19860.0));
    assert_eq!(
        find(&claims, Kind::Rank, "E14000904", Some(2.0))
            .candidate
            .as_deref(),
        Some("Jane Collins")
    );
}
