# The agent wrapper in Python 3 + boto3, its client built at import: one Bedrock
# InvokeAgent call, the answer's chunks read from the event stream and joined.
import os
import boto3

bedrock = boto3.client("bedrock-agent-runtime")
AGENT_ID = os.environ["BEDROCK_AGENT_ID"]
ALIAS_ID = os.environ["BEDROCK_AGENT_ALIAS_ID"]


def handler(event):
    answer = bedrock.invoke_agent(agentId=AGENT_ID, agentAliasId=ALIAS_ID,
                                  sessionId=event["tracking_id"], inputText=event["query"])
    parts = [e["chunk"]["bytes"].decode() for e in answer["completion"] if "chunk" in e]
    return {"response": "".join(parts)}
