//! The NATS JetStream transport of the newsroom backend. It owns the three streams of a
//! namespace (`<NS>_INBOX` on `<ns>.inbox.>`, `<NS>_EVENTS` on `<ns>.events.>`,
//! `<NS>_DEADLETTER` on `<ns>.deadletter.>`), publishing with the event id as `Nats-Msg-Id`
//! so that the server drops duplicates inside the stream's duplicate window, dead letters
//! for messages a service cannot use, and durable pull consumers with explicit
//! acknowledgement. It does not decide anything about events: the services do, and they
//! acknowledge a delivery only once its effect is committed to the event store.
//!
//! Written against nats-server 2.9 and later: it uses only stream and consumer settings that
//! 2.9 knows (async-nats is built without its `server_2_10`+ features).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_nats::jetstream::context::{CreateStreamErrorKind, PublishAckFuture};
use async_nats::jetstream::message::PublishMessage as Publish;
use async_nats::jetstream::{self, consumer::pull, stream, AckKind, ErrorCode};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::Stream;
use newsroom_events::{subjects, Envelope, EventId};
use serde::{Deserialize, Serialize};

/// How long the server remembers a `Nats-Msg-Id` to drop a republished duplicate, unless
/// [`BusOptions::duplicate_window`] says otherwise. Long enough to cover a relay that
/// crashed after publishing and before saving its checkpoint, then restarted.
pub const DEFAULT_DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// At most this many bytes of an undecodable message are copied into its dead letter.
pub const DEAD_LETTER_ORIGINAL_LIMIT: usize = 64 * 1024;

/// The largest message (payload and headers) the inbox stream stores: NATS's default
/// `max_payload`. Producers get an error for anything bigger even on a server whose
/// `max_payload` was raised, so the ingest service never receives more than this.
pub const MAX_INBOX_MESSAGE_BYTES: usize = 1024 * 1024;

/// Messages a durable consumer may have delivered and not yet settled, unless
/// [`ConsumerSpec::max_ack_pending`] says otherwise. The services handle one message at a
/// time and pull [`ConsumerSpec::batch`] ahead, so this only fills up with deliveries
/// waiting for a delayed redelivery (a store outage); then the server stops handing out
/// more, which bounds the work in flight.
pub const DEFAULT_MAX_ACK_PENDING: i64 = 256;

/// The header of a dead letter that carries the reason (also in the JSON body).
pub const DEAD_LETTER_REASON_HEADER: &str = "Newsroom-Dead-Letter-Reason";

/// The header of the service that gave up on the message.
pub const DEAD_LETTER_SERVICE_HEADER: &str = "Newsroom-Dead-Letter-Service";

/// The header the server deduplicates by.
pub const MSG_ID_HEADER: &str = "Nats-Msg-Id";

/// Longest reason kept in the dead-letter header (the JSON body keeps all of it).
const REASON_HEADER_LIMIT: usize = 1024;

