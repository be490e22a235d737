//! The published House of Commons Library files, read as they are, give the official
//! totals recorded in PROVENANCE.md.

use std::sync::OnceLock;

use newsroom_tally::{
    area_butler_swing, butler_swing, hoc_file_name, parse_hoc, Area, ConstituencyId,
    ConstituencyResult, ElectionResults, HocFile, Nation, PartyCode, SourceFile, Tallies, Votes,
    Year,
};

const DATA_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/ge-results/raw/hoc-library/"
);

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DATA_DIR}{name}")).unwrap()
}

fn parse_year(year: u16) -> Vec<ConstituencyResult> {
    let candidates_name = format!("HoC-GE{year}-results-by-candidate.csv");
    let constituencies_name = format!("HoC-GE{year}-results-by-constituency.csv");
    assert_eq!(
        hoc_file_name(&candidates_name),
        Some((Year(year), HocFile::Candidates))
    );
    assert_eq!(
        hoc_file_name(&constituencies_name),
        Some((Year(year), HocFile::Constituencies))
    );
    let (candidates, constituencies) = (read(&candidates_name), read(&constituencies_name));
    parse_hoc(
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
    .unwrap()
}

fn tallies() -> &'static Tallies {
    static TALLIES: OnceLock<Tallies> = OnceLock::new();
    TALLIES.get_or_init(|| {
        let mut tallies = Tallies::new();
        for year in [2010, 2015, 2017] {
            tallies.import(parse_year(year));
        }
        tallies
    })
}

fn ge(year: u16) -> &'static ElectionResults {
    tallies().election(Year(year)).unwrap()
}

fn party(p: &str) -> PartyCode {
    PartyCode::new(p)
}

fn named(year: u16, name: &str) -> &'static ConstituencyResult {
    ge(year).constituency_named(name).unwrap()
}

fn candidate_count(e: &ElectionResults) -> usize {
    e.constituencies().map(|c| c.candidates.len()).sum()
}

fn seats(e: &ElectionResults, area: &Area) -> Vec<(String, u32)> {
    let mut seats: Vec<(String, u32)> = e
        .seats_by_party(area)
        .into_iter()
        .map(|(p, n)| (p.0, n))
        .collect();
    seats.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    seats
}

fn owned(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
    pairs.iter().map(|(p, n)| ((*p).to_owned(), *n)).collect()
}

#[test]
fn importing_three_elections_declares_every_constituency() {
    let t = tallies();
    assert_eq!(t.version(), 3 * 650);
    assert_eq!(
        t.years().collect::<Vec<_>>(),
        [Year(2010), Year(2015), Year(2017)]
    );
    assert_eq!(t.previous(Year(2015)), Some(Year(2010)));
}

#[test]
fn ge2015_has_650_constituencies_and_3971_candidates() {
    assert_eq!(ge(2015).seat_count(&Area::Uk), 650);
    assert_eq!(candidate_count(ge(2015)), 3971);
    assert_eq!(ge(2015).majority_threshold(), 326);
}

#[test]
fn ge2015_seats_by_party_match_the_official_totals() {
    let expected = owned(&[
        ("Con", 330),
        ("Lab", 232),
        ("SNP", 56),
        ("DUP", 8),
        ("LD", 8),
        ("SF", 4),
        ("PC", 3),
        ("SDLP", 3),
        ("UUP", 2),
        ("Green", 1),
        ("Ind", 1),
        ("Spk", 1),
        ("UKIP", 1),
    ]);
    assert_eq!(seats(ge(2015), &Area::Uk), expected);
    assert_eq!(ge(2015).seats(&Area::Uk, &party("Con")), 330);
}

#[test]
fn ge2015_the_snp_won_56_of_the_59_seats_in_scotland() {
    let scotland = ge(2015).resolve_area("Scotland").unwrap();
    assert_eq!(scotland, Area::Nation(Nation::Scotland));
    assert_eq!(ge(2015).seats(&scotland, &party("SNP")), 56);
    assert_eq!(ge(2015).seat_count(&scotland), 59);
    let wales = Area::Nation(Nation::Wales);
    assert_eq!(
        seats(ge(2015), &wales),
        owned(&[("Lab", 25), ("Con", 11), ("PC", 3), ("LD", 1)])
    );
    assert_eq!(ge(2015).seat_count(&Area::Nation(Nation::England)), 533);
    assert_eq!(
        ge(2015).seat_count(&Area::Nation(Nation::NorthernIreland)),
        18
    );
}

