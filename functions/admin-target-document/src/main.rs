#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run_with_blobs(kennin_admin_target_document::handle).await
}
