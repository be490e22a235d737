//! Fixtures shared by the service tests: an official result, producer envelopes, fresh
//! stores (a SQLite file, or a PostgreSQL database of its own) and NATS namespaces.
#![allow(dead_code)] // each test file uses part of it

use std::future::Future;
use std::sync::Arc;

use newsroom_claims::{Claim, ClaimId, Claimed, Comparator, Figure, Kind, Scope};
use newsroom_events::{
    ArticleSubmitted, ClaimsExtracted, Envelope, Event, EventId, StreamVersion, TallyDeclared,
};
use newsroom_store::EventStore;
use newsroom_tally::{
    CandidateResult, ConstituencyId, ConstituencyResult, Nation, PartyCode, Votes, Year,
};
use sqlx::{Connection, PgConnection};

pub const HOLBORN: &str = "E14000750";

pub const ARTICLE_BODY: &str = "Keir Starmer won Holborn and St Pancras for Labour in the 2015 \
general election with a majority of 17,048. The Conservatives came second with 12,014 votes.";

fn candidate(
    first: &str,
    surname: &str,
    party: &str,
    party_name: &str,
    votes: u64,
) -> CandidateResult {
    CandidateResult {
        name: format!("{first} {surname}"),
        first_name: first.into(),
        surname: surname.into(),
        party: PartyCode::new(party),
        party_name: party_name.into(),
        votes: Votes(votes),
        sitting_mp: false,
        former_mp: false,
    }
}

/// Holborn and St Pancras at the 2015 general election (the five largest candidates).
pub fn holborn_2015() -> ConstituencyResult {
    let candidates = vec![
        candidate("Keir", "Starmer", "Lab", "Labour", 29062),
        candidate("Will", "Blair", "Con", "Conservative", 12014),
        candidate("Natalie", "Bennett", "Green", "Green Party", 7013),
        candidate("Jill", "Fraser", "LD", "Liberal Democrat", 3555),
        candidate("Maxine", "Spencer", "UKIP", "UK Independence Party", 2740),
    ];
    ConstituencyResult {
        election: Year(2015),
        id: ConstituencyId::parse(HOLBORN).unwrap(),
        name: "Holborn and St Pancras".into(),
        county: "London".into(),
        region: "London".into(),
        nation: Nation::England,
        declared_at: None,
        electorate: 110_906,
        valid_votes: candidates.iter().map(|c| c.votes).sum(),
        invalid_votes: 120,
        candidates,
    }
}

/// A producer's `tally.declared`, with its id derived from its content as producers do.
pub fn tally_envelope(result: ConstituencyResult) -> Envelope {
    let event = Event::TallyDeclared(TallyDeclared { result });
    let id = EventId::from_content("tally.declared", event.to_payload().to_string().as_bytes());
    Envelope::new(&event, StreamVersion(1), "test/results-feed", id)
}

/// A producer's `article.submitted`.
pub fn article_envelope(article_id: &str, body: &str) -> Envelope {
    let event = Event::ArticleSubmitted(ArticleSubmitted {
        article_id: article_id.into(),
        body: body.into(),
        published: chrono::NaiveDate::from_ymd_opt(2015, 5, 8),
    });
    let id = EventId::from_content(
        "article.submitted",
        event.to_payload().to_string().as_bytes(),
    );
    Envelope::new(&event, StreamVersion(1), "test/cms", id)
}

/// A claim as the extractor might read it from [`ARTICLE_BODY`].
pub fn majority_claim(article: &str, ordinal: usize) -> Claim {
    let span = (0, 87);
    Claim {
        article: article.into(),
        claim_id: ClaimId::derive(article, span, Kind::Majority, ordinal),
        quote: ARTICLE_BODY[span.0..span.1].into(),
        span,
        kind: Kind::Majority,
        election: Year(2015),
        change_from: None,
        scope: Scope::Constituency(ConstituencyId::parse(HOLBORN).unwrap()),
        party: Some(PartyCode::new("Lab")),
        candidate: Some("Keir Starmer".into()),
        versus: None,
        comparator: Comparator::Eq,
        claimed: Claimed::Number(Figure::integer(17_048)),
        ambiguity: None,
    }
}

/// The extractor's event for `claims`, derived from `cause`.
pub fn claims_extracted(cause: &Envelope, article: &str, claims: Vec<Claim>) -> Envelope {
    let event = Event::ClaimsExtracted(ClaimsExtracted {
        article_id: article.into(),
        election: Year(2015),
        claims,
    });
    Envelope::derived(
        &event,
        StreamVersion(2),
        "newsroom/extractor",
        cause,
        "claims.extracted",
    )
}

/// Runs `body` with a store on a fresh SQLite file.
pub async fn with_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Arc<dyn EventStore>, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("events.db").display());
    let store = newsroom_store::connect(&url)
        .await
        .expect("the SQLite store opens");
    body(store, url).await;
}

