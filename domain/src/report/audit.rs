//! The audit report for a recorded period: what was recorded, by whom and of what type; every
//! correction and retraction with its reason beside what it amended; late entries (recorded long
//! after they took effect); and the ledger's size at the period's start and end, for the
//! checkpoints the server signs over them.

use crate::events::Entry;
use crate::record::Recorded;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditReportError {
    #[error("the period ends ({to}) before it starts ({from})")]
    BackwardPeriod { from: NaiveDate, to: NaiveDate },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub key: String,
    pub events: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmendmentLine {
    pub position: u64,
    pub stream: String,
    /// Corrected or Retracted.
    pub kind: String,
    pub reason: String,
    pub actor: String,
    pub recorded_at: DateTime<Utc>,
    /// The amended event: its sequence in the stream, position and type.
    pub target_sequence: u64,
    pub target_position: Option<u64>,
    pub target_type: Option<String>,
    /// For a correction, the type of the fact that now stands.
    pub replacement_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LateLine {
    pub position: u64,
    pub stream: String,
    pub event_type: String,
    pub actor: String,
    pub effective: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub days_late: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Dates are read in UTC, as `recorded_at` is stored.
    pub timezone: String,
    pub late_after_days: i64,
    pub events: u64,
    pub by_actor: Vec<Count>,
    pub by_type: Vec<Count>,
    /// "actor / type"
    pub by_actor_and_type: Vec<Count>,
    pub amendments: Vec<AmendmentLine>,
    pub late_entries: Vec<LateLine>,
    /// Ledger size before the period began (events recorded before `from`).
    pub size_at_start: u64,
    /// Ledger size when the period ended (events recorded up to the end of `to`).
    pub size_at_end: u64,
}

fn counts(map: BTreeMap<String, u64>) -> Vec<Count> {
    map.into_iter()
        .map(|(key, events)| Count { key, events })
        .collect()
}

/// `events` must be the whole ledger in position order (amendments name earlier events).
pub fn audit_report(
    events: &[Recorded],
    from: NaiveDate,
    to: NaiveDate,
    late_after_days: i64,
) -> Result<AuditReport, AuditReportError> {
    if to < from {
        return Err(AuditReportError::BackwardPeriod { from, to });
    }
    let start = from.and_time(NaiveTime::MIN).and_utc();
    let end = to
        .and_time(NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).expect("valid"))
        .and_utc();
    let mut by_actor = BTreeMap::new();
    let mut by_type = BTreeMap::new();
    let mut by_both = BTreeMap::new();
    let mut amendments = Vec::new();
    let mut late_entries = Vec::new();
    let (mut size_at_start, mut size_at_end, mut count) = (0, 0, 0);
    // Where each (stream, sequence) is, to put an amendment beside what it amended.
    let mut located: HashMap<(&str, u64), (u64, &'static str)> = HashMap::new();
    for e in events {
        located.insert(
            (e.stream.as_str(), e.sequence),
            (e.position, e.event.entry.type_name()),
        );
        let at = e.meta.recorded_at;
        if at < start {
            size_at_start = e.position;
        }
        if at <= end {
            size_at_end = e.position;
        }
        if at < start || at > end {
            continue;
        }
        count += 1;
        let kind = e.event.entry.type_name();
        *by_actor.entry(e.meta.actor.clone()).or_insert(0) += 1;
        *by_type.entry(kind.to_owned()).or_insert(0) += 1;
        *by_both.entry(format!("{} / {kind}", e.meta.actor)).or_insert(0) += 1;
        let amendment = match &e.event.entry {
            Entry::Corrected { target, reason, fact } => Some((*target, reason, Some(fact.type_name()))),
            Entry::Retracted { target, reason } => Some((*target, reason, None)),
            Entry::Fact(_) => None,
        };
        if let Some((target, reason, replacement)) = amendment {
            let found = located.get(&(e.stream.as_str(), target)).copied();
            amendments.push(AmendmentLine {
                position: e.position,
                stream: e.stream.clone(),
                kind: kind.to_owned(),
                reason: reason.clone(),
                actor: e.meta.actor.clone(),
                recorded_at: at,
                target_sequence: target,
                target_position: found.map(|f| f.0),
                target_type: found.map(|f| f.1.to_owned()),
                replacement_type: replacement.map(str::to_owned),
            });
        }
        let days_late = (at.date_naive() - e.meta.effective.naive()).num_days();
        if days_late > late_after_days {
            late_entries.push(LateLine {
                position: e.position,
                stream: e.stream.clone(),
                event_type: kind.to_owned(),
                actor: e.meta.actor.clone(),
                effective: e.meta.effective.naive(),
                recorded_at: at,
                days_late,
            });
        }
    }
    Ok(AuditReport {
        from,
        to,
        timezone: "UTC".into(),
        late_after_days,
        events: count,
        by_actor: counts(by_actor),
        by_type: counts(by_type),
        by_actor_and_type: counts(by_both),
        amendments,
        late_entries,
        size_at_start,
        size_at_end,
    })
}