#[test]
fn ge2015_uk_votes_shares_and_turnout_match_the_official_totals() {
    let e = ge(2015);
    assert_eq!(e.valid_votes(&Area::Uk), Votes(30_697_525));
    assert_eq!(e.electorate(&Area::Uk), 46_354_197);
    assert_eq!(e.invalid_votes(&Area::Uk), 102_639);
    assert_eq!(e.party_votes(&Area::Uk, &party("Con")), Votes(11_299_609));
    assert_eq!(e.party_votes(&Area::Uk, &party("Lab")), Votes(9_347_273));
    let share = |p| (e.party_share(&Area::Uk, &party(p)).unwrap() * 10.0).round() / 10.0;
    assert_eq!(share("Con"), 36.8);
    assert_eq!(share("UKIP"), 12.6);
    let turnout = e.turnout(&Area::Uk).unwrap();
    assert_eq!((turnout.on_valid_votes * 10.0).round() / 10.0, 66.2);
    assert!(turnout.on_all_ballots > turnout.on_valid_votes);
    assert!(e.parties().contains(&party("Spk")));
}

#[test]
fn ge2015_morley_and_outwood_ed_balls_lost_by_422_votes() {
    let id = ConstituencyId::parse("E14000826").unwrap();
    let morley = ge(2015).constituency(&id).unwrap();
    assert_eq!(morley.name, "Morley and Outwood");
    let winner = morley.winner().unwrap();
    assert_eq!(
        (winner.name.as_str(), winner.party.as_str(), winner.votes),
        ("Andrea Jenkyns", "Con", Votes(18_776))
    );
    let runner_up = morley.runner_up().unwrap();
    assert_eq!(
        (
            runner_up.name.as_str(),
            runner_up.party.as_str(),
            runner_up.votes
        ),
        ("Ed Balls", "Lab", Votes(18_354))
    );
    assert_eq!(morley.majority(), Some(Votes(422)));
    assert_eq!(morley.rank_of("ed balls"), Some(2));
    assert!(runner_up.sitting_mp);
    let votes: Vec<Votes> = morley.candidates.iter().map(|c| c.votes).collect();
    assert!(
        votes.windows(2).all(|w| w[0] >= w[1]),
        "candidates by descending votes"
    );
}

#[test]
fn ge2015_spot_checks_from_provenance() {
    let farron = named(2015, "Westmorland and Lonsdale")
        .candidate("Tim Farron")
        .unwrap();
    assert_eq!(farron.votes, Votes(25_194));
    let croydon = named(2015, "Croydon South");
    assert_eq!(
        croydon.candidate("Emily Benn").unwrap().votes,
        Votes(14_308)
    );
    assert_eq!(named(2015, "Gower").majority(), Some(Votes(27)));
    let smallest = ge(2015)
        .constituencies()
        .min_by_key(|c| c.majority())
        .unwrap();
    assert_eq!(smallest.name, "Gower");
    let clacton = named(2015, "Clacton");
    assert_eq!(clacton.winner().unwrap().name, "Douglas Carswell");
    assert_eq!(clacton.majority(), Some(Votes(3_437)));
    let aberavon = named(2015, "Aberavon");
    assert_eq!(
        aberavon.declared_at.unwrap().to_string(),
        "2015-05-08 03:19:00"
    );
    assert_eq!(aberavon.nation, Nation::Wales);
    assert_eq!(aberavon.county, "West Glamorgan");
}

#[test]
fn ge2015_mojibake_and_soft_hyphens_in_names_are_repaired() {
    let seamus = named(2015, "Bury South")
        .candidate("Séamus Martin")
        .unwrap();
    assert_eq!(seamus.first_name, "Séamus");
    let elise = named(2015, "Sheffield, Brightside and Hillsborough");
    assert_eq!(
        elise.candidate("Elise Dünweber").unwrap().surname,
        "Dünweber"
    );
    assert!(named(2015, "Sherwood")
        .candidate("Léonie Mathers")
        .is_some());
    assert!(named(2015, "North Antrim")
        .candidate("Daithí McKay")
        .is_some());
    let all_names = ge(2015)
        .constituencies()
        .flat_map(|c| c.candidates.iter().map(|cand| cand.name.as_str()));
    for name in all_names {
        assert!(
            !name.contains('Ã') && !name.contains('\u{AD}') && !name.contains('\u{A0}'),
            "{name}"
        );
        assert_eq!(name, name.trim(), "{name}");
    }
}

#[test]
fn ge2015_regions_have_no_stray_spaces() {
    let regions: Vec<&str> = ge(2015).regions().into_iter().collect();
    assert!(regions.contains(&"East of England"));
    assert_eq!(regions.len(), 12);
}

#[test]
fn place_names_resolve_against_the_official_names() {
    let e = ge(2015);
    assert_eq!(e.resolve_area("UK"), Some(Area::Uk));
    assert_eq!(e.resolve_area("Britain"), Some(Area::Uk));
    let london = e.resolve_area("London").unwrap();
    assert_eq!(london, Area::Region("London".to_owned()));
    assert_eq!(e.seat_count(&london), 73);
    assert_eq!(
        e.resolve_area("North West"),
        Some(Area::Region("North West".to_owned()))
    );
    let manchester = e.resolve_area("Greater Manchester").unwrap();
    assert_eq!(manchester, Area::County("Greater Manchester".to_owned()));
    assert_eq!(e.seat_count(&manchester), 27);
    assert_eq!(
        e.resolve_area("dorset"),
        Some(Area::County("Dorset".to_owned()))
    );
    let glasgow = e.resolve_area("Glasgow").unwrap();
    assert_eq!(glasgow, Area::City("Glasgow".to_owned()));
    assert_eq!(e.seat_count(&glasgow), 7);
    assert_eq!(e.seats(&glasgow, &party("SNP")), 7);
    let birmingham = e.resolve_area("Birmingham").unwrap();
    assert_eq!(e.seat_count(&birmingham), 9);
    assert!(e.cities().contains("Kingston upon Hull"));
    assert_eq!(e.resolve_area("Atlantis"), None);
}

