//! Test harness of the review service: a PostgreSQL database of its own per test, the
//! review service on 127.0.0.1:0 over it, an HTTP client, tokens, checked claims as the
//! checker would store them, and checks of answers against the served OpenAPI document.
#![allow(dead_code)] // each test file uses part of it

use std::future::Future;
use std::sync::Arc;

use newsroom_claims::{CheckReport, ClaimId, Comparator, Evidence, EvidenceRow, Kind, Verdict};
use newsroom_events::{
    article_stream, AccessRole, ArticleSubmitted, ClaimChecked, Envelope, Event, EventId,
    GlobalPosition, StreamVersion,
};
use newsroom_review::{issue_token, PersonName, ReviewError};
use newsroom_store::{EventStore, ExpectedVersion};
use newsroom_tally::{ConstituencyId, PartyCode, Year};
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The server the tests use: `NEWSROOM_TEST_DATABASE_URL`, or a local default.
pub fn postgres_server_url() -> String {
    std::env::var("NEWSROOM_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned())
}

/// Runs `spec` against a store on a fresh PostgreSQL database `newsroom_test_<uuid>`,
/// dropped afterwards. An unreachable server fails the test: it is never skipped.
pub async fn postgres<F, Fut>(spec: F)
where
    F: FnOnce(Arc<dyn EventStore>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let server_url = postgres_server_url();
    let mut admin = PgConnection::connect(&server_url)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the review tests need a PostgreSQL server at {server_url} \
             (set NEWSROOM_TEST_DATABASE_URL to use another one): {e}"
            )
        });
    let name = format!("newsroom_test_{}", Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
    let mut url = url::Url::parse(&server_url).unwrap();
    url.set_path(&name);
    let url = url.to_string();

    let outcome = tokio::spawn(async move {
        let store = newsroom_store::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open the store on the test database: {e}"));
        spec(store).await;
    })
    .await;

    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(drop))
        .execute(&mut admin)
        .await
    {
        eprintln!("warning: could not drop the test database {name}: {e}");
    }
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

/// The review service running on a port of its own.
pub struct Server {
    pub base: String,
    pub store: Arc<dyn EventStore>,
    /// Where the service keeps its signing key (`signing.key`, made by the first export).
    pub data_dir: tempfile::TempDir,
    client: reqwest::Client,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), ReviewError>>,
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("answer {} is not JSON ({e}): {}", self.status, self.text))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The error code of an error answer.
    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
}

impl Server {
    pub async fn start(store: Arc<dyn EventStore>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shutdown = CancellationToken::new();
        let data_dir = tempfile::tempdir().unwrap();
        let task = tokio::spawn(newsroom_review::serve_on(
            listener,
            store.clone(),
            newsroom_review::AuditExports::in_data_dir(data_dir.path()),
            shutdown.clone(),
        ));
        Server {
            base,
            store,
            data_dir,
            client: reqwest::Client::new(),
            shutdown,
            task,
        }
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.unwrap().unwrap();
    }

    pub async fn send(&self, request: reqwest::RequestBuilder, token: Option<&str>) -> Answer {
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().await.unwrap();
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(self.client.get(format!("{}{path}", self.base)), token)
            .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(
            self.client.post(format!("{}{path}", self.base)).json(&body),
            token,
        )
        .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        let mut request = self.client.post(format!("{}{path}", self.base)).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        self.send(request, token).await
    }

    pub async fn request(&self, method: &str, path: &str, token: Option<&str>) -> Answer {
        let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
        self.send(
            self.client.request(method, format!("{}{path}", self.base)),
            token,
        )
        .await
    }

    /// A claim as the API answers it.
    pub async fn claim(&self, claim: &str, token: &str) -> Value {
        let answer = self.get(&format!("/api/claims/{claim}"), Some(token)).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()
    }

    /// The store's head: tests compare it before and after refused requests.
    pub async fn head(&self) -> GlobalPosition {
        self.store.head().await.unwrap()
    }
}

/// Issues a token to `name` with `role` straight into the store (as `newsroom tokens
/// issue` does) and returns it.
pub async fn token(store: &dyn EventStore, name: &str, role: AccessRole) -> String {
    let issued = issue_token(store, &PersonName::parse(name).unwrap(), role, "test-admin")
        .await
        .unwrap();
    issued.token.expose().to_owned()
}

/// The people of the tests and their tokens.
pub struct Desk {
    pub alice: String,  // editor
    pub bob: String,    // approver
    pub carol: String,  // approver
    pub audrey: String, // auditor
    pub root: String,   // admin
}

impl Desk {
    pub async fn issue(store: &dyn EventStore) -> Desk {
        Desk {
            alice: token(store, "alice", AccessRole::Editor).await,
            bob: token(store, "bob", AccessRole::Approver).await,
            carol: token(store, "carol", AccessRole::Approver).await,
            audrey: token(store, "audrey", AccessRole::Auditor).await,
            root: token(store, "root", AccessRole::Admin).await,
        }
    }
}

