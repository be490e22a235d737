//! Election night on the embedded store (SQLite): the 2015 declarations replayed in their
//! official order while the checker serves, with claims submitted before their seats
//! declare; the Croydon South correction of July 2015; replaying twice; restarting the
//! checker in the middle of the night.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use newsroom_claims::{Claim, Claimed, Kind, Outcome, Verdict};
use newsroom_events::{
    ClaimChecked, Envelope, Event, EventId, GlobalPosition, ReviewDecided, ReviewDecision,
    ReviewReopened, StreamVersion, TallyCorrected, VerdictChanged,
};
use newsroom_services::recheck::same_judgement;
use newsroom_services::{
    claim_history, correct, replay, replay_declarations, results, run_service,
    tally_declared_event, CancellationToken, Correction, Delivered, Producer, Scheduled,
    ServiceKind, Speed, CHECKER_CHECKPOINT,
};
use newsroom_store::EventStore;
use newsroom_tally::{PartyCode, Tallies, Votes, Year};
use support::*;

const SOURCE: &str = "test/results-feed";

/// The 2015 night in official order, the claims about it, and the full official tallies.
struct Night {
    schedule: Vec<Scheduled>,
    /// One `claims.extracted` per article, submitted after the first declaration.
    extractions: Vec<Envelope>,
    claims: Vec<Claim>,
    full: Tallies,
}

fn night() -> &'static Night {
    static NIGHT: OnceLock<Night> = OnceLock::new();
    NIGHT.get_or_init(|| {
        let schedule = replay_declarations(hoc_results(2015), Speed::Max);
        let mut full = Tallies::new();
        full.import(hoc_results(2010));
        full.import(hoc_results(2015));
        let mut extractions = Vec::new();
        let mut claims = Vec::new();
        // Three claims about every 13th seat to declare after the first: the winner's votes
        // (right), the majority (1,000 too many) and the winning party (right)
        for scheduled in schedule.iter().skip(1).step_by(13) {
            let r = &scheduled.result;
            let article = format!("seat-{}", r.id);
            let (winner, runner_up) = (&r.candidates[0], &r.candidates[1]);
            let mut votes = claim(
                &article,
                0,
                Kind::Votes,
                seat_scope(r.id.as_str()),
                number(winner.votes.0 as i64),
            );
            votes.candidate = Some(winner.name.clone());
            let majority = claim(
                &article,
                1,
                Kind::Majority,
                seat_scope(r.id.as_str()),
                number((winner.votes.0 - runner_up.votes.0 + 1_000) as i64),
            );
            let outcome = claim(
                &article,
                2,
                Kind::Outcome,
                seat_scope(r.id.as_str()),
                Claimed::Outcome(Outcome::Party(winner.party.clone())),
            );
            extractions.push(extracted(
                &article,
                vec![votes.clone(), majority.clone(), outcome.clone()],
            ));
            claims.extend([votes, majority, outcome]);
        }
        // And claims about areas: the SNP's 56 seats in Scotland, Labour's 25 in Wales,
        // Labour's loss of 40 Scottish seats since 2010, the Conservatives' 330
        let mut area_claims = Vec::new();
        for (ordinal, (area, party, seats, since)) in [
            ("Scotland", "SNP", 56, None),
            ("Wales", "Lab", 25, None),
            ("Scotland", "Lab", -40, Some(Year(2010))),
            ("UK", "Con", 330, None),
        ]
        .into_iter()
        .enumerate()
        {
            let mut c = claim(
                "areas",
                ordinal,
                Kind::Seats,
                area_scope(area),
                number(seats),
            );
            c.party = Some(PartyCode::new(party));
            c.change_from = since;
            area_claims.push(c);
        }
        extractions.push(extracted("areas", area_claims.clone()));
        claims.extend(area_claims);
        Night {
            schedule,
            extractions,
            claims,
            full,
        }
    })
}

fn extracted(article: &str, claims: Vec<Claim>) -> Envelope {
    let cause = article_envelope(article, &format!("The story of {article}."));
    claims_extracted(&cause, article, claims)
}

async fn publish_all(store: &Arc<dyn EventStore>, envelopes: impl IntoIterator<Item = Envelope>) {
    let producer = Producer::Store(store.clone());
    for envelope in envelopes {
        newsroom_services::Publish::publish(&producer, &envelope)
            .await
            .unwrap();
    }
}

