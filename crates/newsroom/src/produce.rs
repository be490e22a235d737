//! The producer side: the events the command line publishes (articles, official results)
//! with ids derived from their content, and where they go: the NATS inbox for the ingest
//! service, or straight into the event store when running embedded.

use std::sync::Arc;

use anyhow::Context as _;
use chrono::NaiveDate;
use newsroom_bus::Bus;
use newsroom_events::{
    subjects, ArticleSubmitted, Envelope, Event, EventId, StreamVersion, TallyDeclared,
};
use newsroom_store::{AppendOutcome, EventStore, ExpectedVersion};
use newsroom_tally::ConstituencyResult;

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

/// An official result as a `tally.declared`, its id derived from the result's JSON (the
/// payload): importing the same results again is the same events, a corrected result a
/// new one.
pub fn tally_event(result: ConstituencyResult) -> Envelope {
    let event = Event::TallyDeclared(TallyDeclared { result });
    let id = EventId::from_content(
        TallyDeclared::TYPE,
        event.to_payload().to_string().as_bytes(),
    );
    Envelope::new(&event, StreamVersion(1), SOURCE, id)
}

/// What became of one published event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    New,
    /// The same event id was published (stored) before; nothing new.
    Duplicate,
}

/// Where produced events go.
#[derive(Clone)]
pub enum Destination {
    /// `<ns>.inbox.<type>` on JetStream, for the ingest service to store.
    Inbox(Box<Bus>),
    /// The event store itself (embedded mode).
    Store(Arc<dyn EventStore>),
}

impl Destination {
    /// The inbox with `--nats`, the store without.
    pub async fn connect(settings: &Settings, client_name: &str) -> anyhow::Result<Destination> {
        match &settings.nats {
            Some(nats) => {
                let bus = newsroom_services::connect_bus(nats, client_name)
                    .await
                    .with_context(|| format!("cannot reach NATS at {}", nats.url))?;
                Ok(Destination::Inbox(Box::new(bus)))
            }
            None => Ok(Destination::Store(open_store(settings).await?)),
        }
    }

    /// Publishes one event and waits until it is stored (JetStream acknowledged it, or the
    /// store committed it).
    pub async fn publish(&self, envelope: &Envelope) -> anyhow::Result<Delivered> {
        match self {
            Destination::Inbox(bus) => {
                let published = bus.submit(envelope).await?;
                Ok(if published.duplicate {
                    Delivered::Duplicate
                } else {
                    Delivered::New
                })
            }
            Destination::Store(store) => {
                let outcome = store
                    .append(
                        &envelope.stream_id,
                        ExpectedVersion::Any,
                        vec![envelope.clone()],
                    )
                    .await?;
                Ok(match outcome {
                    AppendOutcome::Appended { .. } => Delivered::New,
                    AppendOutcome::AlreadyStored => Delivered::Duplicate,
                })
            }
        }
    }

    /// Where events of `event_type` go, in words.
    pub fn describe(&self, settings: &Settings, event_type: &str) -> String {
        match self {
            Destination::Inbox(bus) => {
                format!(
                    "NATS {}",
                    subjects::inbox(bus.namespace().as_str(), event_type)
                )
            }
            Destination::Store(_) => format!("the event store ({})", settings.store_description()),
        }
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