/// Everything that can go wrong talking to NATS.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("{what} {value:?} is not a NATS token (letters, digits, `-` and `_` only)")]
    InvalidToken { what: &'static str, value: String },
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: async_nats::ConnectError,
    },
    #[error("cannot create or look up stream {stream}: {source}")]
    Stream {
        stream: String,
        #[source]
        source: jetstream::context::CreateStreamError,
    },
    #[error("stream {stream} exists with subjects {actual:?}, this namespace needs {expected:?}")]
    StreamMismatch {
        stream: String,
        expected: Vec<String>,
        actual: Vec<String>,
    },
    #[error("cannot delete stream {stream}: {source}")]
    DeleteStream {
        stream: String,
        #[source]
        source: jetstream::context::DeleteStreamError,
    },
    #[error("the message for {subject} is larger than the NATS server accepts: {source}")]
    TooLarge {
        subject: String,
        #[source]
        source: jetstream::context::PublishError,
    },
    #[error("publish to {subject} was not acknowledged by JetStream: {source}")]
    Publish {
        subject: String,
        #[source]
        source: jetstream::context::PublishError,
    },
    #[error("subject {subject} is not under {namespace}.inbox, .events or .deadletter")]
    ForeignSubject { subject: String, namespace: String },
    #[error("max_deliver must be at least 1")]
    InvalidMaxDeliver,
    #[error("cannot create durable consumer {durable} on {stream}: {source}")]
    Consumer {
        durable: String,
        stream: String,
        #[source]
        source: jetstream::stream::ConsumerError,
    },
    #[error("cannot pull from consumer {durable}: {source}")]
    Pull {
        durable: String,
        #[source]
        source: jetstream::consumer::StreamError,
    },
    #[error("consumer {durable} delivery failed: {source}")]
    Messages {
        durable: String,
        #[source]
        source: jetstream::consumer::pull::MessagesError,
    },
    #[error("delivery from {subject} is not a JetStream message: {reason}")]
    NotJetStream { subject: String, reason: String },
    #[error("cannot {action} delivery {stream_sequence} from {subject}: {source}")]
    Ack {
        action: &'static str,
        subject: String,
        stream_sequence: u64,
        #[source]
        source: async_nats::Error,
    },
    #[error("cannot serialise dead letter: {0}")]
    DeadLetterJson(#[from] serde_json::Error),
    #[error("cannot flush the NATS connection: {0}")]
    Flush(#[from] async_nats::client::FlushError),
}

/// The namespace every subject and stream of one deployment lives under (`newsroom`; tests
/// use their own so they can share one server). One NATS token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Namespace(String);

impl Namespace {
    pub fn parse(s: &str) -> Result<Namespace, BusError> {
        check_token("namespace", s)?;
        Ok(Namespace(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The prefix of this namespace's stream names: uppercased, anything but ASCII letters
    /// and digits turned into `_` (`news-room` → `NEWS_ROOM`).
    pub fn stream_prefix(&self) -> String {
        self.0
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_token(what: &'static str, s: &str) -> Result<(), BusError> {
    let ok = !s.is_empty()
        && s.len() <= 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(BusError::InvalidToken {
            what,
            value: s.to_owned(),
        })
    }
}

/// The three streams of a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// `<ns>.inbox.>`: what producers submit (articles, official results).
    Inbox,
    /// `<ns>.events.>`: every event of the store, published by the relay.
    Events,
    /// `<ns>.deadletter.>`: messages a service could not use, with the reason.
    DeadLetter,
}

impl StreamKind {
    pub const ALL: [StreamKind; 3] = [
        StreamKind::Inbox,
        StreamKind::Events,
        StreamKind::DeadLetter,
    ];

    /// The subject token after the namespace.
    pub fn token(self) -> &'static str {
        match self {
            StreamKind::Inbox => "inbox",
            StreamKind::Events => "events",
            StreamKind::DeadLetter => "deadletter",
        }
    }

    /// The largest message the stream stores (`-1`: no limit but the server's). Only the
    /// inbox takes messages from outside; the events' and the dead letters' sizes are
    /// bounded by what the services store and cut.
    pub fn max_message_size(self) -> i32 {
        match self {
            StreamKind::Inbox => MAX_INBOX_MESSAGE_BYTES as i32,
            StreamKind::Events | StreamKind::DeadLetter => -1,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            StreamKind::Inbox => "INBOX",
            StreamKind::Events => "EVENTS",
            StreamKind::DeadLetter => "DEADLETTER",
        }
    }
}

/// How to connect and how to shape the streams.
#[derive(Debug, Clone)]
pub struct BusOptions {
    /// `nats://127.0.0.1:4222`, or several separated by commas. A user and password in it
    /// (`nats://relay:secret@host:4222`) are the connection's credentials.
    pub url: String,
    pub namespace: String,
    /// Stream replicas: 1 on a single server, 3 in a cluster.
    pub replicas: usize,
    /// How long the server remembers message ids for deduplication.
    pub duplicate_window: Duration,
    /// The connection's name as the server shows it (`newsroom/relay`).
    pub client_name: Option<String>,
}

impl BusOptions {
    pub fn new(url: impl Into<String>, namespace: impl Into<String>) -> BusOptions {
        BusOptions {
            url: url.into(),
            namespace: namespace.into(),
            replicas: 1,
            duplicate_window: DEFAULT_DUPLICATE_WINDOW,
            client_name: None,
        }
    }
}

/// The user and password of a NATS URL (`nats://relay:secret@host:4222`): each service
/// connects as its own user (see deploy/nats-accounts.conf).
#[derive(Clone, PartialEq, Eq)]
struct Credentials {
    user: String,
    password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// The servers of `url` (one URL or several separated by commas) without user information,
/// and the first user and password found in it. The client library takes neither a list in
/// one string nor credentials from a URL, and errors and logs name the servers without them.
fn split_credentials(url: &str) -> (Vec<String>, Option<Credentials>) {
    let mut credentials = None;
    let servers: Vec<String> = url
        .split(',')
        .map(|server| {
            let server = server.trim();
            let (scheme, rest) = match server.split_once("://") {
                Some((scheme, rest)) => (Some(scheme), rest),
                None => (None, server),
            };
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            let host = match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                    if credentials.is_none() && !user.is_empty() {
                        credentials = Some(Credentials {
                            user: user.to_owned(),
                            password: password.to_owned(),
                        });
                    }
                    host
                }
                None => authority,
            };
            match scheme {
                Some(scheme) => format!("{scheme}://{host}{path}"),
                None => format!("{host}{path}"),
            }
        })
        .collect();
    (servers, credentials)
}

/// What JetStream said about a publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub stream: String,
    pub sequence: u64,
    /// The server had this message id already within the duplicate window and dropped the
    /// message.
    pub duplicate: bool,
}

/// The JSON body of a dead letter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The service that gave up on the message (`ingest`, `extractor`).
    pub service: String,
    /// The subject the message arrived on.
    pub subject: String,
    pub reason: String,
    /// The message as lossy UTF-8, cut to [`DEAD_LETTER_ORIGINAL_LIMIT`] bytes.
    pub original: String,
    /// The original message's length in bytes (more than `original` holds if it was cut).
    pub original_len: usize,
    pub received_at: DateTime<Utc>,
}

