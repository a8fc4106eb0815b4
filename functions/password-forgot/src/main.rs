#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run(kennin_password_forgot::handle).await
}
