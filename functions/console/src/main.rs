#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run_without_store(kennin_console::handle).await
}
