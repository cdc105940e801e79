//! cqrs-es's `PersistedEventRepository` over the [`EventLog`], so the framework's
//! `PersistedEventStore` and `CqrsFramework` can run on Spiral's store unchanged.
//!
//! Snapshots are not supported (cqrs-es 0.5's snapshot store double-applies events, and Spiral's
//! streams are short): `get_snapshot` answers `None` and a snapshot update is refused.

use super::{AppendContext, EventLog, Pending, StoreError};
use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use domain::chain::{canonical_json, Row};
use serde_json::Value;

fn to_serialized<A: Aggregate>(row: Row) -> Result<SerializedEvent, PersistenceError> {
    Ok(SerializedEvent {
        aggregate_id: row.stream,
        sequence: row.sequence as usize,
        aggregate_type: A::TYPE.to_owned(),
        event_type: row.event_type,
        event_version: row.event_version,
        payload: serde_json::from_str(&row.payload)?,
        metadata: string_map(serde_json::from_str(&row.metadata)?),
    })
}

/// cqrs-es reads metadata as a map of strings: absent values (a record without a note) are left
/// out rather than sent as `null`.
fn string_map(metadata: Value) -> Value {
    match metadata {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

fn persistence(e: StoreError) -> PersistenceError {
    match e {
        StoreError::Conflict { .. } => PersistenceError::OptimisticLockError,
        StoreError::Database(e) => PersistenceError::ConnectionError(Box::new(e)),
        other => PersistenceError::UnknownError(Box::new(other)),
    }
}

fn text(metadata: &Value, key: &str) -> Option<String> {
    metadata.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl EventLog {
    async fn serialized<A: Aggregate>(
        &self,
        stream: &str,
        after: u64,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let rows = self.stream_rows(stream, after).await.map_err(persistence)?;
        rows.into_iter().map(to_serialized::<A>).collect()
    }

    async fn replay_stream<A: Aggregate>(&self, rows: Vec<Row>) -> ReplayStream {
        let (mut feed, stream) = ReplayStream::new(rows.len().max(1));
        for row in rows {
            // The channel holds every row, so these sends never wait.
            if feed.push(to_serialized::<A>(row)).await.is_err() {
                break;
            }
        }
        stream
    }
}

impl PersistedEventRepository for EventLog {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.serialized::<A>(aggregate_id, 0).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.serialized::<A>(aggregate_id, last_sequence as u64).await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        _aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        Ok(None)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        if snapshot_update.is_some() {
            return Err(PersistenceError::UnknownError(
                "Spiral's store keeps no snapshots; use PersistedEventStore::new_event_store".into(),
            ));
        }
        let Some(first) = events.first() else {
            return Ok(());
        };
        let stream = first.aggregate_id.clone();
        let ctx = AppendContext {
            command_id: None,
            actor: text(&first.metadata, "actor").unwrap_or_else(|| "unknown".to_owned()),
            correlation_id: text(&first.metadata, "correlation_id").unwrap_or_default(),
            reason: text(&first.metadata, "reason"),
        };
        let pending = events
            .iter()
            .map(|e| {
                let effective = e
                    .payload
                    .get("on")
                    .cloned()
                    .map(serde_json::from_value)
                    .transpose()?
                    .ok_or_else(|| {
                        PersistenceError::UnknownError("event payload has no effective date `on`".into())
                    })?;
                Ok(Pending {
                    event_type: e.event_type.clone(),
                    event_version: e.event_version.clone(),
                    payload: canonical_json(&e.payload),
                    effective,
                })
            })
            .collect::<Result<Vec<_>, PersistenceError>>()?;
        self.append_pending(&stream, first.sequence as u64 - 1, &pending, &ctx)
            .await
            .map(|_| ())
            .map_err(persistence)
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        let rows = self.stream_rows(aggregate_id, 0).await.map_err(persistence)?;
        Ok(self.replay_stream::<A>(rows).await)
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        let rows = self.all_rows().await.map_err(persistence)?;
        Ok(self.replay_stream::<A>(rows).await)
    }
}