/// A durable pull consumer's settings.
#[derive(Debug, Clone)]
pub struct ConsumerSpec {
    /// The durable name: the consumer's position survives restarts under it.
    pub durable: String,
    /// One subject or wildcard under `<ns>.inbox`, `<ns>.events` or `<ns>.deadletter`; it
    /// decides which stream the consumer reads.
    pub filter_subject: String,
    /// Deliveries of one message before the server stops redelivering it.
    pub max_deliver: u32,
    /// How long a delivered message may stay unacknowledged before it is redelivered.
    pub ack_wait: Duration,
    /// Messages asked for per pull request (and so buffered in the client at most).
    pub batch: usize,
    /// How long one pull request waits on the server for messages.
    pub expires: Duration,
    /// Deliveries outstanding (delivered, not yet acked or terminated) at most; the server
    /// delivers no more until some are settled. Bounds the work in flight.
    pub max_ack_pending: i64,
}

impl ConsumerSpec {
    pub fn new(
        durable: impl Into<String>,
        filter_subject: impl Into<String>,
        max_deliver: u32,
    ) -> Self {
        ConsumerSpec {
            durable: durable.into(),
            filter_subject: filter_subject.into(),
            max_deliver,
            ack_wait: Duration::from_secs(30),
            batch: 16,
            expires: Duration::from_secs(30),
            max_ack_pending: DEFAULT_MAX_ACK_PENDING,
        }
    }
}

/// A connection to NATS JetStream under one namespace. Cheap to clone.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    js: jetstream::Context,
    namespace: Namespace,
    replicas: usize,
    duplicate_window: Duration,
}

impl fmt::Debug for Bus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bus")
            .field("namespace", &self.namespace)
            .field("replicas", &self.replicas)
            .field("duplicate_window", &self.duplicate_window)
            .finish_non_exhaustive()
    }
}

impl Bus {
    /// Connects with one replica per stream and the default duplicate window.
    pub async fn connect(url: &str, namespace: &str) -> Result<Bus, BusError> {
        Bus::connect_with(BusOptions::new(url, namespace)).await
    }

