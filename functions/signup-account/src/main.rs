#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run_mailing(kennin_signup_account::handle).await
}
