//! The checker's core as specifications: given the events the checker has read, when a
//! declaration or correction arrives, then exactly these re-checks and these events. Also
//! the replay order of an election night and how a correction is made. Pure: no store.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::NaiveDate;
use newsroom_claims::{Claim, ClaimId, Kind, Verdict};
use newsroom_events::{
    ClaimChecked, Envelope, Event, EventId, ReviewDecided, ReviewDecision, ReviewReopened,
    StreamVersion, VerdictChanged,
};
use newsroom_services::recheck::{dependencies, same_judgement, CHECKER_REVIEWER};
use newsroom_services::{
    corrected_result, replay_declarations, tally_corrected_event, tally_declared_event,
    CheckerView, CorrectionError, Decision, Dependency, Speed,
};
use newsroom_tally::{ConstituencyId, ConstituencyResult, Nation, PartyCode, Votes, Year};
use support::*;

const ASHTOWN: &str = "E14000001";
const BEEFORD: &str = "E14000002";
const GLASGOW_C: &str = "S14000001";
const GLASGOW_N: &str = "S14000002";

fn ashtown(year: u16) -> ConstituencyResult {
    let c: &[(&str, &str, u64)] = if year == 2010 {
        &[("Alice Able", "Lab", 20_000), ("Bob Baker", "Con", 15_000)]
    } else {
        &[("Alice Able", "Lab", 18_123), ("Bob Baker", "Con", 17_045)]
    };
    seat_result(year, ASHTOWN, "Ashtown", Nation::England, "North West", c)
}

fn beeford(year: u16) -> ConstituencyResult {
    let c: &[(&str, &str, u64)] = if year == 2010 {
        &[("Eve Evans", "Con", 22_000), ("Frank Ford", "Lab", 10_000)]
    } else {
        &[("Eve Evans", "Con", 25_000), ("Gina Gold", "Lab", 12_000)]
    };
    seat_result(year, BEEFORD, "Beeford", Nation::England, "North West", c)
}

fn glasgow_central(year: u16) -> ConstituencyResult {
    let c: &[(&str, &str, u64)] = if year == 2010 {
        &[("Hugh Hay", "Lab", 24_000), ("Ian Ives", "SNP", 12_000)]
    } else {
        &[("Jan Jones", "SNP", 30_000), ("Hugh Hay", "Lab", 15_000)]
    };
    seat_result(
        year,
        GLASGOW_C,
        "Glasgow Central",
        Nation::Scotland,
        "Scotland",
        c,
    )
}

fn glasgow_north(year: u16) -> ConstituencyResult {
    let c: &[(&str, &str, u64)] = if year == 2010 {
        &[("Mo Moss", "Lab", 15_000), ("Ned Neil", "SNP", 10_000)]
    } else {
        &[("Pat Park", "SNP", 20_000), ("Mo Moss", "Lab", 9_000)]
    };
    seat_result(
        year,
        GLASGOW_N,
        "Glasgow North",
        Nation::Scotland,
        "Scotland",
        c,
    )
}

/// "Alice Able won 18,123 votes in Ashtown."
fn able_votes() -> Claim {
    let mut c = claim("night", 0, Kind::Votes, seat_scope(ASHTOWN), number(18_123));
    c.candidate = Some("Alice Able".into());
    c
}

/// "Beeford's majority was 13,000."
fn beeford_majority() -> Claim {
    claim(
        "night",
        1,
        Kind::Majority,
        seat_scope(BEEFORD),
        number(13_000),
    )
}

/// "The SNP won both seats in Scotland."
fn snp_scotland() -> Claim {
    let mut c = claim("night", 2, Kind::Seats, area_scope("Scotland"), number(2));
    c.party = Some(PartyCode::new("SNP"));
    c
}

/// The checker's view fed with events at consecutive store positions.
struct Checker {
    view: CheckerView,
    next: u64,
}

impl Checker {
    fn new() -> Checker {
        Checker {
            view: CheckerView::new(),
            next: 1,
        }
    }

    fn read(&mut self, envelope: &Envelope) -> Decision {
        let envelope = at(envelope.clone(), self.next);
        self.next += 1;
        self.view.apply(&envelope).unwrap()
    }

