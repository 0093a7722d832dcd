//! The tracking store's contract, as one set of checks every adapter runs (SQLite
//! locally, DynamoDB on AWS), so the two cannot drift apart.

use chrono::{DateTime, Duration, Utc};
use revops_core::{
    AttemptResult, Category, DeliveryAttempt, InboundRequest, Status, TrackingId,
    ports::{
        AgentAnswer, BreakerPolicy, CircuitState, NewRecord, ReceiverRegistry, RequestKeyClaim,
        StatusUpdate, StoreError, TrackingRecord, TrackingStore,
    },
};

/// A new request's record, for `id`.
pub fn new_record(id: TrackingId) -> NewRecord {
    NewRecord {
        tracking_id: id,
        source_system: "external_app".into(),
        source_process: "test_system".into(),
        queued_at: Utc::now(),
        trace_id: Some("5759e988bd862e3fe1be46a994272793".into()),
    }
}

/// The request the contract's records were accepted with.
pub fn sample_request() -> InboundRequest {
    InboundRequest::parse(
        br#"{"query":"Analyze the IXIS deal","source_system":"external_app","source_process":"test_system","timestamp":"2025-08-13T06:30:00Z","session_id":"s-1"}"#,
    )
    .expect("a valid request")
    .request
}

/// A reopen (a replay's `queued` step) is applied only while the record has the steps
/// its caller saw, frees the lease so a worker can take the request at once, and starts
/// the attempts over; `in_status` lists the requests in a status and no others.
pub async fn a_reopen_is_conditional_and_frees_the_lease(store: &dyn TrackingStore) {
    let id = TrackingId::new();
    let other = TrackingId::new();
    store.create(new_record(id)).await.expect("create");
    store.create(new_record(other)).await.expect("create");
    let now = Utc::now();
    let dead = StatusUpdate::new(Status::DeadLettered, now)
        .attempts(4)
        .last_error(Some("HTTP 503".into()))
        .keep_request(&sample_request());
    assert!(
        store
            .claim(
                &id,
                "worker",
                now + Duration::seconds(300),
                now,
                Some(dead),
                None
            )
            .await
            .expect("claim")
    );
    let dead_lettered = store.in_status(Status::DeadLettered).await.expect("list");
    assert_eq!(
        dead_lettered
            .iter()
            .map(|r| r.tracking_id)
            .collect::<Vec<_>>(),
        [id],
        "only the dead-lettered request"
    );
    let seen = dead_lettered[0].events.len();
    let reopen = StatusUpdate::new(Status::Queued, now)
        .detail("replayed by a test")
        .attempts(0)
        .last_error(None);
    assert!(
        !store
            .reopen(&id, reopen.clone(), seen - 1)
            .await
            .expect("reopen"),
        "refused: the record has changed since"
    );
    assert!(
        store
            .reopen(&id, reopen.clone(), seen)
            .await
            .expect("reopen")
    );
    assert!(
        !store.reopen(&id, reopen, seen).await.expect("reopen"),
        "a second replay from the same read loses"
    );
    let record = store.get(&id).await.expect("get").expect("there");
    assert_eq!(record.status, Status::Queued);
    assert_eq!(record.attempts, 0);
    assert_eq!(
        record.request,
        Some(sample_request()),
        "the request kept at the bad end"
    );
    assert_eq!(record.last_error, None);
    assert_eq!(record.events.len(), seen + 1);
    assert!(
        store
            .claim(
                &id,
                "another",
                now + Duration::seconds(300),
                now,
                None,
                None
            )
            .await
            .expect("claim"),
        "the lease was freed"
    );
    assert!(
        store
            .in_status(Status::DeadLettered)
            .await
            .expect("list")
            .iter()
            .all(|r| r.tracking_id != id)
    );
    assert!(matches!(
        store
            .reopen(
                &TrackingId::new(),
                StatusUpdate::new(Status::Queued, now),
                1
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
}

/// A lease is held by one owner at a time: the holder may renew it, another takes it
/// only once it ran out, only its holder releases it, and an unknown id has none.
pub async fn lease_is_held_by_one_owner(store: &dyn TrackingStore) {
    let id = TrackingId::new();
    store.create(new_record(id)).await.expect("create");
    let now = Utc::now();
    let until = now + Duration::seconds(30);
    let claim = |owner: &'static str, until, now| store.claim(&id, owner, until, now, None, None);
    assert!(claim("a", until, now).await.expect("claim"));
    assert!(!claim("b", until, now).await.expect("claim"), "a holds it");
    assert!(claim("a", until, now).await.expect("claim"), "a may renew");
    let later = until + Duration::seconds(1);
    assert!(
        claim("b", later + Duration::seconds(30), later)
            .await
            .expect("claim"),
        "a's lease ran out"
    );
    store.release(&id, "a").await.expect("release");
    assert!(
        !claim("c", until, now).await.expect("claim"),
        "a cannot release b's lease"
    );
    store.release(&id, "b").await.expect("release");
    assert!(claim("c", until, now).await.expect("claim"));
    let unknown = TrackingId::new();
    assert_eq!(
        store.claim(&unknown, "a", until, now, None, None).await,
        Err(StoreError::NotFound(unknown))
    );
}

/// A status change made with the lease lands only when the lease is granted, and an
/// unknown id is reported, not created.
pub async fn a_claim_carries_a_status_change_only_when_granted(store: &dyn TrackingStore) {
    let id = TrackingId::new();
    store.create(new_record(id)).await.expect("create");
    let now = Utc::now();
    let until = now + Duration::seconds(30);
    let processing = |detail: &str| StatusUpdate::new(Status::Processing, now).detail(detail);
    assert!(
        store
            .claim(&id, "a", until, now, Some(processing("by a")), None)
            .await
            .expect("claim")
    );
    assert!(
        !store
            .claim(&id, "b", until, now, Some(processing("by b")), None)
            .await
            .expect("claim"),
        "a holds it"
    );
    let record = store.get(&id).await.expect("get").expect("the record");
    assert_eq!(record.status, Status::Processing);
    let timeline: Vec<_> = record
        .events
        .iter()
        .map(|e| (e.status, e.detail.as_deref()))
        .collect();
    assert_eq!(
        timeline,
        [(Status::Queued, None), (Status::Processing, Some("by a"))],
        "the refused claim wrote nothing"
    );
    let unknown = TrackingId::new();
    assert_eq!(
        store
            .claim(&unknown, "a", until, now, Some(processing("x")), None)
            .await,
        Err(StoreError::NotFound(unknown))
    );
    assert!(store.get(&unknown).await.expect("get").is_none());
}

/// A claim that names the number of steps its caller read is refused, and writes
/// nothing, once the record has changed since: a worker never works from, or archives,
/// a record another worker wrote to after it was read.
pub async fn a_claim_is_refused_when_the_record_changed_since_it_was_read(
    store: &dyn TrackingStore,
) {
    let id = TrackingId::new();
    store.create(new_record(id)).await.expect("create");
    let read = store.get(&id).await.expect("get").expect("the record");
    let now = Utc::now();
    let until = now + Duration::seconds(30);
    store
        .update(
            &id,
            StatusUpdate::new(Status::RetryScheduled, now).detail("by another worker"),
        )
        .await
        .expect("update");
    let processing = StatusUpdate::new(Status::Processing, now).detail("from a stale read");
    assert!(
        !store
            .claim(
                &id,
                "a",
                until,
                now,
                Some(processing.clone()),
                Some(read.events.len())
            )
            .await
            .expect("claim"),
        "the record changed after it was read"
    );
    let fresh = store.get(&id).await.expect("get").expect("the record");
    assert_eq!(
        fresh.status,
        Status::RetryScheduled,
        "the refused claim wrote nothing"
    );
    assert_eq!(fresh.events.len(), read.events.len() + 1);
    assert!(
        store
            .claim(
                &id,
                "a",
                until,
                now,
                Some(processing),
                Some(fresh.events.len())
            )
            .await
            .expect("claim"),
        "read again, the claim is granted"
    );
    let claimed = store.get(&id).await.expect("get").expect("the record");
    assert_eq!(claimed.status, Status::Processing);
}

/// Records an answer together with the first attempt (one write of two steps), then a
/// failed attempt, for a new request; returns its id and the answer, for
/// [`timeline_answer_and_errors_are_kept`] to read back (from the same store, or from the
/// same data opened again). Creating a record twice changes nothing.
pub async fn write_timeline(store: &dyn TrackingStore) -> (TrackingId, AgentAnswer) {
    let id = TrackingId::new();
    let answer = AgentAnswer {
        response: "**IXIS**: Negotiate — 80 %".into(),
        session_id: "webhook_20251122_abcd".into(),
        answered_at: Utc::now(),
        ..Default::default()
    };
    store.create(new_record(id)).await.expect("create");
    store.create(new_record(id)).await.expect("create again");
    let answered = StatusUpdate::new(Status::AgentCompleted, Utc::now()).answer(answer.clone());
    store
        .update(
            &id,
            StatusUpdate::new(Status::Delivering, Utc::now())
                .detail("attempt 1")
                .attempts(1)
                .after(answered),
        )
        .await
        .expect("update");
    store
        .update(
            &id,
            StatusUpdate::new(Status::RetryScheduled, Utc::now())
                .attempts(1)
                .last_error(Some("HTTP 500".into()))
                .detail("attempt 1 failed"),
        )
        .await
        .expect("update");
    (id, answer)
}

/// What [`write_timeline`] wrote is all there, in order; a later update that gives no
/// attempts and clears the error keeps the attempts and the answer.
pub async fn timeline_answer_and_errors_are_kept(
    store: &dyn TrackingStore,
    id: TrackingId,
    answer: AgentAnswer,
) {
    let record = store.get(&id).await.expect("get").expect("the record");
    assert_eq!(record.status, Status::RetryScheduled);
    assert_eq!(record.attempts, 1);
    assert_eq!(record.last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(record.answer, Some(answer.clone()));
    let timeline: Vec<_> = record.events.iter().map(|e| e.status).collect();
    assert_eq!(
        timeline,
        [
            Status::Queued,
            Status::AgentCompleted,
            Status::Delivering,
            Status::RetryScheduled
        ]
    );
    assert_eq!(record.events[1].detail, None);
    assert_eq!(record.events[2].detail.as_deref(), Some("attempt 1"));
    assert_eq!(record.events[3].detail.as_deref(), Some("attempt 1 failed"));
    assert!(record.events.windows(2).all(|w| w[0].at <= w[1].at));

    store
        .update(
            &id,
            StatusUpdate::new(Status::Delivered, Utc::now()).last_error(None),
        )
        .await
        .expect("update");
    let record = store.get(&id).await.expect("get").expect("the record");
    assert_eq!(record.status, Status::Delivered);
    assert_eq!(record.last_error, None);
    assert_eq!(record.attempts, 1, "attempts unchanged when not given");
    assert_eq!(record.answer, Some(answer), "the answer stays");
    assert_eq!(record.events.len(), 5);
}

/// A new record reads back as [`TrackingRecord::created`], and after each update as the
/// record before it with that update applied ([`TrackingRecord::apply`]): the processor
/// relies on both to take a new request's lease and archive its conversation without
/// reading the record. The times have nanoseconds, which every store keeps to the
/// microsecond.
pub async fn a_record_read_back_is_the_record_with_its_updates_applied(store: &dyn TrackingStore) {
    let id = TrackingId::new();
    let at = |second: i64| {
        DateTime::from_timestamp(1_763_800_000 + second, 123_456_789).expect("a valid time")
    };
    let new = NewRecord {
        queued_at: at(0),
        ..new_record(id)
    };
    store.create(new.clone()).await.expect("create");
    let mut known = TrackingRecord::created(&new);
    assert_eq!(
        store.get(&id).await.expect("get"),
        Some(known.clone()),
        "a new record"
    );
    let answer = AgentAnswer {
        response: "**IXIS**: Negotiate".into(),
        session_id: "webhook_20251122_abcd".into(),
        answered_at: at(1),
        ..Default::default()
    };
    let updates = [
        StatusUpdate::new(Status::Processing, at(1)).detail("asking the agent"),
        StatusUpdate::new(Status::Processing, at(1))
            .detail("the agent did not answer; asking again")
            .agent_calls(1),
        StatusUpdate::new(Status::Delivering, at(2))
            .detail("attempt 1")
            .attempts(1)
            .after(
                StatusUpdate::new(Status::AgentCompleted, at(2))
                    .answer(answer)
                    .category(Category::DealAnalysis)
                    .agent_calls(2)
                    .last_error(None),
            ),
        StatusUpdate::new(Status::RetryScheduled, at(3))
            .last_error(Some("HTTP 503".into()))
            .detail("attempt 1 failed")
            .delivery_attempt(DeliveryAttempt {
                attempt: 1,
                at: at(2),
                outcome: AttemptResult::Retrying,
                http_status: Some(503),
                duration_ms: 41,
                error: Some("HTTP 503 from http://127.0.0.1:9/hook: busy".into()),
            })
            .next_attempt_at(Some(at(4))),
        StatusUpdate::new(Status::Delivering, at(4))
            .attempts(2)
            .keep_request(&sample_request()),
        StatusUpdate::new(Status::Delivered, at(5))
            .attempts(2)
            .last_error(None)
            .delivery_attempt(DeliveryAttempt {
                attempt: 2,
                at: at(4),
                outcome: AttemptResult::Success,
                http_status: None,
                duration_ms: 7,
                error: None,
            })
            .next_attempt_at(None),
    ];
    for update in updates {
        store.update(&id, update.clone()).await.expect("update");
        known.apply(&update);
        let stored = store.get(&id).await.expect("get").expect("the record");
        assert_eq!(stored, known, "after {:?}", update.status);
    }
    assert_eq!(
        (known.category, known.agent_calls),
        (Some(Category::DealAnalysis), 2),
        "the category and the agent calls are kept"
    );
    assert_eq!(
        known
            .delivery_attempts
            .iter()
            .map(|attempt| (attempt.attempt, attempt.http_status))
            .collect::<Vec<_>>(),
        [(1, Some(503)), (2, None)],
        "every attempt is kept, oldest first"
    );
    assert_eq!(known.next_attempt_at, None, "cleared once delivered");
}

/// An unknown id has no record, cannot be updated (and is not created by trying), and
/// releasing its lease is harmless.
pub async fn unknown_ids_are_absent(store: &dyn TrackingStore) {
    let id = TrackingId::new();
    assert!(store.get(&id).await.expect("get").is_none());
    assert_eq!(
        store
            .update(&id, StatusUpdate::new(Status::Processing, Utc::now()))
            .await,
        Err(StoreError::NotFound(id))
    );
    assert!(
        store.get(&id).await.expect("get").is_none(),
        "nothing was created"
    );
    store.release(&id, "a").await.expect("release");
}

/// A request's `Idempotency-Key` is claimed in one call: a free key is taken; a key whose
/// request was recorded answers with that request (its id and `queued_at`); a key whose
/// request was never recorded (it died before it was accepted) is taken over.
pub async fn a_request_key_answers_with_the_recorded_request_or_is_taken_over(
    store: &dyn TrackingStore,
) {
    let scope = format!("contract-{}", TrackingId::new());
    let now = Utc::now();
    let first = TrackingId::new();
    assert_eq!(
        store.claim_request_key(&scope, "k", &first, now).await,
        Ok(RequestKeyClaim::New)
    );
    let record = new_record(first);
    let queued_at = record.queued_at;
    store.create(record).await.expect("create");
    let Ok(RequestKeyClaim::Existing {
        tracking_id,
        queued_at: first_queued_at,
    }) = store
        .claim_request_key(&scope, "k", &TrackingId::new(), now)
        .await
    else {
        panic!("a recorded request keeps its key");
    };
    assert_eq!(tracking_id, first);
    assert_eq!(
        first_queued_at.timestamp_micros(),
        queued_at.timestamp_micros()
    );

    let never_recorded = TrackingId::new();
    assert_eq!(
        store
            .claim_request_key(&scope, "other", &never_recorded, now)
            .await,
        Ok(RequestKeyClaim::New)
    );
    let taker = TrackingId::new();
    assert_eq!(
        store.claim_request_key(&scope, "other", &taker, now).await,
        Ok(RequestKeyClaim::New),
        "a key whose request was never recorded is taken over"
    );
    store.create(new_record(taker)).await.expect("create");
    assert!(matches!(
        store
            .claim_request_key(&scope, "other", &TrackingId::new(), now)
            .await,
        Ok(RequestKeyClaim::Existing { tracking_id, .. }) if tracking_id == taker
    ));
}

/// A receiver's circuit: failures in a row open it at the policy's count, until the
/// cooldown ends; then one caller takes the probe; a failed probe opens it again, a
/// success closes it and clears the count. A `410`'s disable lasts until enabled. Both
/// are listed.
pub async fn a_receivers_circuit_opens_probes_and_closes(registry: &dyn ReceiverRegistry) {
    let origin = "http://127.0.0.1:9000".to_owned();
    let policy = BreakerPolicy {
        failures_to_open: 3,
        cooldown: std::time::Duration::from_secs(30),
    };
    let now = DateTime::from_timestamp(1_763_800_000, 0).expect("a valid time");
    assert_eq!(registry.circuit(&origin).await.expect("read"), None);
    assert!(
        !registry
            .record_success(&origin, now)
            .await
            .expect("success"),
        "a success on a receiver never seen changes nothing"
    );
    for failure in 1..=2 {
        let recorded = registry
            .record_failure(&origin, "HTTP 503", now, &policy)
            .await
            .expect("failure");
        assert!(!recorded.opened);
        assert_eq!(recorded.circuit.failures, failure);
        assert_eq!(recorded.circuit.state, CircuitState::Closed);
    }
    let third = registry
        .record_failure(&origin, "connection refused", now, &policy)
        .await
        .expect("failure");
    assert!(third.opened, "the third failure in a row opens it");
    assert_eq!(third.circuit.state, CircuitState::Open);
    assert_eq!(
        third.circuit.last_error.as_deref(),
        Some("connection refused")
    );
    let retry_at = third.circuit.retry_at.expect("a probe time");
    assert_eq!(retry_at, now + Duration::seconds(30));
    let late = registry
        .record_failure(&origin, "HTTP 503", now, &policy)
        .await
        .expect("failure");
    assert!(
        !late.opened,
        "an attempt in flight when it opened does not reopen it"
    );

    let later = retry_at + Duration::seconds(1);
    let cooldown = std::time::Duration::from_secs(30);
    assert!(
        registry
            .take_probe(&origin, retry_at, later, cooldown)
            .await
            .expect("probe")
    );
    assert!(
        !registry
            .take_probe(&origin, retry_at, later, cooldown)
            .await
            .expect("probe"),
        "one probe at a time"
    );
    let probing = registry
        .circuit(&origin)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(probing.state, CircuitState::HalfOpen);
    let failed_probe = registry
        .record_failure(&origin, "HTTP 502", later, &policy)
        .await
        .expect("failure");
    assert!(failed_probe.opened, "a failed probe opens it again");
    assert_eq!(failed_probe.circuit.state, CircuitState::Open);

    assert!(
        registry
            .record_success(&origin, later)
            .await
            .expect("success"),
        "closed by a success"
    );
    let closed = registry
        .circuit(&origin)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        (closed.state, closed.failures, closed.retry_at),
        (CircuitState::Closed, 0, None)
    );
    assert!(
        !registry
            .record_success(&origin, later)
            .await
            .expect("success")
    );

    let url = format!("{origin}/gone");
    assert_eq!(registry.disabled(&url).await.expect("read"), None);
    registry
        .disable(&url, "HTTP 410 Gone", now)
        .await
        .expect("disable");
    let disabled = registry
        .disabled(&url)
        .await
        .expect("read")
        .expect("disabled");
    assert_eq!(
        (disabled.reason.as_str(), disabled.at),
        ("HTTP 410 Gone", now)
    );
    let (circuits, urls) = registry.list().await.expect("list");
    assert!(circuits.iter().any(|c| c.origin == origin));
    assert!(urls.iter().any(|u| u.url == url));
    assert!(registry.enable(&url).await.expect("enable"));
    assert!(
        !registry.enable(&url).await.expect("enable"),
        "already enabled"
    );
    assert_eq!(registry.disabled(&url).await.expect("read"), None);
}