    pub async fn connect_with(options: BusOptions) -> Result<Bus, BusError> {
        let namespace = Namespace::parse(&options.namespace)?;
        let mut connect = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(5))
            .event_callback(|event| async move {
                match event {
                    async_nats::Event::Connected => tracing::debug!("NATS connected"),
                    async_nats::Event::Disconnected => tracing::warn!("NATS disconnected"),
                    other => tracing::debug!(event = %other, "NATS connection event"),
                }
            });
        if let Some(name) = &options.client_name {
            connect = connect.name(name);
        }
        let (servers, credentials) = split_credentials(&options.url);
        if let Some(credentials) = credentials {
            connect = connect.user_and_password(credentials.user, credentials.password);
        }
        let client = connect
            .connect(servers.as_slice())
            .await
            .map_err(|source| BusError::Connect {
                url: servers.join(","),
                source,
            })?;
        let js = jetstream::new(client.clone());
        tracing::info!(url = %servers.join(","), namespace = %namespace, "connected to NATS");
        Ok(Bus {
            client,
            js,
            namespace,
            replicas: options.replicas.max(1),
            duplicate_window: options.duplicate_window,
        })
    }

    pub fn namespace(&self) -> &Namespace {
        &self.namespace
    }

    /// The underlying JetStream context, for inspection (stream and consumer info).
    pub fn jetstream(&self) -> &jetstream::Context {
        &self.js
    }

    /// `<NS>_INBOX`, `<NS>_EVENTS`, `<NS>_DEADLETTER`.
    pub fn stream_name(&self, kind: StreamKind) -> String {
        format!("{}_{}", self.namespace.stream_prefix(), kind.suffix())
    }

    /// The subjects a stream holds: `<ns>.<token>.>`.
    pub fn stream_subject(&self, kind: StreamKind) -> String {
        format!("{}.{}.>", self.namespace, kind.token())
    }

    fn stream_config(&self, kind: StreamKind) -> stream::Config {
        stream::Config {
            name: self.stream_name(kind),
            description: Some(format!(
                "newsroom {} of namespace {}",
                kind.token(),
                self.namespace
            )),
            subjects: vec![self.stream_subject(kind)],
            retention: stream::RetentionPolicy::Limits,
            discard: stream::DiscardPolicy::Old,
            storage: stream::StorageType::File,
            num_replicas: self.replicas,
            duplicate_window: self.duplicate_window,
            max_message_size: kind.max_message_size(),
            ..Default::default()
        }
    }

    /// Creates the namespace's three streams where they do not exist yet. Safe to call from
    /// every service at start, concurrently. An existing stream is left as it is, unless its
    /// subjects are not this namespace's (an error: it would swallow or miss messages).
    pub async fn ensure_streams(&self) -> Result<(), BusError> {
        for kind in StreamKind::ALL {
            let config = self.stream_config(kind);
            let name = config.name.clone();
            let info = match self.js.get_or_create_stream(config.clone()).await {
                Ok(stream) => Some(stream.cached_info().config.clone()),
                Err(err) => match err.kind() {
                    // Another service created it between our look-up and our create.
                    CreateStreamErrorKind::JetStream(e)
                        if e.kind() == ErrorCode::STREAM_NAME_EXIST =>
                    {
                        None
                    }
                    _ => {
                        return Err(BusError::Stream {
                            stream: name,
                            source: err,
                        })
                    }
                },
            };
            let actual = match info {
                Some(config) => config,
                None => self
                    .js
                    .get_stream(&name)
                    .await
                    .map_err(|e| BusError::Stream {
                        stream: name.clone(),
                        source: jetstream::context::CreateStreamError::with_source(
                            CreateStreamErrorKind::Response,
                            e,
                        ),
                    })?
                    .cached_info()
                    .config
                    .clone(),
            };
            if actual.subjects != config.subjects {
                return Err(BusError::StreamMismatch {
                    stream: name,
                    expected: config.subjects,
                    actual: actual.subjects,
                });
            }
            if actual.duplicate_window != config.duplicate_window
                || actual.num_replicas != config.num_replicas
            {
                tracing::warn!(
                    stream = %name,
                    duplicate_window = ?actual.duplicate_window,
                    replicas = actual.num_replicas,
                    "stream exists with other settings than configured; left as it is"
                );
            }
            tracing::debug!(stream = %name, "stream ready");
        }
        Ok(())
    }

    /// Deletes the namespace's streams and their consumers (tests, teardown). Streams that
    /// do not exist are skipped.
    pub async fn delete_streams(&self) -> Result<(), BusError> {
        for kind in StreamKind::ALL {
            let stream = self.stream_name(kind);
            if let Err(source) = self.js.delete_stream(&stream).await {
                let missing = matches!(
                    source.kind(),
                    jetstream::context::GetStreamErrorKind::JetStream(e)
                        if e.kind() == ErrorCode::STREAM_NOT_FOUND
                );
                if !missing {
                    return Err(BusError::DeleteStream { stream, source });
                }
            }
        }
        Ok(())
    }

    /// Publishes `payload` on `subject` with `Nats-Msg-Id: <msg_id>` and waits for the
    /// JetStream acknowledgement: when this returns `Ok`, the message is stored (or was a
    /// duplicate the server dropped, which [`Published::duplicate`] tells).
    pub async fn publish(
        &self,
        subject: &str,
        msg_id: EventId,
        payload: impl Into<Bytes>,
    ) -> Result<Published, BusError> {
        let message = Publish::build()
            .payload(payload.into())
            .message_id(msg_id.to_string());
        self.send(subject, message).await
    }

    async fn send(&self, subject: &str, message: Publish) -> Result<Published, BusError> {
        let err = |source: jetstream::context::PublishError| {
            let subject = subject.to_owned();
            if source.kind() == jetstream::context::PublishErrorKind::MaxPayloadExceeded {
                BusError::TooLarge { subject, source }
            } else {
                BusError::Publish { subject, source }
            }
        };
        let ack: PublishAckFuture = self
            .js
            .send_publish(subject.to_owned(), message)
            .await
            .map_err(err)?;
        let ack = ack.await.map_err(err)?;
        tracing::debug!(subject, stream = %ack.stream, sequence = ack.sequence, duplicate = ack.duplicate, "published");
        Ok(Published {
            stream: ack.stream,
            sequence: ack.sequence,
            duplicate: ack.duplicate,
        })
    }

    /// Publishes a stored event on `<ns>.events.<type>` (the relay's job).
    pub async fn publish_event(&self, envelope: &Envelope) -> Result<Published, BusError> {
        let subject = subjects::event(self.namespace.as_str(), &envelope.event_type);
        self.publish(&subject, envelope.event_id, serde_json::to_vec(envelope)?)
            .await
    }

    /// Submits a producer's event on `<ns>.inbox.<type>`, for the ingest service to store.
    pub async fn submit(&self, envelope: &Envelope) -> Result<Published, BusError> {
        let subject = subjects::inbox(self.namespace.as_str(), &envelope.event_type);
        self.publish(&subject, envelope.event_id, serde_json::to_vec(envelope)?)
            .await
    }

    /// Publishes a [`DeadLetter`] on `<ns>.deadletter.<service>`: the original message (cut
    /// to a bound), where it came from and why `service` gave up on it. Its message id is
    /// derived from service, subject and content, so dead-lettering the same message again
    /// (after a crash before the delivery was terminated) stores it once.
    pub async fn dead_letter(
        &self,
        service: &str,
        original_subject: &str,
        reason: &str,
        original: &[u8],
    ) -> Result<Published, BusError> {
        check_token("service", service)?;
        let subject = subjects::dead_letter(self.namespace.as_str(), service);
        let letter = DeadLetter {
            service: service.to_owned(),
            subject: original_subject.to_owned(),
            reason: reason.to_owned(),
            original: truncated_lossy(original, DEAD_LETTER_ORIGINAL_LIMIT),
            original_len: original.len(),
            received_at: Utc::now(),
        };
        let msg_id = dead_letter_id(service, original_subject, original);
        let message = Publish::build()
            .payload(serde_json::to_vec(&letter)?.into())
            .message_id(msg_id.to_string())
            .header(
                DEAD_LETTER_REASON_HEADER,
                header_safe(reason, REASON_HEADER_LIMIT).as_str(),
            )
            .header(DEAD_LETTER_SERVICE_HEADER, service);
        tracing::warn!(
            service,
            subject = original_subject,
            reason,
            "dead-lettered a message"
        );
        self.send(&subject, message).await
    }

    /// A durable pull consumer with explicit acknowledgement, 30 s ack wait, created if it
    /// does not exist, resumed where it stopped if it does. See [`Bus::consumer_with`].
    pub async fn consumer(
        &self,
        durable: &str,
        filter_subject: &str,
        max_deliver: u32,
    ) -> Result<Deliveries, BusError> {
        self.consumer_with(ConsumerSpec::new(durable, filter_subject, max_deliver))
            .await
    }

    /// A durable pull consumer on the stream that holds `spec.filter_subject`, yielding its
    /// deliveries. Every delivery must be settled: [`Delivery::ack`] once its effect is
    /// committed (never before: an acknowledged message is not redelivered, so acking early
    /// loses it on a crash), [`Delivery::nak`] to have it redelivered, or [`Delivery::term`]
    /// to give up on it (after dead-lettering it). An unsettled delivery comes back after
    /// `ack_wait`, at most `max_deliver` times in all.
    ///
    /// An existing consumer of that name is reused with its stored settings.
    pub async fn consumer_with(&self, spec: ConsumerSpec) -> Result<Deliveries, BusError> {
        check_token("durable consumer name", &spec.durable)?;
        if spec.max_deliver == 0 {
            return Err(BusError::InvalidMaxDeliver);
        }
        let kind = self.stream_of(&spec.filter_subject)?;
        let stream_name = self.stream_name(kind);
        // A filter equal to the whole stream is left out: the consumer reads the stream.
        let filter = if spec.filter_subject == self.stream_subject(kind) {
            String::new()
        } else {
            spec.filter_subject.clone()
        };
        let config = pull::Config {
            durable_name: Some(spec.durable.clone()),
            description: Some(format!(
                "newsroom {} on {}",
                spec.durable, spec.filter_subject
            )),
            deliver_policy: jetstream::consumer::DeliverPolicy::All,
            ack_policy: jetstream::consumer::AckPolicy::Explicit,
            ack_wait: spec.ack_wait,
            max_deliver: i64::from(spec.max_deliver),
            max_ack_pending: spec.max_ack_pending.max(1),
            filter_subject: filter,
            num_replicas: self.replicas,
            ..Default::default()
        };
        let consumer_err = |source| BusError::Consumer {
            durable: spec.durable.clone(),
            stream: stream_name.clone(),
            source,
        };
        let stream = self
            .js
            .get_stream_no_info(&stream_name)
            .await
            .map_err(|e| {
                consumer_err(jetstream::stream::ConsumerError::with_source(
                    jetstream::stream::ConsumerErrorKind::Other,
                    e,
                ))
            })?;
        let consumer: jetstream::consumer::PullConsumer = stream
            .get_or_create_consumer(&spec.durable, config)
            .await
            .map_err(consumer_err)?;
        let heartbeat = (spec.expires / 2).min(Duration::from_secs(5));
        let messages = consumer
            .stream()
            .max_messages_per_batch(spec.batch.max(1))
            .expires(spec.expires)
            .heartbeat(heartbeat)
            .messages()
            .await
            .map_err(|source| BusError::Pull {
                durable: spec.durable.clone(),
                source,
            })?;
        tracing::info!(durable = %spec.durable, stream = %stream_name, filter = %spec.filter_subject, "consumer ready");
        Ok(Deliveries {
            durable: spec.durable,
            inner: messages,
        })
    }

    fn stream_of(&self, subject: &str) -> Result<StreamKind, BusError> {
        StreamKind::ALL
            .into_iter()
            .find(|kind| {
                let prefix = format!("{}.{}.", self.namespace, kind.token());
                subject.len() > prefix.len() && subject.starts_with(&prefix)
            })
            .ok_or_else(|| BusError::ForeignSubject {
                subject: subject.to_owned(),
                namespace: self.namespace.to_string(),
            })
    }

    /// The largest message the server accepts (its `max_payload`, 1 MiB by default); a
    /// publish of more fails with [`BusError::TooLarge`].
    pub fn max_payload(&self) -> usize {
        self.client.max_payload()
    }

    /// Waits until everything published so far has reached the server.
    pub async fn flush(&self) -> Result<(), BusError> {
        Ok(self.client.flush().await?)
    }
}

