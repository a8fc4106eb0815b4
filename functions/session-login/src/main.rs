#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run(kennin_session_login::handle).await
}
