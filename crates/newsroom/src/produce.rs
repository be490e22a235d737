//! The producer side of the command line: articles as events with ids derived from their
//! content, and connecting the services' [`Producer`] (the NATS inbox for the ingest
//! service, or straight into the event store when running embedded).

use std::sync::Arc;

use anyhow::Context as _;
use chrono::NaiveDate;
use newsroom_events::{subjects, ArticleSubmitted, Envelope, Event, EventId, StreamVersion};
use newsroom_services::Producer;
use newsroom_store::EventStore;

use crate::settings::Settings;

/// The CloudEvents `source` of what the command line publishes.
pub const SOURCE: &str = "newsroom/cli";

/// An article as an `article.submitted`, its id derived from its content (id, body and
/// publication date): submitting the same file twice is one event.
pub fn article_event(article_id: &str, body: &str, published: Option<NaiveDate>) -> Envelope {
    let event = Event::ArticleSubmitted(ArticleSubmitted {
        article_id: article_id.to_owned(),
        body: body.to_owned(),
        published,
    });
    let id = EventId::from_content(
        ArticleSubmitted::TYPE,
        event.to_payload().to_string().as_bytes(),
    );
    Envelope::new(&event, StreamVersion(1), SOURCE, id)
}

/// Where produced events go: the NATS inbox (for the ingest service to store) with
/// `--nats`, the event store itself without.
pub async fn connect_producer(settings: &Settings, client_name: &str) -> anyhow::Result<Producer> {
    match &settings.nats {
        // The error names the URL.
        Some(nats) => Ok(Producer::Inbox(
            newsroom_services::connect_bus(nats, client_name).await?,
        )),
        None => Ok(Producer::Store(open_store(settings).await?)),
    }
}

/// Where a producer puts events of `event_type`, in words.
pub fn describe(producer: &Producer, settings: &Settings, event_type: &str) -> String {
    match producer {
        Producer::Inbox(bus) => {
            format!(
                "NATS {}",
                subjects::inbox(bus.namespace().as_str(), event_type)
            )
        }
        Producer::Store(_) => format!("the event store ({})", settings.store_description()),
    }
}

/// Opens the event store of `settings`.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn EventStore>> {
    open_store_at(&settings.database_url).await
}

/// Opens the event store at `url`, naming it (without credentials) if that fails.
pub async fn open_store_at(url: &str) -> anyhow::Result<Arc<dyn EventStore>> {
    newsroom_store::connect(url).await.with_context(|| {
        format!(
            "cannot open the event store ({})",
            crate::settings::describe_store(url)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_the_same_article_twice_when_made_into_events_then_they_have_one_id() {
        let published = NaiveDate::from_ymd_opt(2015, 5, 8);
        let first = article_event("a.txt", "Body.", published);
        let again = article_event("a.txt", "Body.", published);
        assert_eq!(first.event_id, again.event_id);
        assert_eq!(first.stream_id.as_str(), "article-a.txt");
        assert_eq!(first.event_type, "article.submitted");
        assert_eq!(first.source, SOURCE);
    }

    #[test]
    fn given_another_body_or_date_when_made_into_an_event_then_its_id_differs() {
        let published = NaiveDate::from_ymd_opt(2015, 5, 8);
        let first = article_event("a.txt", "Body.", published);
        assert_ne!(
            first.event_id,
            article_event("a.txt", "Body!", published).event_id
        );
        assert_ne!(
            first.event_id,
            article_event("a.txt", "Body.", None).event_id
        );
    }

    #[test]
    fn given_an_article_event_when_decoded_then_the_body_is_exactly_the_text() {
        let body = "Line one.\r\n  Line two — with ünïcode.\n";
        let event = article_event("a.txt", body, None).decode().unwrap();
        let Event::ArticleSubmitted(article) = event else {
            panic!("another event type")
        };
        assert_eq!(article.body, body);
    }
}
