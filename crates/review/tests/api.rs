//! The review API against the real server (on 127.0.0.1:0) and PostgreSQL (a database of
//! its own per test): the queue and claims, concurrent decisions, four eyes, roles,
//! validation, escaping of article text, tokens and the OpenAPI document.

mod support;

use newsroom_claims::{Kind, Verdict};
use newsroom_events::{access_stream, review_stream, AccessRole};
use newsroom_review::{run_tokens, IssueTokenArgs, PersonName, RevokeTokenArgs, TokensCommand};
use serde_json::{json, Value};
use support::*;

async fn openapi(server: &Server) -> Value {
    let answer = server.get("/openapi.json", None).await;
    assert_eq!(answer.status, 200);
    answer.json()
}

fn pending_votes() -> Checked<'static> {
    Checked {
        article: "night.txt",
        body: "Results so far. Will Blair took 12,014 votes. Labour held every seat in the city.",
        quote: "Will Blair took 12,014 votes.",
        kind: Kind::Votes,
        claimed: json!(12014),
        official: Value::Null,
        verdict: Verdict::Pending,
    }
}

fn accurate_outcome() -> Checked<'static> {
    Checked {
        article: "night.txt",
        body: "Results so far. Will Blair took 12,014 votes. Labour held every seat in the city.",
        quote: "Labour held every seat in the city.",
        kind: Kind::Outcome,
        claimed: json!("Lab"),
        official: json!("Lab"),
        verdict: Verdict::Accurate,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_flagged_claims_when_the_queue_is_read_then_it_holds_those_needing_review_newest_article_first_and_filters_apply(
) {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        let holborn = holborn_majority().store(store.as_ref()).await;
        let pending = pending_votes().store(store.as_ref()).await;
        let accurate = accurate_outcome().store_report(store.as_ref()).await;
        let server = Server::start(store).await;
        let doc = openapi(&server).await;
        let ids = |answer: &Answer| -> Vec<String> {
            answer.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["claim_id"].as_str().unwrap().to_owned())
                .collect()
        };

        // When the auditor reads the queue without filters
        let all = server.get("/api/claims", Some(&desk.audrey)).await;
        // Then the claims needing review are there, the newer article's first; the accurate one is not
        assert_eq!(all.status, 200, "{}", all.text);
        assert_documented(&doc, "get", "/api/claims", &all);
        assert_eq!(ids(&all), [pending.as_str(), holborn.as_str()]);
        assert_eq!(all.json()["total"], 2);
        let first = &all.json()["items"][1];
        assert_eq!(first["verdict"], "inaccurate");
        assert_eq!(first["status"], "open");
        assert_eq!(first["review_version"], 0);
        assert_eq!(first["official"], 17048);

        let filtered = |query: &'static str| {
            let server = &server;
            let token = desk.audrey.clone();
            async move {
                let answer = server
                    .get(&format!("/api/claims?{query}"), Some(&token))
                    .await;
                assert_eq!(answer.status, 200, "{query}: {}", answer.text);
                answer
            }
        };
        assert_eq!(
            ids(&filtered("verdict=accurate").await),
            [accurate.as_str()]
        );
        assert_eq!(ids(&filtered("kind=majority").await), [holborn.as_str()]);
        assert_eq!(
            ids(&filtered("article=night.txt").await),
            [pending.as_str()]
        );
        assert_eq!(
            ids(&filtered("verdict=pending&status=open").await),
            [pending.as_str()]
        );
        assert!(ids(&filtered("status=decided").await).is_empty());
        let page = filtered("limit=1&offset=1").await;
        assert_eq!(ids(&page), [holborn.as_str()]);
        assert_eq!(
            (page.json()["total"].clone(), page.json()["limit"].clone()),
            (json!(2), json!(1))
        );

        // When alice takes the Holborn claim
        let assigned = server
            .post(
                &format!("/api/claims/{holborn}/assign"),
                Some(&desk.alice),
                json!({"expected_version": 0}),
            )
            .await;
        assert_eq!(assigned.status, 200, "{}", assigned.text);
        // Then the assignee filters find it, and only it
        assert_eq!(ids(&filtered("assignee=alice").await), [holborn.as_str()]);
        assert_eq!(ids(&filtered("unassigned=true").await), [pending.as_str()]);
        assert!(ids(&filtered("assignee=bob").await).is_empty());
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_checked_claim_when_read_then_it_shows_the_sentence_in_context_the_official_rows_the_rule_and_the_history(
) {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        let claim = holborn_majority().store(store.as_ref()).await;
        let server = Server::start(store).await;
        let doc = openapi(&server).await;

        let answer = server
            .get(&format!("/api/claims/{claim}"), Some(&desk.audrey))
            .await;

        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_documented(&doc, "get", "/api/claims/{claim_id}", &answer);
        let view = answer.json();
        let context = &view["context"];
        assert_eq!(context["located"], true);
        assert_eq!(context["before"], "", "the sentence opens its paragraph");
        assert_eq!(context["after"], " The Conservatives came second.");
        let quote = context["quote"].as_str().unwrap();
        let (start, end) = (
            context["figure"][0].as_u64().unwrap() as usize,
            context["figure"][1].as_u64().unwrap() as usize,
        );
        assert_eq!(&quote[start..end], "18,000");
        assert_eq!(view["report"]["official"], 17048);
        assert_eq!(
            view["report"]["evidence"]["rule"],
            "majority = winner's votes - runner-up's votes"
        );
        assert_eq!(
            view["report"]["evidence"]["rows"].as_array().unwrap().len(),
            2
        );
        assert_eq!(view["verdict"], "inaccurate");
        assert_eq!(view["review"]["version"], 0);
        assert_eq!(view["history"][0]["event"], "claim.checked");

        let missing = server
            .get(
                "/api/claims/00000000-0000-0000-0000-000000000000",
                Some(&desk.audrey),
            )
            .await;
        assert_eq!(
            (missing.status, missing.error().as_str()),
            (404, "not_found")
        );
        assert_documented(&doc, "get", "/api/claims/{claim_id}", &missing);
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_many_editors_deciding_one_claim_at_once_then_exactly_one_wins_and_the_others_get_409(
) {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        let claim = holborn_majority().store(store.as_ref()).await;
        let server = std::sync::Arc::new(Server::start(store.clone()).await);

        // Given eight decisions, all made on version 0, sent at once
        let attempts = [
            (
                "confirm",
                desk.alice.clone(),
                json!({"expected_version": 0}),
            ),
            (
                "override",
                desk.bob.clone(),
                json!({"expected_version": 0, "verdict": "accurate", "reason": "recount"}),
            ),
            (
                "confirm",
                desk.carol.clone(),
                json!({"expected_version": 0, "reason": "checked the file"}),
            ),
            (
                "override",
                desk.alice.clone(),
                json!({"expected_version": 0, "verdict": "ambiguous", "reason": "two readings"}),
            ),
            ("assign", desk.bob.clone(), json!({"expected_version": 0})),
            ("confirm", desk.root.clone(), json!({"expected_version": 0})),
            (
                "override",
                desk.carol.clone(),
                json!({"expected_version": 0, "verdict": "unverifiable", "reason": "no data"}),
            ),
            (
                "assign",
                desk.alice.clone(),
                json!({"expected_version": 0, "assignee": "carol"}),
            ),
        ];
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(attempts.len()));
        let mut tasks = Vec::new();
        for (action, token, body) in attempts {
            let (server, barrier, claim) = (server.clone(), barrier.clone(), claim.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                server
                    .post(&format!("/api/claims/{claim}/{action}"), Some(&token), body)
                    .await
            }));
        }
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }

        // Then exactly one was recorded and every other one was refused as stale
        let won: Vec<&Answer> = answers.iter().filter(|a| a.status == 200).collect();
        assert_eq!(won.len(), 1, "{answers:#?}");
        for lost in answers.iter().filter(|a| a.status != 200) {
            assert_eq!(
                (lost.status, lost.error().as_str()),
                (409, "stale_version"),
                "{}",
                lost.text
            );
            assert_eq!(lost.json()["current_version"], 1);
        }
        let events = store.read_stream(&review_stream(&claim)).await.unwrap();
        assert_eq!(events.len(), 1, "one event in the review stream");
        assert_eq!(
            server.claim(&claim, &desk.audrey).await["review"]["version"],
            1
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_override_when_a_second_editor_approves_then_it_counts_and_its_author_cannot_approve_it(
) {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        let claim = holborn_majority().store(store.as_ref()).await;
        let server = Server::start(store.clone()).await;
        let doc = openapi(&server).await;
        let path = |action: &str| format!("/api/claims/{claim}/{action}");

        // Given carol, an approver, overrides the automatic verdict
        let overridden = server
            .post(&path("override"), Some(&desk.carol), json!({"expected_version": 0, "verdict": "accurate", "reason": "The 2015 figure includes a recount."}))
            .await;
        assert_eq!(overridden.status, 200, "{}", overridden.text);
        assert_documented(&doc, "post", "/api/claims/{claim_id}/override", &overridden);
        let view = overridden.json();
        assert_eq!(view["review"]["status"], "awaiting_approval");
        assert_eq!(view["effective_verdict"], "inaccurate", "an override counts only once approved");

        // When she approves her own override, or alice (an editor) approves it
        let head = server.head().await;
        let own = server.post(&path("approve"), Some(&desk.carol), json!({"expected_version": 1})).await;
        let editor = server.post(&path("approve"), Some(&desk.alice), json!({"expected_version": 1})).await;
        // Then four eyes and the role refuse, and nothing changes
        assert_eq!((own.status, own.error().as_str()), (403, "four_eyes"), "{}", own.text);
        assert_eq!((editor.status, editor.error().as_str()), (403, "forbidden"), "{}", editor.text);
        assert_documented(&doc, "post", "/api/claims/{claim_id}/approve", &own);
        assert_eq!(server.head().await, head);

        // When bob, another approver, approves it
        let approved = server.post(&path("approve"), Some(&desk.bob), json!({"expected_version": 1})).await;
        // Then the override counts
        assert_eq!(approved.status, 200, "{}", approved.text);
        assert_documented(&doc, "post", "/api/claims/{claim_id}/approve", &approved);
        let view = server.claim(&claim, &desk.audrey).await;
        assert_eq!(view["review"]["status"], "decided");
        assert_eq!(view["effective_verdict"], "accurate");
        assert_eq!(view["review"]["decision"]["by"], "carol");
        assert_eq!(view["review"]["decision"]["approved_by"], "bob");
        let events: Vec<&str> = view["history"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["claim.checked", "review.decided", "review.override_approved"]);
        let decided = server.get("/api/claims?status=decided", Some(&desk.audrey)).await;
        assert_eq!(decided.json()["items"][0]["effective_verdict"], "accurate");

        // And a service started afresh, replaying the store, sees the same
        let replayed = Server::start(store.clone()).await;
        assert_eq!(replayed.claim(&claim, &desk.audrey).await, view);
        replayed.stop().await;

        // When alice reopens it with a reason
        let reopened = server.post(&path("reopen"), Some(&desk.alice), json!({"expected_version": 2, "reason": "The correction was withdrawn."})).await;
        assert_eq!(reopened.status, 200, "{}", reopened.text);
        assert_documented(&doc, "post", "/api/claims/{claim_id}/reopen", &reopened);
        let view = reopened.json();
        assert_eq!(view["review"]["status"], "open");
        assert_eq!(view["review"]["version"], 3);
        assert_eq!(view["effective_verdict"], "inaccurate");

        // And then it may be confirmed, once
        let confirmed = server.post(&path("confirm"), Some(&desk.alice), json!({"expected_version": 3})).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.text);
        assert_documented(&doc, "post", "/api/claims/{claim_id}/confirm", &confirmed);
        let again = server.post(&path("confirm"), Some(&desk.alice), json!({"expected_version": 4})).await;
        assert_eq!((again.status, again.error().as_str()), (409, "invalid_state"), "{}", again.text);
        server.stop().await;
    })
    .await;
}