/// Replays part of the night as a results feed would, at full speed.
async fn declare(store: &Arc<dyn EventStore>, schedule: &[Scheduled]) -> (u64, u64) {
    let producer = Producer::Store(store.clone());
    let report = replay(
        &producer,
        schedule,
        SOURCE,
        &CancellationToken::new(),
        |_, _| {},
    )
    .await
    .unwrap();
    (report.new, report.duplicates)
}

/// The 2010 results, then the first declaration of 2015, then the claims.
async fn eve_of_the_night(store: &Arc<dyn EventStore>) {
    let previous = hoc_results(2010)
        .into_iter()
        .map(|r| tally_declared_event(r, SOURCE));
    publish_all(store, previous).await;
    declare(store, &night().schedule[..1]).await;
    publish_all(store, night().extractions.clone()).await;
}

/// A checker serving the store, as `newsroom serve checker` runs it.
struct Serving {
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), newsroom_services::ServiceError>>,
}

fn serve_checker(store: &Arc<dyn EventStore>) -> Serving {
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(run_service(
        ServiceKind::Checker,
        store.clone(),
        None,
        shutdown.clone(),
    ));
    Serving { shutdown, task }
}

impl Serving {
    async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the checker stops in time")
            .unwrap()
            .unwrap();
    }
}

