//! Answers: the chunks assembled exactly, and the request as Bedrock sees it.

use crate::client::{AGENT_ALIAS_ID, AGENT_ID, agent, question};
use chrono::Utc;
use revops_agent_wrapper::TRACKING_ID_ATTRIBUTE;
use revops_core::ports::{Agent, AgentError};
use revops_testkit::bedrock::{FakeBedrock, Reply};

#[tokio::test]
async fn a_chunked_answer_is_assembled_exactly() {
    let answer = "**Deal Status for IXIS**\n\n- Stage: Négociation\n- Amount: 42 000 €\n";
    let bytes = answer.as_bytes();
    let e_acute = answer.find('é').unwrap();
    let euro = answer.find('€').unwrap();
    // Split inside "é" (2 bytes) and inside "€" (3 bytes), plus an empty chunk.
    let chunks = vec![
        bytes[..10].to_vec(),
        bytes[10..e_acute + 1].to_vec(),
        bytes[e_acute + 1..euro + 2].to_vec(),
        Vec::new(),
        bytes[euro + 2..].to_vec(),
    ];
    let server = FakeBedrock::start([Reply::Chunks(chunks)]).await;
    let question = question("What is the deal status for IXIS?");

    let reply = agent(&server).await.ask(&question).await.unwrap();

    assert_eq!(reply.response, answer);
    let expected_session = format!(
        "webhook_{}_{}",
        Utc::now().format("%Y%m%d"),
        &question.tracking_id.to_string()[..8]
    );
    assert_eq!(reply.session_id, expected_session);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let seen = &requests[0];
    assert_eq!(
        (seen.agent_id.as_str(), seen.agent_alias_id.as_str()),
        (AGENT_ID, AGENT_ALIAS_ID)
    );
    assert_eq!(seen.session_id, expected_session);
    assert_eq!(seen.body["inputText"], "What is the deal status for IXIS?");
    assert_eq!(
        seen.body["sessionState"]["sessionAttributes"][TRACKING_ID_ATTRIBUTE],
        question.tracking_id.to_string()
    );
    assert!(
        seen.authorization
            .starts_with("AWS4-HMAC-SHA256 Credential=AKIDTESTACCESSKEY/"),
        "{}",
        seen.authorization
    );
}

#[tokio::test]
async fn the_callers_session_is_continued() {
    let server = FakeBedrock::start([Reply::text(&["Q4: ", "3 deals"])]).await;
    let mut question = question("What deals are closing this quarter?");
    question.session_id = Some("webhook_20250814_xyz123".to_owned());

    let reply = agent(&server).await.ask(&question).await.unwrap();

    assert_eq!(reply.response, "Q4: 3 deals");
    assert_eq!(reply.session_id, "webhook_20250814_xyz123");
    assert_eq!(server.requests()[0].session_id, "webhook_20250814_xyz123");
}

#[tokio::test]
async fn a_stream_without_any_chunk_is_not_an_answer() {
    let server = FakeBedrock::start([Reply::Chunks(Vec::new())]).await;
    let error = agent(&server)
        .await
        .ask(&question("anything"))
        .await
        .unwrap_err();
    assert!(matches!(error, AgentError::Unavailable(_)), "{error:?}");
}