/// Sends `method` to the documented `template` (its parameters filled in) with a body any
/// write would accept, bearing `token` or the raw `authorization` header.
async fn send(
    server: &Server,
    claim: &str,
    method: &str,
    template: &str,
    token: Option<&str>,
    authorization: Option<&str>,
) -> Answer {
    let path = template
        .replace("{claim_id}", claim)
        .replace("{name}", "alice");
    let url = format!("{}{path}", server.base);
    let client = reqwest::Client::new();
    let body = json!({"expected_version": 0, "verdict": "accurate", "reason": "r", "name": "x", "role": "admin"});
    let mut request = match method {
        "get" => client.get(url),
        "delete" => client.delete(url),
        _ => client.post(url).json(&body),
    };
    if let Some(header) = authorization {
        request = request.header("authorization", header);
    }
    server.send(request, token).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_requests_without_the_right_token_then_401_or_403_and_nothing_changes() {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        let claim = holborn_majority().store(store.as_ref()).await;
        let revoked = token(store.as_ref(), "eve", AccessRole::Admin).await;
        newsroom_review::revoke_tokens(store.as_ref(), &PersonName::parse("eve").unwrap(), "root")
            .await
            .unwrap();
        let server = Server::start(store.clone()).await;
        let doc = openapi(&server).await;
        let head = server.head().await;

        let mut protected = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if operation["security"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty())
                {
                    protected.push((method.clone(), path.clone()));
                }
            }
        }
        assert_eq!(protected.len(), 13, "{protected:?}");

        for (method, path) in &protected {
            // Without a token, with a malformed header, an unknown or a revoked token: 401
            for (token, header) in [
                (None, None),
                (None, Some("Basic YWxpY2U6c2VjcmV0")),
                (None, Some("Bearer")),
                (Some("nrt_not-a-token".to_owned()), None),
                (Some(revoked.clone()), None),
            ] {
                let answer = send(&server, &claim, method, path, token.as_deref(), header).await;
                assert_eq!(
                    (answer.status, answer.error().as_str()),
                    (401, "unauthenticated"),
                    "{method} {path}: {}",
                    answer.text
                );
                assert!(
                    answer.header("www-authenticate").starts_with("Bearer"),
                    "{method} {path}"
                );
                assert_documented(&doc, method, path, &answer);
            }
        }

        // The roles: who may do what
        let allowed = |role: &str, path: &str, method: &str| -> bool {
            let admin_only = path.starts_with("/api/tokens");
            let audit = path.starts_with("/api/audit");
            let write = method != "get";
            match role {
                "auditor" => !write && !admin_only,
                "editor" => !admin_only && !audit && !path.ends_with("/approve"),
                "approver" => !admin_only && !audit,
                _ => true,
            }
        };
        for (role, token) in [
            ("auditor", &desk.audrey),
            ("editor", &desk.alice),
            ("approver", &desk.bob),
        ] {
            for (method, path) in &protected {
                if allowed(role, path, method) {
                    continue;
                }
                let answer = send(&server, &claim, method, path, Some(token), None).await;
                assert_eq!(
                    (answer.status, answer.error().as_str()),
                    (403, "forbidden"),
                    "{role} {method} {path}: {}",
                    answer.text
                );
                assert_documented(&doc, method, path, &answer);
            }
        }

        // Then nothing was appended
        assert_eq!(server.head().await, head);
        server.stop().await;
    })
    .await;
}