impl BusError {
    /// Whether the message was refused for its size: publishing it again cannot succeed.
    pub fn is_too_large(&self) -> bool {
        matches!(self, BusError::TooLarge { .. })
    }
}

/// The message id of a dead letter: derived from the service, the subject and the SHA-256
/// of the original (hashed where it lies, not copied: an original may be as large as the
/// server's `max_payload`).
fn dead_letter_id(service: &str, subject: &str, original: &[u8]) -> EventId {
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    hash.update(original);
    let digest = hash.finish();
    let mut content = Vec::with_capacity(service.len() + subject.len() + 2 + 32);
    content.extend_from_slice(service.as_bytes());
    content.push(0);
    content.extend_from_slice(subject.as_bytes());
    content.push(0);
    content.extend_from_slice(digest.as_ref());
    EventId::from_content("dead-letter", &content)
}

/// Lossy UTF-8 of at most `limit` bytes of `bytes`, cut on a character boundary. Only the
/// bytes kept are converted: a large original is not copied whole.
fn truncated_lossy(bytes: &[u8], limit: usize) -> String {
    let mut end = bytes.len().min(limit);
    // Where the cut falls inside a character (the first byte left out continues it), the
    // whole character is left out rather than shown as a replacement character.
    let mut stepped = 0;
    while end < bytes.len() && end > 0 && stepped < 3 && bytes[end] & 0xC0 == 0x80 {
        end -= 1;
        stepped += 1;
    }
    let text = String::from_utf8_lossy(&bytes[..end]);
    if text.len() <= limit {
        return text.into_owned();
    }
    // Invalid bytes became 3-byte replacement characters: cut the text again.
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// A header value: control characters become spaces, cut to `limit` bytes.
fn header_safe(s: &str, limit: usize) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    truncated_lossy(clean.as_bytes(), limit)
}

