"""The identity check's DynamoDB read, written the way most teams write a Python Lambda handler.

The client is created once at import time (the usual pattern); the handler reads the union and
the roster entry, as kennin-signup-identity does, and answers like API Gateway expects.
"""

import json
import os

import boto3

TABLE = os.environ["KENNIN_TABLE"]
dynamodb = boto3.client("dynamodb")


def handler(event, context):
    body = json.loads(event["body"])
    insurer = dynamodb.get_item(
        TableName=TABLE,
        Key={"pk": {"S": f"INSURER#{body['insurerCode']}"}, "sk": {"S": "INSURER"}},
    ).get("Item")
    if insurer is None or "currentYear" not in insurer:
        return {"statusCode": 400, "body": json.dumps({"code": "bad_request"})}
    year = insurer["currentYear"]["N"]
    person = dynamodb.get_item(
        TableName=TABLE,
        Key={
            "pk": {"S": f"ROSTER#{body['insurerCode']}#{year}"},
            "sk": {"S": f"CARD#{body['symbol']}#{body['number']}"},
        },
    ).get("Item")
    matched = person is not None and person["birthDate"]["S"] == body["birthDate"]
    return {
        "statusCode": 200 if matched else 401,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"step": "account"} if matched else {"code": "identity_mismatch"}),
    }
