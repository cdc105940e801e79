//! What the fuzz targets share: a small ledger to decide commands against and to replay after,
//! built once per process from the seed's own history (the N-Pocket demo).

use domain::chain::Row;
use domain::{LedgerEvent, LedgerState, Metadata, Recorded, Subject, View};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The demo history as recorded events, and the state folded from it.
pub struct Demo {
    pub events: Vec<Recorded>,
    pub rows: Vec<Row>,
    pub state: LedgerState,
    pub subjects: HashMap<String, Subject>,
}

pub fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let events = domain::demo::recorded("2026-11-28T09:00:00Z".parse().expect("a time"));
        let rows = domain::chain::rows_for(&events).unwrap_or_default();
        let mut subjects: HashMap<String, Subject> = HashMap::new();
        for e in &events {
            subjects.entry(e.stream.clone()).or_default().apply_event(e.event.clone());
        }
        let state = LedgerState::replay(&events, View::everything());
        Demo {
            events,
            rows,
            state,
            subjects,
        }
    })
}

/// Decides a command against the demo ledger, as the server would: the subject's own stream and
/// the projection of everything else. Refusals are expected; panics are what is hunted.
pub fn decide(command: domain::Command) {
    let demo = demo();
    let Ok(stream) = command.stream() else { return };
    let subject = demo.subjects.get(&stream).cloned().unwrap_or_default();
    if let Ok(events) = subject.decide(command, &demo.state) {
        let mut after = subject;
        for event in events {
            after.apply_event(event);
        }
    }
}

/// Folds `events` after the demo, in every view the app uses.
pub fn replay_after_demo(events: &[LedgerEvent]) {
    let demo = demo();
    let mut all = demo.events.clone();
    for (i, event) in events.iter().enumerate() {
        let stream = event
            .fact()
            .map(|f| f.subject().stream())
            .unwrap_or_else(|| "program:pc-course-west".into());
        all.push(Recorded {
            position: all.len() as u64 + 1,
            stream,
            sequence: 1000 + i as u64,
            event: event.clone(),
            meta: Metadata {
                actor: "fuzz".into(),
                correlation_id: String::new(),
                effective: event.on,
                reason: None,
                recorded_at: "2026-11-29T09:00:00Z".parse().expect("a time"),
            },
        });
    }
    fold_every_way(&all);
}

/// The projection, reports and the spiral's inputs over `events`.
pub fn fold_every_way(events: &[Recorded]) {
    let state = LedgerState::replay(events, View::everything());
    let mut pushed = LedgerState::default();
    for e in events {
        if !pushed.push(e) {
            pushed = LedgerState::replay(events.iter().take_while(|x| x.position <= e.position), View::everything());
        }
    }
    if let Some(first) = events.first() {
        let _ = LedgerState::replay(
            events,
            View {
                as_of: Some(first.event.on),
                known_at: Some(first.meta.recorded_at),
            },
        );
    }
    report_every_way(&state);
}

/// The reports over a state, for the fiscal years of a few of its receipts.
pub fn report_every_way(state: &LedgerState) {
    for fy in state
        .receipts
        .values()
        .map(|r| r.fiscal_year)
        .take(3)
        .collect::<Vec<_>>()
    {
        let _ = domain::report::funding::funding_summary(state, fy, fy, false);
        let _ = domain::report::funding::funding_summary(state, fy, fy, true);
        for (supporting_dues_as_donations, add_member_dues) in [(false, false), (true, true)] {
            let options = domain::report::pst::PstOptions {
                supporting_dues_as_donations,
                add_member_dues,
            };
            let _ = domain::report::pst::public_support_test(state, fy, fy, options);
        }
    }
}
