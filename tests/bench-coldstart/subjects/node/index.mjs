// The identity check's DynamoDB read, written the way most teams write a Node.js Lambda handler:
// the AWS SDK v3 client created once at module load, the union and the roster entry read in the
// handler, as kennin-signup-identity does.
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

const table = process.env.KENNIN_TABLE;
const dynamodb = new DynamoDBClient({});

export const handler = async (event) => {
  const body = JSON.parse(event.body);
  const { Item: insurer } = await dynamodb.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: `INSURER#${body.insurerCode}` }, sk: { S: "INSURER" } },
    }),
  );
  if (!insurer?.currentYear) {
    return { statusCode: 400, body: JSON.stringify({ code: "bad_request" }) };
  }
  const { Item: person } = await dynamodb.send(
    new GetItemCommand({
      TableName: table,
      Key: {
        pk: { S: `ROSTER#${body.insurerCode}#${insurer.currentYear.N}` },
        sk: { S: `CARD#${body.symbol}#${body.number}` },
      },
    }),
  );
  const matched = person?.birthDate?.S === body.birthDate;
  return {
    statusCode: matched ? 200 : 401,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(matched ? { step: "account" } : { code: "identity_mismatch" }),
  };
};
