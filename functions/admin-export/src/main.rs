#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run_with_blobs(kennin_admin_export::handle).await
}