#[test]
fn ge2010_has_650_constituencies_and_4150_candidates() {
    assert_eq!(ge(2010).seat_count(&Area::Uk), 650);
    assert_eq!(candidate_count(ge(2010)), 4150);
    assert_eq!(ge(2010).valid_votes(&Area::Uk), Votes(29_687_604));
    assert_eq!(
        ge(2010).party_votes(&Area::Uk, &party("Con")),
        Votes(10_703_654)
    );
}

#[test]
fn ge2010_seats_by_party_match_the_official_totals() {
    let e = ge(2010);
    assert_eq!(e.seats(&Area::Uk, &party("Con")), 306);
    assert_eq!(e.seats(&Area::Uk, &party("Lab")), 258);
    assert_eq!(e.seats(&Area::Uk, &party("LD")), 57);
    let scotland = Area::Nation(Nation::Scotland);
    assert_eq!(
        seats(e, &scotland),
        owned(&[("Lab", 41), ("LD", 11), ("SNP", 6), ("Con", 1)])
    );
}

#[test]
fn ge2010_thirsk_and_malton_was_declared_on_28_may() {
    let thirsk = named(2010, "Thirsk and Malton");
    assert_eq!(
        thirsk.declared_at.unwrap().to_string(),
        "2010-05-28 00:00:00"
    );
    assert_eq!(thirsk.winner().unwrap().name, "Anne McIntosh");
    assert_eq!(thirsk.majority(), Some(Votes(11_281)));
    assert_eq!((thirsk.turnout_valid() * 10.0).round() / 10.0, 49.9);
    let aberavon = named(2010, "Aberavon");
    assert_eq!(
        aberavon.declared_at.unwrap().to_string(),
        "2010-05-07 03:05:00"
    );
}

#[test]
fn ge2010_spot_checks_from_provenance() {
    assert_eq!(
        named(2010, "Fermanagh and South Tyrone").majority(),
        Some(Votes(4))
    );
    assert_eq!(
        named(2010, "Morley and Outwood").majority(),
        Some(Votes(1_101))
    );
    // A blank (a non-breaking space) in "Sitting MP" means no.
    let evans = named(2010, "Cardiff North")
        .candidate("Jonathan Evans")
        .unwrap();
    assert!(!evans.sitting_mp && evans.former_mp);
    assert!(named(2010, "Ynys Môn").winner().is_some());
}

#[test]
fn ge2017_with_its_extra_constituency_column_parses() {
    let e = ge(2017);
    assert_eq!(e.seat_count(&Area::Uk), 650);
    assert_eq!(candidate_count(e), 3304);
    assert_eq!(e.seats(&Area::Uk, &party("Con")), 317);
    assert_eq!(e.seats(&Area::Uk, &party("Lab")), 262);
}

fn swing(id: &str, to: &str, from: &str) -> f64 {
    let id = ConstituencyId::parse(id).unwrap();
    let now = ge(2015).constituency(&id).unwrap();
    let before = ge(2010).constituency(&id).unwrap();
    let swing = butler_swing(now, before, &party(to), &party(from)).unwrap();
    (swing * 1000.0).round() / 1000.0
}

#[test]
fn swings_from_2010_to_2015_match_the_reported_figures() {
    assert_eq!(swing("S14000053", "SNP", "Lab"), 26.917);
    assert_eq!(swing("S14000036", "SNP", "Lab"), 34.904);
    assert_eq!(swing("E14000609", "Lab", "LD"), 6.253);
    assert_eq!(swing("S14000053", "Lab", "SNP"), -26.917);
}

#[test]
fn the_area_swing_to_the_snp_in_scotland_is_on_total_votes() {
    let scotland = Area::Nation(Nation::Scotland);
    let snp = |y: u16| ge(y).party_share(&scotland, &party("SNP")).unwrap();
    let lab = |y: u16| ge(y).party_share(&scotland, &party("Lab")).unwrap();
    let expected = ((snp(2015) - snp(2010)) - (lab(2015) - lab(2010))) / 2.0;
    let swing =
        area_butler_swing(ge(2015), ge(2010), &scotland, &party("SNP"), &party("Lab")).unwrap();
    assert_eq!(swing, expected);
    // SNP 19.9 % → 50.0 %, Lab 42.0 % → 24.3 %.
    assert_eq!((swing * 10.0).round() / 10.0, 23.9);
}
