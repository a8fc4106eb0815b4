//! The same-SDK floor of the cold-start benchmark: the Lambda runtime (lambda_http, API Gateway
//! v2 events) and the AWS SDK's DynamoDB client built as every kennin function builds it
//! (`kennin::aws::lambda_config`, the endpoint from the environment), making the identity step's
//! first call, the GetItem of the union, and nothing else: no settings, mailer, hashing, routing
//! or records layer. What kennin-signup-identity takes beyond it is kennin's own.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use kennin::domain::InsurerCode;
use kennin::store::records::Insurer;
use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let sdk = kennin::aws::lambda_config().await;
    let mut config = aws_sdk_dynamodb::config::Builder::from(&sdk);
    config.set_endpoint_url(std::env::var("AWS_ENDPOINT_URL_DYNAMODB").ok());
    let client = Client::from_conf(config.build());
    let table = std::env::var("KENNIN_TABLE")?;
    lambda_http::run(service_fn(|request: Request| {
        let (client, table) = (&client, &table);
        async move {
            let body: serde_json::Value = serde_json::from_slice(request.body())?;
            let code = InsurerCode::parse(body["insurerCode"].as_str().unwrap_or_default())
                .map_err(|_| "not an insurer code")?;
            // The key as the records layer builds it, under the table's key schema (pk, sk).
            let key = Insurer::key(&code);
            let union = client
                .get_item()
                .table_name(table)
                .key("pk", AttributeValue::S(key.pk))
                .key("sk", AttributeValue::S(key.sk))
                .send()
                .await?;
            Ok::<_, Error>(
                Response::builder()
                    .status(if union.item.is_some() { 200 } else { 404 })
                    .header("content-type", "text/plain")
                    .body(Body::from("union read"))?,
            )
        }
    }))
    .await
}
