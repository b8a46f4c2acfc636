import base64
import gzip
import json


def rest(event, context):
    claims = (event["requestContext"].get("authorizer") or {}).get("claims", {})
    return {
        "statusCode": 200,
        "body": json.dumps([event["resource"], event["path"], event["httpMethod"],
            event["requestContext"]["resourcePath"], event["requestContext"]["identity"]["sourceIp"],
            event["isBase64Encoded"], event["requestContext"]["requestId"], claims.get("sub"),
            event["multiValueHeaders"], event["requestContext"]["stage"]]),
    }


def http(event, context):
    ctx = event["requestContext"]
    return [event["rawPath"], event["routeKey"], ctx["http"]["method"], ctx["http"]["sourceIp"],
            event["headers"]["user-agent"], event.get("cookies", []), event["isBase64Encoded"],
            ctx["requestId"], ctx["stage"], ctx["domainName"], event["rawQueryString"]]


def sqs(event, context):
    out = []
    for record in event["Records"]:
        attrs = record["attributes"]
        out.append((record["messageId"], record["receiptHandle"], json.loads(record["body"]),
                    attrs["ApproximateReceiveCount"], attrs["SentTimestamp"], record["eventSourceARN"],
                    record["md5OfBody"], record["messageAttributes"].get("x", {}).get("stringValue")))
    return out


def kinesis(event, context):
    return [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in event["Records"]] + [
        r["kinesis"]["partitionKey"] for r in event["Records"]] + [r["eventID"] for r in event["Records"]]


def logs(event, context):
    payload = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    return [e["message"] for e in payload["logEvents"]]


def eb(event, context):
    return event["detail"]["instance-id"], event["source"], event["detail-type"], event["time"], event["resources"]


def ddb(event, context):
    for r in event["Records"]:
        keys = r["dynamodb"]["Keys"]
        if r["eventName"] in ("INSERT", "MODIFY"):
            print(keys, r["dynamodb"]["NewImage"], r["dynamodb"]["SequenceNumber"], r["eventSourceARN"])


def s3(event, context):
    from urllib.parse import unquote_plus
    for r in event["Records"]:
        print(r["s3"]["bucket"]["name"], unquote_plus(r["s3"]["object"]["key"]), r["eventName"], r["eventTime"])


def sns(event, context):
    for r in event["Records"]:
        print(json.loads(r["Sns"]["Message"]), r["Sns"]["MessageAttributes"], r["Sns"]["TopicArn"], r["Sns"]["Timestamp"])