/// Stores an article as a producer would.
pub async fn submit_article(store: &dyn EventStore, article: &str, body: &str) {
    let event = Event::ArticleSubmitted(ArticleSubmitted {
        article_id: article.to_owned(),
        body: body.to_owned(),
        published: chrono::NaiveDate::from_ymd_opt(2015, 5, 8),
    });
    let envelope = Envelope::new(&event, StreamVersion(1), "test/cms", EventId::random());
    store
        .append(
            &article_stream(article),
            ExpectedVersion::Any,
            vec![envelope],
        )
        .await
        .unwrap();
}

/// A claim the checker judged: the sentence `quote` of `body`, claiming `claimed` where
/// the official figure is `official`.
pub struct Checked<'a> {
    pub article: &'a str,
    pub body: &'a str,
    pub quote: &'a str,
    pub kind: Kind,
    pub claimed: Value,
    pub official: Value,
    pub verdict: Verdict,
}

impl Checked<'_> {
    pub fn report(&self) -> CheckReport {
        let start = self
            .body
            .find(self.quote)
            .expect("the quote is in the body");
        let span = (start, start + self.quote.len());
        CheckReport {
            article: self.article.to_owned(),
            claim_id: ClaimId::derive(self.article, span, self.kind, 0),
            quote: self.quote.to_owned(),
            span,
            kind: self.kind,
            election: Year(2015),
            change_from: None,
            constituency_id: Some(ConstituencyId::parse("E14000750").unwrap()),
            area: None,
            party: Some(PartyCode::new("Lab")),
            candidate: Some("Keir Starmer".to_owned()),
            comparator: Comparator::Eq,
            claimed: self.claimed.clone(),
            official: self.official.clone(),
            verdict: self.verdict,
            evidence: Evidence {
                rule: "majority = winner's votes - runner-up's votes".to_owned(),
                tolerance: Some("as stated, to the unit".to_owned()),
                rows: vec![
                    EvidenceRow {
                        election: Year(2015),
                        constituency_id: Some(ConstituencyId::parse("E14000750").unwrap()),
                        constituency: Some("Holborn and St Pancras".to_owned()),
                        candidate: Some("Keir Starmer".to_owned()),
                        party: Some(PartyCode::new("Lab")),
                        field: "votes".to_owned(),
                        value: json!(29062),
                    },
                    EvidenceRow {
                        election: Year(2015),
                        constituency_id: Some(ConstituencyId::parse("E14000750").unwrap()),
                        constituency: Some("Holborn and St Pancras".to_owned()),
                        candidate: Some("Will Blair".to_owned()),
                        party: Some(PartyCode::new("Con")),
                        field: "votes".to_owned(),
                        value: json!(12014),
                    },
                ],
                note: None,
                tally_version: Some(1),
            },
        }
    }

    /// Stores the article and the check report; returns the claim id.
    pub async fn store(&self, store: &dyn EventStore) -> String {
        submit_article(store, self.article, self.body).await;
        self.store_report(store).await
    }

    /// Stores the check report only.
    pub async fn store_report(&self, store: &dyn EventStore) -> String {
        let report = self.report();
        let claim = report.claim_id.0.clone();
        let event = Event::ClaimChecked(ClaimChecked { report });
        let envelope = Envelope::new(
            &event,
            StreamVersion(1),
            "newsroom/checker",
            EventId::random(),
        );
        store
            .append(&event.stream_id(), ExpectedVersion::Any, vec![envelope])
            .await
            .unwrap();
        claim
    }
}

pub const HOLBORN_BODY: &str = "Election night in London.\n\nKeir Starmer won Holborn and St \
Pancras for Labour with a majority of 18,000. The Conservatives came second.\n\nTurnout rose.";

/// Holborn's majority claimed as 18,000 (officially 17,048): inaccurate.
pub fn holborn_majority() -> Checked<'static> {
    Checked {
        article: "holborn.txt",
        body: HOLBORN_BODY,
        quote: "Keir Starmer won Holborn and St Pancras for Labour with a majority of 18,000.",
        kind: Kind::Majority,
        claimed: json!(18000),
        official: json!(17048),
        verdict: Verdict::Inaccurate,
    }
}

/// Validates `answer` against what the OpenAPI document says `method` `path` answers with
/// its status.
pub fn assert_documented(doc: &Value, method: &str, path: &str, answer: &Answer) {
    let operation = &doc["paths"][path][method];
    assert!(
        operation.is_object(),
        "{method} {path} is not in the document"
    );
    let response = &operation["responses"][answer.status.to_string()];
    assert!(
        response.is_object(),
        "{method} {path} answered {}, which the document does not list: {}",
        answer.status,
        answer.text
    );
    let schema = &response["content"]["application/json"]["schema"];
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [schema],
    });
    let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| {
        panic!(
            "the schema of {method} {path} {} is invalid: {e}",
            answer.status
        )
    });
    let instance = answer.json();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {} does not match its documented schema: {errors:?}\n{}",
        answer.status,
        answer.text
    );
}
