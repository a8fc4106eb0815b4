//! The floor of the cold-start benchmark: the same Lambda runtime (lambda_http, API Gateway v2
//! events) as every kennin function, without the AWS SDK, configuration or storage.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_request: Request| async {
        Ok::<_, Error>(
            Response::builder()
                .status(200)
                .header("content-type", "text/plain")
                .body(Body::from("hello"))?,
        )
    }))
    .await
}
