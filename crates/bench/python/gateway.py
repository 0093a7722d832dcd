# The gateway in Python 3 + boto3, clients built at import as the seeds build them,
# making the calls the Rust gateway makes for one accepted request: the tracking record
# (DynamoDB PutItem) and the message (SQS SendMessage).
import datetime, json, os, uuid
import boto3

sqs = boto3.client("sqs")
dynamodb = boto3.client("dynamodb")
QUEUE_URL = os.environ["OUTBOUND_WEBHOOK_QUEUE_URL"]
TABLE = os.environ["TRACKING_TABLE_NAME"]
REQUIRED = ("source_process", "timestamp", "source_system", "query")


def answer(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"},
            "body": json.dumps(body)}


def handler(event):
    try:
        body = json.loads(event.get("body") or "")
    except ValueError:
        body = None
    missing = [k for k in REQUIRED if not (isinstance(body, dict) and body.get(k))]
    if missing:
        return answer(400, {"success": False,
                            "error": "Missing required fields: " + ", ".join(missing)})
    tracking_id = str(uuid.uuid4())
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    dynamodb.put_item(
        TableName=TABLE,
        Item={"pk": {"S": "req#" + tracking_id}, "status": {"S": "queued"},
              "created_at": {"S": now}, "request": {"S": json.dumps(body)}},
        ConditionExpression="attribute_not_exists(pk)")
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps(dict(body, tracking_id=tracking_id)),
                     MessageAttributes={"tracking_id": {"DataType": "String",
                                                        "StringValue": tracking_id}})
    return answer(202, {"success": True, "message": "Request queued for processing",
                        "tracking_id": tracking_id, "queued_at": now,
                        "estimated_processing_time": "30-60 seconds", "status": "queued"})