/// Waits until the checker has read everything in the store (its checkpoint is the head).
async fn until_checked(store: &Arc<dyn EventStore>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let head = store.head().await.unwrap();
        if store.load_checkpoint(CHECKER_CHECKPOINT).await.unwrap() == head {
            return;
        }
        assert!(Instant::now() < deadline, "the checker did not catch up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every event the checker appended, by id: (stream, type, payload).
async fn checker_events(
    store: &dyn EventStore,
) -> BTreeMap<EventId, (String, String, serde_json::Value)> {
    let mut out = BTreeMap::new();
    for t in [
        ClaimChecked::TYPE,
        VerdictChanged::TYPE,
        ReviewReopened::TYPE,
    ] {
        for e in stored_of_type(store, t).await {
            out.insert(e.event_id, (e.stream_id.0, e.event_type, e.payload));
        }
    }
    out
}

#[tokio::test]
async fn given_claims_before_their_seats_declare_when_the_2015_night_is_replayed_then_they_start_pending_and_end_as_the_full_results_say(
) {
    with_sqlite(|store, _| async move {
        // Given 2010, the first 2015 declaration, and claims about seats still to declare,
        // with the checker serving
        eve_of_the_night(&store).await;
        let serving = serve_checker(&store);

        // When the rest of the night is replayed
        let (new, duplicates) = declare(&store, &night().schedule[1..]).await;
        assert_eq!((new, duplicates), (649, 0));
        until_checked(&store).await;
        serving.stop().await;

        // Then every claim was pending when first checked, and its latest report is what a
        // check against the full official results says
        let mut verdicts = BTreeMap::new();
        for claim in &night().claims {
            let history = claim_history(store.as_ref(), &claim.claim_id)
                .await
                .unwrap();
            let first = history.first().expect("checked");
            assert_eq!(first.verdict, Verdict::Pending, "{}", claim.quote);
            let latest = history.latest().unwrap();
            let expected = newsroom_check::check(claim, &night().full);
            assert!(
                same_judgement(latest, &expected),
                "{}: {latest:?} != {expected:?}",
                claim.quote
            );
            // And each verdict change says from what to what, ending at the latest verdict
            let last_change = history.changes.last().expect("a verdict change");
            assert_eq!(last_change.to, latest.verdict);
            assert_eq!(history.changes[0].from, Verdict::Pending);
            *verdicts.entry(latest.verdict.as_str()).or_insert(0) += 1;
        }
        // The seat claims: 50 seats, votes and winners right, majorities wrong
        let seats = night().claims.len() - 4;
        assert_eq!(verdicts.get("inaccurate"), Some(&(seats / 3)));
        assert_eq!(verdicts.get("accurate"), Some(&(seats / 3 * 2 + 4)));

        // And the Scottish claim was checked again as each Scottish seat came in
        let snp = &night().claims[seats];
        let history = claim_history(store.as_ref(), &snp.claim_id).await.unwrap();
        let scottish_declarations = night().schedule[1..]
            .iter()
            .filter(|s| s.result.nation == newsroom_tally::Nation::Scotland)
            .count();
        assert_eq!(history.reports.len(), 1 + scottish_declarations);
        assert_eq!(
            history.changes.len(),
            1,
            "pending until the last, then accurate"
        );
        // And the results read model holds one current report per claim
        assert_eq!(
            results(store.as_ref(), None).await.unwrap().len(),
            night().claims.len()
        );

        // When the night is replayed again, and the checker serves again
        let head = store.head().await.unwrap();
        let serving = serve_checker(&store);
        let (new, duplicates) = declare(&store, &night().schedule).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        until_checked(&store).await;
        serving.stop().await;

        // Then nothing new was published and nothing new decided
        assert_eq!((new, duplicates), (0, 650));
        assert_eq!(store.head().await.unwrap(), head);
    })
    .await;
}

#[tokio::test]
async fn given_the_checker_is_restarted_mid_night_then_nothing_is_lost_or_doubled_and_the_end_is_as_uninterrupted(
) {
    let half = night().schedule.len() / 2;
    // Given an uninterrupted night in one store
    let uninterrupted = {
        let (tx, rx) = tokio::sync::oneshot::channel();
        with_sqlite(|store, _| async move {
            eve_of_the_night(&store).await;
            let serving = serve_checker(&store);
            declare(&store, &night().schedule[1..]).await;
            until_checked(&store).await;
            serving.stop().await;
            tx.send(checker_events(store.as_ref()).await).unwrap();
        })
        .await;
        rx.await.unwrap()
    };

    with_sqlite(|store, _| async move {
        // When, in another, the checker serves half the night and stops
        eve_of_the_night(&store).await;
        let serving = serve_checker(&store);
        declare(&store, &night().schedule[1..half]).await;
        until_checked(&store).await;
        serving.stop().await;
        // (and its checkpoint is set back 200 events, as after a crash before it was saved)
        let checkpoint = store.load_checkpoint(CHECKER_CHECKPOINT).await.unwrap();
        store
            .save_checkpoint(CHECKER_CHECKPOINT, GlobalPosition(checkpoint.0 - 200))
            .await
            .unwrap();
        // and the night goes on without it for a while, then it is started again
        declare(&store, &night().schedule[half..half + 50]).await;
        let serving = serve_checker(&store);
        declare(&store, &night().schedule[half + 50..]).await;
        until_checked(&store).await;
        serving.stop().await;

        // Then the checker appended exactly what it did in the uninterrupted night
        let interrupted = checker_events(store.as_ref()).await;
        assert_eq!(interrupted.len(), uninterrupted.len());
        assert!(
            interrupted == uninterrupted,
            "the same events, ids and payloads"
        );
        // And no claim was checked twice for one cause: one current result per claim
        for claim in &night().claims {
            let stream = newsroom_events::claim_stream(&claim.claim_id.0);
            let checks: Vec<Envelope> = store
                .read_stream(&stream)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.event_type == ClaimChecked::TYPE)
                .collect();
            let causes: BTreeSet<_> = checks.iter().map(|e| e.causation_id).collect();
            assert_eq!(causes.len(), checks.len(), "{}", claim.quote);
        }
        assert_eq!(
            results(store.as_ref(), None).await.unwrap().len(),
            night().claims.len()
        );
    })
    .await;
}

// --- the Croydon South correction ---------------------------------------------------

/// One event the checker decided: its stream, its type, and for a verdict change from what
/// to what.
type Decided = (String, String, Option<(Verdict, Verdict)>);

fn croydon_claims() -> Vec<Claim> {
    let seat = || seat_scope(CROYDON_SOUTH);
    let mut benn_before = claim("croydon", 0, Kind::Votes, seat(), number(14_038));
    benn_before.candidate = Some("Emily Benn".into());
    let mut benn_after = claim("croydon", 1, Kind::Votes, seat(), number(14_308));
    benn_after.candidate = Some("Emily Benn".into());
    let mut philp = claim("croydon", 2, Kind::Votes, seat(), number(31_448));
    philp.candidate = Some("Chris Philp".into());
    let majority_before = claim("croydon", 3, Kind::Majority, seat(), number(17_410));
    let majority_after = claim("croydon", 4, Kind::Majority, seat(), number(17_140));
    let mut winner = claim("croydon", 5, Kind::Outcome, seat(), number(0));
    winner.claimed = Claimed::Outcome(Outcome::Party(PartyCode::new("Con")));
    vec![
        benn_before,
        benn_after,
        philp,
        majority_before,
        majority_after,
        winner,
    ]
}

/// Claims about other seats and areas, which the correction does not bear on.
fn unrelated_claims() -> Vec<Claim> {
    let mut farron = claim(
        "elsewhere",
        0,
        Kind::Votes,
        seat_scope("E14001037"),
        number(25_194),
    );
    farron.candidate = Some("Tim Farron".into());
    let mut snp = claim(
        "elsewhere",
        1,
        Kind::Seats,
        area_scope("Scotland"),
        number(56),
    );
    snp.party = Some(PartyCode::new("SNP"));
    let mut north_west = claim(
        "elsewhere",
        2,
        Kind::Seats,
        area_scope("North West"),
        number(22),
    );
    north_west.party = Some(PartyCode::new("Con"));
    vec![farron, snp, north_west]
}

#[tokio::test]
async fn given_croydon_south_as_declared_when_emily_benns_votes_are_corrected_then_exactly_the_claims_using_them_are_rechecked(
) {
    with_sqlite(|store, _| async move {
        // Given the 2015 results with Croydon South as declared on the night, and claims
        // about Croydon South and elsewhere, checked
        let mut results_2015: Vec<_> = hoc_results(2015)
            .into_iter()
            .filter(|r| r.id.as_str() != CROYDON_SOUTH)
            .collect();
        results_2015.push(croydon_south_as_declared());
        let declared = results_2015.into_iter().map(|r| tally_declared_event(r, SOURCE));
        publish_all(&store, declared).await;
        publish_all(&store, [extracted("croydon", croydon_claims()), extracted("elsewhere", unrelated_claims())]).await;
        // (an editor had confirmed the claim about Emily Benn's 14,038)
        let confirmed = Event::ReviewDecided(ReviewDecided {
            claim_id: croydon_claims()[0].claim_id.clone(),
            decision: ReviewDecision::Confirm,
            reason: None,
            by: "editor".into(),
        });
        publish_all(&store, [Envelope::new(&confirmed, StreamVersion(1), "test/review", EventId::random())]).await;
        let serving = serve_checker(&store);
        until_checked(&store).await;
        let verdict_of = |claim: &Claim, store: Arc<dyn EventStore>| {
            let id = claim.claim_id.clone();
            async move { claim_history(store.as_ref(), &id).await.unwrap().latest().unwrap().verdict }
        };
        let before: Vec<Verdict> = futures::future::join_all(croydon_claims().iter().map(|c| verdict_of(c, store.clone()))).await;
        use Verdict::*;
        assert_eq!(before, [Accurate, Inaccurate, Accurate, Accurate, Inaccurate, Accurate]);
        let head_before = store.head().await.unwrap();

        // When the correction of 31 July 2015 is published (as `tallies correct` does)
        let corrected = correct(
            store.as_ref(),
            &Producer::Store(store.clone()),
            &Correction {
                election: Year(2015),
                constituency: "Croydon South".into(),
                candidate: "Emily Benn".into(),
                votes: Votes(14_308),
                reason: "Electoral Commission correction of 31 July 2015".into(),
            },
            SOURCE,
        )
        .await
        .unwrap();
        assert_eq!(corrected.delivered, Delivered::New);
        assert_eq!(corrected.envelope.event_type, TallyCorrected::TYPE);
        until_checked(&store).await;
        serving.stop().await;

        // Then exactly these events follow the correction, each caused by it
        let after = store.read_all_after(head_before, 1000).await.unwrap();
        assert_eq!(after[0].event_id, corrected.envelope.event_id);
        let cause = corrected.envelope.event_id;
        let mut decided: Vec<Decided> = after[1..]
            .iter()
            .map(|e| {
                assert_eq!(e.causation_id, Some(cause));
                let change = match e.decode().unwrap() {
                    Event::VerdictChanged(c) => {
                        assert_eq!(c.reason, "the 2015 result of Croydon South (E14000656) was corrected: Electoral Commission correction of 31 July 2015");
                        assert_eq!(c.tally_version, 651);
                        Some((c.from, c.to))
                    }
                    Event::ReviewReopened(r) => {
                        assert_eq!(r.by, "checker");
                        None
                    }
                    Event::ClaimChecked(c) => {
                        assert_eq!(c.report.evidence.tally_version, Some(651));
                        None
                    }
                    other => panic!("unexpected {other:?}"),
                };
                (e.stream_id.0.clone(), e.event_type.clone(), change)
            })
            .collect();
        decided.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let c = croydon_claims();
        let stream = |i: usize, prefix: &str| format!("{prefix}-{}", c[i].claim_id);
        let mut expected = vec![
            (stream(0, "claim"), ClaimChecked::TYPE.to_owned(), None),
            (stream(0, "claim"), VerdictChanged::TYPE.to_owned(), Some((Accurate, Inaccurate))),
            (stream(0, "review"), ReviewReopened::TYPE.to_owned(), None),
            (stream(1, "claim"), ClaimChecked::TYPE.to_owned(), None),
            (stream(1, "claim"), VerdictChanged::TYPE.to_owned(), Some((Inaccurate, Accurate))),
            (stream(3, "claim"), ClaimChecked::TYPE.to_owned(), None),
            (stream(3, "claim"), VerdictChanged::TYPE.to_owned(), Some((Accurate, Inaccurate))),
            (stream(4, "claim"), ClaimChecked::TYPE.to_owned(), None),
            (stream(4, "claim"), VerdictChanged::TYPE.to_owned(), Some((Inaccurate, Accurate))),
            // The winner is still the winner, but the report's evidence cites the new
            // runner-up figure
            (stream(5, "claim"), ClaimChecked::TYPE.to_owned(), None),
        ];
        expected.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        assert_eq!(decided, expected);

        // And the history answers both questions: right when published, wrong now
        let benn = claim_history(store.as_ref(), &c[0].claim_id).await.unwrap();
        assert_eq!(benn.verdicts(), [(Accurate, Some(650)), (Inaccurate, Some(651))]);
        // And Chris Philp's votes, whose evidence did not change, got no new report; nor did
        // the unrelated claims
        let philp = claim_history(store.as_ref(), &c[2].claim_id).await.unwrap();
        assert_eq!(philp.reports.len(), 1);
        for claim in unrelated_claims() {
            let history = claim_history(store.as_ref(), &claim.claim_id).await.unwrap();
            assert_eq!(history.reports.len(), 1, "{}", claim.quote);
        }
        // And the tallies now hold the official figure
        let corrected_result = corrected.envelope.decode().unwrap();
        let Event::TallyCorrected(c) = corrected_result else { panic!("tally.corrected") };
        assert_eq!(c.result.valid_votes.0, corrected.before.valid_votes.0 + 270);
    })
    .await;
}

// --- the replay's pace --------------------------------------------------------------

fn minutes_apart(count: usize) -> Vec<newsroom_tally::ConstituencyResult> {
    hoc_results(2015)
        .into_iter()
        .take(count)
        .enumerate()
        .map(|(i, mut r)| {
            let start = chrono::NaiveDate::from_ymd_opt(2015, 5, 8)
                .unwrap()
                .and_hms_opt(2, 0, 0)
                .unwrap();
            r.declared_at = Some(start + chrono::Duration::minutes(i as i64));
            r
        })
        .collect()
}

#[tokio::test]
async fn given_declarations_a_minute_apart_when_replayed_at_600_times_real_time_then_they_come_a_tenth_of_a_second_apart(
) {
    with_sqlite(|store, _| async move {
        let schedule = replay_declarations(minutes_apart(3), Speed::Times(600.0));
        let started = Instant::now();
        let mut seen = Vec::new();

        let report = replay(
            &Producer::Store(store.clone()),
            &schedule,
            SOURCE,
            &CancellationToken::new(),
            |s, delivered| seen.push((s.result.name.clone(), delivered, started.elapsed())),
        )
        .await
        .unwrap();

        assert_eq!(
            (report.new, report.duplicates, report.stopped),
            (3, 0, false)
        );
        assert!(seen[1].2 >= Duration::from_millis(100), "{seen:?}");
        assert!(seen[2].2 >= Duration::from_millis(200), "{seen:?}");
        assert!(seen[2].2 < Duration::from_secs(5), "{seen:?}");
        assert!(seen.iter().all(|(_, d, _)| *d == Delivered::New));
        let stored = stored_of_type(store.as_ref(), newsroom_events::TallyDeclared::TYPE).await;
        let names: Vec<String> = stored
            .iter()
            .map(|e| match e.decode().unwrap() {
                Event::TallyDeclared(d) => d.result.name,
                _ => unreachable!("filtered by type"),
            })
            .collect();
        let expected: Vec<String> = schedule.iter().map(|s| s.result.name.clone()).collect();
        assert_eq!(names, expected);
    })
    .await;
}

#[tokio::test]
async fn given_a_replay_in_progress_when_shut_down_then_it_stops_before_the_next_declaration() {
    with_sqlite(|store, _| async move {
        // One declaration now, the next ten minutes later at real time
        let schedule = replay_declarations(minutes_apart(2), Speed::Times(1.0 / 10.0));
        let shutdown = CancellationToken::new();
        let stopper = {
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                shutdown.cancel();
            })
        };

        let report = replay(
            &Producer::Store(store.clone()),
            &schedule,
            SOURCE,
            &shutdown,
            |_, _| {},
        )
        .await
        .unwrap();

        assert_eq!((report.new, report.stopped), (1, true));
        stopper.await.unwrap();
    })
    .await;
}