    /// Given the 2010 results of the four seats.
    fn with_2010() -> Checker {
        let mut checker = Checker::new();
        for r in [
            ashtown(2010),
            beeford(2010),
            glasgow_central(2010),
            glasgow_north(2010),
        ] {
            checker.read(&declared(r));
        }
        checker
    }

    fn verdict(&self, claim: &Claim) -> Verdict {
        self.view.report(&claim.claim_id).unwrap().verdict
    }
}

fn declared(result: ConstituencyResult) -> Envelope {
    tally_declared_event(result, "test/results-feed")
}

fn extraction(claims: Vec<Claim>) -> Envelope {
    let article = article_envelope("night", "The night's story.");
    claims_extracted(&article, "night", claims)
}

/// The decision's events, decoded, in order.
fn events(decision: &Decision) -> Vec<Event> {
    decision
        .appends
        .iter()
        .flat_map(|a| &a.events)
        .map(|e| e.decode().unwrap())
        .collect()
}

fn checked_verdicts(decision: &Decision) -> Vec<(ClaimId, Verdict)> {
    events(decision)
        .into_iter()
        .filter_map(|e| match e {
            Event::ClaimChecked(c) => Some((c.report.claim_id, c.report.verdict)),
            _ => None,
        })
        .collect()
}

fn changes(decision: &Decision) -> Vec<VerdictChanged> {
    events(decision)
        .into_iter()
        .filter_map(|e| match e {
            Event::VerdictChanged(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn sorted(mut ids: Vec<ClaimId>) -> Vec<ClaimId> {
    ids.sort();
    ids
}

// --- checking and re-checking -------------------------------------------------------

#[test]
fn given_claims_about_seats_not_yet_declared_when_checked_then_they_are_pending() {
    // Given 2010, and 2015 under way with Beeford declared
    let mut checker = Checker::with_2010();
    checker.read(&declared(beeford(2015)));

    // When claims about Ashtown (undeclared), Beeford and Scotland are extracted
    let decision = checker.read(&extraction(vec![
        able_votes(),
        beeford_majority(),
        snp_scotland(),
    ]));

    // Then each gets one claim.checked: Ashtown and Scotland pending, Beeford judged
    assert_eq!(
        checked_verdicts(&decision),
        [
            (able_votes().claim_id, Verdict::Pending),
            (beeford_majority().claim_id, Verdict::Accurate),
            (snp_scotland().claim_id, Verdict::Pending),
        ]
    );
    assert!(changes(&decision).is_empty());
}

#[test]
fn given_a_pending_claim_when_its_seat_declares_then_it_is_rechecked_and_its_verdict_change_published(
) {
    let mut checker = Checker::with_2010();
    checker.read(&declared(beeford(2015)));
    checker.read(&extraction(vec![
        able_votes(),
        beeford_majority(),
        snp_scotland(),
    ]));

    // When Ashtown declares
    let ashtown_declared = declared(ashtown(2015));
    let decision = checker.read(&ashtown_declared);

    // Then only the Ashtown claim is re-checked: accurate now, from pending
    assert_eq!(decision.rechecked, [able_votes().claim_id]);
    assert_eq!(
        checked_verdicts(&decision),
        [(able_votes().claim_id, Verdict::Accurate)]
    );
    let [change] = changes(&decision).try_into().unwrap();
    assert_eq!(change.claim_id, able_votes().claim_id);
    assert_eq!(change.article, "night");
    assert_eq!(
        (change.from, change.to),
        (Verdict::Pending, Verdict::Accurate)
    );
    assert_eq!(
        change.reason,
        "Ashtown (E14000001) declared its 2015 result"
    );
    assert_eq!(change.tally_version, 6);
    // And the events sit on the claim's stream with ids derived from the declaration's
    let claim = able_votes().claim_id.0;
    let appended: Vec<&Envelope> = decision.appends.iter().flat_map(|a| &a.events).collect();
    assert_eq!(appended.len(), 2);
    for (envelope, name) in appended.iter().zip([
        format!("{}/{claim}", ClaimChecked::TYPE),
        format!("{}/{claim}", VerdictChanged::TYPE),
    ]) {
        assert_eq!(envelope.stream_id.as_str(), format!("claim-{claim}"));
        assert_eq!(
            envelope.event_id,
            EventId::derived(ashtown_declared.event_id, &name)
        );
        assert_eq!(envelope.causation_id, Some(ashtown_declared.event_id));
    }
    // And the new report records the tally version it was judged on
    let Event::ClaimChecked(checked) = &events(&decision)[0] else {
        panic!("claim.checked first")
    };
    assert_eq!(checked.report.evidence.tally_version, Some(6));
}

#[test]
fn given_an_area_claim_when_each_seat_of_the_area_declares_then_it_is_rechecked_with_the_seats_in_so_far(
) {
    let mut checker = Checker::with_2010();
    checker.read(&declared(ashtown(2015)));
    checker.read(&extraction(vec![able_votes(), snp_scotland()]));

    // When the first Glasgow seat declares: re-checked, still pending, one seat missing
    let first = checker.read(&declared(glasgow_central(2015)));
    assert_eq!(first.rechecked, [snp_scotland().claim_id]);
    let Event::ClaimChecked(checked) = &events(&first)[0] else {
        panic!("claim.checked")
    };
    assert_eq!(checked.report.verdict, Verdict::Pending);
    let note = checked.report.evidence.note.clone().unwrap();
    assert!(
        note.contains("1 of the 2 constituencies in Scotland"),
        "{note}"
    );
    assert!(changes(&first).is_empty(), "still pending");

    // When a seat elsewhere declares: the Scottish claim is not re-checked
    let elsewhere = checker.read(&declared(beeford(2015)));
    assert!(elsewhere.rechecked.is_empty());
    assert!(elsewhere.appends.is_empty());

    // When the last Scottish seat declares: accurate, from pending
    let last = checker.read(&declared(glasgow_north(2015)));
    assert_eq!(last.rechecked, [snp_scotland().claim_id]);
    let [change] = changes(&last).try_into().unwrap();
    assert_eq!(
        (change.from, change.to),
        (Verdict::Pending, Verdict::Accurate)
    );
}

#[test]
fn given_claims_checked_before_any_result_of_their_election_when_the_first_declares_then_all_are_rechecked_once(
) {
    // Given 2010 only: the 2015 election has no result yet, its claims are unverifiable
    let mut checker = Checker::with_2010();
    let first = checker.read(&extraction(vec![
        able_votes(),
        beeford_majority(),
        snp_scotland(),
    ]));
    assert!(checked_verdicts(&first)
        .iter()
        .all(|(_, v)| *v == Verdict::Unverifiable));
    assert!(checker
        .view
        .index()
        .dependencies_of(&beeford_majority().claim_id)
        .unwrap()
        .contains(&Dependency::Election(Year(2015))));

    // When the first 2015 seat declares, every claim waiting for the election is re-checked
    let decision = checker.read(&declared(ashtown(2015)));
    assert_eq!(
        sorted(decision.rechecked.clone()),
        sorted(vec![
            able_votes().claim_id,
            beeford_majority().claim_id,
            snp_scotland().claim_id
        ])
    );
    assert_eq!(checker.verdict(&able_votes()), Verdict::Accurate);
    assert_eq!(checker.verdict(&beeford_majority()), Verdict::Pending);
    assert_eq!(checker.verdict(&snp_scotland()), Verdict::Pending);

    // And from then on only by their own seats: the next declaration re-checks Beeford's
    let next = checker.read(&declared(beeford(2015)));
    assert_eq!(next.rechecked, [beeford_majority().claim_id]);
}

#[test]
fn given_a_correction_when_applied_then_the_claims_using_the_figure_are_rechecked_and_verdict_changes_say_from_what_to_what(
) {
    // Given the night over and claims about Ashtown: Alice Able's 18,123 (accurate), its
    // majority of 1,078 (accurate), Bob Baker's 17,045 (accurate), and one about Beeford
    let mut checker = Checker::with_2010();
    for r in [
        ashtown(2015),
        beeford(2015),
        glasgow_central(2015),
        glasgow_north(2015),
    ] {
        checker.read(&declared(r));
    }
    let majority = claim(
        "night",
        3,
        Kind::Majority,
        seat_scope(ASHTOWN),
        number(1_078),
    );
    let mut winner = claim("night", 4, Kind::Votes, seat_scope(ASHTOWN), number(17_045));
    winner.candidate = Some("Bob Baker".into());
    checker.read(&extraction(vec![
        able_votes(),
        majority.clone(),
        winner.clone(),
        beeford_majority(),
    ]));

    // When Alice Able's votes are corrected to 17,400
    let mut result = ashtown(2015);
    result.candidates[0].votes = Votes(17_400);
    result.valid_votes = Votes(34_445);
    let correction = tally_corrected_event(result, "recount", "test/results-feed");
    let decision = checker.read(&correction);

    // Then the three Ashtown claims are re-checked, Beeford's is not
    assert_eq!(
        sorted(decision.rechecked.clone()),
        sorted(vec![
            able_votes().claim_id,
            majority.claim_id.clone(),
            winner.claim_id.clone()
        ])
    );
    // And the two whose figures changed get a new report and a verdict change; Bob Baker's
    // report is unchanged and nothing is appended for it
    assert_eq!(
        sorted(
            checked_verdicts(&decision)
                .into_iter()
                .map(|(c, _)| c)
                .collect()
        ),
        sorted(vec![able_votes().claim_id, majority.claim_id.clone()])
    );
    let mut changed: Vec<(ClaimId, Verdict, Verdict, String, u64)> = changes(&decision)
        .into_iter()
        .map(|c| (c.claim_id, c.from, c.to, c.reason, c.tally_version))
        .collect();
    changed.sort_by(|a, b| a.0.cmp(&b.0));
    let why = "the 2015 result of Ashtown (E14000001) was corrected: recount".to_owned();
    let mut expected = vec![
        (
            able_votes().claim_id,
            Verdict::Accurate,
            Verdict::Inaccurate,
            why.clone(),
            9,
        ),
        (
            majority.claim_id,
            Verdict::Accurate,
            Verdict::Inaccurate,
            why,
            9,
        ),
    ];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(changed, expected);
    // And nobody had reviewed them: no review is reopened
    assert!(!events(&decision)
        .iter()
        .any(|e| matches!(e, Event::ReviewReopened(_))));
}

#[test]
fn given_a_reviewed_claim_whose_verdict_changes_then_its_review_is_reopened_by_the_checker() {
    let mut checker = Checker::with_2010();
    checker.read(&declared(ashtown(2015)));
    checker.read(&extraction(vec![able_votes(), beeford_majority()]));
    // Given an editor confirmed the Ashtown claim's verdict (and one of Beeford's pending)
    for claim in [able_votes(), beeford_majority()] {
        let decided = Event::ReviewDecided(ReviewDecided {
            claim_id: claim.claim_id.clone(),
            decision: ReviewDecision::Confirm,
            reason: None,
            by: "editor".into(),
        });
        checker.read(&Envelope::new(
            &decided,
            StreamVersion(1),
            "test/review",
            EventId::random(),
        ));
    }

    // When Ashtown is corrected so the claim becomes inaccurate
    let mut result = ashtown(2015);
    result.candidates[0].votes = Votes(17_400);
    result.valid_votes = Votes(34_445);
    let decision = checker.read(&tally_corrected_event(result, "clerical error", "test"));

    // Then its review is reopened, on its review stream, by the checker, saying why
    let reopened: Vec<(Envelope, ReviewReopened)> = decision
        .appends
        .iter()
        .flat_map(|a| &a.events)
        .filter_map(|e| match e.decode().unwrap() {
            Event::ReviewReopened(r) => Some((e.clone(), r)),
            _ => None,
        })
        .collect();
    let [(envelope, reopened)] = reopened.try_into().unwrap();
    assert_eq!(
        envelope.stream_id.as_str(),
        format!("review-{}", able_votes().claim_id)
    );
    assert_eq!(reopened.claim_id, able_votes().claim_id);
    assert_eq!(reopened.by, CHECKER_REVIEWER);
    assert_eq!(
        reopened.reason,
        "the verdict changed from accurate to inaccurate: the 2015 result of Ashtown \
         (E14000001) was corrected: clerical error"
    );

    // When Beeford declares, its reviewed claim goes from pending to accurate: reopened too
    let beeford_decision = checker.read(&declared(beeford(2015)));
    assert_eq!(
        events(&beeford_decision)
            .iter()
            .filter(|e| matches!(e, Event::ReviewReopened(_)))
            .count(),
        1
    );
}

#[test]
fn given_an_event_read_before_when_read_again_then_nothing_is_decided() {
    let mut checker = Checker::with_2010();
    let extraction = at(extraction(vec![able_votes()]), 5);
    let first = checker.view.apply(&extraction).unwrap();
    assert_eq!(first.appends.len(), 1);

    let again = checker.view.apply(&extraction).unwrap();

    assert_eq!(again, Decision::default());
}

#[test]
fn given_the_same_events_in_the_same_order_then_two_views_decide_the_same() {
    let night: Vec<Envelope> = [
        ashtown(2010),
        beeford(2010),
        glasgow_central(2010),
        glasgow_north(2010),
    ]
    .into_iter()
    .map(declared)
    .chain([
        declared(beeford(2015)),
        extraction(vec![able_votes(), beeford_majority(), snp_scotland()]),
        declared(glasgow_north(2015)),
        declared(ashtown(2015)),
        declared(glasgow_central(2015)),
    ])
    .collect();
    let run = || {
        let mut checker = Checker::new();
        night.iter().map(|e| checker.read(e)).collect::<Vec<_>>()
    };

    let (first, second) = (run(), run());

    assert_eq!(first, second);
    assert!(first.iter().any(|d| !d.appends.is_empty()));
}

// --- the index ----------------------------------------------------------------------

#[test]
fn a_seat_claim_depends_on_its_seat_in_each_election_it_reads_and_the_rows_it_used() {
    let mut checker = Checker::with_2010();
    checker.read(&declared(ashtown(2015)));
    let mut change = claim("night", 5, Kind::Votes, seat_scope(ASHTOWN), number(-1_877));
    change.candidate = Some("Alice Able".into());
    change.change_from = Some(Year(2010));
    let report = newsroom_check::check(&change, checker.view.tallies());
    assert_eq!(report.verdict, Verdict::Accurate);

    let deps = dependencies(&change, &report, checker.view.tallies());

    let ashtown_id = ConstituencyId::parse(ASHTOWN).unwrap();
    assert_eq!(
        deps,
        BTreeSet::from([
            Dependency::Seat(Year(2010), ashtown_id.clone()),
            Dependency::Seat(Year(2015), ashtown_id),
        ])
    );
}

#[test]
fn an_area_claim_depends_on_its_area_and_a_claim_of_an_unknown_election_on_the_election() {
    let checker = Checker::with_2010();
    let claim = snp_scotland();
    let report = newsroom_check::check(&claim, checker.view.tallies());

    let deps = dependencies(&claim, &report, checker.view.tallies());

    assert_eq!(
        deps,
        BTreeSet::from([
            Dependency::Area(Year(2015), "Scotland".into()),
            Dependency::Election(Year(2015)),
        ])
    );
}

#[test]
fn two_reports_differing_only_in_tally_version_are_the_same_judgement() {
    let checker = Checker::with_2010();
    let a = newsroom_check::check(&able_votes(), checker.view.tallies());
    let mut b = a.clone();
    b.evidence.tally_version = Some(99);
    assert!(same_judgement(&a, &b));
    b.verdict = Verdict::Accurate;
    assert!(!same_judgement(&a, &b));
}

// --- the replay order ---------------------------------------------------------------

fn timed(id: &str, name: &str, at: Option<(u32, u32, u32)>) -> ConstituencyResult {
    let mut r = seat_result(
        2015,
        id,
        name,
        Nation::England,
        "North West",
        &[("A B", "Lab", 1)],
    );
    r.declared_at = at.map(|(day, h, m)| {
        NaiveDate::from_ymd_opt(2015, 5, day)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    });
    r
}

#[test]
fn given_declarations_when_scheduled_then_they_follow_the_official_times_ties_by_name_untimed_last()
{
    let results = vec![
        timed("E14000004", "Dunmore", None),
        timed("E14000003", "Carlton", Some((8, 1, 0))),
        timed("E14000002", "Burley", Some((7, 22, 50))),
        timed("E14000001", "Ashby", Some((8, 1, 0))),
        timed("E14000005", "Aldwick", None),
    ];

    let schedule = replay_declarations(results, Speed::Times(600.0));

    let order: Vec<(&str, Duration)> = schedule
        .iter()
        .map(|s| (s.result.name.as_str(), s.at))
        .collect();
    // 22:50 to 01:00 is 130 minutes; at 600 times real time, 13 seconds
    assert_eq!(
        order,
        [
            ("Burley", Duration::ZERO),
            ("Ashby", Duration::from_secs(13)),
            ("Carlton", Duration::from_secs(13)),
            ("Aldwick", Duration::from_secs(13)),
            ("Dunmore", Duration::from_secs(13)),
        ]
    );
}

#[test]
fn given_the_maximum_speed_when_scheduled_then_nothing_waits() {
    let results = vec![
        timed("E14000003", "Carlton", Some((8, 5, 0))),
        timed("E14000002", "Burley", Some((7, 22, 50))),
    ];

    let schedule = replay_declarations(results, Speed::Max);

    assert!(schedule.iter().all(|s| s.at.is_zero()));
    assert_eq!(schedule[0].result.name, "Burley");
}

#[test]
fn the_2015_night_in_order_starts_with_sunderland_and_lasts_about_a_day_of_official_time() {
    let schedule = replay_declarations(hoc_results(2015), Speed::Times(1.0));

    assert_eq!(schedule.len(), 650);
    assert_eq!(schedule[0].result.name, "Houghton and Sunderland South");
    assert!(schedule.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(schedule.iter().all(|s| s.result.declared_at.is_some()));
    let last = schedule.last().unwrap().at;
    assert!(last > Duration::from_secs(10 * 3600), "{last:?}");
}

#[test]
fn speeds_read_as_times_real_time_with_zero_or_max_for_no_waiting() {
    assert_eq!("600".parse::<Speed>().unwrap(), Speed::Times(600.0));
    assert_eq!("0.5".parse::<Speed>().unwrap(), Speed::Times(0.5));
    assert_eq!("0".parse::<Speed>().unwrap(), Speed::Max);
    assert_eq!("max".parse::<Speed>().unwrap(), Speed::Max);
    for bad in ["-1", "fast", "inf", "NaN", ""] {
        assert!(bad.parse::<Speed>().is_err(), "{bad}");
    }
}

// --- corrections --------------------------------------------------------------------

#[test]
fn given_croydon_south_as_declared_when_emily_benns_votes_are_corrected_then_the_valid_votes_follow(
) {
    let declared = croydon_south_as_declared();

    let corrected = corrected_result(&declared, "Emily Benn", Votes(14_308)).unwrap();

    let official = hoc_results(2015)
        .into_iter()
        .find(|r| r.id.as_str() == CROYDON_SOUTH)
        .unwrap();
    assert_eq!(
        corrected, official,
        "the correction gives the official result"
    );
    assert_eq!(corrected.valid_votes.0, declared.valid_votes.0 + 270);
}

#[test]
fn given_a_correction_that_changes_places_then_the_candidates_are_in_order_again() {
    let result = ashtown(2015);

    let corrected = corrected_result(&result, "bob baker", Votes(19_000)).unwrap();

    let order: Vec<(&str, u64)> = corrected
        .candidates
        .iter()
        .map(|c| (c.name.as_str(), c.votes.0))
        .collect();
    assert_eq!(order, [("Bob Baker", 19_000), ("Alice Able", 18_123)]);
    assert_eq!(corrected.valid_votes, Votes(37_123));
}

#[test]
fn corrections_that_name_no_candidate_change_nothing_or_exceed_the_electorate_are_refused() {
    let result = ashtown(2015);
    assert!(matches!(
        corrected_result(&result, "Zed Zero", Votes(1)),
        Err(CorrectionError::UnknownCandidate { .. })
    ));
    assert!(matches!(
        corrected_result(&result, "Alice Able", Votes(18_123)),
        Err(CorrectionError::NoChange { .. })
    ));
    assert!(matches!(
        corrected_result(&result, "Alice Able", Votes(60_000)),
        Err(CorrectionError::ExceedsElectorate { .. })
    ));
}
