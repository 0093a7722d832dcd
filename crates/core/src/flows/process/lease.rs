//! Taking the lease on a message's request, with the record it is worked from. The
//! gateway's own copy of a message, received for the first time, nearly always finds its
//! request as the gateway created it, so the lease is first asked for on that
//! assumption: the claim is granted only if the record still has just its `queued`
//! step, and then the record is known without reading it. When the claim is refused (a
//! duplicate copy, a record written since or not yet), and for any other message (a
//! later receive, a requeued delivery, a replay from the dead letters), the record is
//! read, and the lease is granted only if nothing was written since that read.
//!
//! A message for a `dead_lettered` request was moved back from the dead-letter queue (a
//! console redrive, `StartMessageMoveTask`): it is a replay, and the lease is taken with
//! the `queued` step a replay writes (see `flows::replay`), never dropped as finished.

use super::{ProcessError, Processor};
use crate::{
    Status,
    flows::{
        RequestMessage,
        known_record::KnownRecord,
        replay::{REDRIVE, reopening},
    },
    ports::{Received, StatusUpdate, StoreError, TrackingRecord},
};
use chrono::{DateTime, TimeDelta, Utc};
use revops_telemetry::propagation;

/// How long after its request was queued a message may have been sent and still be the
/// gateway's own copy. A copy sent again (a requeued delivery, a replay) is sent later
/// than this, and would only cost a refused claim if it were not.
const GATEWAY_SEND_WINDOW: TimeDelta = TimeDelta::seconds(1);

/// What asking for the lease found.
pub(super) enum Lease {
    /// This worker holds it, and knows the record.
    Held(Box<KnownRecord>),
    /// This worker holds it, and knows the record, which this message put back in line
    /// from the dead letters (a redrive).
    Redriven(Box<KnownRecord>),
    /// The request had already reached this status, an end; nothing was written.
    Finished(Status),
    /// Another worker holds it, or has just written to the record; nothing was written.
    Busy,
}

/// When a lease is asked for, and until when.
struct Term {
    now: DateTime<Utc>,
    until: DateTime<Utc>,
}

impl Processor {
    /// Takes the lease on `message`'s request for the receipt's holder, writing
    /// `processing` with it when the agent is to be asked next.
    pub(super) async fn take_lease(
        &self,
        message: &RequestMessage,
        received: &Received,
    ) -> Result<Lease, ProcessError> {
        let now = self.clock.now();
        let term = Term {
            now,
            until: now
                + chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::MAX),
        };
        if is_gateways_first_copy(message, received)
            && let Some(known) = self.take_lease_on_new(message, received, &term).await?
        {
            return Ok(Lease::Held(known));
        }
        let record = self.record_of(message).await?;
        let redrive = record.status == Status::DeadLettered;
        if record.status.is_terminal() && !redrive {
            return Ok(Lease::Finished(record.status));
        }
        // Without a stored answer, the agent is asked next.
        let asking = record
            .answer
            .is_none()
            .then(|| processing(&term, received.receive_count));
        if !redrive {
            return self.claim(record, received, &term, asking).await;
        }
        let reopened = reopening(term.now, REDRIVE);
        let entering = match asking {
            Some(asking) => asking.after(reopened),
            None => reopened,
        };
        Ok(
            match self.claim(record, received, &term, Some(entering)).await? {
                Lease::Held(known) => Lease::Redriven(known),
                other => other,
            },
        )
    }

    /// The lease on a request as the gateway created it, with `processing`, in one write
    /// and no read; `None` when the request is not as created (or not there), or is held.
    async fn take_lease_on_new(
        &self,
        message: &RequestMessage,
        received: &Received,
        term: &Term,
    ) -> Result<Option<Box<KnownRecord>>, ProcessError> {
        let record = TrackingRecord::created(&message.new_record(carried_trace_id()));
        let entering = Some(processing(term, received.receive_count));
        match self.claim(record, received, term, entering).await {
            Ok(Lease::Held(known)) => Ok(Some(known)),
            Ok(_) | Err(ProcessError::Store(StoreError::NotFound(_))) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Claims the lease on `record`'s request, refused if the record has changed since
    /// `record` was known; `entering` is written with it.
    async fn claim(
        &self,
        record: TrackingRecord,
        received: &Received,
        term: &Term,
        entering: Option<StatusUpdate>,
    ) -> Result<Lease, ProcessError> {
        let steps_seen = Some(record.events.len());
        let granted = self
            .store
            .claim(
                &record.tracking_id,
                received.receipt.0.as_str(),
                term.until,
                term.now,
                entering.clone(),
                steps_seen,
            )
            .await?;
        if !granted {
            return Ok(Lease::Busy);
        }
        let known = KnownRecord::new(record);
        if let Some(entering) = &entering {
            known.written(entering);
        }
        Ok(Lease::Held(Box::new(known)))
    }

    /// The record of `message`'s request, created if the gateway's write is missing. A
    /// record created here is known without reading it back: should the gateway's late
    /// write have landed first, the claim finds the same record, or refuses a changed one.
    async fn record_of(&self, message: &RequestMessage) -> Result<TrackingRecord, ProcessError> {
        if let Some(record) = self.store.get(&message.tracking_id).await? {
            return Ok(record);
        }
        tracing::warn!(tracking_id = %message.tracking_id, "no tracking record for a queued request (the gateway's write failed or is late); creating it");
        let new = message.new_record(carried_trace_id());
        let record = TrackingRecord::created(&new);
        self.store.create(new).await?;
        Ok(record)
    }
}

/// The request's trace: the consumer span this runs in has already continued the trace
/// the message carries, which is the one the gateway's record names.
fn carried_trace_id() -> Option<String> {
    propagation::trace_id(&tracing::Span::current())
}

/// Whether `received` is the gateway's copy of `message`, received for the first time.
fn is_gateways_first_copy(message: &RequestMessage, received: &Received) -> bool {
    received.receive_count <= 1 && received.sent_at - message.queued_at < GATEWAY_SEND_WINDOW
}

/// The `processing` step: the agent is asked next.
fn processing(term: &Term, receive_count: u32) -> StatusUpdate {
    StatusUpdate::new(Status::Processing, term.now)
        .detail(format!("asking the agent (receive #{receive_count})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{flows::message::sample, ports::Receipt};

    #[test]
    fn only_the_gateways_copy_on_its_first_receive_skips_the_read() {
        let message = sample();
        let received = |receive_count, sent_after: TimeDelta| Received {
            message_id: "m".into(),
            receipt: Receipt("r".into()),
            message: message.encode(),
            receive_count,
            sent_at: message.queued_at + sent_after,
        };
        let first_copy = |r: Received| is_gateways_first_copy(&message, &r);
        assert!(first_copy(received(1, TimeDelta::milliseconds(3))));
        assert!(
            first_copy(received(1, TimeDelta::milliseconds(-1))),
            "a queue's clock a little behind"
        );
        assert!(
            !first_copy(received(2, TimeDelta::milliseconds(3))),
            "received before"
        );
        assert!(
            !first_copy(received(1, TimeDelta::seconds(30))),
            "requeued, or replayed from the dead letters"
        );
    }
}
