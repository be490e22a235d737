//! Issuing, revoking and listing access tokens against the event store: the shell around
//! [`crate::access`], shared by the API's admin endpoints and `newsroom tokens`.

use newsroom_events::{access_stream, AccessRole, Envelope, EventId, StreamVersion};
use newsroom_store::{EventStore, ExpectedVersion, StoreError};

use crate::access::{issued_event, revoked_events, Token, TokenInfo, TokenRegistry};
use crate::input::PersonName;
use crate::projection::ReviewProjection;
use crate::ReviewError;

/// The `source` of the access events.
pub const ACCESS_SOURCE: &str = "newsroom/review";

/// How often an issue or revocation is retried when another one for the same person
/// commits between its read and its append.
const ATTEMPTS: usize = 3;

/// A token just issued. The token itself exists only here.
#[derive(Debug)]
pub struct IssuedToken {
    pub name: PersonName,
    pub role: AccessRole,
    pub token: Token,
}

/// The active tokens of one person, from their `access-<name>` stream, and its version.
async fn person(
    store: &dyn EventStore,
    name: &PersonName,
) -> Result<(TokenRegistry, StreamVersion), ReviewError> {
    let events = store.read_stream(&access_stream(name.as_str())).await?;
    let mut registry = TokenRegistry::default();
    let mut version = StreamVersion(0);
    for envelope in &events {
        version = version.max(envelope.stream_version);
        match envelope.decode() {
            Ok(event) => registry.apply(envelope, &event),
            Err(error) => {
                tracing::warn!(event_id = %envelope.event_id, %error, "access event passed over")
            }
        }
    }
    Ok((registry, version))
}

/// Issues a new token to `name` with `role`, recorded as issued `by`; only its hash is
/// stored.
pub async fn issue(
    store: &dyn EventStore,
    name: &PersonName,
    role: AccessRole,
    by: &str,
) -> Result<IssuedToken, ReviewError> {
    let token = Token::generate()?;
    let event = issued_event(name, role, &token, by);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (_, version) = person(store, name).await?;
        let envelope = Envelope::new(
            &event,
            StreamVersion(version.0 + 1),
            ACCESS_SOURCE,
            EventId::random(),
        );
        match store
            .append(
                &access_stream(name.as_str()),
                ExpectedVersion::Exactly(version),
                vec![envelope],
            )
            .await
        {
            Ok(_) => break,
            Err(StoreError::Conflict { .. }) if attempt < ATTEMPTS => continue,
            Err(error) => return Err(error.into()),
        }
    }
    tracing::info!(%name, role = crate::access::role_name(role), by, "access token issued");
    Ok(IssuedToken {
        name: name.clone(),
        role,
        token,
    })
}

/// Revokes every active token of `name`; returns how many.
pub async fn revoke(
    store: &dyn EventStore,
    name: &PersonName,
    by: &str,
) -> Result<usize, ReviewError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (registry, version) = person(store, name).await?;
        let hashes = registry.hashes_of(name);
        if hashes.is_empty() {
            return Ok(0);
        }
        let envelopes: Vec<Envelope> = revoked_events(name, &hashes, by)
            .iter()
            .zip(1..)
            .map(|(event, i)| {
                Envelope::new(
                    event,
                    StreamVersion(version.0 + i),
                    ACCESS_SOURCE,
                    EventId::random(),
                )
            })
            .collect();
        match store
            .append(
                &access_stream(name.as_str()),
                ExpectedVersion::Exactly(version),
                envelopes,
            )
            .await
        {
            Ok(_) => {
                tracing::info!(%name, by, revoked = hashes.len(), "access tokens revoked");
                return Ok(hashes.len());
            }
            Err(StoreError::Conflict { .. }) if attempt < ATTEMPTS => continue,
            Err(error) => return Err(error.into()),
        }
    }
}

/// Every active token in the store.
pub async fn list(store: &dyn EventStore) -> Result<Vec<TokenInfo>, ReviewError> {
    let mut projection = ReviewProjection::new();
    projection.catch_up(store).await?;
    Ok(projection.tokens().list())
}
