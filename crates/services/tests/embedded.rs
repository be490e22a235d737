//! The embedded pipeline end to end on SQLite: the store is the bus (store feeds after
//! named checkpoints), the extractor and checker run until idle or until shut down.

mod support;

use std::sync::Arc;
use std::time::Duration;

use newsroom_events::{ArticleSubmitted, ClaimChecked, ClaimsExtracted, Event, GlobalPosition};
use newsroom_services::{
    results, run_all, run_until_idle, CancellationToken, Feed, ServeConfig, StoreFeed,
    CHECKER_CHECKPOINT,
};
use newsroom_store::{EventStore, ExpectedVersion};
use support::*;

async fn submit(store: &dyn EventStore, envelope: newsroom_events::Envelope) {
    store
        .append(
            &envelope.stream_id.clone(),
            ExpectedVersion::Any,
            vec![envelope],
        )
        .await
        .unwrap();
}

async fn claims_of(store: &dyn EventStore) -> usize {
    stored_of_type(store, ClaimsExtracted::TYPE)
        .await
        .iter()
        .map(|e| match e.decode().unwrap() {
            Event::ClaimsExtracted(x) => x.claims.len(),
            _ => unreachable!("filtered by type"),
        })
        .sum()
}

#[tokio::test]
async fn given_results_and_an_article_when_the_pipeline_runs_until_idle_then_every_claim_is_checked_once(
) {
    with_sqlite(|store, _| async move {
        // Given an official result and an article in the store
        submit(store.as_ref(), tally_envelope(holborn_2015())).await;
        submit(store.as_ref(), article_envelope("holborn", ARTICLE_BODY)).await;

        // When the extractor and checker run until idle
        let report = run_until_idle(store.clone()).await.unwrap();

        // Then the article was extracted once and every claim checked once (the checker
        // handled the declaration and the extraction)
        assert_eq!(report.extractor.processed, 1);
        assert_eq!(report.checker.processed, 2);
        assert!(report.skipped.is_empty());
        let extracted = stored_of_type(store.as_ref(), ClaimsExtracted::TYPE).await;
        assert_eq!(extracted.len(), 1);
        assert_eq!(extracted[0].stream_id.as_str(), "article-holborn");
        assert_eq!(extracted[0].stream_version.0, 2);
        let claims = claims_of(store.as_ref()).await;
        assert!(claims > 0, "the article states checkable claims");
        let checked = stored_of_type(store.as_ref(), ClaimChecked::TYPE).await;
        assert_eq!(checked.len(), claims);
        assert_eq!(report.checker.appended, claims as u64);
        assert!(checked
            .iter()
            .all(|c| c.causation_id == Some(extracted[0].event_id)));

        // And the results read model shows one report per claim
        let reports = results(store.as_ref(), Some("holborn")).await.unwrap();
        assert_eq!(reports.len(), claims);
        assert!(reports.windows(2).all(|w| w[0].span <= w[1].span));
        assert!(results(store.as_ref(), Some("other"))
            .await
            .unwrap()
            .is_empty());

        // When it runs again, then nothing new is appended
        let head = store.head().await.unwrap();
        let again = run_until_idle(store.clone()).await.unwrap();
        assert_eq!(again.extractor.processed + again.checker.processed, 0);
        assert_eq!(store.head().await.unwrap(), head);
    })
    .await;
}

#[tokio::test]
async fn given_the_checkpoints_are_lost_when_the_pipeline_runs_again_then_it_appends_nothing_new() {
    with_sqlite(|store, _| async move {
        submit(store.as_ref(), tally_envelope(holborn_2015())).await;
        submit(store.as_ref(), article_envelope("holborn", ARTICLE_BODY)).await;
        run_until_idle(store.clone()).await.unwrap();
        let head = store.head().await.unwrap();

        // When both services start over from the beginning (as after a crash before any
        // checkpoint was saved)
        store
            .save_checkpoint("extractor", GlobalPosition(0))
            .await
            .unwrap();
        for checkpoint in ["checker", CHECKER_CHECKPOINT] {
            store
                .save_checkpoint(checkpoint, GlobalPosition(0))
                .await
                .unwrap();
        }
        let again = run_until_idle(store.clone()).await.unwrap();

        // Then they handle everything again, and every append is an idempotent repeat
        assert_eq!(again.extractor.processed, 1);
        assert_eq!(again.checker.processed, 2);
        assert_eq!(again.extractor.appended + again.checker.appended, 0);
        assert_eq!(store.head().await.unwrap(), head);
    })
    .await;
}

