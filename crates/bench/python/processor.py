# The queue processor in Python 3 + boto3, clients built at import, making the calls the
# Rust processor makes for one delivered request: the receiver's health (two DynamoDB
# GetItems), the record's steps (three UpdateItems), the agent (Lambda Invoke of the
# wrapper, synchronous, as the seeds do), the signed webhook, the conversation (S3
# PutObject) and the message deleted (SQS DeleteMessage).
import base64, datetime, hashlib, hmac, json, os, time, urllib.request, uuid
import boto3

sqs = boto3.client("sqs")
dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3")
lambda_client = boto3.client("lambda")
QUEUE_URL = os.environ["OUTBOUND_WEBHOOK_QUEUE_URL"]
TABLE = os.environ["TRACKING_TABLE_NAME"]
BUCKET = os.environ["CONVERSATION_BUCKET"]
WEBHOOK_URL = os.environ["WEBHOOK_URL"]
AGENT = os.environ["MANAGER_AGENT_FUNCTION_NAME"]
SECRET = base64.b64decode(os.environ["WEBHOOK_SECRET"].removeprefix("whsec_"))


def step(tracking_id, status):
    dynamodb.update_item(
        TableName=TABLE, Key={"pk": {"S": "req#" + tracking_id}},
        UpdateExpression="SET #s = :s, updated_at = :t",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": status},
                                   ":t": {"S": datetime.datetime.now(datetime.timezone.utc).isoformat()}})


def deliver(record):
    request = json.loads(record["body"])
    tracking_id = request["tracking_id"]
    receiver = hashlib.sha256(WEBHOOK_URL.encode()).hexdigest()
    dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "circuit#" + receiver}})
    dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "disabled#" + receiver}})
    step(tracking_id, "processing")
    answer = lambda_client.invoke(FunctionName=AGENT, Payload=json.dumps(
        {"query": request["query"], "tracking_id": tracking_id}).encode())
    response = json.loads(answer["Payload"].read())["response"]
    step(tracking_id, "answered")
    webhook_id, timestamp = "msg_" + uuid.uuid4().hex, str(int(time.time()))
    body = json.dumps({"tracking_id": tracking_id, "source_system": request["source_system"],
                       "source_process": request["source_process"],
                       "original_query": request["query"],
                       "ai_response": {"response": response, "response_plain": response},
                       "status": "success"}).encode()
    signature = base64.b64encode(hmac.new(
        SECRET, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
    urllib.request.urlopen(urllib.request.Request(WEBHOOK_URL, data=body, method="POST", headers={
        "content-type": "application/json", "webhook-id": webhook_id,
        "webhook-timestamp": timestamp, "webhook-signature": "v1," + signature}), timeout=30).read()
    step(tracking_id, "delivered")
    s3.put_object(Bucket=BUCKET, Key=f"conversations/{tracking_id}.json", Body=body)
    sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=record["receiptHandle"])


def handler(event):
    for record in event["Records"]:
        deliver(record)
    return {"batchItemFailures": []}