/// The deliveries of a durable pull consumer, in stream order (redeliveries interleave).
/// Dropping it stops pulling; unsettled deliveries come back after the ack wait.
pub struct Deliveries {
    durable: String,
    inner: pull::Stream,
}

impl fmt::Debug for Deliveries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deliveries")
            .field("durable", &self.durable)
            .finish_non_exhaustive()
    }
}

impl Deliveries {
    pub fn durable(&self) -> &str {
        &self.durable
    }
}

impl Stream for Deliveries {
    type Item = Result<Delivery, BusError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(Err(source))) => Poll::Ready(Some(Err(BusError::Messages {
                durable: this.durable.clone(),
                source,
            }))),
            Poll::Ready(Some(Ok(message))) => Poll::Ready(Some(Delivery::from_message(message))),
        }
    }
}

/// One delivery of a stored message to a consumer.
pub struct Delivery {
    pub subject: String,
    pub payload: Bytes,
    /// The `Nats-Msg-Id` it was published with, if any.
    pub msg_id: Option<String>,
    /// 1 on first delivery, more on redeliveries.
    pub delivered_count: u64,
    /// Its sequence number in the stream.
    pub stream_sequence: u64,
    message: jetstream::Message,
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("subject", &self.subject)
            .field("msg_id", &self.msg_id)
            .field("delivered_count", &self.delivered_count)
            .field("stream_sequence", &self.stream_sequence)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

impl Delivery {
    fn from_message(message: jetstream::Message) -> Result<Delivery, BusError> {
        let subject = message.subject.to_string();
        let (delivered, stream_sequence) = message
            .info()
            .map(|info| (info.delivered, info.stream_sequence))
            .map_err(|e| BusError::NotJetStream {
                subject: subject.clone(),
                reason: e.to_string(),
            })?;
        let msg_id = message
            .headers
            .as_ref()
            .and_then(|h| h.get(MSG_ID_HEADER))
            .map(|v| v.as_str().to_owned());
        Ok(Delivery {
            subject,
            payload: message.payload.clone(),
            msg_id,
            delivered_count: u64::try_from(delivered).unwrap_or(0),
            stream_sequence,
            message,
        })
    }

