//! Where a service's messages come from, and how it says it is done with one.
//!
//! A [`Feed`] hands out one message at a time; the service settles each before asking for
//! the next: [`Feed::ack`] once the message's effect is committed to the store (never
//! before), [`Feed::reject`] for a message that can never be used, [`Feed::retry`] for one
//! that failed for a reason that may pass. Two feeds:
//! - [`StoreFeed`], the embedded, in-process bus: follows the store's global order after a
//!   named checkpoint, keeping the events of some types; ack saves the checkpoint.
//! - [`BusFeed`]: a durable JetStream pull consumer; ack is the JetStream ack.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use newsroom_bus::{Bus, ConsumerSpec, Deliveries, Delivery};
use newsroom_events::{Envelope, EventId, GlobalPosition};
use newsroom_store::EventStore;

use crate::decide::{self, Rejection};
use crate::ServiceError;

/// One message handed out by a feed.
#[derive(Debug)]
pub struct Incoming {
    /// The NATS subject it arrived on; for a store feed, its event type.
    pub subject: String,
    /// The envelope, if the bytes are one (and not too many to read: see
    /// [`decide::check_message_size`]).
    pub envelope: Result<Envelope, Rejection>,
    /// The bytes as they arrived (empty for a store feed, whose events are stored envelopes).
    pub raw: Bytes,
    /// 1 on first delivery, more on redeliveries.
    pub delivered_count: u64,
    receipt: Receipt,
}

#[derive(Debug)]
enum Receipt {
    Store(GlobalPosition),
    Bus(Box<Delivery>),
}

/// A message a feed gave up on, as a store feed records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub checkpoint: String,
    pub position: GlobalPosition,
    pub event_id: EventId,
    pub event_type: String,
    pub reason: String,
}

/// A source of messages with acknowledgement. See the module docs.
#[async_trait]
pub trait Feed: Send {
    /// The next message, waiting up to the feed's idle wait; `None` if none came in that time.
    async fn next(&mut self) -> Result<Option<Incoming>, ServiceError>;
    /// The message's effect is committed: it is not handed out again.
    async fn ack(&mut self, message: Incoming) -> Result<(), ServiceError>;
    /// The message can never be used: dead-letter (or record) it with `reason`, and do not
    /// hand it out again.
    async fn reject(&mut self, message: Incoming, reason: &str) -> Result<(), ServiceError>;
    /// Handling failed for `reason`, which may pass: hand the message out again after
    /// `delay`. A feed may give up on a message retried too often, as if rejected.
    async fn retry(
        &mut self,
        message: Incoming,
        delay: Duration,
        reason: &str,
    ) -> Result<Retried, ServiceError>;
}

/// What [`Feed::retry`] did with the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retried {
    /// It will be handed out again.
    Later,
    /// It was retried too often: the feed gave up on it (dead-lettered it).
    GaveUp,
}

/// How many events a store feed reads per query.
pub const STORE_FEED_BATCH: usize = 256;

/// How many rejected events a store feed keeps a record of (every one is logged).
pub const STORE_FEED_SKIPPED_LIMIT: usize = 1000;

/// The embedded feed: the store's events of some types, in global order, after a named
/// checkpoint. Ack saves the checkpoint; reject records the event (see
/// [`StoreFeed::skipped`]) and moves past it. An unsettled message is handed out again.
pub struct StoreFeed {
    store: Arc<dyn EventStore>,
    checkpoint: String,
    types: Vec<String>,
    idle_wait: Duration,
    /// Last position read from the store.
    read_upto: GlobalPosition,
    /// Everything up to here is settled or not of our types.
    settled: GlobalPosition,
    /// The checkpoint as last saved.
    saved: GlobalPosition,
    buffer: VecDeque<Envelope>,
    in_flight: bool,
    skipped: Vec<Skipped>,
}

impl StoreFeed {
    /// Opens the feed at the saved checkpoint `checkpoint`, keeping events whose type is one
    /// of `types`. It waits up to one second for new events before reporting none.
    pub async fn open(
        store: Arc<dyn EventStore>,
        checkpoint: &str,
        types: &[&str],
    ) -> Result<StoreFeed, ServiceError> {
        let saved = store.load_checkpoint(checkpoint).await?;
        tracing::debug!(checkpoint, position = saved.0, "store feed opened");
        Ok(StoreFeed {
            store,
            checkpoint: checkpoint.to_owned(),
            types: types.iter().map(|t| (*t).to_owned()).collect(),
            idle_wait: Duration::from_secs(1),
            read_upto: saved,
            settled: saved,
            saved,
            buffer: VecDeque::new(),
            in_flight: false,
            skipped: Vec::new(),
        })
    }

