#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // The init phase gets burst CPU: unpack the table now rather than on the first request.
    kennin_postal::load();
    kennin::lambda::run_without_store(kennin_postal::handle).await
}