/// A write with an invalid body: action, documented path, body, the status, error code
/// and field expected.
type BodyCase = (
    &'static str,
    &'static str,
    Value,
    u16,
    &'static str,
    Option<&'static str>,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_invalid_input_then_each_gets_a_clear_4xx_and_nothing_changes() {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        let claim = holborn_majority().store(store.as_ref()).await;
        let server = Server::start(store.clone()).await;
        let doc = openapi(&server).await;
        let head = server.head().await;
        let path = |action: &str| format!("/api/claims/{claim}/{action}");
        let long = "x".repeat(2001);

        let cases: Vec<BodyCase> = vec![
            (
                "override",
                "/api/claims/{claim_id}/override",
                json!({"expected_version": 0, "verdict": "accurate", "reason": long}),
                422,
                "invalid_field",
                Some("reason"),
            ),
            (
                "override",
                "/api/claims/{claim_id}/override",
                json!({"expected_version": 0, "verdict": "accurate", "reason": "  "}),
                422,
                "invalid_field",
                Some("reason"),
            ),
            (
                "override",
                "/api/claims/{claim_id}/override",
                json!({"expected_version": 0, "verdict": "wrong", "reason": "r"}),
                422,
                "invalid_body",
                None,
            ),
            (
                "override",
                "/api/claims/{claim_id}/override",
                json!({"expected_version": 0, "verdict": "inaccurate", "reason": "r"}),
                422,
                "same_verdict",
                Some("verdict"),
            ),
            (
                "override",
                "/api/claims/{claim_id}/override",
                json!({"expected_version": 0, "verdict": "accurate"}),
                422,
                "invalid_body",
                None,
            ),
            (
                "confirm",
                "/api/claims/{claim_id}/confirm",
                json!({"expected_version": -1}),
                422,
                "invalid_body",
                None,
            ),
            (
                "confirm",
                "/api/claims/{claim_id}/confirm",
                json!({"expected_version": "0"}),
                422,
                "invalid_body",
                None,
            ),
            (
                "confirm",
                "/api/claims/{claim_id}/confirm",
                json!({"expected_version": 0, "expectedVersion": 0}),
                422,
                "invalid_body",
                None,
            ),
            (
                "confirm",
                "/api/claims/{claim_id}/confirm",
                json!({"expected_version": 0, "reason": "bell\u{7}"}),
                422,
                "invalid_field",
                Some("reason"),
            ),
            (
                "assign",
                "/api/claims/{claim_id}/assign",
                json!({"expected_version": 0, "assignee": "<script>"}),
                422,
                "invalid_field",
                Some("assignee"),
            ),
            (
                "assign",
                "/api/claims/{claim_id}/assign",
                json!({"expected_version": 0, "assignee": "nobody"}),
                422,
                "unknown_assignee",
                Some("assignee"),
            ),
            (
                "assign",
                "/api/claims/{claim_id}/assign",
                json!({"expected_version": 0, "assignee": "audrey"}),
                422,
                "unknown_assignee",
                Some("assignee"),
            ),
            (
                "reopen",
                "/api/claims/{claim_id}/reopen",
                json!({"expected_version": 0, "reason": long}),
                422,
                "invalid_field",
                Some("reason"),
            ),
            (
                "reopen",
                "/api/claims/{claim_id}/reopen",
                json!({"expected_version": 0, "reason": "r"}),
                409,
                "invalid_state",
                None,
            ),
            (
                "approve",
                "/api/claims/{claim_id}/approve",
                json!({"expected_version": 0}),
                409,
                "invalid_state",
                None,
            ),
            (
                "confirm",
                "/api/claims/{claim_id}/confirm",
                json!({"expected_version": 7}),
                409,
                "stale_version",
                None,
            ),
        ];
        for (action, template, body, status, code, field) in cases {
            let answer = server
                .post(&path(action), Some(&desk.bob), body.clone())
                .await;
            assert_eq!(
                (answer.status, answer.error().as_str()),
                (status, code),
                "{action} {body}: {}",
                answer.text
            );
            assert_eq!(answer.json()["field"].as_str(), field, "{action} {body}");
            assert!(!answer.json()["message"].as_str().unwrap().is_empty());
            assert_documented(&doc, "post", template, &answer);
        }
        let stale = server
            .post(
                &path("confirm"),
                Some(&desk.bob),
                json!({"expected_version": 7}),
            )
            .await;
        assert_eq!(stale.json()["current_version"], 0);

        // Bodies that are not JSON, not declared JSON, or too large
        let template = "/api/claims/{claim_id}/confirm";
        let raw = [
            (
                Some("application/json"),
                "{\"expected_version\": ".to_owned(),
                400,
                "invalid_json",
            ),
            (
                None,
                "{\"expected_version\": 0}".to_owned(),
                415,
                "unsupported_media_type",
            ),
            (
                Some("text/plain"),
                "{\"expected_version\": 0}".to_owned(),
                415,
                "unsupported_media_type",
            ),
            (
                Some("application/json"),
                format!(
                    "{{\"expected_version\": 0, \"reason\": \"{}\"}}",
                    "x".repeat(70_000)
                ),
                413,
                "body_too_large",
            ),
        ];
        for (content_type, body, status, code) in raw {
            let answer = server
                .post_raw(&path("confirm"), Some(&desk.bob), content_type, body)
                .await;
            assert_eq!(
                (answer.status, answer.error().as_str()),
                (status, code),
                "{content_type:?}: {}",
                answer.text
            );
            assert_documented(&doc, "post", template, &answer);
        }

        // Ids and query parameters
        let gets = [
            (
                "/api/claims/a%20b",
                "/api/claims/{claim_id}",
                400,
                "invalid_path",
            ),
            (
                "/api/claims/%FF%FE",
                "/api/claims/{claim_id}",
                400,
                "invalid_path",
            ),
            (
                "/api/claims/%3Cscript%3E",
                "/api/claims/{claim_id}",
                400,
                "invalid_path",
            ),
            (
                "/api/claims?verdict=bogus",
                "/api/claims",
                400,
                "invalid_query",
            ),
            ("/api/claims?kind=", "/api/claims", 400, "invalid_query"),
            ("/api/claims?limit=x", "/api/claims", 400, "invalid_query"),
            (
                "/api/claims?colour=red",
                "/api/claims",
                400,
                "invalid_query",
            ),
            ("/api/claims?limit=0", "/api/claims", 422, "invalid_field"),
            ("/api/claims?limit=201", "/api/claims", 422, "invalid_field"),
            (
                "/api/claims?assignee=a%20b",
                "/api/claims",
                422,
                "invalid_field",
            ),
            (
                "/api/claims?assignee=alice&unassigned=true",
                "/api/claims",
                422,
                "invalid_field",
            ),
            ("/api/claims?article=", "/api/claims", 422, "invalid_field"),
        ];
        for (url, template, status, code) in gets {
            let answer = server.get(url, Some(&desk.bob)).await;
            assert_eq!(
                (answer.status, answer.error().as_str()),
                (status, code),
                "{url}: {}",
                answer.text
            );
            assert_documented(&doc, "get", template, &answer);
        }
        let unknown = server
            .post(
                "/api/claims/no-such-claim/confirm",
                Some(&desk.bob),
                json!({"expected_version": 0}),
            )
            .await;
        assert_eq!(
            (unknown.status, unknown.error().as_str()),
            (404, "not_found")
        );

        // Then nothing was appended
        assert_eq!(server.head().await, head);
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_article_with_script_and_html_when_its_claim_is_served_then_the_json_escapes_it_and_the_page_allows_no_inline_script(
) {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        let body = "<h1>Results</h1>\n\n<p>Labour won by <script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> 18,000 votes & more.</p>";
        let checked = Checked {
            article: "<b>xss</b>.html",
            body,
            quote: "<p>Labour won by <script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> 18,000 votes & more.</p>",
            ..holborn_majority()
        };
        let claim = checked.store(store.as_ref()).await;
        let server = Server::start(store).await;

        // When the claim and the queue are read
        let answer = server.get(&format!("/api/claims/{claim}"), Some(&desk.audrey)).await;
        let queue = server.get("/api/claims", Some(&desk.audrey)).await;

        // Then the bytes hold no markup characters at all, and the values are the article's text
        for raw in [&answer, &queue] {
            assert_eq!(raw.status, 200);
            assert!(raw.header("content-type").starts_with("application/json"));
            assert_eq!(raw.header("x-content-type-options"), "nosniff");
            for c in ['<', '>', '&'] {
                assert!(!raw.text.contains(c), "{c} unescaped in {}", raw.text);
            }
        }
        assert!(answer.text.contains("\\u003cscript\\u003e"));
        let view = answer.json();
        assert_eq!(view["context"]["quote"], checked.quote);
        assert_eq!(view["article"], "<b>xss</b>.html");
        assert_eq!(queue.json()["items"][0]["quote"], checked.quote);

        // And the page permits only its own script file
        let page = server.get("/", None).await;
        assert_eq!(page.status, 200);
        assert!(page.header("content-type").starts_with("text/html"));
        let csp = page.header("content-security-policy");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_the_openapi_document_then_it_describes_every_route_served_and_nothing_else() {
    postgres(|store| async move {
        let claim = holborn_majority().store(store.as_ref()).await;
        let server = Server::start(store).await;
        let doc = openapi(&server).await;
        assert_eq!(doc["openapi"], "3.1.0");

        // Every documented operation is served: public ones answer, the others ask for a token
        let mut operations = 0;
        for (template, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                operations += 1;
                assert!(operation["operationId"].is_string());
                assert!(operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()));
                for param in operation["parameters"].as_array().into_iter().flatten() {
                    if param["in"] == "path" {
                        assert!(
                            template.contains(&format!("{{{}}}", param["name"].as_str().unwrap()))
                        );
                    }
                }
                let path = template
                    .replace("{claim_id}", &claim)
                    .replace("{name}", "alice");
                let answer = server.request(method, &path, None).await;
                let public = operation["security"]
                    .as_array()
                    .is_some_and(|s| s.is_empty());
                let expected = if public { 200 } else { 401 };
                assert_eq!(
                    answer.status, expected,
                    "{method} {template}: {}",
                    answer.text
                );
                let content_type = answer
                    .header("content-type")
                    .split(';')
                    .next()
                    .unwrap()
                    .to_owned();
                let documented = &operation["responses"][expected.to_string()]["content"];
                assert!(
                    documented.get(&content_type).is_some(),
                    "{method} {template} answers {content_type}"
                );
                if content_type == "application/json" && template != "/openapi.json" {
                    assert_documented(&doc, method, template, &answer);
                }
            }
        }
        assert_eq!(operations, 18);

        // Every component schema is a valid JSON Schema
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            let root = json!({"components": doc["components"], "allOf": [schema]});
            assert!(jsonschema::validator_for(&root).is_ok(), "schema {name}");
        }

        // And the schemas hold answers to their shape: a page that is not one fails
        let not_a_page = Answer {
            status: 200,
            headers: Default::default(),
            text: r#"{"items": 1}"#.to_owned(),
        };
        let check =
            std::panic::catch_unwind(|| assert_documented(&doc, "get", "/api/claims", &not_a_page));
        assert!(check.is_err(), "the schema check accepts anything");

        // And what is not documented is not served
        let unknown = server.get("/api/nothing", None).await;
        assert_eq!(
            (unknown.status, unknown.error().as_str()),
            (404, "not_found")
        );
        let wrong_method = server.request("put", "/api/claims", None).await;
        assert_eq!(
            (wrong_method.status, wrong_method.error().as_str()),
            (405, "method_not_allowed")
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_admin_when_issuing_and_revoking_through_the_api_then_the_token_works_at_once_and_stops_at_revocation(
) {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        let server = Server::start(store.clone()).await;
        let doc = openapi(&server).await;

        let issued = server
            .post(
                "/api/tokens",
                Some(&desk.root),
                json!({"name": "dave", "role": "editor"}),
            )
            .await;
        assert_eq!(issued.status, 201, "{}", issued.text);
        assert_documented(&doc, "post", "/api/tokens", &issued);
        let dave = issued.json()["token"].as_str().unwrap().to_owned();

        let me = server.get("/api/me", Some(&dave)).await;
        assert_eq!(me.status, 200);
        assert_documented(&doc, "get", "/api/me", &me);
        assert_eq!(me.json(), json!({"name": "dave", "role": "editor"}));

        let listed = server.get("/api/tokens", Some(&desk.root)).await;
        assert_documented(&doc, "get", "/api/tokens", &listed);
        assert!(
            !listed.text.contains(&dave),
            "the listing never shows a token"
        );
        let tokens = listed.json()["tokens"].clone();
        assert!(tokens
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "dave" && t["role"] == "editor"));

        let bad = server
            .post(
                "/api/tokens",
                Some(&desk.root),
                json!({"name": "da ve", "role": "editor"}),
            )
            .await;
        assert_eq!(
            (
                bad.status,
                bad.error().as_str(),
                bad.json()["field"].as_str()
            ),
            (422, "invalid_field", Some("name"))
        );
        let bad_role = server
            .post(
                "/api/tokens",
                Some(&desk.root),
                json!({"name": "dave", "role": "owner"}),
            )
            .await;
        assert_eq!(
            (bad_role.status, bad_role.error().as_str()),
            (422, "invalid_body")
        );

        let revoked = server
            .request("delete", "/api/tokens/dave", Some(&desk.root))
            .await;
        assert_eq!(revoked.status, 200, "{}", revoked.text);
        assert_documented(&doc, "delete", "/api/tokens/{name}", &revoked);
        assert_eq!(revoked.json()["revoked"], 1);
        assert_eq!(server.get("/api/me", Some(&dave)).await.status, 401);
        let again = server
            .request("delete", "/api/tokens/dave", Some(&desk.root))
            .await;
        assert_eq!((again.status, again.error().as_str()), (404, "not_found"));
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_tokens_issue_on_the_command_line_then_the_token_is_printed_alone_and_only_its_hash_is_stored(
) {
    postgres(|store| async move {
        let issue = TokensCommand::Issue(IssueTokenArgs {
            name: PersonName::parse("frank").unwrap(),
            role: AccessRole::Approver,
            by: PersonName::parse("ops").unwrap(),
        });
        let (mut out, mut note) = (Vec::new(), Vec::new());
        run_tokens(&issue, store.as_ref(), &mut out, &mut note)
            .await
            .unwrap();

        let out = String::from_utf8(out).unwrap();
        let token = out.trim_end();
        assert_eq!(out.lines().count(), 1);
        assert!(token.starts_with("nrt_"));
        assert!(String::from_utf8(note).unwrap().contains("shown this once"));
        let stored = store.read_stream(&access_stream("frank")).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].event_type, "access.token_issued");
        assert_eq!(
            stored[0].payload["token_hash"],
            newsroom_review::TokenHash::of(token).as_str()
        );
        assert_eq!(stored[0].payload["by"], "ops");
        assert!(!stored[0].payload.to_string().contains(token));

        let server = Server::start(store.clone()).await;
        assert_eq!(
            server.get("/api/me", Some(token)).await.json()["role"],
            "approver"
        );

        let (mut listing, mut note) = (Vec::new(), Vec::new());
        run_tokens(
            &TokensCommand::List,
            store.as_ref(),
            &mut listing,
            &mut note,
        )
        .await
        .unwrap();
        let listing = String::from_utf8(listing).unwrap();
        assert!(listing.starts_with("frank\tapprover\t"), "{listing}");
        assert!(!listing.contains(token));

        let revoke = TokensCommand::Revoke(RevokeTokenArgs {
            name: PersonName::parse("frank").unwrap(),
            by: PersonName::parse("ops").unwrap(),
        });
        let (mut out, mut note) = (Vec::new(), Vec::new());
        run_tokens(&revoke, store.as_ref(), &mut out, &mut note)
            .await
            .unwrap();
        assert!(String::from_utf8(note).unwrap().contains("Revoked 1"));
        assert_eq!(server.get("/api/me", Some(token)).await.status, 401);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn given_an_address_in_use_when_served_then_the_bind_error_names_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = taken.local_addr().unwrap();
    let store = newsroom_store::connect("sqlite::memory:").await.unwrap();
    let outcome = newsroom_review::serve(
        newsroom_review::ReviewConfig {
            listen,
            ..Default::default()
        },
        store,
        tokio_util::sync::CancellationToken::new(),
    )
    .await;
    let error = outcome.unwrap_err();
    assert!(matches!(error, newsroom_review::ReviewError::Bind { .. }));
    assert!(error.to_string().contains(&listen.to_string()));
}

/// The service's signing key (made by its first export), as `newsroom audit pubkey` prints it.
fn service_public_key(server: &Server) -> String {
    let key = newsroom_audit::keys::load(&server.data_dir.path().join("signing.key")).unwrap();
    newsroom_audit::manifest::public_key_hex(&key.verifying_key())
}

/// Writes an answer to a file of the server's data directory and verifies it as an export.
fn verify_answer(server: &Server, file: &str, answer: &Answer) -> newsroom_audit::Finding {
    let path = server.data_dir.path().join(file);
    std::fs::write(&path, &answer.text).unwrap();
    newsroom_audit::verify(&path, Some(&service_public_key(server))).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_auditor_when_taking_the_audit_export_then_it_is_the_whole_log_signed_and_verifies_intact_in_both_formats(
) {
    postgres(|store| async move {
        // Given a checked claim an editor assigned, another article, and the desk's tokens
        let desk = Desk::issue(store.as_ref()).await;
        let claim = holborn_majority().store(store.as_ref()).await;
        pending_votes().store(store.as_ref()).await;
        let server = Server::start(store.clone()).await;
        let doc = openapi(&server).await;
        let assigned = server
            .post(
                &format!("/api/claims/{claim}/assign"),
                Some(&desk.alice),
                json!({"expected_version": 0}),
            )
            .await;
        assert_eq!(assigned.status, 200, "{}", assigned.text);
        let head = server.head().await;

        for (format, content_type) in [("jsonl", "application/x-ndjson"), ("csv", "text/csv")] {
            // When the auditor takes the export
            let answer = server
                .get(
                    &format!("/api/audit/export?format={format}"),
                    Some(&desk.audrey),
                )
                .await;

            // Then it is the documented download
            assert_eq!(answer.status, 200, "{}", answer.text);
            assert!(
                answer.header("content-type").starts_with(content_type),
                "{}",
                answer.header("content-type")
            );
            assert!(answer
                .header("content-disposition")
                .starts_with("attachment"));
            let documented = &doc["paths"]["/api/audit/export"]["get"]["responses"]["200"];
            assert!(
                documented["content"][content_type].is_object(),
                "{documented}"
            );

            // And it verifies intact: every event of the store, signed with the service's key
            let finding = verify_answer(&server, &format!("export.{format}"), &answer);
            let newsroom_audit::Finding::Intact(summary) = finding else {
                panic!("the {format} export is not intact: {finding}")
            };
            assert_eq!(summary.count, head.0, "{format}");
            assert_eq!(summary.through_position, head.0);
            assert_eq!(summary.first_position, Some(1));
            assert_eq!(summary.newsroom, "Newsroom");
        }

        // And one article's events verify too, fewer than the whole log
        let holborn = server
            .get("/api/audit/export?article=holborn.txt", Some(&desk.audrey))
            .await;
        assert_eq!(holborn.status, 200, "{}", holborn.text);
        let newsroom_audit::Finding::Intact(summary) =
            verify_answer(&server, "holborn.jsonl", &holborn)
        else {
            panic!("the article's export is not intact")
        };
        assert!(summary.count >= 3 && summary.count < head.0, "{summary:?}");
        assert!(holborn.text.contains(&claim));
        assert!(!holborn.text.contains("night.txt"));

        // And an admin may take it too; taking it appended nothing
        let admin = server.get("/api/audit/export", Some(&desk.root)).await;
        assert_eq!(admin.status, 200, "{}", admin.text);
        assert_eq!(server.head().await, head);
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_anyone_but_an_auditor_or_admin_when_asking_for_the_audit_exports_then_401_or_403_and_bad_parameters_a_clear_4xx(
) {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        holborn_majority().store(store.as_ref()).await;
        let server = Server::start(store.clone()).await;
        let doc = openapi(&server).await;

        for path in ["/api/audit/export", "/api/audit/claimreview"] {
            // Without a token: 401
            let anonymous = server.get(path, None).await;
            assert_eq!(
                (anonymous.status, anonymous.error().as_str()),
                (401, "unauthenticated"),
                "{path}"
            );
            assert_documented(&doc, "get", path, &anonymous);
            // An editor or approver: 403
            for token in [&desk.alice, &desk.bob] {
                let refused = server.get(path, Some(token)).await;
                assert_eq!(
                    (refused.status, refused.error().as_str()),
                    (403, "forbidden"),
                    "{path}: {}",
                    refused.text
                );
                assert!(refused.json()["message"]
                    .as_str()
                    .unwrap()
                    .contains("auditor or admin"));
                assert_documented(&doc, "get", path, &refused);
            }
        }
        // No key was made for anyone refused
        assert!(!server.data_dir.path().join("signing.key").exists());

        // Parameters out of shape
        for (query, status, code, field) in [
            ("since=yesterday", 422, "invalid_field", Some("since")),
            (
                "since=2015-05-09&until=2015-05-08",
                422,
                "invalid_field",
                Some("until"),
            ),
            ("format=xml", 400, "invalid_query", None),
            ("colour=red", 400, "invalid_query", None),
        ] {
            let answer = server
                .get(&format!("/api/audit/export?{query}"), Some(&desk.audrey))
                .await;
            assert_eq!(
                (answer.status, answer.error().as_str()),
                (status, code),
                "{query}: {}",
                answer.text
            );
            assert_eq!(answer.json()["field"].as_str(), field, "{query}");
            assert_documented(&doc, "get", "/api/audit/export", &answer);
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_checked_claims_when_an_auditor_asks_for_claimreview_then_the_checked_ones_come_as_json_ld(
) {
    postgres(|store| async move {
        // Given an inaccurate claim, and a pending one (not yet reviewable)
        let desk = Desk::issue(store.as_ref()).await;
        let claim = holborn_majority().store(store.as_ref()).await;
        pending_votes().store(store.as_ref()).await;
        let server = Server::start(store.clone()).await;
        let doc = openapi(&server).await;

        // When the auditor asks for the ClaimReviews
        let answer = server
            .get("/api/audit/claimreview", Some(&desk.audrey))
            .await;

        // Then the checked claim is one schema.org ClaimReview, documented as JSON-LD
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.header("content-type"), "application/ld+json");
        let documented = &doc["paths"]["/api/audit/claimreview"]["get"]["responses"]["200"];
        assert!(documented["content"]["application/ld+json"].is_object());
        let reviews = answer.json();
        let reviews = reviews.as_array().unwrap();
        assert_eq!(reviews.len(), 1, "{reviews:?}");
        let review = &reviews[0];
        assert_eq!(review["@context"], "https://schema.org");
        assert_eq!(review["@type"], "ClaimReview");
        assert_eq!(review["identifier"], claim.as_str());
        assert_eq!(review["claimReviewed"], holborn_majority().quote);
        assert_eq!(review["reviewRating"]["ratingValue"], 1);
        assert!(review["reviewRating"]["ratingExplanation"].is_string());
        assert_eq!(
            review["itemReviewed"]["appearance"]["identifier"],
            "holborn.txt"
        );
        assert_eq!(review["author"]["name"], "Newsroom");

        // And another article's are not there when one is asked for
        let other = server
            .get("/api/audit/claimreview?article=night.txt", Some(&desk.root))
            .await;
        assert_eq!(other.status, 200, "{}", other.text);
        assert_eq!(other.json(), json!([]));
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_log_many_times_the_streams_buffer_when_exported_then_every_event_arrives_and_verifies(
) {
    postgres(|store| async move {
        // Given 3,000 stored events (megabytes of export, far beyond the chunks in flight)
        let desk = Desk::issue(store.as_ref()).await;
        let body = "An article of the night, long enough to weigh. ".repeat(8);
        let stream = newsroom_events::article_stream("bulk.txt");
        for batch in 0..6 {
            let envelopes: Vec<_> = (0..500)
                .map(|i| {
                    let event = newsroom_events::Event::ArticleSubmitted(
                        newsroom_events::ArticleSubmitted {
                            article_id: "bulk.txt".to_owned(),
                            body: format!("{body} {batch}-{i}"),
                            published: None,
                        },
                    );
                    newsroom_events::Envelope::new(
                        &event,
                        newsroom_events::StreamVersion(1),
                        "test/cms",
                        newsroom_events::EventId::random(),
                    )
                })
                .collect();
            store
                .append(&stream, newsroom_store::ExpectedVersion::Any, envelopes)
                .await
                .unwrap();
        }
        let server = Server::start(store.clone()).await;
        let head = server.head().await;

        // When the auditor takes the export
        let answer = server.get("/api/audit/export", Some(&desk.audrey)).await;

        // Then all of it arrived, and it verifies
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert!(answer.text.len() > 1_000_000, "{} bytes", answer.text.len());
        let newsroom_audit::Finding::Intact(summary) =
            verify_answer(&server, "bulk.jsonl", &answer)
        else {
            panic!("the export is not intact")
        };
        assert_eq!(summary.count, head.0);
        server.stop().await;
    })
    .await;
}