    /// How long [`Feed::next`] waits for a new event before it reports none (zero: it does
    /// not wait, for a run that stops when everything is processed).
    pub fn with_idle_wait(mut self, idle_wait: Duration) -> StoreFeed {
        self.idle_wait = idle_wait;
        self
    }

    /// The events rejected so far, with the reasons (the first
    /// [`STORE_FEED_SKIPPED_LIMIT`]; all are logged at warn level).
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Takes the record of rejected events.
    pub fn take_skipped(&mut self) -> Vec<Skipped> {
        std::mem::take(&mut self.skipped)
    }

    /// The position up to which everything is settled.
    pub fn position(&self) -> GlobalPosition {
        self.settled
    }

    fn rewind(&mut self) {
        self.buffer.clear();
        self.read_upto = self.settled;
        self.in_flight = false;
    }

    /// Reads the next batch; whether the store had any events after `read_upto`.
    async fn fill(&mut self) -> Result<bool, ServiceError> {
        let events = self
            .store
            .read_all_after(self.read_upto, STORE_FEED_BATCH)
            .await?;
        let Some(last) = events.last() else {
            return Ok(false);
        };
        let last = last
            .position
            .ok_or(ServiceError::Unpositioned(last.event_id))?;
        for envelope in events {
            if envelope.position.is_none() {
                return Err(ServiceError::Unpositioned(envelope.event_id));
            }
            if self.types.contains(&envelope.event_type) {
                self.buffer.push_back(envelope);
            }
        }
        self.read_upto = last;
        Ok(true)
    }

    async fn settle(&mut self, position: GlobalPosition) -> Result<(), ServiceError> {
        self.in_flight = false;
        self.settled = position;
        self.save().await
    }

    async fn save(&mut self) -> Result<(), ServiceError> {
        if self.settled > self.saved {
            self.store
                .save_checkpoint(&self.checkpoint, self.settled)
                .await?;
            self.saved = self.settled;
        }
        Ok(())
    }
}

#[async_trait]
impl Feed for StoreFeed {
    async fn next(&mut self) -> Result<Option<Incoming>, ServiceError> {
        if self.in_flight {
            // The last message was never settled: it is handed out again.
            self.rewind();
        }
        let mut waited = false;
        loop {
            if let Some(envelope) = self.buffer.pop_front() {
                let position = envelope
                    .position
                    .ok_or(ServiceError::Unpositioned(envelope.event_id))?;
                self.in_flight = true;
                return Ok(Some(Incoming {
                    subject: envelope.event_type.clone(),
                    envelope: Ok(envelope),
                    raw: Bytes::new(),
                    delivered_count: 1,
                    receipt: Receipt::Store(position),
                }));
            }
            // Everything read is settled or not ours: the checkpoint may move past it.
            self.settled = self.read_upto;
            self.save().await?;
            if self.fill().await? {
                continue;
            }
            if waited || self.idle_wait.is_zero() {
                return Ok(None);
            }
            self.store
                .wait_for_append(self.read_upto, self.idle_wait)
                .await;
            waited = true;
        }
    }

    async fn ack(&mut self, message: Incoming) -> Result<(), ServiceError> {
        match message.receipt {
            Receipt::Store(position) => self.settle(position).await,
            Receipt::Bus(_) => Ok(()),
        }
    }

    async fn reject(&mut self, message: Incoming, reason: &str) -> Result<(), ServiceError> {
        let Receipt::Store(position) = message.receipt else {
            return Ok(());
        };
        let (event_id, event_type) = match &message.envelope {
            Ok(e) => (e.event_id, e.event_type.clone()),
            Err(_) => (EventId(Default::default()), message.subject.clone()),
        };
        tracing::warn!(
            checkpoint = %self.checkpoint,
            position = position.0,
            event_id = %event_id,
            event_type = %event_type,
            reason,
            "skipping an event that cannot be used"
        );
        if self.skipped.len() < STORE_FEED_SKIPPED_LIMIT {
            self.skipped.push(Skipped {
                checkpoint: self.checkpoint.clone(),
                position,
                event_id,
                event_type,
                reason: reason.to_owned(),
            });
        }
        self.settle(position).await
    }