#[tokio::test]
async fn given_an_event_this_build_cannot_read_when_the_pipeline_runs_then_it_is_recorded_skipped_and_the_rest_handled(
) {
    with_sqlite(|store, _| async move {
        // Given an article with a schema version from the future, then a readable one
        let mut future = article_envelope("from-the-future", ARTICLE_BODY);
        future.schema_version = 7;
        submit(store.as_ref(), future.clone()).await;
        submit(store.as_ref(), tally_envelope(holborn_2015())).await;
        submit(store.as_ref(), article_envelope("holborn", ARTICLE_BODY)).await;

        // When the pipeline runs
        let report = run_until_idle(store.clone()).await.unwrap();

        // Then the unreadable one is recorded with the reason and skipped for good
        assert_eq!(report.skipped.len(), 1);
        let skipped = &report.skipped[0];
        assert_eq!(skipped.event_id, future.event_id);
        assert_eq!(skipped.checkpoint, "extractor");
        assert!(
            skipped.reason.contains("schema version 7"),
            "{}",
            skipped.reason
        );
        // And the readable one was handled
        assert_eq!(report.extractor.processed, 1);
        assert_eq!(
            stored_of_type(store.as_ref(), ClaimsExtracted::TYPE)
                .await
                .len(),
            1
        );
        let again = run_until_idle(store.clone()).await.unwrap();
        assert!(again.skipped.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_store_feed_resumes_after_its_checkpoint_and_hands_out_an_unsettled_event_again() {
    with_sqlite(|store, _| async move {
        // Given two articles and a tally between them
        submit(store.as_ref(), article_envelope("one", "First.")).await;
        submit(store.as_ref(), tally_envelope(holborn_2015())).await;
        submit(store.as_ref(), article_envelope("two", "Second.")).await;
        let types = [ArticleSubmitted::TYPE];

        // When the first article is acked, and the second handed out but not settled
        let mut feed = StoreFeed::open(store.clone(), "probe", &types)
            .await
            .unwrap()
            .with_idle_wait(Duration::ZERO);
        let first = feed.next().await.unwrap().expect("first article");
        assert_eq!(
            first.envelope.as_ref().unwrap().stream_id.as_str(),
            "article-one"
        );
        feed.ack(first).await.unwrap();
        let second = feed.next().await.unwrap().expect("second article");
        assert_eq!(
            second.envelope.as_ref().unwrap().stream_id.as_str(),
            "article-two"
        );
        drop(second);

        // Then the same feed hands the unsettled one out again
        let again = feed.next().await.unwrap().expect("second article again");
        assert_eq!(
            again.envelope.as_ref().unwrap().stream_id.as_str(),
            "article-two"
        );
        drop(again);
        // And a feed reopened on the checkpoint starts after the acked article
        assert_eq!(
            store.load_checkpoint("probe").await.unwrap(),
            GlobalPosition(1)
        );
        let mut reopened = StoreFeed::open(store.clone(), "probe", &types)
            .await
            .unwrap()
            .with_idle_wait(Duration::ZERO);
        let next = reopened
            .next()
            .await
            .unwrap()
            .expect("second article after reopening");
        assert_eq!(
            next.envelope.as_ref().unwrap().stream_id.as_str(),
            "article-two"
        );
        reopened.ack(next).await.unwrap();
        // And when nothing is left, it says so, with the checkpoint at the head
        assert!(reopened.next().await.unwrap().is_none());
        assert_eq!(
            store.load_checkpoint("probe").await.unwrap(),
            GlobalPosition(3)
        );
    })
    .await;
}

#[tokio::test]
async fn an_idle_store_feed_wakes_when_an_event_is_appended() {
    with_sqlite(|store, _| async move {
        let mut feed = StoreFeed::open(store.clone(), "waiter", &[ArticleSubmitted::TYPE])
            .await
            .unwrap()
            .with_idle_wait(Duration::from_secs(10));
        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                submit(store.as_ref(), article_envelope("late", "Late.")).await;
            })
        };
        let started = std::time::Instant::now();
        let message = feed.next().await.unwrap().expect("the late article");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "woken by the append, not the timeout"
        );
        assert_eq!(message.envelope.unwrap().stream_id.as_str(), "article-late");
        writer.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn serving_in_embedded_mode_checks_articles_as_they_arrive_and_stops_on_shutdown() {
    with_sqlite(|store, url| async move {
        // Given the embedded services serving the store
        let shutdown = CancellationToken::new();
        let serving = tokio::spawn(run_all(
            ServeConfig::embedded(url.clone()),
            shutdown.clone(),
        ));

        // When results and an article arrive (written by another store connection, like a
        // producer process would)
        let producer: Arc<dyn EventStore> = newsroom_store::connect(&url).await.unwrap();
        submit(producer.as_ref(), tally_envelope(holborn_2015())).await;
        submit(producer.as_ref(), article_envelope("live", ARTICLE_BODY)).await;

        // Then the claims get checked
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let claims = claims_of(store.as_ref()).await;
            let reports = results(store.as_ref(), Some("live")).await.unwrap();
            if claims > 0 && reports.len() == claims {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "claims were not checked in time"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // And on shutdown the services stop cleanly
        shutdown.cancel();
        let stopped = tokio::time::timeout(Duration::from_secs(10), serving).await;
        stopped.expect("stopped in time").unwrap().unwrap();
    })
    .await;
}