/// The PostgreSQL server of the tests: `NEWSROOM_TEST_DATABASE_URL`, or the local one.
pub fn postgres_server_url() -> String {
    std::env::var("NEWSROOM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Runs `body` with the URL of a fresh PostgreSQL database, dropped afterwards. An
/// unreachable server fails the test.
pub async fn with_postgres<F, Fut>(body: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let server = postgres_server_url();
    let mut admin = PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("these tests need PostgreSQL at {server}: {e}"));
    let name = format!("newsroom_services_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut url = url::Url::parse(&server).unwrap();
    url.set_path(&name);
    let outcome = tokio::spawn(body(url.to_string())).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}

/// The NATS server of the tests: `NEWSROOM_TEST_NATS_URL`, or the local one.
pub fn nats_url() -> String {
    std::env::var("NEWSROOM_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// A namespace of its own for one test.
pub fn fresh_namespace() -> String {
    format!("t{}", uuid::Uuid::new_v4().simple())
}

/// Every stored event of type `event_type`, in global order.
pub async fn stored_of_type(store: &dyn EventStore, event_type: &str) -> Vec<Envelope> {
    let mut out = Vec::new();
    let mut after = newsroom_events::GlobalPosition(0);
    loop {
        let page = store.read_all_after(after, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position.unwrap();
        out.extend(page.into_iter().filter(|e| e.event_type == event_type));
    }
    out
}

/// A constituency result of `year` for hand-made worlds: electorate 70,000, 200 invalid
/// ballots, candidates `(name, party, votes)` in descending order of votes.
pub fn seat_result(
    year: u16,
    id: &str,
    name: &str,
    nation: Nation,
    region: &str,
    candidates: &[(&str, &str, u64)],
) -> ConstituencyResult {
    let candidates: Vec<CandidateResult> = candidates
        .iter()
        .map(|(full, party, votes)| {
            let (first, surname) = full.split_once(' ').unwrap();
            candidate(first, surname, party, party, *votes)
        })
        .collect();
    ConstituencyResult {
        election: Year(year),
        id: ConstituencyId::parse(id).unwrap(),
        name: name.into(),
        county: region.into(),
        region: region.into(),
        nation,
        declared_at: None,
        electorate: 70_000,
        valid_votes: candidates.iter().map(|c| c.votes).sum(),
        invalid_votes: 200,
        candidates,
    }
}

/// A claim of `article` (its `ordinal`th), about the 2015 election, stated as `eq`.
pub fn claim(article: &str, ordinal: usize, kind: Kind, scope: Scope, claimed: Claimed) -> Claim {
    let span = (ordinal * 10, ordinal * 10 + 9);
    Claim {
        article: article.into(),
        claim_id: ClaimId::derive(article, span, kind, ordinal),
        quote: format!("claim {ordinal} of {article}"),
        span,
        kind,
        election: Year(2015),
        change_from: None,
        scope,
        party: None,
        candidate: None,
        versus: None,
        comparator: Comparator::Eq,
        claimed,
        ambiguity: None,
    }
}

pub fn seat_scope(id: &str) -> Scope {
    Scope::Constituency(ConstituencyId::parse(id).unwrap())
}

pub fn area_scope(name: &str) -> Scope {
    Scope::Area(name.into())
}

pub fn number(value: i64) -> Claimed {
    Claimed::Number(Figure::integer(value))
}

/// The envelope as the store hands it out at `position`.
pub fn at(mut envelope: Envelope, position: u64) -> Envelope {
    envelope.position = Some(newsroom_events::GlobalPosition(position));
    envelope
}

/// The official results of `year` (2010 or 2015) from the House of Commons Library files
/// beside the repository, parsed once per test binary.
pub fn hoc_results(year: u16) -> Vec<ConstituencyResult> {
    use std::sync::OnceLock;
    static CACHE: OnceLock<std::collections::BTreeMap<u16, Vec<ConstituencyResult>>> =
        OnceLock::new();
    let all = CACHE.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/ge-results/raw/hoc-library");
        let read = |name: &str| {
            let bytes = std::fs::read(dir.join(name))
                .unwrap_or_else(|e| panic!("the official results {name} must be there: {e}"));
            String::from_utf8_lossy(&bytes).into_owned()
        };
        [2010u16, 2015]
            .into_iter()
            .map(|y| {
                let candidates = format!("HoC-GE{y}-results-by-candidate.csv");
                let constituencies = format!("HoC-GE{y}-results-by-constituency.csv");
                let (c, k) = (read(&candidates), read(&constituencies));
                let results = newsroom_tally::parse_hoc(
                    Year(y),
                    newsroom_tally::SourceFile {
                        name: &candidates,
                        text: &c,
                    },
                    newsroom_tally::SourceFile {
                        name: &constituencies,
                        text: &k,
                    },
                )
                .unwrap();
                (y, results)
            })
            .collect()
    });
    all[&year].clone()
}

pub const CROYDON_SOUTH: &str = "E14000656";

/// Croydon South 2015 as declared on the night: Emily Benn (Lab) 14,038, the valid votes
/// 270 fewer than the corrected official figures (PROVENANCE.md).
pub fn croydon_south_as_declared() -> ConstituencyResult {
    let mut result = hoc_results(2015)
        .into_iter()
        .find(|r| r.id.as_str() == CROYDON_SOUTH)
        .unwrap();
    let benn = result
        .candidates
        .iter_mut()
        .find(|c| c.name == "Emily Benn")
        .unwrap();
    assert_eq!(
        benn.votes,
        Votes(14_308),
        "the HoC file holds the corrected figure"
    );
    benn.votes = Votes(14_038);
    result.valid_votes = Votes(result.valid_votes.0 - 270);
    result
}