    async fn retry(
        &mut self,
        _message: Incoming,
        delay: Duration,
        reason: &str,
    ) -> Result<Retried, ServiceError> {
        tracing::warn!(checkpoint = %self.checkpoint, reason, ?delay, "will retry");
        self.rewind();
        tokio::time::sleep(delay).await;
        Ok(Retried::Later)
    }
}

/// A service's JetStream feed: its durable pull consumer. Undecodable or unusable messages
/// are dead-lettered on `<ns>.deadletter.<service>` and terminated; a message retried
/// `max_deliver` times is dead-lettered with the last reason instead of retried again. A
/// message of more than [`decide::MAX_EVENT_BYTES`] is refused unparsed.
///
/// Work in flight is bounded: the consumer pulls [`ConsumerSpec::batch`] messages ahead and
/// the server holds back deliveries beyond [`ConsumerSpec::max_ack_pending`] unsettled
/// ones; the service settles each message before it takes the next.
pub struct BusFeed {
    bus: Bus,
    service: String,
    spec: ConsumerSpec,
    idle_wait: Duration,
    deliveries: Option<Deliveries>,
}

impl BusFeed {
    /// Opens (creating if needed) the durable consumer `spec.durable` of `service`.
    pub async fn open(
        bus: Bus,
        service: &str,
        spec: ConsumerSpec,
    ) -> Result<BusFeed, ServiceError> {
        let deliveries = bus.consumer_with(spec.clone()).await?;
        Ok(BusFeed {
            bus,
            service: service.to_owned(),
            spec,
            idle_wait: Duration::from_secs(1),
            deliveries: Some(deliveries),
        })
    }

    /// How long [`Feed::next`] waits for a message before it reports none.
    pub fn with_idle_wait(mut self, idle_wait: Duration) -> BusFeed {
        self.idle_wait = idle_wait;
        self
    }

    async fn dead_letter(&self, message: &Incoming, reason: &str) -> Result<(), ServiceError> {
        self.bus
            .dead_letter(&self.service, &message.subject, reason, &message.raw)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl Feed for BusFeed {
    async fn next(&mut self) -> Result<Option<Incoming>, ServiceError> {
        let deliveries = match &mut self.deliveries {
            Some(d) => d,
            None => self
                .deliveries
                .insert(self.bus.consumer_with(self.spec.clone()).await?),
        };
        let delivery = match tokio::time::timeout(self.idle_wait, deliveries.next()).await {
            Err(_) => return Ok(None),
            Ok(None) => {
                tracing::warn!(durable = %self.spec.durable, "the consumer's deliveries ended; reopening");
                self.deliveries = None;
                return Ok(None);
            }
            Ok(Some(delivery)) => delivery?,
        };
        // A message too large to take is not parsed (nor copied): its bytes stay as they
        // came, and only the head of them goes into the dead letter.
        let envelope = decide::check_message_size(delivery.payload.len())
            .and_then(|()| Envelope::from_slice(&delivery.payload).map_err(Rejection::from));
        Ok(Some(Incoming {
            subject: delivery.subject.clone(),
            envelope,
            raw: delivery.payload.clone(),
            delivered_count: delivery.delivered_count,
            receipt: Receipt::Bus(Box::new(delivery)),
        }))
    }

    async fn ack(&mut self, message: Incoming) -> Result<(), ServiceError> {
        match &message.receipt {
            Receipt::Bus(delivery) => Ok(delivery.ack().await?),
            Receipt::Store(_) => Ok(()),
        }
    }

    async fn reject(&mut self, message: Incoming, reason: &str) -> Result<(), ServiceError> {
        let Receipt::Bus(delivery) = &message.receipt else {
            return Ok(());
        };
        self.dead_letter(&message, reason).await?;
        Ok(delivery.term().await?)
    }

    async fn retry(
        &mut self,
        message: Incoming,
        delay: Duration,
        reason: &str,
    ) -> Result<Retried, ServiceError> {
        let Receipt::Bus(delivery) = &message.receipt else {
            return Ok(Retried::Later);
        };
        if message.delivered_count >= u64::from(self.spec.max_deliver) {
            let reason = format!(
                "gave up after {} deliveries: {reason}",
                message.delivered_count
            );
            self.dead_letter(&message, &reason).await?;
            delivery.term().await?;
            return Ok(Retried::GaveUp);
        }
        tracing::warn!(subject = %message.subject, attempt = message.delivered_count, reason, ?delay, "will retry");
        delivery.nak(Some(delay)).await?;
        Ok(Retried::Later)
    }
}
