//! Reading `InvokeAgent`'s event stream: the `chunk` events' bytes, in order, make the
//! answer. The bytes are joined first and decoded once, so a character split across two
//! chunks comes out whole. The `trace` events go to the [`TraceSteps`] the caller gives.

use crate::{errors, trace_steps::TraceSteps};
use aws_sdk_bedrockagentruntime::{
    primitives::event_stream::EventReceiver,
    types::{ResponseStream, error::ResponseStreamError},
};
use revops_core::ports::AgentError;

/// The answer's bytes so far.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    bytes: Vec<u8>,
    chunks: usize,
}

impl Answer {
    /// Adds one chunk's bytes.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
        self.chunks += 1;
    }

    /// The answer as text, once the stream has ended.
    pub(crate) fn finish(self) -> Result<String, AgentError> {
        if self.chunks == 0 {
            return Err(AgentError::Unavailable(
                "the agent's stream ended without any answer chunk".to_owned(),
            ));
        }
        String::from_utf8(self.bytes).map_err(|error| {
            AgentError::Unavailable(format!(
                "the agent's answer is not valid UTF-8 (at byte {})",
                error.utf8_error().valid_up_to()
            ))
        })
    }
}

/// Reads the stream to its end and returns the answer; trace events go to `steps`.
pub(crate) async fn read_answer(
    stream: &mut EventReceiver<ResponseStream, ResponseStreamError>,
    steps: &mut TraceSteps,
) -> Result<String, AgentError> {
    let mut answer = Answer::default();
    while let Some(event) = stream.recv().await.map_err(errors::from_stream_error)? {
        match event {
            ResponseStream::Chunk(part) => {
                let bytes = part.bytes.as_ref().map_or(&[][..], |blob| blob.as_ref());
                tracing::trace!(bytes = bytes.len(), "answer chunk");
                answer.push(bytes);
            }
            ResponseStream::Trace(part) => steps.observe(&part),
            other => tracing::debug!(event = ?event_name(&other), "ignored agent event"),
        }
    }
    answer.finish()
}

fn event_name(event: &ResponseStream) -> &'static str {
    match event {
        ResponseStream::Chunk(_) => "chunk",
        ResponseStream::Trace(_) => "trace",
        ResponseStream::ReturnControl(_) => "returnControl",
        ResponseStream::Files(_) => "files",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_across_chunks_is_decoded_whole() {
        let text = "**Deal Status for IXIS** — 42 €";
        let bytes = text.as_bytes();
        let euro = text.find('€').unwrap();
        let mut answer = Answer::default();
        answer.push(&bytes[..euro + 1]);
        answer.push(&bytes[euro + 1..]);
        assert_eq!(answer.finish().unwrap(), text);
    }

    #[test]
    fn no_chunk_or_broken_text_is_not_an_answer() {
        assert!(matches!(
            Answer::default().finish(),
            Err(AgentError::Unavailable(_))
        ));
        let mut answer = Answer::default();
        answer.push(&[b'o', b'k', 0xE2, 0x82]);
        let error = answer.finish().unwrap_err();
        assert!(error.to_string().contains("at byte 2"), "{error}");
    }

    #[test]
    fn an_empty_chunk_still_counts() {
        let mut answer = Answer::default();
        answer.push(b"");
        assert_eq!(answer.finish().unwrap(), "");
    }
}