    fn ack_error(&self, action: &'static str, source: async_nats::Error) -> BusError {
        BusError::Ack {
            action,
            subject: self.subject.clone(),
            stream_sequence: self.stream_sequence,
            source,
        }
    }

    /// Acknowledges the delivery and waits for the server to confirm it: the message will
    /// not be delivered to this consumer again. Call only once its effect is committed.
    pub async fn ack(&self) -> Result<(), BusError> {
        self.message
            .double_ack()
            .await
            .map_err(|e| self.ack_error("ack", e))
    }

    /// Asks for redelivery, after `delay` if given (else at once).
    pub async fn nak(&self, delay: Option<Duration>) -> Result<(), BusError> {
        self.message
            .ack_with(AckKind::Nak(delay))
            .await
            .map_err(|e| self.ack_error("nak", e))
    }

    /// Gives up on the message: never redelivered to this consumer. Confirmed by the server.
    pub async fn term(&self) -> Result<(), BusError> {
        self.message
            .double_ack_with(AckKind::Term)
            .await
            .map_err(|e| self.ack_error("term", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_prefix_uppercases_and_replaces_non_alphanumerics() {
        let ns = Namespace::parse("news-room_2").unwrap();
        assert_eq!(ns.stream_prefix(), "NEWS_ROOM_2");
    }

    #[test]
    fn namespaces_must_be_one_nats_token() {
        for bad in ["", "a.b", "a*", ">", "a b", "ns\n"] {
            assert!(Namespace::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Namespace::parse("newsroom").is_ok());
    }

    #[test]
    fn dead_letter_originals_are_cut_on_a_character_boundary() {
        let text = "é".repeat(10); // 20 bytes
        let cut = truncated_lossy(text.as_bytes(), 5);
        assert_eq!(cut, "éé");
        assert_eq!(truncated_lossy(b"\xffok", 10), "\u{fffd}ok");
    }

    #[test]
    fn a_dead_letter_original_cut_inside_a_character_leaves_the_character_out() {
        // Given a four-byte character that the limit cuts after three bytes
        let text = "ab\u{1F600}cd";
        // Then the cut falls before it, with no replacement character
        assert_eq!(truncated_lossy(text.as_bytes(), 5), "ab");
        assert_eq!(truncated_lossy(text.as_bytes(), 6), "ab\u{1F600}");
    }

    #[test]
    fn a_large_invalid_original_is_cut_to_the_limit_in_replacement_characters() {
        // Given a megabyte of bytes that are not UTF-8
        let original = vec![0xffu8; 1024 * 1024];
        // When it is cut for a dead letter
        let cut = truncated_lossy(&original, 64 * 1024);
        // Then the text holds at most the limit, all replacement characters
        assert!(cut.len() <= 64 * 1024 && cut.len() > 64 * 1024 - 3);
        assert!(cut.chars().all(|c| c == '\u{fffd}'));
    }

    #[test]
    fn dead_letter_ids_depend_on_service_subject_and_every_byte_of_the_original() {
        let big = vec![b'x'; 200_000];
        let mut other = big.clone();
        other[199_999] = b'y';
        let id = dead_letter_id("ingest", "ns.inbox.a", &big);
        assert_eq!(id, dead_letter_id("ingest", "ns.inbox.a", &big));
        assert_ne!(id, dead_letter_id("ingest", "ns.inbox.a", &other));
        assert_ne!(id, dead_letter_id("relay", "ns.inbox.a", &big));
        assert_ne!(id, dead_letter_id("ingest", "ns.inbox.b", &big));
    }

    #[test]
    fn only_the_inbox_stream_limits_message_size_to_the_nats_default_max_payload() {
        assert_eq!(StreamKind::Inbox.max_message_size(), 1_048_576);
        assert_eq!(StreamKind::Events.max_message_size(), -1);
        assert_eq!(StreamKind::DeadLetter.max_message_size(), -1);
    }

    #[test]
    fn consumers_bound_their_unsettled_deliveries_by_default() {
        let spec = ConsumerSpec::new("d", "ns.inbox.>", 3);
        assert_eq!(spec.max_ack_pending, DEFAULT_MAX_ACK_PENDING);
        assert!(spec.batch as i64 <= spec.max_ack_pending);
    }

    #[test]
    fn given_a_url_with_a_user_and_password_when_split_then_the_servers_are_left_without_them() {
        let (servers, credentials) = split_credentials("nats://relay:s3cret@127.0.0.1:4222");
        assert_eq!(servers, ["nats://127.0.0.1:4222"]);
        let credentials = credentials.unwrap();
        assert_eq!(credentials.user, "relay");
        assert_eq!(credentials.password, "s3cret");
        assert!(!format!("{credentials:?}").contains("s3cret"));
    }

    #[test]
    fn given_several_servers_when_split_then_every_one_loses_its_user_information() {
        let (servers, credentials) =
            split_credentials("nats://a:1@h1:4222, nats://a:1@h2:4223,h3:4224");
        assert_eq!(servers, ["nats://h1:4222", "nats://h2:4223", "h3:4224"]);
        assert_eq!(credentials.unwrap().user, "a");
    }

    #[test]
    fn given_a_url_without_credentials_when_split_then_it_is_unchanged() {
        let (servers, credentials) = split_credentials("nats://127.0.0.1:4222");
        assert_eq!(servers, ["nats://127.0.0.1:4222"]);
        assert_eq!(credentials, None);
    }

    #[test]
    fn header_values_lose_control_characters() {
        assert_eq!(
            header_safe("line one\r\nline two", 100),
            "line one  line two"
        );
        assert_eq!(header_safe("abcdef", 3), "abc");
    }
}
